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

At the microphone (LevelledSource), each turn gets the gain the last spoken turn called
for. The same 54 Korean answers, one after another as turns, 20 dB down: 47 understood
and 3 wrong answers taken, against 14 and 8 at a fixed gain; at the usual level, 48 and
3 against 45 and 5.

The level is the power of the loudest frames, not the peak: one click or bump of the
microphone must not set the gain. The gain is bounded: silence or noise is not blown up
into something that sounds like speech.
"""

from __future__ import annotations

import array
import math
from collections.abc import Iterator

from kiosk.hearing.audio import SAMPLE_RATE, AudioSource
from kiosk.hearing.voice_activity import voice_activity

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
    gain_db = _gain_db(level)
    return audio if abs(gain_db) < 0.5 else _scaled(audio, 10 ** (gain_db / 20))


def _gain_db(level: float) -> float:
    """The gain that brings speech at `level` dBFS to TARGET_DBFS, within its bounds."""
    return max(LEAST_GAIN_DB, min(MOST_GAIN_DB, TARGET_DBFS - level))


def _scaled(audio: bytes, gain: float) -> bytes:
    samples = array.array("h", audio[: len(audio) - len(audio) % 2])
    for i, sample in enumerate(samples):
        samples[i] = max(-32768, min(32767, round(sample * gain)))
    return samples.tobytes()


class LevelledSource:
    """A microphone whose turns come at the speech level the recognizers expect.

    A live turn is decided while it is still being heard, so its own level cannot be
    measured first. Each turn instead gets the gain that the speech of the last turn
    with a voice in it called for: the same person at the same microphone speaks at
    much the same level from one answer to the next. Turns without a voice (silence,
    noise) leave the gain as it was.
    """

    def __init__(self, source: AudioSource) -> None:
        self.source = source
        self.gain_db = 0.0
        """The gain the next turn gets."""

    def open_turn(self) -> Iterator[bytes]:
        voiced = bytearray()
        activity = voice_activity()
        gain = 10 ** (self.gain_db / 20)
        try:
            for chunk in self.source.open_turn():
                if activity is not None and activity.voiced(chunk):
                    voiced += chunk
                yield chunk if gain == 1.0 else _scaled(chunk, gain)
        finally:
            level = speech_level_dbfs(bytes(voiced)) if voiced else None
            if level is not None:
                self.gain_db = _gain_db(level)

    def reopen(self) -> None:
        self.source.reopen()

    def close(self) -> None:
        self.source.close()
