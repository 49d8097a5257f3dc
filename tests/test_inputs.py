"""Keys (and any other input) answer in voice mode, in the same session, at any time."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

from kiosk.core.events import Ask, Heard, Output, Result, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.dialog.table import READBACK_QUESTION
from kiosk.frontends.inbox import Inbox, read_keys
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import Pack
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk

ANSWERS = {"onset": "gradual", "sides": "both_legs", "back_pain": "yes", "age": "67"}


class DeafListener:
    """Hears nothing ever; waits, as a real listener does, until another input answers."""

    def __init__(self) -> None:
        self.turns = 0
        self.interrupted = 0

    def listen(
        self, source: object, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        self.turns += 1
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if interrupted():
                self.interrupted += 1
                return None
            time.sleep(0.005)
        raise AssertionError("the key press did not stop the listener")


class _NullText(io.StringIO):
    pass


def test_a_whole_session_answered_by_keys_in_voice_mode_matches_typing(
    knowledge: Knowledge, pack: Pack
) -> None:
    typed = Kiosk(knowledge, pack)
    typed.start()
    typed.answer_all(ANSWERS)
    inbox = Inbox()
    outputs: list[Output] = []
    helper = Kiosk(knowledge, pack)  # only for the words a person would type

    def press_later(heard: Heard, question: str | None) -> None:
        """A key pressed a moment after the question, while the kiosk is listening."""
        threading.Timer(0.02, inbox.put, (heard, question)).start()

    def make(emit: Callable[[Output], None]) -> Dialog:
        def answer_on_the_keys(output: Output) -> None:
            outputs.append(output)
            emit(output)
            if isinstance(output, Ask) and output.question == READBACK_QUESTION:
                press_later(Utterance("1"), output.question)  # 1 = yes, also here
            elif isinstance(output, Ask):
                kind = knowledge.questions[output.question].kind.value
                value = ANSWERS.get(output.question, "no" if kind == "yesno" else "dont_know")
                words = helper.words_for(output.question, value)
                key = {"no": "2", "I don't know": "3"}.get(words, words)
                press_later(Utterance(key), output.question)
            elif isinstance(output, Result):
                press_later(Utterance("done"), None)

        return Dialog(knowledge, pack, answer_on_the_keys, lambda summary: True)

    listener = DeafListener()
    front = VoiceFrontEnd(make, listener, ClipSource([]), SilentSpeaker(), _NullText(), inbox)
    front.run(sessions=1, start_at_once=True)
    result = [o for o in outputs if isinstance(o, Result)][-1]
    assert (result.triage, result.causes, result.answers) == (
        typed.result().triage,
        typed.result().causes,
        typed.result().answers,
    )
    assert listener.interrupted > 0, "keys arrived while the kiosk was listening"


def test_an_answer_for_a_question_already_answered_by_voice_is_dropped() -> None:
    inbox = Inbox()
    inbox.put(Utterance("yes"), for_question="stroke_signs")
    inbox.put(Utterance("no"), for_question="vision_balance")
    assert inbox.take("vision_balance") == Utterance("no"), "the stale touch must not count"
    assert inbox.take("vision_balance") is None


def test_typed_lines_reach_the_inbox_in_order() -> None:
    inbox = Inbox()
    read_keys(io.StringIO("1\n\n  go back \n3\n"), inbox).join(timeout=2)
    taken = [inbox.take(None) for _ in range(5)]
    assert taken == [Utterance("1"), Utterance(""), Utterance("go back"), Utterance("3"), None]


def test_the_next_person_is_greeted_by_voice_after_a_session_ends(
    knowledge: Knowledge, pack: Pack
) -> None:
    inbox = Inbox()
    speaker = SilentSpeaker()
    keys = iter(("start", "stop", "start", "stop"))

    class KeysWhileListening:
        def listen(
            self, source: object, expecting: Expectation, interrupted: Callable[[], bool]
        ) -> Heard | None:
            inbox.put(Utterance(next(keys)))
            return None

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: True)

    front = VoiceFrontEnd(make, KeysWhileListening(), ClipSource([]), speaker, _NullText(), inbox)
    front.run(sessions=2)
    greeting = pack.say("idle")
    assert speaker.spoken.count(greeting) == 2, "each person hears what the kiosk is for"
    assert speaker.spoken[0] == greeting
