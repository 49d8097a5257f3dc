"""One sound output (the room's loudspeaker, or headphones), played from memory.

The device is opened once and kept running; its callback takes the next short block
(20 ms) from a buffer in memory, or silence when there is none. So a line starts as
soon as its first samples are queued, and `clear` silences it within one block plus
the device's own latency: nothing has to be closed or reopened to stop. Each block
played is also kept for a few seconds (when it reaches the loudspeaker, how loud it is,
its samples) so a voice barge-in can tell the kiosk's own echo from a person (see
`barge_in`); like everything else here, only in memory.
"""

from __future__ import annotations

import array
import logging
import math
import threading
import time
from collections import deque
from typing import Any, Protocol

from kiosk.core.errors import AudioDeviceError

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.02
"""The callback's block: how much can still play after `clear` (besides the device's
own buffer)."""
LATENCY = 0.05
"""Seconds of sound the device buffers ahead: what may still play after `clear`. Lower
underruns through ALSA's PulseAudio plugin on a busy machine."""
HISTORY_SECONDS = 3.0
"""How far back the played blocks are remembered (longer than any echo path)."""


class Output(Protocol):
    """Where samples go: 16-bit mono at `rate`."""

    rate: int

    def play(self, samples: bytes) -> None:
        """Queue samples after those already queued."""
        ...

    def clear(self) -> None:
        """Drop everything not yet played: silence within a block."""
        ...

    def queued_seconds(self) -> float:
        """How long what is queued will still play, device latency included."""
        ...

    def played(self, since: float) -> list[tuple[float, float]]:
        """(monotonic time the block is heard, its RMS) for blocks heard after `since`."""
        ...

    def sound(self, since: float) -> list[tuple[float, bytes]]:
        """(monotonic time the block is heard, its samples) for blocks heard after
        `since`, in the order played."""
        ...

    def close(self) -> None: ...


class DevicePlayer:
    """A sounddevice output stream fed from a buffer in memory; nothing touches a disk."""

    def __init__(self, device: int | str | None, rate: int) -> None:
        self.device = device
        self.rate = rate
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._history: deque[tuple[float, float, bytes]] = deque(
            maxlen=int(HISTORY_SECONDS / BLOCK_SECONDS)
        )
        self._latency = 0.0
        self._quiet_from = 0.0
        """Monotonic time the last queued sample has left the loudspeaker."""
        self._stream = self._open()

    def _open(self) -> Any:
        try:
            import sounddevice
        except OSError as exc:  # PortAudio missing
            raise AudioDeviceError(f"no audio library: {exc} (install libportaudio2)") from exc
        try:
            stream = sounddevice.RawOutputStream(
                samplerate=self.rate,
                blocksize=int(self.rate * BLOCK_SECONDS),
                device=self.device,
                channels=1,
                dtype="int16",
                latency=LATENCY,
                callback=self._fill,
            )
            stream.start()
        except Exception as exc:  # PortAudioError, ValueError for an unknown device
            which = "the default output" if self.device is None else f"output {self.device!r}"
            raise AudioDeviceError(f"cannot play through {which} ({exc})") from exc
        self._latency = float(stream.latency)
        log.info("sound output open: %s (%.0f ms latency)", self.device or "default",
                 self._latency * 1000)  # fmt: skip
        return stream

    def play(self, samples: bytes) -> None:
        with self._lock:
            self._buffer += samples

    def clear(self) -> None:
        with self._lock:
            self._buffer.clear()

    def queued_seconds(self) -> float:
        with self._lock:
            waiting = len(self._buffer) / 2 / self.rate
        if waiting:
            return waiting + self._latency + BLOCK_SECONDS
        return max(0.0, self._quiet_from - time.monotonic())

    def played(self, since: float) -> list[tuple[float, float]]:
        with self._lock:
            return [(at, level) for at, level, _ in self._history if at > since]

    def sound(self, since: float) -> list[tuple[float, bytes]]:
        with self._lock:
            return [(at, samples) for at, _, samples in self._history if at > since]

    def _fill(self, outdata: Any, frames: int, when: Any, status: Any) -> None:
        """The device's callback: the next block from memory, else silence."""
        size = frames * 2
        with self._lock:
            block = bytes(self._buffer[:size])
            del self._buffer[:size]
            heard_at = time.monotonic() + self._latency
            self._history.append((heard_at, rms(block), block.ljust(size, b"\0")))
            if block:
                self._quiet_from = heard_at + BLOCK_SECONDS
        outdata[: len(block)] = block
        outdata[len(block) : size] = bytes(size - len(block))

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort()
            stream.close()
        except Exception as exc:  # a device that vanished may fail to close
            log.warning("the sound output did not close cleanly: %s", exc)


def rms(block: bytes) -> float:
    """The root-mean-square level of 16-bit samples (0 for none)."""
    samples = array.array("h", block[: len(block) // 2 * 2])
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def scaled(samples: bytes, gain: float) -> bytes:
    """16-bit samples times `gain`, clipped to the 16-bit range."""
    values = array.array("h", samples[: len(samples) // 2 * 2])
    if gain != 1.0:
        values = array.array("h", (max(-32768, min(32767, int(s * gain))) for s in values))
    return values.tobytes()
