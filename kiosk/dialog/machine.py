"""The dialog state machine: one session from idle to goodbye.

It takes what was heard (`events.Heard`) and emits what to say (`events.Output`)
through one callback. It knows nothing about terminals, audio or screens; the rule
module decides what to ask and when to stop, the language pack supplies every word.
Commands and silence, the same at every prompt, are in `dialog_commands`; all it holds
about the person is one `dialog_memory.SessionMemory`, replaced whole by each wipe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from transitions import Machine

from kiosk.core.events import Ask, End, Heard, Output, Say, Silence, Start, Unclear, Utterance
from kiosk.dialog.commands import AnyPromptHandling
from kiosk.dialog.memory import SessionMemory
from kiosk.dialog.patience import Patience
from kiosk.dialog.readback import ReadBackHandling
from kiosk.dialog.table import (
    ASKING,
    CHANGE_QUESTION,
    CONFIRM_ANY_BELOW,
    CONFIRM_DONT_KNOW_IN_DOUBT,
    CONFIRM_QUESTION,
    IDLE_COMMANDS,
    QUESTION_COMMANDS,
    READBACK_QUESTION,
    RESULT_COMMANDS,
    STOP_QUESTION,
    TRANSITIONS,
    UNCLEAR_BEFORE_OFFERING_KEYS,
    YESNO_KEYS,
    Pending,
    Prompt,
    State,
)
from kiosk.dialog.voice_levels import VoiceLevels
from kiosk.language import present
from kiosk.language.pack import MESSAGE_FIELDS, Pack
from kiosk.language.parse import (
    Answer,
    Command,
    Meaning,
    NotUnderstood,
    OutOfRange,
    interpret_expected,
)
from kiosk.language.vocabulary import Expectation
from kiosk.records.report import Summary
from kiosk.triage import rules
from kiosk.triage.knowledge import DONT_KNOW, NO, YES, Kind, Knowledge, Question, Triage

log = logging.getLogger(__name__)


class Dialog(AnyPromptHandling, ReadBackHandling):
    """One kiosk's conversation; `handle` one heard event at a time."""

    state: State
    trigger: Callable[..., bool]

    def __init__(
        self,
        knowledge: Knowledge,
        pack: Pack,
        emit: Callable[[Output], None],
        save_summary: Callable[[Summary], bool],
        confirm_below: float = 0.9,
        patience: Patience | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.pack = pack
        self._emit = emit
        self._save_summary = save_summary
        self._confirm_below = confirm_below
        self._fresh_patience = patience or Patience()
        self._memory = SessionMemory(self._fresh_patience)
        self._heard_spoken = False
        self._heard_typed = False
        Machine(
            model=self,
            states=State,
            transitions=TRANSITIONS,
            initial=State.IDLE,
            auto_transitions=False,
            queued=True,
        )

    @property
    def answers(self) -> dict[str, str]:
        """A copy of this session's answers (empty between sessions)."""
        return dict(self._memory.answers)

    def handle(self, heard: Heard) -> None:
        if isinstance(heard, Silence):
            if self.state is not State.IDLE:
                self._on_silence()
            return
        self._memory.patience = self._memory.patience.heard()
        self._heard_spoken = isinstance(heard, Utterance) and heard.spoken
        self._heard_typed = isinstance(heard, Utterance) and not heard.spoken
        if isinstance(heard, Unclear) and heard.noisy and self.state is not State.IDLE:
            self._advise_closer()
        if self.state is State.IDLE:
            self._on_idle(heard)
        elif self.state in (State.RESULTS, State.EMERGENCY):
            self._on_results(heard)
        elif self.state is State.CONFIRMING:
            self._on_confirming(heard)
        elif self.state is State.READING_BACK:
            self._on_reading_back(self._meaning(heard))
        elif self.state is State.CHOOSING:
            self._on_choosing(self._meaning(heard))
        elif self.state is State.CHECKING_STOP:
            self._on_checking_stop(self._meaning(heard))
        elif self.state in ASKING:
            self._on_question(heard)

    def _advise_closer(self) -> None:
        """The person's voice was lost in the room: say that coming closer helps, once
        per question (before the usual hint and the question again)."""
        where = self.asking or self.state.name
        if self._memory.advised_closer_at != where:
            self._memory.advised_closer_at = where
            self._say("noisy_room")

    @property
    def expecting(self) -> Expectation:
        """What may be said now (a recognizer builds its grammar from this)."""
        if self.state is State.IDLE:
            return Expectation(None, IDLE_COMMANDS)
        if self.state in (State.RESULTS, State.EMERGENCY):
            return Expectation(None, RESULT_COMMANDS)
        if self.state in (State.CONFIRMING, State.READING_BACK, State.CHECKING_STOP):
            return Expectation(None, QUESTION_COMMANDS, yes_no=True, checking=True)
        if self.state is State.CHOOSING:
            return Expectation(self.change_question, QUESTION_COMMANDS)
        if self._memory.prompt is None:
            return Expectation(None, QUESTION_COMMANDS)
        question = self.knowledge.questions[self._memory.prompt.question]
        guards = self._guards_emergency(question)
        if self._memory.prompt.yes_no:
            return Expectation(None, QUESTION_COMMANDS, yes_no=True, safety_critical=guards)
        return Expectation(question, QUESTION_COMMANDS, False, guards)

    @property
    def at_rest(self) -> bool:
        """Idle: no session is running, nothing of anyone is held."""
        return self.state is State.IDLE

    @property
    def asking(self) -> str | None:
        """The id of the question on screen now, as in its `Ask` event ("confirm" while
        confirming, "readback" and "readback_which" at the read-back, "stop_check" while
        checking a spoken stop); None at idle and on the results. Inputs tag answers
        with it."""
        if self.state is State.CONFIRMING:
            return CONFIRM_QUESTION
        if self.state is State.READING_BACK:
            return READBACK_QUESTION
        if self.state is State.CHOOSING:
            return CHANGE_QUESTION
        if self.state is State.CHECKING_STOP:
            return STOP_QUESTION
        if self.state in ASKING and self._memory.prompt is not None:
            return self._memory.prompt.question
        return None

    @property
    def confirming(self) -> tuple[str, str] | None:
        """(question, answer heard) while asking "I heard ... Is that right?"."""
        return (
            (self._memory.pending.question, self._memory.pending.value)
            if self._memory.pending
            else None
        )

    @property
    def asking_alone(self) -> tuple[str, str] | None:
        """(question, option) while a choice question is asked one option at a time ("Did
        it come on all of a sudden?"), which a yes picks; None otherwise."""
        prompt = self._memory.prompt
        if self.state in (State.SCREENING, State.QUESTIONS) and prompt and prompt.alone:
            return prompt.question, prompt.alone
        return None

    def greet(self) -> None:
        """Say what the idle kiosk is for (front ends call this when they start)."""
        self._say("idle")

    def emit_line(self, output: Output) -> None:
        """Say something from outside the dialog (an apology after an error)."""
        self._emit(output)

    def prompt_again(self) -> None:
        """Ask the question on screen again (after a front end said something of its own)."""
        self._repeat_prompt_only()

    def hang_up(self) -> None:
        """The front end has gone (end of input): finish results, or stop a session."""
        if self.state in (State.RESULTS, State.EMERGENCY):
            self._finish()
        elif self.state is not State.IDLE:
            self._goodbye("stopped")

    def keep_partial(self) -> bool | None:
        """After an error: hand over what this person has answered so far, marked
        incomplete. None when there is nothing to hand over (or it was handed over)."""
        if not self._memory.answers or self._memory.handed_over:
            return None
        assessment = self._memory.assessment
        if assessment is None:
            try:
                assessment = rules.assess(self.knowledge, self._memory.answers)
            except Exception:  # the rules may be what failed: keep the answers anyway
                log.exception("could not assess the answers of an interrupted session")
        memory = self._memory
        summary = Summary.build(
            self.knowledge, self.pack, assessment, memory.answers, False, memory.how
        )
        self._memory.handed_over = True
        return self._save_summary(summary)

    def abandon(self) -> None:
        """Wipe everything and go back to idle (after an error, or a front end closing)."""
        self._wipe()
        self.trigger("reset")

    def _on_idle(self, heard: Heard) -> None:
        pressed_enter = isinstance(heard, Utterance) and not heard.text.strip()
        if isinstance(heard, Start) or pressed_enter or self._meaning(heard) == Command("start"):
            self._begin()
        else:
            self._say("unclear_idle")

    def _begin(self) -> None:
        self._wipe()
        log.info("session started")
        self.trigger("begin")
        self._say("welcome")
        self._say("screening_intro")
        self._advance()

    def _advance(self) -> None:
        """Ask the next question, or raise the alarm, or give the results."""
        if rules.is_emergency(self.knowledge, self._memory.answers):
            self.trigger("raise_alarm")
            self._present_results()
            return
        question = rules.next_question(self.knowledge, self._memory.answers)
        if question is None:
            self._conclude()
            return
        screening = rules.next_screening_question(self.knowledge, self._memory.answers) is not None
        if not screening and self.state is State.SCREENING:
            self._say("questions_intro")
        self.trigger("screen" if screening else "investigate")
        self._ask(Prompt(question))

    def _ask(self, prompt: Prompt) -> None:
        self._memory.prompt = prompt
        question = self.knowledge.questions[prompt.question]
        texts = self.pack.questions[question.id]
        if prompt.narrowed and texts.if_no is not None:
            self._emit(Ask(question.id, Kind.YESNO.value, (YES, NO), texts.if_no.ask))
            return
        if prompt.alone is not None:
            text = texts.one_at_a_time[prompt.alone]
            self._emit(Ask(question.id, Kind.YESNO.value, (YES, NO), text))
            return
        text = texts.simpler if prompt.simpler and texts.simpler else texts.ask
        self._emit(Ask(question.id, question.kind.value, question.options, text))

    def _on_question(self, heard: Heard) -> None:
        prompt = self._memory.prompt
        assert prompt is not None, "asking without a prompt"
        question = self.knowledge.questions[prompt.question]
        meaning = self._meaning(heard)
        if isinstance(meaning, Command):
            self._command(meaning.name, question)
        elif isinstance(meaning, Answer) and prompt.alone is not None:
            self._on_one_at_a_time(question, prompt, meaning.value, heard)
        elif isinstance(meaning, Answer):
            follow_up = self.pack.questions[question.id].if_no
            value = meaning.value
            if follow_up is not None and prompt.narrowed:
                value = {YES: follow_up.yes, NO: follow_up.no}.get(value, value)
            elif follow_up is not None and value == NO:
                self._ask(Prompt(question.id, narrowed=True))  # "no": with help, or not at all?
                return
            confidence = heard.confidence if isinstance(heard, Utterance) else 1.0
            key = heard.text.strip() if isinstance(heard, Utterance) else ""
            self._answer(question, value, confidence, key in _keys(question))
        else:
            self._unclear(question, meaning)

    def _on_one_at_a_time(
        self, question: Question, prompt: Prompt, value: str, heard: Heard
    ) -> None:
        """A yes or no to one option asked alone: yes picks it (checked like any answer
        heard unsurely), no asks about the next, and no to all of them is "not sure"."""
        option = prompt.alone
        assert option is not None
        confidence = heard.confidence if isinstance(heard, Utterance) else 1.0
        by_key = isinstance(heard, Utterance) and heard.text.strip() in YESNO_KEYS
        if value == NO and self._heard_unsurely(question, confidence):
            # an unsure no must not pass over an option ("sudden" asked first guards an
            # emergency): the same option is asked again
            self._unclear(question, NotUnderstood())
            return
        if value == NO:
            options = list(self.pack.questions[question.id].one_at_a_time)
            following = options[options.index(option) + 1 :]
            if following:
                self._ask(replace(prompt, alone=following[0]))
                return
            self._say("one_at_a_time_none")
            value = DONT_KNOW
        self._answer(question, option if value == YES else value, confidence, by_key)

    def _meaning(self, heard: Heard) -> Meaning:
        """What was said, read against what the dialog expects now (see `expecting`)."""
        if not isinstance(heard, Utterance):
            return NotUnderstood()
        expecting = self.expecting
        key = heard.text.strip()
        question = expecting.question
        keys = YESNO_KEYS if expecting.yes_no else _keys(question) if question else {}
        if key in keys:
            return Answer(keys[key])
        if heard.meaning is not None:
            return heard.meaning  # a recognizer understood it at this very prompt
        return interpret_expected(self.pack, heard.text, expecting)

    def _answer(self, question: Question, value: str, confidence: float, by_key: bool) -> None:
        prompt = self._memory.prompt
        assert prompt is not None
        if question.red_flag and value == DONT_KNOW and not prompt.simpler:
            self._say("reask_simpler")
            self._ask(Prompt(question.id, simpler=True))
            return
        # 3 is "don't know" at every yes/no question but "slowly" at a choice: a key
        # pressed out of habit must not become a choice unchecked ("I heard slowly...").
        # A number said aloud is always checked: recognizers mishear numbers at full
        # confidence ("forty" as 48, "nineteen" as 90, 일흔 둘 as 2).
        doubtful = (
            self._heard_unsurely(question, confidence)
            or (by_key and question.kind is Kind.CHOICE and prompt.alone is None)
            or (self._heard_spoken and question.kind is Kind.NUMBER)
        )
        unsure_of_dont_know = CONFIRM_DONT_KNOW_IN_DOUBT and confidence < CONFIRM_ANY_BELOW
        if doubtful and (value != DONT_KNOW or unsure_of_dont_know):
            self._memory.pending = Pending(question.id, value, by_key=by_key)
            self.trigger("confirm")
            self._ask_confirmation()
            return
        self._memory.answers[question.id] = value
        self._note_how(question.id, prompt, by_key, confirmed=False)
        self._advance()

    def _heard_unsurely(self, question: Question, confidence: float) -> bool:
        """Heard too unsurely to act on unchecked: in noise, or short of the clinic's
        `confirm_below` where the answer could complete an emergency rule."""
        return confidence < CONFIRM_ANY_BELOW or (
            self._guards_emergency(question) and confidence < self._confirm_below
        )

    def _guards_emergency(self, question: Question) -> bool:
        return rules.guards_emergency(self.knowledge, question)

    def _ask_confirmation(self) -> None:
        pending = self._memory.pending
        assert pending is not None
        phrases = {**self.pack.answers, **self.pack.questions[pending.question].phrases}
        heard_as = phrases[pending.value][0] if pending.value in phrases else pending.value
        text = self.pack.say("confirm", answer=heard_as)
        self._emit(Ask(CONFIRM_QUESTION, Kind.YESNO.value, (YES, NO), text))

    def _on_confirming(self, heard: Heard) -> None:
        pending = self._memory.pending
        assert pending is not None
        question = self.knowledge.questions[pending.question]
        meaning = self._meaning(heard)
        if isinstance(meaning, Command) and meaning.name != "back":
            self._command(meaning.name, question)
        elif meaning == Answer(YES):
            self._memory.pending = None
            self._memory.answers[pending.question] = pending.value
            prompt = self._memory.prompt or Prompt(pending.question)
            self._note_how(pending.question, prompt, by_key=pending.by_key, confirmed=True)
            self._advance()
        elif isinstance(meaning, Answer | Command):
            self._memory.pending = None
            self._advance()
        elif pending.attempts + 1 >= UNCLEAR_BEFORE_OFFERING_KEYS:
            self._memory.pending = None
            self._memory.answers[pending.question] = DONT_KNOW
            self._advance()
        else:
            self._memory.pending = replace(pending, attempts=pending.attempts + 1)
            self._say("unclear_yesno", "error")
            self._ask_confirmation()

    def _unclear(self, question: Question, meaning: Meaning) -> None:
        prompt = self._memory.prompt
        assert prompt is not None
        if isinstance(meaning, OutOfRange):
            low, high = question.number_range
            self._say("out_of_range", "error", number=meaning.number, low=low, high=high)
        elif self._one_at_a_time_next(question, prompt):
            self._say("one_at_a_time", "error")
            first = next(iter(self.pack.questions[question.id].one_at_a_time))
            self._ask(replace(prompt, unclear=prompt.unclear + 1, alone=first))
            return
        elif question.kind is Kind.CHOICE and not prompt.yes_no:
            choices = self.pack.join(self.pack.choice_labels(question.id), "list_or")
            self._say("unclear_choice", "error", choices=choices)
        else:
            self._say(
                "unclear_number" if question.kind is Kind.NUMBER else "unclear_yesno", "error"
            )
        prompt = replace(prompt, unclear=prompt.unclear + 1)
        yes_no = question.kind is Kind.YESNO or prompt.yes_no
        if prompt.unclear >= UNCLEAR_BEFORE_OFFERING_KEYS and yes_no:
            self._say("offer_keys")
        elif prompt.unclear >= UNCLEAR_BEFORE_OFFERING_KEYS and question.kind is Kind.CHOICE:
            labels = self.pack.choice_labels(question.id)
            keys = [
                self.pack.say("choice_key", number=n, choice=c) for n, c in enumerate(labels, 1)
            ]
            self._say("offer_choice_keys", keys=self.pack.join(keys, "list_or"))
        self._ask(prompt)

    def _one_at_a_time_next(self, question: Question, prompt: Prompt) -> bool:
        """Whether a choice question not understood now goes on one option at a time: by
        voice, at the turn that would offer keys, where the pack lists the options so
        (Korean: its model hears a yes or no far more surely than a choice, and a person
        who cannot use keys still gets through). Someone typing is offered the keys: a
        typed choice does not get easier as a yes or no."""
        return (
            not self._heard_typed
            and question.kind is Kind.CHOICE
            and not prompt.yes_no
            and prompt.unclear + 1 >= UNCLEAR_BEFORE_OFFERING_KEYS
            and bool(self.pack.questions[question.id].one_at_a_time)
        )

    def _on_results(self, heard: Heard) -> None:
        meaning = self._meaning(heard)
        if isinstance(meaning, Command):
            self._command(meaning.name, None)
        else:
            self._say("unclear_results", "error")

    def _present_results(self) -> None:
        memory = self._memory
        assessment = rules.assess(self.knowledge, memory.answers)
        lines = present.result_lines(self.knowledge, self.pack, assessment, memory.answers)
        memory.result_lines, memory.assessment = lines, assessment
        for line in lines:
            self._emit(line)
        self._emit(present.result_event(self.knowledge, self.pack, assessment, memory.answers))
        self._say("results_options")

    def _finish(self, farewell: str = "goodbye") -> None:
        """Hand over the clinician summary, say goodbye, wipe, and go back to idle."""
        assert self._memory.assessment is not None
        self.trigger("summarise")
        memory = self._memory
        summary = Summary.build(
            self.knowledge, self.pack, memory.assessment, memory.answers, how=memory.how
        )
        saved = self._save_summary(summary)
        self._memory.handed_over = True
        self._say("summary_saved" if saved else "summary_failed", "info" if saved else "error")
        self._goodbye(farewell)

    def _goodbye(self, message: str) -> None:
        self.trigger("leave")
        self._say(message)
        self._wipe()
        self._emit(End())
        log.info("session ended (%s)", message)
        self.trigger("reset")

    def _wipe(self) -> None:
        """Forget everything about the person: a fresh memory replaces the old one whole."""
        voice_was_changed = self._memory.voice != VoiceLevels()
        self._memory = SessionMemory(self._fresh_patience)
        if voice_was_changed:
            self._emit(self._memory.voice.as_event())  # the speaker goes back to the defaults

    def _say(self, key: str, kind: str = "info", **fields: object) -> None:
        typed = f"{key}_typed"  # "please type yes or no", not "please say", to a typist
        if self._heard_typed and typed in MESSAGE_FIELDS:
            key = typed
        self._emit(Say(self.pack.say(key, **fields), kind))  # type: ignore[arg-type]


def _keys(question: Question) -> dict[str, str]:
    """The number keys that answer `question`: 1 yes, 2 no, 3 don't know at a yes/no
    question; 1, 2, 3 ... for the options of a choice question, in the order said."""
    if question.kind is Kind.YESNO:
        return YESNO_KEYS
    if question.kind is Kind.CHOICE:
        return {str(n): option for n, option in enumerate(question.options, start=1)}
    return {}


__all__ = ["Dialog", "State", "Triage"]
