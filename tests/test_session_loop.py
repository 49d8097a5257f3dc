"""The loop every front end runs: the greeting once for each person, a limit on sessions,
the end of input, and a stop signal that hands the person's answers over first."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kiosk.core.events import Heard, Output, Say, Utterance
from kiosk.core.stopping import Stopping
from kiosk.dialog.machine import Dialog
from kiosk.frontends.session_loop import SessionLoop
from kiosk.language.pack import Pack
from kiosk.records.report import Summary
from kiosk.triage.knowledge import Knowledge


class Front:
    """A front end made of a list: what it shows, and the lines a person types."""

    def __init__(self, knowledge: Knowledge, pack: Pack) -> None:
        self.shown: list[Output] = []
        self.saved: list[Summary] = []

        def make(emit: Callable[[Output], None]) -> Dialog:
            return Dialog(knowledge, pack, emit, lambda s: bool(self.saved.append(s)) or True)

        self.loop = SessionLoop(make, self.shown.append)
        self.greeting = Say(pack.say("idle"), "info")

    def typing(self, lines: list[str]) -> Callable[[], Heard | None]:
        typed: Iterator[str] = iter(lines)

        def next_heard() -> Heard | None:
            line = next(typed, None)
            if line is None:
                self.loop.stop()
                return None
            if line == "^C":
                raise Stopping()
            return Utterance(line)

        return next_heard

    def greetings(self) -> int:
        return self.shown.count(self.greeting)


def test_each_person_is_greeted_once_and_nobody_after_the_last_session(
    knowledge: Knowledge, pack: Pack
) -> None:
    front = Front(knowledge, pack)
    people = ["what?", "", "stop", "", "stop", "", "stop"]
    assert front.loop.run(front.typing(people), sessions=2) == 0
    assert front.loop.finished == 2 and front.greetings() == 2, "at the start and after one"


def test_a_first_session_started_at_once_is_not_greeted_and_the_end_of_input_stops(
    knowledge: Knowledge, pack: Pack
) -> None:
    front = Front(knowledge, pack)
    front.loop.run(front.typing(["stop"]), start_at_once=True)
    assert front.greetings() == 1, "only the next person is greeted"
    assert front.loop.stopping and front.loop.dialog.at_rest


def test_a_stop_signal_falls_silent_then_hands_over_what_was_answered(
    knowledge: Knowledge, pack: Pack
) -> None:
    front = Front(knowledge, pack)
    order: list[str] = []
    with pytest.raises(Stopping):
        front.loop.run(
            front.typing(["no", "^C"]),
            start_at_once=True,
            on_stop=lambda: order.append(f"silent with {len(front.saved)} saved"),
        )
    assert order == ["silent with 0 saved"]
    [summary] = front.saved
    assert not summary.complete and front.loop.dialog.answers == {}
