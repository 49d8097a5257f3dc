"""Earcons: a short tone as the microphone opens, another as it closes.

A person who cannot see the screen must still know when to speak. The two tones differ
in pitch direction (rising: speak now; falling: the kiosk has stopped listening), are
short enough not to delay an answer, and are made in memory like the speech.
"""

from __future__ import annotations

import array
import math
from typing import Literal

Earcon = Literal["listening", "done"]

TONES: dict[Earcon, tuple[float, float]] = {"listening": (660.0, 990.0), "done": (990.0, 660.0)}
"""Each earcon: two notes (Hz), played one after the other."""
NOTE_SECONDS = 0.07
LEVEL = 0.25
"""Peak level of a tone relative to full scale: about as loud as the speech (espeak-ng's
speech peaks near full scale but is far quieter on average)."""


def tone(earcon: Earcon, rate: int) -> bytes:
    """The earcon as 16-bit mono samples at `rate`, with soft edges (no clicks)."""
    samples = array.array("h")
    for frequency in TONES[earcon]:
        count = int(rate * NOTE_SECONDS)
        fade = max(1, count // 8)
        for i in range(count):
            edge = min(1.0, i / fade, (count - 1 - i) / fade)
            value = LEVEL * edge * math.sin(2 * math.pi * frequency * i / rate)
            samples.append(int(32767 * value))
    return samples.tobytes()
