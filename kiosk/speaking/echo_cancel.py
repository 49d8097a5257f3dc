"""The kiosk's own sound taken out of the microphone, sample by sample.

A person's "stop" begins with a quiet /s/ and a closure, far quieter than the kiosk's
own speech coming back into the microphone; compared by level alone, the person is
only told from the echo once their vowel arrives (decision record 0003). But what the
kiosk plays is known sample by sample: for each 20 ms frame of the microphone, the
played sound around the echo's delay is slid along the frame to where it matches best,
fitted with a short filter (a fraction of a sample of delay, the loudspeaker's colour), and
subtracted. What is left is the room and the person; the kiosk's echo is mostly gone.

Matching each frame afresh, rather than running one adaptive filter, keeps the
cancellation right when the two devices' clocks drift or a block of output is late (the
time stamps jitter by a few milliseconds): nothing has to converge again.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]

TAPS = 17
"""Filter taps fitted around the best match: a fraction of a sample either way (the two
devices' sample grids never line up), which at 6 kHz, where the kiosk's own /s/ and /f/
lie, needs more than a few taps, and a little of the echo path's colour. Fitting 17 taps
to 160 samples takes about a tenth of the energy out of a sound that is no echo at all
(half a decibel of a person's voice)."""


def as_samples(block: bytes) -> Samples:
    """16-bit little-endian samples as floats."""
    return np.frombuffer(block[: len(block) // 2 * 2], dtype="<i2").astype(np.float64)


def resampled(samples: Samples, rate: int, to_rate: int) -> Samples:
    """Band-limited resampling (the spectrum cut at the new rate's Nyquist frequency), as
    the sound system's own resampler does on the way to the microphone: a linear
    interpolation left the kiosk's fricatives 10 dB less cancelled. The ends of the
    stretch wrap round; the echo is matched in its middle."""
    if rate == to_rate or len(samples) < 2:
        return samples
    count = int(len(samples) * to_rate / rate)
    spectrum = np.fft.rfft(samples)
    kept = np.zeros(count // 2 + 1, dtype=complex)
    shared = min(len(kept), len(spectrum))
    kept[:shared] = spectrum[:shared]
    resampled_samples: Samples = np.fft.irfft(kept, count) * (count / len(samples))
    return resampled_samples


def residual_rms(frame: Samples, reference: Samples) -> float:
    """The level of `frame` once the kiosk's echo is taken out: each half of the frame
    is matched on its own, so a jump in the played sound (an output block late, an
    underrun) spoils at most one half's match rather than the whole frame's."""
    half = len(frame) // 2
    parts = (_residual(frame[:half], reference), _residual(frame[half:], reference))
    return level(np.concatenate(parts))


def _residual(frame: Samples, reference: Samples) -> Samples:
    """`frame` less the best-matching stretch of `reference` (longer than the frame,
    covering every delay the echo may have), fitted with TAPS taps."""
    size = len(frame)
    if len(reference) < size + TAPS or not np.any(reference):
        return frame
    products = np.correlate(reference, frame, mode="valid")
    squares = np.concatenate(([0.0], np.cumsum(reference**2)))
    energies = squares[size:] - squares[:-size]
    scores = products**2 / np.maximum(energies, 1e-9)
    best = int(np.argmax(scores))
    first = min(max(best - TAPS // 2, 0), len(reference) - size - TAPS + 1)
    columns = np.stack([reference[first + k : first + k + size] for k in range(TAPS)], axis=1)
    weights, *_ = np.linalg.lstsq(columns, frame, rcond=None)
    left: Samples = frame - columns @ weights
    return left


def level(samples: Samples) -> float:
    """Root-mean-square level (0 for none)."""
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
