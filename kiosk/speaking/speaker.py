"""The kiosk's voice: espeak-ng into memory, played in 20 ms blocks, stopped at once.

A worker thread owns the synthesiser; each buffer it makes goes to the current output
(room or headphones) as soon as it exists, so a line is heard before it is fully made.
`stop` aborts the synthesis and drops what is queued: the line falls silent within a
block and the device's latency. Nothing is written to a file at any point.

A synthesiser that cannot start, or fails, leaves the kiosk on captions (logged); one
that hangs holds no one up: the front end waits for a line no longer than the
watchdog allows, and no new line is queued behind a stuck one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

from kiosk.config.speech import SpeechSettings
from kiosk.speaking.earcons import Earcon, tone
from kiosk.speaking.espeak import Chunk
from kiosk.speaking.player import Output, scaled

log = logging.getLogger(__name__)


class Synth(Protocol):
    sample_rate: int

    def synthesize(self, text: str, words_per_minute: int, sink: Chunk) -> None: ...


OpenOutput = Callable[[int | str | None, int], Output]
"""Opens a device (None: the default) at a sample rate; AudioDeviceError if it cannot."""

_Item = tuple[str, str, int] | None
"""("line" | "tone", text or earcon, generation), or None to end the worker."""


class StreamingSpeaker:
    """Speaks lines through a `Synth` into an `Output`; see the module docstring."""

    def __init__(
        self,
        settings: SpeechSettings,
        make_synth: Callable[[str | None], Synth],
        open_output: OpenOutput,
    ) -> None:
        self.settings = settings
        self._make_synth = make_synth
        self._open_output = open_output
        self._items: queue.Queue[_Item] = queue.Queue()
        self._rate = self._volume = 1.0
        self._generation = 0
        """Bumped by `stop`: anything queued or being made for an older one is dropped."""
        self._outstanding = 0
        """Lines and tones queued and not yet made."""
        self._changed = threading.Condition()
        self._ready = threading.Event()
        self._broken = False
        self._room: Output | None = None
        self._headphones: Output | None = None
        self._private = False
        self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
        self._thread.start()

    @property
    def output(self) -> Output | None:
        """Where the kiosk speaks now (None until the device is open, or when broken)."""
        return self._headphones if self._private else self._room

    def start(self, text: str) -> None:
        self._queue(text)

    def _queue(self, text: str) -> bool:
        """Queue a line; False (captions only) while a stuck synthesiser has not caught up."""
        with self._changed:  # a line just stopped is dropped within a buffer
            if self._broken or not self._changed.wait_for(self._caught_up, timeout=0.2):
                return False
            self._outstanding += 1
        self._items.put(("line", text, self._generation))
        return True

    def _caught_up(self) -> bool:
        return self._outstanding == 0

    def wait(self, timeout: float) -> bool:
        """True once the line has been made and played (or stopped)."""
        deadline = time.monotonic() + timeout
        while True:
            output = self.output
            made = self._outstanding == 0
            if made and (output is None or output.queued_seconds() == 0):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(0.005, left))

    def say(self, text: str) -> None:
        if self._queue(text) and not self.wait(self.settings.watchdog(text, self._rate)):
            log.error("speech took too long; captions only until it catches up")
            self.stop()

    def stop(self) -> None:
        self._generation += 1
        for output in (self._room, self._headphones):
            if output is not None:
                output.clear()

    def earcon(self, which: Earcon) -> None:
        if self.settings.earcons and not self._broken:
            with self._changed:
                self._outstanding += 1
            self._items.put(("tone", which, self._generation))

    def set_voice(self, rate: float, volume: float) -> None:
        self._rate, self._volume = rate, volume

    def set_private(self, private: bool) -> bool:
        self._ready.wait(timeout=5.0)
        if private and self._headphones is None:
            return False
        if private != self._private:
            self.stop()
            self._private = private
        return True

    def played(self, since: float) -> list[tuple[float, float]]:
        """What the current output played after `since` (for echo rejection)."""
        output = self.output
        return output.played(since) if output is not None else []

    def played_sound(self, since: float) -> tuple[int, list[tuple[float, bytes]]]:
        """The current output's rate and the samples it played after `since` (for echo
        cancellation)."""
        output = self.output
        return (output.rate, output.sound(since)) if output is not None else (0, [])

    def close(self) -> None:
        self.stop()
        self._items.put(None)
        self._thread.join(timeout=1.0)
        for output in (self._room, self._headphones):
            if output is not None:
                output.close()

    def _work(self) -> None:
        synth = self._start_up()
        self._ready.set()
        while (item := self._items.get()) is not None:
            kind, what, generation = item
            try:
                if generation == self._generation and synth is not None and not self._broken:
                    self._make(synth, kind, what, generation)
            except Exception:
                log.exception("the speech engine failed; captions only")
                self._broken = True
            finally:
                with self._changed:
                    self._outstanding -= 1
                    self._changed.notify_all()

    def _start_up(self) -> Synth | None:
        try:
            synth = self._make_synth(self.settings.voice)
            self._room = self._open_output(self.settings.output_device, synth.sample_rate)
        except Exception:
            log.exception("speech could not start; captions only")
            self._broken = True
            return None
        if self.settings.private_output is not None:
            try:
                rate = synth.sample_rate
                self._headphones = self._open_output(self.settings.private_output, rate)
            except Exception as exc:
                log.warning("no headphones for private listening: %s", exc)
        self._private = self.settings.private and self._headphones is not None
        return synth

    def _make(self, synth: Synth, kind: str, what: str, generation: int) -> None:
        output = self.output
        if output is None:
            return
        gain = self.settings.volume * self._volume

        def play(chunk: bytes) -> bool:
            if generation != self._generation:
                return False
            output.play(scaled(chunk, gain))
            return True

        if kind == "tone":
            play(tone(what, synth.sample_rate))  # type: ignore[arg-type]
        else:
            words_per_minute = int(self.settings.words_per_minute * self._rate)
            synth.synthesize(what, words_per_minute, play)


def open_speaker(settings: SpeechSettings) -> StreamingSpeaker:
    """espeak-ng through sounddevice (each opened on the speech thread)."""
    from kiosk.speaking.espeak import Espeak
    from kiosk.speaking.player import DevicePlayer

    return StreamingSpeaker(settings, Espeak, DevicePlayer)
