"""Reading the answers back before the results, and changing one that was misheard.

"You told me the weakness came on slowly, both legs are weak ... Is that right?" Yes
gives the results. No asks which one (by its number: voice, key or touch), asks that
question again and works everything out again, which may mean more questions, an
emergency, or another read-back. The read-back only comes when no rule makes the triage
an emergency, so it never delays emergency guidance. `Dialog` mixes this in.

It also keeps how each answer came, for the clinician: by key rather than voice, asked
again, confirmed, changed at the read-back (worded in `records.clinician.HOW`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.core.events import Ask, Output
from kiosk.dialog.memory import SessionMemory
from kiosk.dialog.table import (
    MAX_READBACK_DECLINED,
    MAX_READBACK_UNCLEAR,
    MAX_READBACKS,
    READBACK_QUESTION,
    UNCLEAR_BEFORE_OFFERING_KEYS,
    Prompt,
    State,
)
from kiosk.language.pack import CHANGE_QUESTION, Pack
from kiosk.language.parse import Answer, Command, Meaning
from kiosk.language.readback import readback_items, readback_text, which_text
from kiosk.triage import rules
from kiosk.triage.knowledge import DONT_KNOW, NO, YES, Band, Kind, Knowledge, Question


class ReadBackHandling:
    """The read-back and its "which one?"; the rest of the dialog is in `Dialog`."""

    knowledge: Knowledge
    pack: Pack
    state: State
    _memory: SessionMemory
    _emit: Callable[[Output], None]
    trigger: Callable[..., bool]

    if TYPE_CHECKING:  # provided by `Dialog` and `AnyPromptHandling`

        def _say(self, key: str, kind: str = "info", **fields: object) -> None: ...

        def _ask(self, prompt: Prompt) -> None: ...

        def _present_results(self) -> None: ...

        def _command(self, name: str, question: Question | None) -> None: ...

    def _conclude(self) -> None:
        """No question is left: read back the answers that matter, then the results."""
        memory = self._memory
        if memory.readbacks < MAX_READBACKS:
            assessment = rules.assess(self.knowledge, memory.answers)
            items = readback_items(self.knowledge, assessment, memory.answers)
            if items:
                memory.readback, memory.readback_unclear = items, 0
                memory.readbacks += 1
                self.trigger("read_back")
                self._ask_readback()
                return
        self.trigger("conclude")
        self._present_results()

    def _ask_readback(self) -> None:
        text = readback_text(self.knowledge, self.pack, self._memory.answers, self._memory.readback)
        self._emit(Ask(READBACK_QUESTION, Kind.YESNO.value, (YES, NO), text))

    def _ask_which(self) -> None:
        items = self._memory.readback
        text = which_text(self.knowledge, self.pack, self._memory.answers, items)
        numbers = tuple(str(n) for n in range(1, len(items) + 1))
        self._emit(Ask(CHANGE_QUESTION, Kind.CHOICE.value, numbers, text))

    @property
    def change_question(self) -> Question:
        """ "Which one?" as a number question, so numbers are understood and heard."""
        band = Band("item", 1, max(1, len(self._memory.readback)))
        return Question(CHANGE_QUESTION, Kind.NUMBER, (band.id,), False, None, (band,), {})

    def _on_reading_back(self, meaning: Meaning) -> None:
        memory = self._memory
        if isinstance(meaning, Command):
            self._command(meaning.name, None)
        elif meaning == Answer(YES):
            for question in memory.readback:
                memory.how.setdefault(question, []).append("confirmed_at_readback")
            self.trigger("conclude")
            self._present_results()
        elif meaning in (Answer(NO), Answer(DONT_KNOW)):
            # Not sure it is right: go through them ("which one?"), where "none" counts
            # towards the results as understood; asked again, it would go round for ever.
            self.trigger("choose")
            self._ask_which()
        elif not self._given_up_as_unclear():
            self._say("unclear_yesno", "error")
            if memory.readback_unclear >= UNCLEAR_BEFORE_OFFERING_KEYS:
                self._say("offer_keys")
            self._ask_readback()

    def _on_choosing(self, meaning: Meaning) -> None:
        memory = self._memory
        items = memory.readback
        if meaning in (Command("back"), Answer(DONT_KNOW), Answer(NO)):
            memory.readback_declined += 1
            if memory.readback_declined >= MAX_READBACK_DECLINED:
                self._results_unconfirmed("not_confirmed_at_readback")
                return
            self.trigger("read_back")  # nothing to change after all ("no", "none"): check again
            self._ask_readback()
        elif isinstance(meaning, Command):
            self._command(meaning.name, None)
        elif isinstance(meaning, Answer) and meaning.value.isdigit():
            question = items[int(meaning.value) - 1]
            del memory.answers[question]
            memory.changing = question
            self.trigger("investigate")
            self._ask(Prompt(question))
        elif not self._given_up_as_unclear():
            self._say("readback_which_unclear", "error", low=1, high=len(items))
            self._ask_which()

    def _given_up_as_unclear(self) -> bool:
        """Count one reply not understood at the read-back or "which one?"; at the
        MAX_READBACK_UNCLEAR-th, give the results as understood (True)."""
        self._memory.readback_unclear += 1
        if self._memory.readback_unclear < MAX_READBACK_UNCLEAR:
            return False
        self._results_unconfirmed("unclear_at_readback")
        return True

    def _results_unconfirmed(self, how: str) -> None:
        """The person keeps saying the read-back is wrong but names nothing to change, or
        is not understood there again and again: the results as understood, with staff to
        go through the answers (`how` says which, for the clinician)."""
        for question in self._memory.readback:
            self._memory.how.setdefault(question, []).append(how)
        self._say("readback_unconfirmed")
        self.trigger("conclude")
        self._present_results()

    def _note_how(self, question: str, prompt: Prompt, by_key: bool, confirmed: bool) -> None:
        """Record how this answer came (replacing what an earlier answer to it had)."""
        memory = self._memory
        how = ["key"] if by_key else []
        if prompt.unclear or prompt.simpler:
            how.append("asked_again")
        if prompt.alone is not None:
            how.append("one_at_a_time")
        if question in memory.repeated:
            how.append("repeated")
        if confirmed:
            how.append("confirmed")
        if memory.changing == question:
            how.append("changed_at_readback")
            memory.changing = None
        memory.how[question] = how
