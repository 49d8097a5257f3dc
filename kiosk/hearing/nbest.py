"""Reading a recognizer's N-best list: which one answer was said, and how sure it is.

A Vosk grammar is a list of phrases whose words may follow one another freely. So a
sentence that is not an answer often comes back as a run of answer words ("네 있어 있어
네 있어요"), and a real answer sometimes as the answer plus a stray word ("양쪽 도와줘")
with the answer alone in second place. A person gives one answer per turn, perhaps
twice over ("아니요 없어요", "no no"), so an alternative counts only when it is one
spoken sentence (`kiosk.language.vocabulary.sentence_meaning`): at most two phrases that mean
the same, with fillers around them. The first such alternative among the top
few is taken, if it holds at least MIN_SHARE of the list's probability. How sure: that
share, the part of the whole N-best probability that means the same; it replaces the
per-word confidences Vosk gives only without alternatives.

The same speech is also decoded a little slower and faster (`kiosk.hearing.vosk_engine.SPEEDS`); the
readings of all those decodings must then agree (`agreed`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.hearing.grammar import UNKNOWN_SYMBOLS

LOOK_AT = 3
"""How far down the list an answer may be found; further down is too unlikely."""
MIN_SHARE = 0.2
"""An answer the recognizer gives less than one chance in five was not heard."""
MIN_AGREED = 0.5
"""With AGREEMENT "share": across decodings of the same speech, an answer must hold
this share on average (a decoding that found no answer adds nothing). On the benchmark's
tuning half (natural Korean answers, one espeak-ng voice, five rooms), 0.3 took 62% of
clean answers right and 8.4% of all answers wrongly; 0.5 took 40% right and 1.3%
wrongly (docs/decisions/0001-natural-speech.md). A wrong answer feeds the scores
unseen, an answer asked again costs one more turn."""


MIN_DOUBTFUL = 0.3
"""With AGREEMENT "share": an answer below MIN_AGREED but with at least this share is
read as doubtful (`Reading.doubtful`), and the engine has the person confirm it ("I heard
no. Is that right?") rather than asking the question again. Natural Korean, tuning half,
2 voices per half: most answers the three speeds read at 0.3 to 0.5 are right, and the
few that are not are caught by the confirmation
(docs/decisions/0001-natural-speech.md, "Stop 34")."""


AGREEMENT = "share"
"""How readings at several speeds must agree (see `agreed`). Natural Korean answers, 2
espeak-ng voices per half, five rooms: on the tuning half "share" took 31% of clean
answers right and 0.7% of all answers wrongly, "vote" 40% and 1.3%; but on the test
half vote took 2.9% wrongly (share 1.8%), above the 2% a wrong answer may cost, so the
kiosk shares (docs/decisions/0001-natural-speech.md)."""


@dataclass(frozen=True)
class Alternative:
    text: str
    log_likelihood: float


@dataclass(frozen=True)
class Reading:
    """The answer taken from an N-best list."""

    text: str
    """The words of the chosen alternative, without unknown-word symbols."""
    confidence: float
    """Share of the N-best probability that means the same as `text`."""
    heard_unknown: bool
    """The chosen alternative also had speech the grammar does not cover."""
    doubtful: bool = False
    """Read with too little agreement to count without the person confirming it."""


def alternatives(result: dict[str, Any]) -> list[Alternative]:
    """The alternatives of a Vosk result made with SetMaxAlternatives, best first."""
    return [
        Alternative(str(a.get("text", "")), float(a.get("confidence", 0.0)))
        for a in result.get("alternatives", [])
    ]


def read(
    found: Sequence[Alternative], meaning_of: Callable[[str], Hashable | None]
) -> Reading | None:
    """The one answer the list supports; None when none of the top few is one likely answer.

    `meaning_of` gives what an alternative's words (unknown-word symbols left out) mean
    as one spoken sentence (None: nothing); equal meanings are one answer.
    """
    if not found:
        return None
    best = max(a.log_likelihood for a in found)
    mass: dict[Hashable | None, float] = {}
    chosen: tuple[Alternative, Hashable] | None = None
    for rank, alternative in enumerate(found):
        words = _words(alternative.text)
        meaning = meaning_of(" ".join(words)) if words else None
        mass[meaning] = mass.get(meaning, 0.0) + math.exp(alternative.log_likelihood - best)
        if chosen is None and meaning is not None and rank < LOOK_AT:
            chosen = (alternative, meaning)
    if chosen is None:
        return None
    alternative, meaning = chosen
    share = mass[meaning] / sum(mass.values())
    if share < MIN_SHARE:
        return None
    heard_unknown = any(w in UNKNOWN_SYMBOLS for w in alternative.text.split())
    return Reading(" ".join(_words(alternative.text)), share, heard_unknown)


def _words(text: str) -> list[str]:
    return [w for w in text.split() if w not in UNKNOWN_SYMBOLS]


def agreed(
    readings: Sequence[Reading | None], meaning_of: Callable[[str], Hashable | None]
) -> Reading | None:
    """The answer that readings of the same speech support together; None: none does.

    The first reading is the speech as it came, the others the same speech at other
    speeds. By AGREEMENT: "vote", most decodings must read it and none another answer;
    "share", it needs MIN_AGREED of their shares on average, or MIN_DOUBTFUL to be read
    as doubtful. Its words come from the first reading that means it, and its confidence
    is the average share, so a split among them lowers it (a red-flag answer heard that
    way is confirmed)."""
    support: dict[Hashable | None, float] = {}
    votes: dict[Hashable | None, int] = {}
    first: dict[Hashable | None, Reading] = {}
    for reading in readings:
        if reading is None:
            continue
        meaning = meaning_of(reading.text)
        support[meaning] = support.get(meaning, 0.0) + reading.confidence
        votes[meaning] = votes.get(meaning, 0) + 1
        first.setdefault(meaning, reading)
    if not support:
        return None
    meaning, total = max(support.items(), key=lambda item: item[1])
    share = total / len(readings)
    if AGREEMENT == "share" and share < min(MIN_DOUBTFUL, MIN_AGREED):
        return None
    if AGREEMENT == "vote" and (len(votes) > 1 or 2 * votes[meaning] <= len(readings)):
        return None  # another speed read another answer, or too few read any
    reading = first[meaning]
    doubtful = AGREEMENT == "share" and share < MIN_AGREED
    return Reading(reading.text, share, reading.heard_unknown, doubtful)
