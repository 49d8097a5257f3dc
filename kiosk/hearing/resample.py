"""Sample-rate conversion to the recognizers' 16 kHz, in pure Python.

Recordings come at whatever rate the recorder used (espeak-ng writes 22 050 Hz, phones
and sound cards 44 100 or 48 000 Hz), and some sound cards cannot record at 16 kHz at
all. Both recognizers' models were trained on 16 kHz features, so everything is
converted once, on the way in, with a band-limited (windowed-sinc) interpolator: the
same method as Kaldi's LinearResample, without numpy or a C library as a dependency.

The filter's weights repeat every `period` output samples, so they are computed once per
rate pair; each output sample is then one dot product over a few dozen input samples
(4 to 8% of one core for 44.1 or 48 kHz audio on the development machine, measured
by scripts/bench_resample.py).
"""

from __future__ import annotations

import array
import math
import operator
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from math import gcd

CUTOFF_SHARE = 0.9
"""The filter passes up to this share of the lower rate's Nyquist frequency (7.2 kHz
at 16 kHz): speech features use up to about 7 kHz, and the rest is the filter's slope
that keeps everything above 8 kHz from folding back into the band."""

ZERO_CROSSINGS = 6
"""Half-width of the filter in zero crossings of its sinc: wider is sharper and slower."""


Weights = tuple[tuple[float, ...], ...]


@lru_cache(maxsize=8)
def _filter(rate_in: int, rate_out: int) -> tuple[int, int, tuple[int, ...], Weights]:
    """(period in output samples, input samples per period, first input index and
    weights for each output sample of the period)."""
    common = gcd(rate_in, rate_out)
    period, step = rate_out // common, rate_in // common
    cutoff = CUTOFF_SHARE * min(rate_in, rate_out) / 2
    half_width = ZERO_CROSSINGS / (2 * cutoff)  # seconds either side of an output sample
    firsts: list[int] = []
    weights: list[tuple[float, ...]] = []
    for phase in range(period):
        when = phase / rate_out
        first = math.ceil((when - half_width) * rate_in)
        last = math.floor((when + half_width) * rate_in)
        row = []
        for index in range(first, last + 1):
            offset = index / rate_in - when
            row.append(_windowed_sinc(offset, cutoff, half_width) / rate_in)
        firsts.append(first)
        weights.append(tuple(row))
    return period, step, tuple(firsts), tuple(weights)


def _windowed_sinc(offset: float, cutoff: float, half_width: float) -> float:
    """The low-pass impulse response at `offset` seconds, under a Hann window."""
    if abs(offset) >= half_width:
        return 0.0
    window = 0.5 * (1 + math.cos(math.pi * offset / half_width))
    if offset == 0:
        return 2 * cutoff * window
    return math.sin(2 * math.pi * cutoff * offset) / (math.pi * offset) * window


class Resampler:
    """Converts a stream of mono samples from `rate_in` to `rate_out`, chunk by chunk.

    It keeps the input it still needs between chunks, so a stream converted in pieces
    gives the same samples as converted whole."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        self.same = rate_in == rate_out
        self.period, self.step, self.firsts, self.weights = _filter(rate_in, rate_out)
        self._pending: list[float] = []
        """Input samples not yet wholly used; index 0 is input sample `_pending_from`."""
        self._pending_from = 0
        self._made = 0
        """Output samples made so far."""
        self._taken = 0
        """Input samples taken so far."""
        self._reach = max(f + len(w) for f, w in zip(self.firsts, self.weights, strict=True))
        """How far past a period's first input sample its last output sample reads."""
        self._earliest = min(self.firsts)
        """How far before a period's first input sample its first output sample reads."""

    def feed(self, samples: Sequence[float]) -> list[int]:
        """The output samples that the input so far allows (int16, clipped)."""
        if self.same:
            return [_clip(s) for s in samples]
        self._pending.extend(samples)
        self._taken += len(samples)
        return self._make(self._taken)

    def flush(self) -> list[int]:
        """The last output samples, as if the input were followed by silence."""
        if self.same:
            return []
        wanted = -(-self._taken * self.period // self.step)  # ceil(input x ratio)
        padding = self._reach + self.step
        self._pending.extend([0.0] * padding)
        made = self._make(self._taken + padding)
        return made[: max(0, wanted - (self._made - len(made)))]

    def _make(self, available: int) -> list[int]:
        out = []
        pending, firsts, weights, mul = self._pending, self.firsts, self.weights, operator.mul
        while True:
            cycle, phase = divmod(self._made, self.period)
            first = cycle * self.step + firsts[phase]
            row = weights[phase]
            if first + len(row) > available:
                break
            start = first - self._pending_from
            if start < 0:  # before the stream began: silence
                window = [0.0] * -start + pending[: len(row) + start]
            else:
                window = pending[start : start + len(row)]
            out.append(_clip(sum(map(mul, row, window))))
            self._made += 1
        keep_from = (self._made // self.period) * self.step + self._earliest
        if keep_from > self._pending_from:
            del pending[: keep_from - self._pending_from]
            self._pending_from = keep_from
        return out


def _clip(value: float) -> int:
    return max(-32768, min(32767, round(value)))


def resample(samples: Sequence[float], rate_in: int, rate_out: int) -> array.array[int]:
    """A whole recording at `rate_out` (int16)."""
    resampler = Resampler(rate_in, rate_out)
    return array.array("h", resampler.feed(samples) + resampler.flush())


def resampled_chunks(
    chunks: Iterable[bytes], rate_in: int, rate_out: int, chunk_samples: int
) -> Iterator[bytes]:
    """A stream of int16 chunks at `rate_in`, as int16 chunks of `chunk_samples` at
    `rate_out` (for a microphone that cannot record at `rate_out`)."""
    resampler = Resampler(rate_in, rate_out)
    ready = array.array("h")
    for chunk in chunks:
        ready.extend(resampler.feed(array.array("h", chunk)))
        while len(ready) >= chunk_samples:
            yield ready[:chunk_samples].tobytes()
            del ready[:chunk_samples]
