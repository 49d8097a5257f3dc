"""A faint, fixed noise under every turn: recognizers have never heard digital silence.

A microphone in a room always picks up some noise, so the acoustic models were trained
on speech with a noise floor. Recordings, WAV files checked with `--recognize` and
synthetic speech can hold runs of exact zeros instead; their features (the log energy
of nothing) lie far outside anything the models know, and the per-turn mean that
cepstral normalisation subtracts is pulled off by them. Adding noise far below any room's
own (about -66 dBFS) makes such audio look like a quiet room and leaves microphone audio
as it was. The noise is the same every turn, so one recording always gets one decision.

Used for PocketSphinx, whose own dither is only half a sample step: on the tuning set of
scripts/tune_sphinx_fit.py (clean espeak-ng clips framed by digital silence) it took the
grammar's right answers from 68 to 93 of 112. Vosk is left as it is: Kaldi's feature
extraction already dithers, and the floor gained 1 of 162 clean Korean answers on the
benchmark's audio while moving single phrases both ways.
"""

from __future__ import annotations

import array
import random
from collections.abc import Iterable, Iterator
from functools import lru_cache

from kiosk.hearing.audio import SAMPLE_RATE

FLOOR_RMS = 16.0
"""Root-mean-square of the added noise in 16-bit sample steps (-66 dBFS): below the
self-noise of any microphone, so only digital silence is changed by it."""


@lru_cache(maxsize=4)
def _noise(rms: float) -> array.array[int]:
    """One second of seeded Gaussian noise, repeated through the turn."""
    rng = random.Random(20261126)
    return array.array("h", (round(rng.gauss(0.0, rms)) for _ in range(SAMPLE_RATE)))


def with_noise_floor(chunks: Iterable[bytes], rms: float = FLOOR_RMS) -> Iterator[bytes]:
    """The turn's 16-bit chunks with the noise floor added (clipped to the sample range)."""
    if rms <= 0:
        yield from chunks
        return
    noise = _noise(rms)
    at = 0
    for chunk in chunks:
        samples = array.array("h", chunk)
        for i, sample in enumerate(samples):
            samples[i] = max(-32768, min(32767, sample + noise[at]))
            at = at + 1 if at + 1 < len(noise) else 0
        yield samples.tobytes()
