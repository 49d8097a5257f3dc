"""Privacy between patients: two people, one process; nothing of the first person's
answers reaches the second session's output, screen or summary, or the dialog's state."""

from __future__ import annotations

import dataclasses
import io
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.core.events import Ask, End, Heard, Output, Result, Say, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.frontends.console import CLEAR_SCREEN, run_interactive
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import Pack
from kiosk.records.report import Summary
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk
from tests.test_device_faults import FlakyMicrophone

FIRST = {"onset": "days", "sides": "both_legs", "feet_numb": "yes", "diabetes": "yes"}
SECOND = {"onset": "gradual", "sides": "one_leg", "back_pain": "yes", "age": "41"}
SHARED_DATA = {"knowledge", "pack"}
"""The read-only knowledge and language pack every session shares."""


def answer_pairs(root: object, skip: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    """Every (question, answer) pair reachable from `root`: mapping items, and objects
    holding a question with an answer or value. Attributes named in `skip` and
    anything callable (methods, the dialog's callbacks) are not followed."""
    found: set[tuple[str, str]] = set()
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or callable(item) or isinstance(item, str | bytes | int | float):
            continue
        seen.add(id(item))
        if isinstance(item, Mapping):
            found |= {(k, v) for k, v in item.items() if isinstance(k, str) and isinstance(v, str)}
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple | set | frozenset | deque):
            stack += list(item)
        else:
            question = getattr(item, "question", None)
            answer = getattr(item, "answer", getattr(item, "value", None))
            if isinstance(question, str) and isinstance(answer, str):
                found.add((question, answer))
            if dataclasses.is_dataclass(item) or hasattr(item, "__dict__"):
                attributes = vars(item) if hasattr(item, "__dict__") else {}
                stack += [v for k, v in attributes.items() if k not in skip]
    return found


def only_first(knowledge: Knowledge, pack: Pack) -> tuple[set[tuple[str, str]], list[str]]:
    """The first person's answers the second does not share, and how they read aloud."""
    first, second = (_result(knowledge, pack, a).answers for a in (FIRST, SECOND))
    pairs = {(q, v) for q, v in first.items() if second.get(q) != v}
    spoken = [pack.questions[q].because[v] for q, v in pairs if v in pack.questions[q].because]
    assert pairs and spoken, "test setup: the two people must differ"
    return pairs, spoken


def _result(knowledge: Knowledge, pack: Pack, answers: dict[str, str]) -> Result:
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    kiosk.answer_all(answers)
    return kiosk.result()


def typed_lines(knowledge: Knowledge, pack: Pack, answers: dict[str, str]) -> list[str]:
    """What a person types for a whole session: Enter, each answer, done."""
    kiosk = Kiosk(knowledge, pack)
    typed: list[str] = []
    say = kiosk.say
    kiosk.say = lambda text, confidence=1.0: typed.append(text) or say(text, confidence)  # type: ignore[method-assign]
    kiosk.start()
    kiosk.answer_all(answers)
    return ["", *typed, "done"]


class Typist(io.StringIO):
    """Standard input that runs `before_line(n)` just before handing over line n."""

    def __init__(self, lines: list[str], before_line: Callable[[int], None]) -> None:
        super().__init__("".join(line + "\n" for line in lines))
        self.before_line = before_line
        self.count = 0

    def readline(self, size: int | None = -1) -> str:
        self.before_line(self.count)
        self.count += 1
        return super().readline()


