"""Voice barge-in: a person speaking over the kiosk stops it, its own echo does not.

While the kiosk talks, the microphone hears the kiosk. What it plays is known block by
block (when each block reaches the loudspeaker and how loud it is), so each 20 ms frame
of the microphone is compared with the loudest block played in the time an echo can
take to come back (a Geigel double-talk detector on levels): only a frame clearly
louder than the kiosk's own loudest echo can be a person. How loud the echo comes back
(the loudspeaker-to-microphone gain) is learned from the frames where the kiosk talks
and nobody interrupts. Several such frames in a row count as a voice.

Where the played samples are known too (a real loudspeaker), each frame is also heard
with the echo taken out (`echo_cancel`): what is left of the kiosk there is learned the
same way, and is so much quieter that the quiet start of a word ("stop" begins with /s/)
already stands above it. A frame counts as a voice by either test.

The microphone's sound heard while the kiosk talked stays in memory, and the turn after
a barge-in starts with the voice that interrupted (`replay`), so "repeat" or "stop" is
heard whole.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from kiosk.core.errors import AudioDeviceError
from kiosk.hearing.audio import CHUNK_SECONDS, SAMPLE_RATE, AudioSource, rechunked
from kiosk.speaking import echo_cancel
from kiosk.speaking.echo_cancel import Samples, as_samples, resampled, residual_rms

log = logging.getLogger(__name__)

FRAME_SECONDS = 0.02
ECHO_WINDOW = (0.6, 0.05)
"""Until the echo's delay is known, an echo of a block is looked for from this long after
it (the loudspeaker-to-microphone path plus both devices' buffers) to this long before."""
ECHO_SLACK = 0.1
"""Once the delay is known: how far either side of it an echo is looked for."""
LEARN_EVERY = 0.5
"""Seconds of microphone sound between estimates of the echo's delay (it changes slowly)."""
PREROLL_SECONDS = 0.5
"""Sound kept from before a barge-in, replayed to the listener."""

ECHO_SEARCH = ECHO_SLACK
"""How far either side of the learned delay a frame's echo is matched, sample by sample
(the delay is learned to 20 ms, and a busy machine's output blocks come late)."""

Played = Callable[[float], list[tuple[float, float]]]
"""(monotonic time heard, RMS) of each block the kiosk played after a given time."""
PlayedSound = Callable[[float], tuple[int, list[tuple[float, bytes]]]]
"""The output's rate, and (monotonic time heard, samples) of each block it played after
a given time."""


@dataclass
class EchoGate:
    """Decides, frame by frame, whether the microphone holds a voice besides the echo."""

    margin_db: float = 6.0
    """A voice must be this much louder than the loudest echo expected."""
    floor_rms: float = 400.0
    """And louder than this (16-bit RMS; espeak-ng speech at the usual level is ~3000)."""
    frames_needed: int = 3
    """Consecutive frames (60 ms) of such sound that count as a voice."""
    frames_needed_without_echo: int = 3
    """The same for sound that stands out only once the echo is taken out (the /s/ of
    "stop" alone lasts three frames before its closure)."""
    least_left_over: float = 0.3
    """And that sound must be at least this share of the frame's level (the echo
    explains less than 91% of its energy). On a busy processor the echo is now and then
    matched badly for 60 ms or more (a late buffer somewhere between the kiosk and the
    microphone), but such frames still matched to within 0.15 of their level (11 frames
    measured on the test rig), while the /s/ of a spoken "stop" leaves 0.41 to 0.65 of
    it (18 frames)."""
    echo_gain: float = 1.0
    """Microphone level per unit of played level, learned (the first guess: as loud)."""
    residual_gain: float | None = None
    """The same for what is left once the echo is taken out; None until learned."""
    _ratios: deque[float] = field(default_factory=lambda: deque(maxlen=250))
    _residual_ratios: deque[float] = field(default_factory=lambda: deque(maxlen=250))
    _run: int = 0
    _run_without_echo: int = 0

    def feed(self, mic: float, echo: float, residual: float | None = None) -> bool:
        """True when this frame completes a voice; `echo` is the loudest played level
        the frame could hold an echo of, `residual` the frame's level with the echo
        taken out (None: not known)."""
        margin = 10 ** (self.margin_db / 20)
        louder = mic > self.floor_rms and mic > self.echo_gain * echo * margin
        left_over = louder or (
            residual is not None
            and self.residual_gain is not None
            and residual > self.floor_rms
            and residual > self.residual_gain * echo * margin
            and residual > self.least_left_over * mic
        )
        self._run = self._run + 1 if louder else 0
        self._run_without_echo = self._run_without_echo + 1 if left_over else 0
        if not left_over and echo > self.floor_rms:
            self.echo_gain = _learnt(self._ratios, mic / echo, 0.05) or self.echo_gain
            if residual is not None:
                self.residual_gain = _learnt(self._residual_ratios, residual / echo, 0.01)
        return (
            self._run >= self.frames_needed
            or self._run_without_echo >= self.frames_needed_without_echo
        )

    def reset(self) -> None:
        self._run = self._run_without_echo = 0


def _learnt(ratios: deque[float], ratio: float, least: float) -> float | None:
    """A gain from single-talk frames: a high percentile of what they showed, at least
    `least` (None until there are enough)."""
    ratios.append(ratio)
    if len(ratios) < 25:
        return None
    ranked = sorted(ratios)
    return max(least, ranked[int(len(ranked) * 0.95)])


class EchoPath:
    """How long the kiosk's sound takes to come back to the microphone: the lag (in
    20 ms steps) at which the levels the microphone heard follow the levels played most
    closely (correlation of dB levels over the last few seconds)."""

    def __init__(self) -> None:
        self.delay: float | None = None
        """Seconds from a block reaching the loudspeaker to its echo; None: not yet known."""
        self._heard: deque[tuple[float, float]] = deque(maxlen=150)

    def note(self, at: float, level: float) -> None:
        self._heard.append((at, level))

    def learn(self, played: list[tuple[float, float]]) -> None:
        """Re-estimate the delay from what was played (oldest first) and heard."""
        if len(played) < 50 or len(self._heard) < 50:
            return
        times = [t for t, _ in played]
        best, best_lag = 0.5, None  # a weaker match than this is no match
        for step in range(int(ECHO_WINDOW[0] / FRAME_SECONDS) + 1):
            lag = step * FRAME_SECONDS
            pairs = []
            for at, level in self._heard:
                i = bisect.bisect_left(times, at - lag - FRAME_SECONDS / 2)
                if i < len(played) and played[i][0] <= at - lag + FRAME_SECONDS / 2:
                    pairs.append((_db(level), _db(played[i][1])))
            score = _correlation(pairs) if len(pairs) >= 40 else 0.0
            if score > best:
                best, best_lag = score, lag
        if best_lag is not None:
            if self.delay is None or abs(best_lag - self.delay) > ECHO_SLACK:
                log.info("the kiosk's echo comes back after %.2f s", best_lag)
            self.delay = best_lag

    def echo(self, at: float, played: list[tuple[float, float]]) -> float:
        """The loudest played level whose echo the microphone may hold at `at`."""
        if self.delay is None:
            early, late = at - ECHO_WINDOW[0], at + ECHO_WINDOW[1]
        else:
            early, late = at - self.delay - ECHO_SLACK, at - self.delay + ECHO_SLACK
        return max((rms for heard, rms in played if early <= heard <= late), default=0.0)


def _db(level: float) -> float:
    return 20 * math.log10(max(level, 1.0))


def _correlation(pairs: list[tuple[float, float]]) -> float:
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


class PrimedSource:
    """The microphone, whose next turn can be made to start with sound already heard:
    the voice that interrupted the kiosk. Wrap it (in LevelledSource) like the
    microphone itself."""

    def __init__(self, source: AudioSource) -> None:
        self.source = source
        self._primed: Iterator[bytes] | None = None

    def prime(self, chunks: Iterator[bytes]) -> None:
        """The next turn hears these chunks (the interrupting voice, then on)."""
        self._primed = chunks

    def open_turn(self) -> Iterator[bytes]:
        primed, self._primed = self._primed, None
        yield from (self.source.open_turn() if primed is None else primed)

    def reopen(self) -> None:
        self._primed = None
        self.source.reopen()

    def close(self) -> None:
        self._primed = None
        self.source.close()


class BargeIn:
    """Reads the microphone on its own thread while the kiosk talks; see the module."""

    def __init__(
        self,
        microphone: PrimedSource,
        played: Played,
        gate: EchoGate | None = None,
        sound: PlayedSound | None = None,
    ) -> None:
        self.microphone = microphone
        self.played = played
        self.sound = sound
        self.gate = gate or EchoGate()
        self.path = EchoPath()
        self._seconds_seen = 0.0
        self._learnt_at = 0.0
        self._kept: deque[bytes] = deque()
        self._heard = threading.Event()
        self._running = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> None:
        """Start listening for a voice over the line about to be spoken."""
        self.end()
        self._heard.clear()
        self._kept.clear()
        self.gate.reset()
        self._running.set()
        self._thread = threading.Thread(target=self._watch, name="barge-in", daemon=True)
        self._thread.start()

    def heard(self) -> bool:
        return self._heard.is_set()

    def end(self) -> None:
        self._running.clear()
        if self._thread is not None:
            self._thread.join(timeout=2 * CHUNK_SECONDS + 2.0)
            self._thread = None

    def _watch(self) -> None:
        blocks = _blocks(self.microphone.source)  # raw: no gain learnt from the echo
        try:
            while self._running.is_set():
                block = next(blocks)
                self._keep(block)
                if self._check(block, _recorded_at(self.microphone.source)):
                    self.microphone.prime(rechunked(chain(list(self._kept), blocks)))
                    self._heard.set()
                    return
        except (AudioDeviceError, StopIteration) as exc:
            log.info("barge-in: the microphone stopped (%s)", exc)

    def _keep(self, block: bytes) -> None:
        """Keep the last PREROLL_SECONDS of sound."""
        self._kept.append(block)
        kept = sum(map(len, self._kept))
        while kept - len(self._kept[0]) >= PREROLL_SECONDS * SAMPLE_RATE * 2:
            kept -= len(self._kept.popleft())

    def _check(self, chunk: bytes, arrived: float) -> bool:
        frames = _frames(chunk)
        start = arrived - len(frames) * FRAME_SECONDS
        blocks = self.played(start - ECHO_WINDOW[0] - FRAME_SECONDS)
        residuals = self._residuals(frames, start)
        voice = False
        for i, frame in enumerate(frames):
            at = start + i * FRAME_SECONDS
            loudness, residual = echo_cancel.level(frame), residuals[i]
            echo = self.path.echo(at, blocks)
            if self.gate.feed(loudness, echo, residual) and not voice:
                voice = True
                log.info(
                    "a voice over the kiosk: level %.0f (%s with the echo out) against an "
                    "echo of %.0f x %.2f (%s) (echo delay %s; read %.2f s after it was "
                    "recorded)", loudness, _shown(residual), echo, self.gate.echo_gain,
                    _shown(self.gate.residual_gain), self.path.delay,
                    time.monotonic() - arrived,
                )  # fmt: skip
            self.path.note(at, loudness)
        self._seconds_seen += len(chunk) / 2 / SAMPLE_RATE
        if not voice and self._seconds_seen - self._learnt_at >= LEARN_EVERY:
            self._learnt_at = self._seconds_seen
            self.path.learn(self.played(arrived - 4.0))
        return voice

    def _residuals(self, frames: list[Samples], start: float) -> list[float | None]:
        """Each frame's level with the kiosk's echo taken out (None: the delay or the
        played samples are not known)."""
        delay = self.path.delay
        if self.sound is None or delay is None:
            return [None] * len(frames)
        rate, played = self.sound(start - delay - ECHO_SEARCH - 2 * FRAME_SECONDS)
        if not rate:  # no output open
            return [None] * len(frames)
        residuals: list[float | None] = []
        for i, frame in enumerate(frames):
            source = start + i * FRAME_SECONDS - delay
            early, late = source - ECHO_SEARCH - FRAME_SECONDS, source + ECHO_SEARCH + FRAME_SECONDS
            near = b"".join(samples for at, samples in played if early <= at <= late)
            residuals.append(residual_rms(frame, resampled(as_samples(near), rate, SAMPLE_RATE)))
        return residuals


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.0f}"


def _blocks(source: AudioSource) -> Iterator[bytes]:
    """The source's sound as soon as it comes: the microphone's short blocks, or (a
    source without them) its chunks."""
    open_blocks: Callable[[], Iterator[bytes]] | None = getattr(source, "open_blocks", None)
    return open_blocks() if open_blocks is not None else source.open_turn()


def _recorded_at(source: AudioSource) -> float:
    """When the source's latest block was recorded: the microphone knows, even when
    the block waited; for other sources (clips, tests) it is now."""
    recorded_at: float | None = getattr(source, "recorded_at", None)
    return time.monotonic() if recorded_at is None else recorded_at


def _frames(chunk: bytes) -> list[Samples]:
    samples = as_samples(chunk)
    size = int(SAMPLE_RATE * FRAME_SECONDS)
    return [samples[i : i + size] for i in range(0, len(samples) - size + 1, size)]
