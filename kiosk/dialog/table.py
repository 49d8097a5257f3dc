"""The dialog's states, its transition table, and the small records it keeps.

The table is plain data so the whole shape of a session can be read in one place:
idle -> welcome -> screening -> questions -> reading back -> results -> summary ->
goodbye -> idle, with the emergency path able to interrupt any question at once. At the
read-back a "no" leads to choosing the answer to change, which is asked again. A spoken
"stop" in the middle of the questions is checked before the answers are cleared.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.language.commands import commands_at
from kiosk.language.pack import CHANGE_QUESTION
from kiosk.triage.knowledge import DONT_KNOW, NO, YES


class State(enum.Enum):
    IDLE = "idle"
    WELCOME = "welcome"
    SCREENING = "screening"
    QUESTIONS = "questions"
    CONFIRMING = "confirming"
    READING_BACK = "reading_back"
    """ "You told me ... Is that right?" before the results."""
    CHOOSING = "choosing"
    """ "Which one should I change?" after a "no" to the read-back."""
    CHECKING_STOP = "checking_stop"
    """ "Do you want to stop now?" after a spoken "stop" (see `Utterance.spoken`)."""
    EMERGENCY = "emergency"
    RESULTS = "results"
    SUMMARY = "summary"
    GOODBYE = "goodbye"


ASKING = [
    State.SCREENING,
    State.QUESTIONS,
    State.CONFIRMING,
    State.READING_BACK,
    State.CHOOSING,
    State.CHECKING_STOP,
]
"""States where the kiosk waits for an answer to something it asked."""
IN_SESSION = [State.WELCOME, *ASKING, State.EMERGENCY, State.RESULTS, State.SUMMARY]

TRANSITIONS: list[dict[str, object]] = [
    {"trigger": "begin", "source": State.IDLE, "dest": State.WELCOME},
    {
        "trigger": "screen",
        "source": [State.WELCOME, *ASKING, State.RESULTS],
        "dest": State.SCREENING,
    },
    {"trigger": "investigate", "source": [*ASKING, State.RESULTS], "dest": State.QUESTIONS},
    {
        "trigger": "confirm",
        "source": [State.SCREENING, State.QUESTIONS, State.CHECKING_STOP],
        "dest": State.CONFIRMING,
    },
    {"trigger": "read_back", "source": ASKING, "dest": State.READING_BACK},
    {
        "trigger": "choose",
        "source": [State.READING_BACK, State.CHECKING_STOP],
        "dest": State.CHOOSING,
    },
    {
        "trigger": "check_stop",
        "source": [state for state in ASKING if state is not State.CHECKING_STOP],
        "dest": State.CHECKING_STOP,
    },
    {"trigger": "raise_alarm", "source": ASKING, "dest": State.EMERGENCY},
    {"trigger": "conclude", "source": ASKING, "dest": State.RESULTS},
    {"trigger": "summarise", "source": [State.RESULTS, State.EMERGENCY], "dest": State.SUMMARY},
    {"trigger": "leave", "source": IN_SESSION, "dest": State.GOODBYE},
    {"trigger": "reset", "source": "*", "dest": State.IDLE},
]

IDLE_COMMANDS = commands_at("idle")
QUESTION_COMMANDS = commands_at("question")
RESULT_COMMANDS = commands_at("result")
UNCLEAR_BEFORE_OFFERING_KEYS = 2
YESNO_KEYS = {"1": YES, "2": NO, "3": DONT_KNOW}
CONFIRM_ANY_BELOW = 0.5
"""An answer heard with less confidence is confirmed at any question (a recognizer says
so when it heard the answer in noise); red-flag answers are confirmed below the
clinic's `confirm_below` as well."""
CONFIRM_DONT_KNOW_IN_DOUBT = True
"""A "don't know" heard with less than CONFIRM_ANY_BELOW (in noise, or barely agreed on)
is confirmed like any answer. Otherwise it counts unchecked, as it adds nothing to the
scores; but in noise the recognizers turned "no" into "don't know", which loses the
answer (docs/decisions/0001-natural-speech.md, stop 34)."""
CONFIRM_QUESTION = "confirm"
"""The question id of "I heard yes. Is that right?" in ask events."""
READBACK_QUESTION = "readback"
"""The question id of "You told me ... Is that right?" in ask events (yes or no)."""
STOP_QUESTION = "stop_check"
"""The question id of "Do you want to stop now?" in ask events (yes or no)."""
RESUME_AFTER_STOP_CHECK = {
    State.SCREENING: "screen",
    State.QUESTIONS: "investigate",
    State.CONFIRMING: "confirm",
    State.READING_BACK: "read_back",
    State.CHOOSING: "choose",
}
"""The trigger back to where the person was when they said "stop" and then "no"."""
__all__ = ["CHANGE_QUESTION"]  # "Which one should I change?" (defined with the packs)
MAX_READBACKS = 3
"""Read back at most this often in a session; then the results come anyway."""
MAX_READBACK_DECLINED = 2
"""Times a person may say the read-back is not right yet name nothing to change ("no",
then "none"); then the results come as understood, marked unconfirmed for the
clinician, and staff are pointed to, rather than the same two questions without end."""
MAX_READBACK_UNCLEAR = 4
"""Turns not understood at the read-back and at "which one?" together; then the results
come as understood, marked unconfirmed, and staff are pointed to. Keys are offered at the
second: a person who still cannot get an answer across is not held at the check."""


@dataclass(frozen=True)
class Prompt:
    """The question being asked now, and how."""

    question: str
    simpler: bool = False
    unclear: int = 0
    narrowed: bool = False
    """A choice question answered "no", asked again as its yes/no follow-up (`if_no`)."""
    alone: str | None = None
    """A choice question not understood twice, asked one option at a time as yes/no
    questions (`one_at_a_time` in the pack): the option asked about now."""

    @property
    def yes_no(self) -> bool:
        """Asked now as a yes/no question, though the question is a choice."""
        return self.narrowed or self.alone is not None


@dataclass(frozen=True)
class Pending:
    """An answer waiting for "Is that right?": heard with low confidence, or a choice
    picked by a number key."""

    question: str
    value: str
    attempts: int = 0
    by_key: bool = False