def test_text_mode_second_person_sees_and_keeps_nothing_of_the_first(
    knowledge: Knowledge, pack: Pack
) -> None:
    private, spoken = only_first(knowledge, pack)
    first_lines = typed_lines(knowledge, pack, FIRST)
    dialogs: list[Dialog] = []
    outputs: list[Output] = []
    saved: list[Summary] = []
    state_in_session: set[tuple[str, str]] = set()
    state_after_reset: set[tuple[str, str]] = set()

    def make(emit: Callable[[Output], None]) -> Dialog:
        def record(output: Output) -> None:
            outputs.append(output)
            emit(output)

        dialogs.append(Dialog(knowledge, pack, record, lambda s: saved.append(s) or True))
        return dialogs[0]

    def inspect(line: int) -> None:
        if line == len(first_lines) - 1:  # about to say "done": the first person's results
            state_in_session.update(answer_pairs(dialogs[0], frozenset(SHARED_DATA)))
        if line == len(first_lines):  # the first person has gone; the next is about to start
            state_after_reset.update(answer_pairs(dialogs[0], frozenset(SHARED_DATA)))

    lines = first_lines + typed_lines(knowledge, pack, SECOND)
    screen = io.StringIO()
    run_interactive(make, Typist(lines, inspect), screen, clear_screen=True)

    assert private <= state_in_session, "the inspection reaches where answers are kept"
    assert not private & state_after_reset, "the dialog keeps nothing of the first person"
    second_start = next(i for i, o in enumerate(outputs) if isinstance(o, End)) + 1
    second = outputs[second_start:]
    assert not private & answer_pairs(second), "nothing of the first person in the output"
    assert [s.answers for s in saved][1:] and not private & answer_pairs(saved[1])
    second_screen = screen.getvalue().split(CLEAR_SCREEN)[1]
    assert pack.say("idle") in second_screen
    for reason in spoken:
        assert reason not in second_screen, reason
        assert not any(reason in o.text for o in second if isinstance(o, Say)), reason
    assert [r.answers for r in second if isinstance(r, Result)] == [
        _result(knowledge, pack, SECOND).answers
    ]


class TwoPeople:
    """Speaks for the first person, then the second; at the idle prompt between them
    it records what the dialog and the front end still hold."""

    def __init__(self, knowledge: Knowledge, pack: Pack) -> None:
        self.kiosk = Kiosk(knowledge, pack)
        self.people = [FIRST, SECOND]
        self.front: VoiceFrontEnd | None = None
        self.between: set[tuple[str, str]] = set()
        self.during: set[tuple[str, str]] = set()

    def listen(
        self, source: Any, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        assert self.front is not None
        held = answer_pairs(
            self.front, frozenset({*SHARED_DATA, "captions", "speaker", "listener"})
        )
        if expecting.commands == ("start",):
            self.between |= held
            return Utterance("start")
        if expecting.yes_no:  # the answers read back: heard right
            return Utterance("yes")
        if expecting.question is None:  # the results: this person is done
            self.during |= held
            self.people.pop(0)
            return Utterance("done")
        question = expecting.question
        default = "no" if question.kind.value == "yesno" else "dont_know"
        return Utterance(
            self.kiosk.words_for(question.id, self.people[0].get(question.id, default))
        )


def test_voice_mode_second_person_hears_and_keeps_nothing_of_the_first(
    knowledge: Knowledge, pack: Pack
) -> None:
    private, spoken = only_first(knowledge, pack)
    people = TwoPeople(knowledge, pack)
    speaker = SilentSpeaker()
    outputs: list[Output] = []
    saved: list[Summary] = []

    def make(emit: Callable[[Output], None]) -> Dialog:
        def record(output: Output) -> None:
            outputs.append(output)
            emit(output)

        return Dialog(knowledge, pack, record, lambda s: saved.append(s) or True)

    captions = io.StringIO()
    people.front = VoiceFrontEnd(make, people, FlakyMicrophone(-1, 0), speaker, captions)
    people.front.captions.clear_screen = True
    people.front.run(sessions=2, start_at_once=True)

    assert private <= people.during, "the inspection reaches where answers are kept"
    assert not private & people.between, "nothing of the first person is held between sessions"
    second_start = next(i for i, o in enumerate(outputs) if isinstance(o, End)) + 1
    said_to_first = [o for o in outputs[:second_start] if isinstance(o, Say | Ask)]
    heard_by_second = speaker.spoken[len(said_to_first) :]
    # The second person hears what the kiosk is for, then its welcome: nothing older.
    assert heard_by_second[:2] == [pack.say("idle"), pack.say("welcome")]
    assert not private & answer_pairs(outputs[second_start:])
    assert len(saved) == 2 and not private & answer_pairs(saved[1])
    for reason in spoken:
        assert not any(reason in line for line in heard_by_second), reason
        assert reason not in captions.getvalue().split(CLEAR_SCREEN)[1], reason
