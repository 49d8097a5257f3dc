"""What the kiosk does at any prompt, whatever the question: commands and silence.

"repeat", "go back", "help", "wait", "stop" and the voice commands work the same at
every question, at "Is that right?" and on the results; so does the patience with a
person who says nothing. A spoken "stop" in the middle of the questions is checked
first: a recognizer can mishear another command as "stop", and stopping clears every
answer the person has given. `Dialog` mixes this in; the methods it must provide are
listed here first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.core.events import Ask, Output
from kiosk.dialog.memory import SessionMemory
from kiosk.dialog.patience import Step
from kiosk.dialog.table import (
    ASKING,
    RESUME_AFTER_STOP_CHECK,
    STOP_QUESTION,
    UNCLEAR_BEFORE_OFFERING_KEYS,
    Prompt,
    State,
)
from kiosk.language.commands import SPECS, VoiceStep
from kiosk.language.pack import Pack
from kiosk.language.parse import Answer, Command, Meaning
from kiosk.triage.knowledge import DONT_KNOW, NO, YES, Kind, Question

log = logging.getLogger(__name__)


class AnyPromptHandling:
    """Commands and silence; the rest of the dialog is in `kiosk.dialog.machine.Dialog`."""

    state: State
    pack: Pack
    _memory: SessionMemory
    _emit: Callable[[Output], None]
    trigger: Callable[..., bool]
    _heard_spoken: bool
    """Whether what the dialog is handling now was heard by a recognizer."""

    def _say(self, key: str, kind: str = "info", **fields: object) -> None:
        raise NotImplementedError

    def _ask(self, prompt: Prompt) -> None:
        raise NotImplementedError

    def _ask_confirmation(self) -> None:
        raise NotImplementedError

    if TYPE_CHECKING:  # from `dialog_readback.ReadBackHandling`, also mixed in

        def _ask_readback(self) -> None: ...

        def _ask_which(self) -> None: ...

    def _advance(self) -> None:
        raise NotImplementedError

    def _finish(self, farewell: str = "goodbye") -> None:
        raise NotImplementedError

    def _goodbye(self, message: str) -> None:
        raise NotImplementedError

    def _command(self, name: str, question: Question | None) -> None:
        if name == "stop":
            self._stop()
        elif name == "back":
            self._go_back()
        elif name == "repeat":
            self._repeat()
        elif name == "help":
            self._help(question)
        elif name == "done":
            self._finish()
        elif name == "wait":
            self._memory.patience = self._memory.patience.wait()
            self._say("more_time")
        elif (step := SPECS[name].voice) is not None:
            self._change_voice(name, step)
            self._repeat_prompt_only()
        elif SPECS[name].device:
            # A front end with headphones switches them before the dialog hears this.
            self._say("no_headphones")
            self._repeat_prompt_only()

    def _repeat(self) -> None:
        if self.state in (State.RESULTS, State.EMERGENCY):
            for line in self._memory.result_lines:
                self._emit(line)
            self._say("results_options")
        else:
            if self.state in (State.SCREENING, State.QUESTIONS) and self._memory.prompt:
                self._memory.repeated.add(self._memory.prompt.question)
            self._repeat_prompt_only()

    def _repeat_prompt_only(self) -> None:
        if self.state is State.CHECKING_STOP:
            self._ask_stop_check()
        elif self.state is State.CONFIRMING:
            self._ask_confirmation()
        elif self.state is State.READING_BACK:
            self._ask_readback()
        elif self.state is State.CHOOSING:
            self._ask_which()
        elif self.state in ASKING and self._memory.prompt is not None:
            self._ask(self._memory.prompt)

    def _help(self, question: Question | None) -> None:
        if self.state in (State.READING_BACK, State.CHECKING_STOP):
            self._say("help_yesno")
        elif self.state is State.CHOOSING:
            pass  # the question itself lists what may be said
        elif self.state in (State.RESULTS, State.EMERGENCY) or question is None:
            self._say("results_options")
        elif self._memory.prompt is not None and self._memory.prompt.yes_no:
            self._say("help_yesno")
        elif question.kind is Kind.CHOICE:
            choices = self.pack.join(self.pack.choice_labels(question.id), "list_or")
            self._say("help_choice", choices=choices)
        else:
            self._say("help_number" if question.kind is Kind.NUMBER else "help_yesno")
        self._say("help_commands")
        prompt = self._memory.prompt
        if prompt is not None and self._has_simpler_words(prompt):
            # "I don't understand": the same question again in its plainer words (a red
            # flag has them), not word for word what was not understood.
            self._ask(replace(prompt, simpler=True))
        else:
            self._repeat_prompt_only()

    def _has_simpler_words(self, prompt: Prompt) -> bool:
        """Whether the question being asked has plainer words not yet tried."""
        plainer = self.pack.questions[prompt.question].simpler
        return (
            self.state in (State.SCREENING, State.QUESTIONS)
            and not prompt.yes_no
            and not prompt.simpler
            and bool(plainer)
        )

    def _go_back(self) -> None:
        if self.state is State.EMERGENCY:
            self._say("emergency_stays", "emergency")
            return
        prompt = self._memory.prompt
        if self.state in (State.SCREENING, State.QUESTIONS) and prompt and prompt.yes_no:
            self._ask(Prompt(prompt.question))  # back from the follow-up to the question
            return
        if not self._memory.answers:
            self._say("nothing_to_go_back_to")
            self._repeat_prompt_only()
            return
        self._memory.answers.popitem()
        self._memory.pending = None
        self._advance()

    def _change_voice(self, name: str, step: VoiceStep) -> None:
        changed = self._memory.voice.step(step)
        if changed is None:
            self._say(step.at_limit)
            return
        self._memory.voice = changed
        self._emit(changed.as_event())
        self._say(name)

    def _on_silence(self) -> None:
        """Nothing was said for a while: re-prompt, warn twice, then reset (see patience.py)."""
        self._memory.patience, step = self._memory.patience.after_silence()
        if step is Step.QUIET:
            return
        if step is Step.TIME_UP:
            log.info("nobody answered; the session timed out")
            if self.state in (State.RESULTS, State.EMERGENCY):
                self._finish("timed_out")
            else:
                self._goodbye("timed_out")
            return
        at_results = self.state in (State.RESULTS, State.EMERGENCY)
        if step is not Step.REPROMPT:
            self._say("still_there" if step is Step.WARN else "last_warning")
        elif not at_results:
            self._say("silence")
        if at_results:
            self._say("results_options")
        else:
            self._repeat_prompt_only()

    def _stop(self) -> None:
        if self.state in (State.RESULTS, State.EMERGENCY):
            self._finish()
        elif self._heard_spoken and self._memory.answers and self.state is not State.CHECKING_STOP:
            self._memory.stopping_from, self._memory.stop_unclear = self.state, 0
            self.trigger("check_stop")
            self._ask_stop_check()
        else:
            self._goodbye("stopped")

    def _ask_stop_check(self) -> None:
        self._emit(Ask(STOP_QUESTION, Kind.YESNO.value, (YES, NO), self.pack.say("stop_check")))

    def _on_checking_stop(self, meaning: Meaning) -> None:
        """ "Do you want to stop now?": yes (or "stop" again) stops; anything else goes on
        where the person was, since going on can be undone and clearing answers cannot."""
        if meaning == Answer(YES):
            self._goodbye("stopped")
        elif isinstance(meaning, Command) and meaning.name != "back":
            self._command(meaning.name, None)
        elif meaning in (Answer(NO), Answer(DONT_KNOW), Command("back")):
            self._carry_on()
        else:
            self._memory.stop_unclear += 1
            if self._memory.stop_unclear >= UNCLEAR_BEFORE_OFFERING_KEYS:
                self._carry_on()
                return
            self._say("unclear_yesno", "error")
            self._ask_stop_check()

    def _carry_on(self) -> None:
        stopping_from = self._memory.stopping_from
        assert stopping_from is not None, "checking a stop that was never said"
        self._memory.stopping_from = None
        self._say("carry_on")
        self.trigger(RESUME_AFTER_STOP_CHECK[stopping_from])
        self._repeat_prompt_only()
