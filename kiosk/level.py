"""A recording's speech brought to the level the recognizers were measured at.

Vosk's Korean model normalises nothing in its features (its mfcc.conf has no cepstral
mean normalisation), so how loud a recording is changes what it hears: the benchmark's
9 answers in 6 espeak-ng voices were understood 45 of 54 times, but made 20 dB quieter
only 14 times, with 8 wrong answers taken. A recording decided on its own
(`kiosk --recognize`, `--wav`) is whole before it is decided, so its speech level can be
measured first and set to the level every threshold was chosen at. Levelled, the same
answers were understood 47 and 48 times; PocketSphinx, which normalises its own cepstra,
still gained at 30 dB down (42 to 52 of 54), where its added noise floor came close to
the speech.

The level is the power of the loudest frames, not the peak: one click or bump of the
microphone must not set the gain. The gain is bounded: silence or noise is not blown up
into something that sounds like speech.
"""

from __future__ import annotations

import array
import math

from kiosk.audio import SAMPLE_RATE

FRAME_SAMPLES = SAMPLE_RATE // 50
"""20 ms frames."""
LOUDEST_SHARE = 0.05
"""The loudest share of frames that sets the level (at least LOUDEST_FRAMES of them)."""
LOUDEST_FRAMES = 5
TARGET_DBFS = -16.0
"""The level of the loudest frames of the espeak-ng speech every recognizer threshold was
measured on: the median of the benchmark's answers (which range from -25 to -11)."""
MOST_GAIN_DB = 30.0
LEAST_GAIN_DB = -20.0


def speech_level_dbfs(audio: bytes) -> float | None:
    """The power of the loudest frames of 16-bit audio, in dB below full scale (None
    for digital silence)."""
    samples = array.array("h", audio[: len(audio) - len(audio) % 2])
    powers = sorted(
        (
            sum(s * s for s in samples[i : i + FRAME_SAMPLES]) / FRAME_SAMPLES
            for i in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES)
        ),
        reverse=True,
    )
    loudest = powers[: max(LOUDEST_FRAMES, round(len(powers) * LOUDEST_SHARE))]
    power = sum(loudest) / len(loudest) if loudest else 0.0
    if power <= 0:
        return None
    return 10 * math.log10(power / 32768**2)


def levelled(audio: bytes) -> bytes:
    """The audio with its speech at TARGET_DBFS (the gain kept within its bounds)."""
    level = speech_level_dbfs(audio)
    if level is None:
        return audio
    gain_db = max(LEAST_GAIN_DB, min(MOST_GAIN_DB, TARGET_DBFS - level))
    if abs(gain_db) < 0.5:
        return audio
    gain = 10 ** (gain_db / 20)
    samples = array.array("h", audio[: len(audio) - len(audio) % 2])
    for i, sample in enumerate(samples):
        samples[i] = max(-32768, min(32767, round(sample * gain)))
    return samples.tobytes()
