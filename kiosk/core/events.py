"""Small frozen messages between the front ends and the dialog.

Inputs describe what was heard; outputs describe what to say or show. Neither knows
about terminals, audio devices or screens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kiosk.core.meaning import Meaning

SayKind = Literal["info", "question", "emergency", "result", "error"]


@dataclass(frozen=True)
class Utterance:
    """Words typed or recognised. `confidence` below the dialog's threshold makes a
    red-flag answer go through a confirmation before it counts."""

    text: str
    confidence: float = 1.0
    meaning: Meaning | None = None
    """What a recognizer already understood the words to mean at the prompt it listened
    for (None: typed, so the dialog reads the text itself)."""
    spoken: bool = False
    """Heard by a recognizer rather than typed, pressed or touched: a spoken "stop"
    may be a mishearing, so the dialog checks it before clearing anyone's answers."""


@dataclass(frozen=True)
class Unclear:
    """Speech was heard but matched nothing the kiosk accepts here."""

    noisy: bool = False
    """The person's voice stood barely above the room (other people talking, noise):
    coming closer to the microphone is what would help, and the kiosk says so."""


@dataclass(frozen=True)
class Silence:
    """Nothing was said before the listener gave up waiting."""


@dataclass(frozen=True)
class Start:
    """The person asked to begin (said start, pressed Enter, or a front end began)."""


Heard = Utterance | Unclear | Silence | Start


@dataclass(frozen=True)
class Say:
    text: str
    kind: SayKind = "info"


@dataclass(frozen=True)
class Ask:
    question: str
    type: str
    choices: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class CauseResult:
    id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Result:
    triage: str
    red_flags: tuple[str, ...]
    causes: tuple[CauseResult, ...]
    answers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Voice:
    """Speech rate and volume for the rest of this session (1.0 is the default)."""

    rate: float
    volume: float


@dataclass(frozen=True)
class End:
    """The session is over; everything of this person has been wiped."""


Output = Say | Ask | Result | Voice | End
