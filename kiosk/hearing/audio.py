"""Where sound comes from: a microphone, or WAV clips feeding the very same loop.

Every source yields 16 kHz mono int16 chunks of CHUNK_SECONDS. The microphone records
in shorter blocks (BLOCK_SECONDS) and also gives them as they come (`open_blocks`), so a
person talking over the kiosk is noticed within a block rather than a chunk. Time inside the
listener is counted in samples, not wall-clock seconds, so WAV tests run faster than
real time and give the same decisions every run. Audio is never written to disk.
"""

from __future__ import annotations

import logging
import queue
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from kiosk.core.errors import AudioDeviceError
from kiosk.hearing.resample import resampled_chunks

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
CHUNK_SECONDS = 0.1
CHUNK_BYTES = int(SAMPLE_RATE * CHUNK_SECONDS) * 2
BLOCK_SECONDS = 0.02
"""The microphone's own block: how long sound waits in the device before the kiosk
sees it. With 0.1 s blocks a spoken "stop" over the kiosk's speech silenced it about
0.39 s after the voice began (scripts/bench_speech.py); see docs/decisions/0003."""
INPUT_LATENCY = 0.04
"""Seconds of sound the input device may buffer (sounddevice's default "high" latency
is several blocks on ALSA's PulseAudio plugin)."""


class AudioSource(Protocol):
    """A stream of 16 kHz mono int16 chunks for one answer at a time."""

    def open_turn(self) -> Iterator[bytes]:
        """Chunks from now on (anything heard while the kiosk spoke is dropped)."""
        ...

    def reopen(self) -> None:
        """Open the device afresh after it failed; AudioDeviceError while it is still gone."""
        ...

    def close(self) -> None: ...


class ClipSource:
    """Plays one recorded clip per turn, then silence: a person answering each question.

    After the clips run out every turn is silence, which the listener reports as such.
    """

    def __init__(self, clips: list[bytes], lead_in: float = 0.3) -> None:
        self.clips = deque(clips)
        self.lead_in = bytes(int(SAMPLE_RATE * lead_in) * 2)

    def open_turn(self) -> Iterator[bytes]:
        audio = self.lead_in + (self.clips.popleft() if self.clips else b"")
        for start in range(0, len(audio), CHUNK_BYTES):
            yield audio[start : start + CHUNK_BYTES].ljust(CHUNK_BYTES, b"\0")
        while True:
            yield bytes(CHUNK_BYTES)

    def reopen(self) -> None:
        """Recorded clips never go away."""

    def close(self) -> None:
        self.clips.clear()


