"""Shared fixtures: the real knowledge file and English pack, and a dialog driven in-process."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from kiosk.core.events import Ask, End, Output, Result, Say, Silence, Start, Unclear, Utterance
from kiosk.dialog.machine import Dialog, State
from kiosk.dialog.table import ASKING, CHANGE_QUESTION, READBACK_QUESTION
from kiosk.language.pack import Pack, load_pack
from kiosk.records.report import Summary
from kiosk.triage.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` go first. Collected last (tests/test_speech_device.py), the
    longest kept one worker busy for minutes after the other had run out of tests;
    with `--dist worksteal` the short ones then fill in around them."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge()


@pytest.fixture(scope="session")
def pack(knowledge: Knowledge) -> Pack:
    return load_pack("en", knowledge)


class Kiosk:
    """A dialog with a fake report sink that records everything it says."""

    def __init__(self, knowledge: Knowledge, pack: Pack, save_ok: bool = True) -> None:
        self.knowledge = knowledge
        self.pack = pack
        self.out: list[Output] = []
        self.saved: list[Summary] = []
        self.save_ok = save_ok
        self.dialog = Dialog(knowledge, pack, self.out.append, self._save)

    def _save(self, summary: Summary) -> bool:
        self.saved.append(summary)
        return self.save_ok

    def _run(self, event: Start | Utterance | Unclear | Silence) -> list[Output]:
        mark = len(self.out)
        self.dialog.handle(event)
        return self.out[mark:]

    def start(self) -> list[Output]:
        return self._run(Start())

    def say(self, text: str, confidence: float = 1.0, spoken: bool = False) -> list[Output]:
        """Typed words; `spoken` ones as a recognizer would hand them over."""
        return self._run(Utterance(text, confidence, spoken=spoken))

    def silence(self) -> list[Output]:
        return self._run(Silence())

    def unclear(self, noisy: bool = False) -> list[Output]:
        """A turn the recognizer could not make out (`noisy`: the voice was lost in
        the room)."""
        return self._run(Unclear(noisy))

    @property
    def state(self) -> State:
        return self.dialog.state

    @property
    def asking(self) -> str | None:
        """The question of the last ask event, while the dialog waits for an answer."""
        asks = [o for o in self.out if isinstance(o, Ask)]
        waiting = self.state in ASKING
        return asks[-1].question if asks and waiting else None

    def answer_all(self, answers: Mapping[str, str], default: str = "no") -> list[Output]:
        """Answer each question from `answers` (others: `default`, or don't know for
        choices and numbers) until the dialog stops asking. The read-back of the answers
        is confirmed ("yes") unless `answers` says otherwise for "readback"; at "which one
        should I change?" it stops and leaves the choice to the test."""
        mark = len(self.out)
        for _ in range(100):
            question = self.asking
            if question is None or question == CHANGE_QUESTION:
                return self.out[mark:]
            if question == READBACK_QUESTION:
                value = answers.get(READBACK_QUESTION, "yes")
                self.say(self.pack.answers[value][0] if value in self.pack.answers else value)
                continue
            kind = self.knowledge.questions[question].kind.value
            value = answers.get(question, default if kind == "yesno" else "dont_know")
            self.say(self.words_for(question, value))
        raise AssertionError("the dialog kept asking")

    def words_for(self, question: str, value: str) -> str:
        """What a person would type for an answer id: its first phrase in the pack."""
        if value == "dont_know":
            return self.pack.answers["dont_know"][0]
        phrases = self.pack.questions[question].phrases if question in self.pack.questions else {}
        return phrases[value][0] if value in phrases else value

    def result(self) -> Result:
        results = [o for o in self.out if isinstance(o, Result)]
        assert results, "no result was given"
        return results[-1]

    def said(self, since: int = 0) -> list[Say]:
        return [o for o in self.out[since:] if isinstance(o, Say)]

    def ended(self) -> bool:
        return any(isinstance(o, End) for o in self.out)


@pytest.fixture
def kiosk(knowledge: Knowledge, pack: Pack) -> Kiosk:
    return Kiosk(knowledge, pack)
