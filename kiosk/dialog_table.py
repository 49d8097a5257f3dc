"""The dialog's states, its transition table, and the small records it keeps.

The table is plain data so the whole shape of a session can be read in one place:
idle -> welcome -> screening -> questions -> results -> summary -> goodbye -> idle,
with the emergency path able to interrupt any question at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.knowledge import DONT_KNOW, NO, YES
from kiosk.prompts import COMMANDS


class State(enum.Enum):
    IDLE = "idle"
    WELCOME = "welcome"
    SCREENING = "screening"
    QUESTIONS = "questions"
    CONFIRMING = "confirming"
    EMERGENCY = "emergency"
    RESULTS = "results"
    SUMMARY = "summary"
    GOODBYE = "goodbye"


ASKING = [State.SCREENING, State.QUESTIONS, State.CONFIRMING]
IN_SESSION = [State.WELCOME, *ASKING, State.EMERGENCY, State.RESULTS, State.SUMMARY]

TRANSITIONS: list[dict[str, object]] = [
    {"trigger": "begin", "source": State.IDLE, "dest": State.WELCOME},
    {
        "trigger": "screen",
        "source": [State.WELCOME, *ASKING, State.RESULTS],
        "dest": State.SCREENING,
    },
    {"trigger": "investigate", "source": [*ASKING, State.RESULTS], "dest": State.QUESTIONS},
    {"trigger": "confirm", "source": [State.SCREENING, State.QUESTIONS], "dest": State.CONFIRMING},
    {"trigger": "raise_alarm", "source": ASKING, "dest": State.EMERGENCY},
    {"trigger": "conclude", "source": ASKING, "dest": State.RESULTS},
    {"trigger": "summarise", "source": [State.RESULTS, State.EMERGENCY], "dest": State.SUMMARY},
    {"trigger": "leave", "source": IN_SESSION, "dest": State.GOODBYE},
    {"trigger": "reset", "source": "*", "dest": State.IDLE},
]

IDLE_COMMANDS = ("start",)
QUESTION_COMMANDS = tuple(c for c in COMMANDS if c not in ("start", "done"))
"""Every command of a pack except starting and finishing works while a question is open."""
RESULT_COMMANDS = (*QUESTION_COMMANDS, "done")
UNCLEAR_BEFORE_OFFERING_KEYS = 2
YESNO_KEYS = {"1": YES, "2": NO, "3": DONT_KNOW}
CONFIRM_QUESTION = "confirm"
"""The question id of "I heard yes. Is that right?" in ask events."""


@dataclass(frozen=True)
class Prompt:
    """The question being asked now, and how."""

    question: str
    simpler: bool = False
    unclear: int = 0


@dataclass(frozen=True)
class Pending:
    """A red-flag answer heard with low confidence, waiting to be confirmed."""

    question: str
    value: str
    attempts: int = 0