class Microphone:
    """sounddevice.RawInputStream whose callback only queues bytes and the time they came
    (no work in the callback)."""

    def __init__(self, device: int | str | None = None, probe_seconds: float = 1.0) -> None:
        self.device = device
        self.probe_seconds = probe_seconds
        """How long `reopen` waits for the first sound before calling the device still gone."""
        self._queue: queue.Queue[tuple[float, bytes]] = queue.Queue()
        self._stream: Any = None
        self.recorded_at: float | None = None
        """Monotonic time the device handed over the latest block yielded. A busy
        processor may leave blocks waiting in the queue: whoever compares the sound
        with the clock (barge-in's echo check) needs when it was heard, not read."""
        self._rate = SAMPLE_RATE
        """The rate the device records at (converted to SAMPLE_RATE in open_turn)."""

    def check(self) -> None:
        """Fail now, with a clear message, if there is no usable input device."""
        self._stream = self._stream or self._open()

    def open_turn(self) -> Iterator[bytes]:
        yield from rechunked(self.open_blocks())

    def open_blocks(self) -> Iterator[bytes]:
        """Sound from now on, in BLOCK_SECONDS blocks as soon as each is recorded."""
        if self._stream is None:
            self._stream = self._open()
        while not self._queue.empty():  # drop what was heard while the kiosk spoke
            self._queue.get_nowait()
        if self._rate == SAMPLE_RATE:
            yield from self._recorded()
        else:
            block = int(SAMPLE_RATE * BLOCK_SECONDS)
            yield from resampled_chunks(self._recorded(), self._rate, SAMPLE_RATE, block)

    def _recorded(self) -> Iterator[bytes]:
        """Chunks as the device records them."""
        while True:
            try:
                self.recorded_at, block = self._queue.get(timeout=2.0)
            except queue.Empty as exc:
                raise AudioDeviceError("the microphone stopped sending sound") from exc
            yield block

    def reopen(self) -> None:
        """Close whatever is left, restart PortAudio (so a device plugged in again is
        found), open the device and wait briefly for sound."""
        self.close()
        try:
            import sounddevice

            sounddevice._terminate()
            sounddevice._initialize()
        except Exception as exc:  # OSError without PortAudio, PortAudioError
            raise AudioDeviceError(f"the audio library could not restart ({exc})") from exc
        self._stream = self._open()
        try:
            self._queue.get(timeout=self.probe_seconds)
        except queue.Empty as exc:
            self.close()
            raise AudioDeviceError("the microphone sends no sound yet") from exc
        log.info("microphone is back")

    def _open(self) -> Any:
        try:
            import sounddevice
        except OSError as exc:  # PortAudio missing
            raise AudioDeviceError(f"no audio library: {exc} (install libportaudio2)") from exc

        def enqueue(data: Any, frames: int, when: Any, status: Any) -> None:
            self._queue.put((time.monotonic(), bytes(data)))

        # Many sound cards record only at 44.1 or 48 kHz when nothing (PulseAudio,
        # PipeWire) converts for them: then record at the card's own rate and convert.
        refused: Exception | None = None
        for rate in self._rates(sounddevice):
            try:
                stream = self._start(sounddevice, rate, enqueue)
            except Exception as exc:  # PortAudioError and ValueError for a bad device
                refused = refused or exc
                continue
            if rate != SAMPLE_RATE:
                log.info("the microphone cannot record at 16 kHz; recording at %d Hz", rate)
            log.info("microphone open: %s", self.device or "default")
            return stream
        which = "the default microphone" if self.device is None else f"microphone {self.device!r}"
        raise AudioDeviceError(
            f"cannot open {which} ({refused}); list microphones with --list-devices "
            f"and choose one with --input-device"
        ) from refused

    def _rates(self, sounddevice: Any) -> Iterator[int]:
        """16 kHz, then the device's own rate if that differs (and can be found)."""
        yield SAMPLE_RATE
        try:
            own = int(sounddevice.query_devices(self.device, "input")["default_samplerate"])
        except Exception:  # the device cannot even be queried: the 16 kHz error says why
            return
        if own != SAMPLE_RATE:
            yield own

    def _start(self, sounddevice: Any, rate: int, enqueue: Callable[..., None]) -> Any:
        stream = sounddevice.RawInputStream(
            samplerate=rate,
            blocksize=int(rate * BLOCK_SECONDS),
            latency=INPUT_LATENCY,
            device=self.device,
            channels=1,
            dtype="int16",
            callback=enqueue,
        )
        try:
            stream.start()
        except Exception:
            stream.close()
            raise
        self._rate = rate
        return stream

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.stop()
            stream.close()
        except Exception as exc:  # a device that has vanished may fail to stop
            log.warning("the microphone did not close cleanly: %s", exc)


def rechunked(blocks: Iterable[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The same sound in chunks of `size` bytes (the last, partial one is kept back)."""
    ready = bytearray()
    for block in blocks:
        ready += block
        while len(ready) >= size:
            yield bytes(ready[:size])
            del ready[:size]


def list_devices() -> str:
    """The input devices sounddevice can see, for --list-devices."""
    try:
        import sounddevice
    except OSError as exc:
        raise AudioDeviceError(f"no audio library: {exc} (install libportaudio2)") from exc
    lines = []
    for index, device in enumerate(sounddevice.query_devices()):
        if device["max_input_channels"] > 0:
            lines.append(f"{index}\t{device['name']}\t{device['max_input_channels']} in")
    return "\n".join(lines) or "no input devices found"
