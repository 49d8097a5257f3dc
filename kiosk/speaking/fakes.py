"""Fakes for the speaker's devices: a synthesiser and an output that need no sound stack.

`FakeSynth` makes a known tone per character, as fast as espeak-ng does; `MemoryOutput`
"plays" in real time by the clock and remembers what was heard, so a test can tell
which lines were heard whole, cut short or never started.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from kiosk.speaking.espeak import Chunk
from kiosk.speaking.player import rms

RATE = 8000


class FakeSynth:
    """`seconds_per_character` of a constant level per character, in 40 ms buffers."""

    sample_rate = RATE

    def __init__(self, seconds_per_character: float = 0.01, level: int = 3000) -> None:
        self.seconds_per_character = seconds_per_character
        self.level = level
        self.made: list[str] = []

    def __call__(self, voice: str | None) -> FakeSynth:
        """Stands in for the constructor the speaker is given (`Espeak`)."""
        return self

    def synthesize(self, text: str, words_per_minute: int, sink: Chunk) -> None:
        self.made.append(text)
        samples = int(len(text) * self.seconds_per_character * RATE)
        buffer = int(0.04 * RATE)
        block = self.level.to_bytes(2, "little", signed=True) * buffer
        for _ in range(0, samples, buffer):
            if not sink(block):
                return


@dataclass
class MemoryOutput:
    """Plays by the clock: what was queued is heard at one second per second."""

    rate: int = RATE
    blocks: list[tuple[float, float]] = field(default_factory=list)
    samples: list[bytes] = field(default_factory=list)
    """What each of `blocks` held."""
    loudest: float = 0.0
    """The highest level played (the speaker's volume shows here)."""
    _settled: float = 0.0
    _ends_at: float = 0.0
    _started_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def play(self, samples: bytes) -> None:
        with self._lock:
            now = time.monotonic()
            if self._ends_at <= now:
                self._settle(now)
                self._started_at = self._ends_at = now
            seconds = len(samples) / 2 / self.rate
            self.blocks.append((self._ends_at, rms(samples)))
            self.samples.append(samples)
            self.loudest = max(self.loudest, self.blocks[-1][1])
            self._ends_at += seconds

    def clear(self) -> None:
        with self._lock:
            now = time.monotonic()
            self._ends_at = min(self._ends_at, now)
            self._settle(now)

    def _settle(self, now: float) -> None:
        self._settled += max(0.0, min(now, self._ends_at) - self._started_at)
        self._started_at = self._ends_at = min(now, self._ends_at)

    def heard_seconds(self) -> float:
        """Seconds of sound heard so far (sound cleared before it played is not)."""
        with self._lock:
            now = time.monotonic()
            return self._settled + max(0.0, min(now, self._ends_at) - self._started_at)

    def queued_seconds(self) -> float:
        with self._lock:
            return max(0.0, self._ends_at - time.monotonic())

    def played(self, since: float) -> list[tuple[float, float]]:
        with self._lock:
            return [block for block in self.blocks if block[0] > since]

    def sound(self, since: float) -> list[tuple[float, bytes]]:
        with self._lock:
            held = zip(self.blocks, self.samples, strict=True)
            return [(at, samples) for (at, _), samples in held if at > since]

    def close(self) -> None:
        self.clear()
