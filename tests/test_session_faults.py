"""An unexpected exception mid-session: an apology, what was answered is kept, and the
kiosk is back at idle for the next person within two seconds."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.core.events import Ask, Output, Say, Start, Utterance
from kiosk.dialog.machine import Dialog, State
from kiosk.dialog.session import drive
from kiosk.frontends.console import run_interactive
from kiosk.language.pack import Pack
from kiosk.records.report import ReportWriter, Summary
from kiosk.triage.knowledge import Knowledge


class FailsOnce:
    """Passes every output on, but raises the first time `question` is asked."""

    def __init__(self, emit: Callable[[Output], None], question: str) -> None:
        self.emit = emit
        self.question = question
        self.failed_at: float | None = None

    def __call__(self, output: Output) -> None:
        if isinstance(output, Ask) and output.question == self.question and self.failed_at is None:
            self.failed_at = time.monotonic()
            raise RuntimeError("a fault in the front end")
        self.emit(output)


def test_an_exception_mid_session_apologises_keeps_the_answers_and_is_idle_at_once(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    shown: list[tuple[float, Output]] = []
    faulty = FailsOnce(lambda output: shown.append((time.monotonic(), output)), "onset")
    dialog = Dialog(knowledge, pack, faulty, ReportWriter(tmp_path).save)
    red_flags = len(knowledge.red_flag_questions)
    failures = drive(dialog, [Start(), *[Utterance("no")] * red_flags])
    assert failures == 1 and faulty.failed_at is not None
    assert dialog.state is State.IDLE and dialog.answers == {}
    apology = [t for t, o in shown if o == Say(pack.say("sorry_error"), "error")]
    assert apology and apology[0] - faulty.failed_at < 2.0
    [summary] = [json.loads(p.read_text()) for p in tmp_path.glob("*.json")]
    assert summary["complete"] is False
    assert {a["answer"] for a in summary["answers"]} == {"no"}
    assert len(summary["answers"]) == red_flags, "every answer given before the fault is kept"
    text = next(tmp_path.glob("*.txt")).read_text()
    assert "INCOMPLETE" in text
    drive(dialog, [Start()])  # the next person starts afresh
    assert dialog.state is State.SCREENING


def test_a_fault_while_saving_the_results_still_hands_over_a_summary(
    knowledge: Knowledge, pack: Pack
) -> None:
    kept: list[Summary] = []

    def save(summary: Summary) -> bool:
        if not kept and summary.complete:
            kept.append(summary)
            raise RuntimeError("a fault in the summary writer")
        kept.append(summary)
        return True

    out: list[Output] = []
    dialog = Dialog(knowledge, pack, out.append, save)
    drive(dialog, [Start(), Utterance("yes")])  # an emergency at the first red flag
    assert dialog.state is State.EMERGENCY
    started = time.monotonic()
    assert drive(dialog, [Utterance("done")]) == 1
    assert time.monotonic() - started < 2.0 and dialog.state is State.IDLE
    assert Say(pack.say("sorry_error"), "error") in out
    assert [s.complete for s in kept] == [True, False]
    assert kept[1].triage == "emergency" and kept[1].answers == kept[0].answers


def test_in_the_terminal_the_next_person_is_greeted_after_the_apology(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, FailsOnce(emit, "onset"), ReportWriter(tmp_path).save)

    typed = "\n" + "no\n" * len(knowledge.red_flag_questions) + "\n"
    stdout = io.StringIO()
    run_interactive(make, io.StringIO(typed), stdout)
    screen = stdout.getvalue()
    after = screen[screen.index(pack.say("sorry_error")) :]
    assert pack.say("idle") in after, "back at the greeting for the next person"
    assert (
        knowledge.red_flag_questions
        and pack.questions[knowledge.red_flag_questions[0]].ask in after
    )
    assert len(list(tmp_path.glob("*.json"))) == 1
