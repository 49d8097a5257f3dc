"""How long an unattended session waits: re-prompt, warn aloud, then give up.

A kiosk in a clinic must not keep one person's answers on show after they have
walked away, but it must never hurry someone who is slow to answer (WCAG 2.2 SC
2.2.1: warn first, extend with one simple action, as often as needed). Silence
arrives as events (one per no-speech period), so counting them is all it takes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


class Step(enum.Enum):
    """What the kiosk does after one more silent turn."""

    QUIET = "quiet"
    """Extra time the person asked for: say nothing, keep listening."""
    REPROMPT = "reprompt"
    """A gentle "take your time" and the question again."""
    WARN = "warn"
    """"Are you still there? Say wait if you need more time." """
    LAST_WARNING = "last_warning"
    """The final warning before the answers are cleared."""
    TIME_UP = "time_up"
    """Nobody is there: end the session and wipe it."""


@dataclass(frozen=True)
class Patience:
    warnings: int = 2
    """Spoken warnings after the first re-prompt before the session is reset."""
    turns_after_wait: int = 2
    """Silent turns granted, without a word, each time the person says "wait"."""
    silences: int = 0
    """Silent turns since the person last said anything (negative after "wait")."""

    def after_silence(self) -> tuple[Patience, Step]:
        count = self.silences + 1
        later = replace(self, silences=count)
        if count <= 0:
            return later, Step.QUIET
        if count == 1:
            return later, Step.REPROMPT
        if count <= self.warnings:
            return later, Step.WARN
        if count == self.warnings + 1:
            return later, Step.LAST_WARNING
        return later, Step.TIME_UP

    def heard(self) -> Patience:
        """Someone said something: start counting again."""
        return replace(self, silences=0)

    def wait(self) -> Patience:
        """ "Wait" or "more time": the count restarts after some quiet turns."""
        return replace(self, silences=-self.turns_after_wait)
