"""Logs carry events and error codes only: no answers, no transcripts, no results.

Whole sessions run with the most detailed logging (-vv, DEBUG), with a staff alert
that fails and retention at work, so every module that logs has its say.
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core.events import Heard, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.language.pack import Pack
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import ROOT, Kiosk
from tests.test_lifecycle import ScriptedListener

KIOSK = [sys.executable, "-m", "kiosk", "-vv"]
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ", re.MULTILINE)

ANSWERS = {"onset": "slowly", "sides": "both legs", "age": "sixty seven", "feet_numb": "yes"}


def typed_sessions(knowledge: Knowledge, pack: Pack) -> list[list[str]]:
    """What three people type: a full session, an emergency, one who stops. The lines
    come from running the same dialog in-process, so they fit each question asked."""
    kiosk = Kiosk(knowledge, pack)
    full = [""]
    kiosk.start()
    while (question := kiosk.asking) is not None:
        kind = knowledge.questions[question].kind.value if question in knowledge.questions else ""
        other = {"number": "sixty", "choice": "I don't know", "yesno": "no"}.get(kind, "yes")
        full.append(ANSWERS.get(question, other))  # "yes" to the read-back
        kiosk.say(full[-1])
    full += ["repeat", "done"]
    return [full, ["start", "yes", "repeat", "done"], ["", "I don't know", "pardon", "stop"]]


def forbidden(knowledge: Knowledge, pack: Pack) -> list[str]:
    """Words that would give away what someone answered or what the kiosk concluded."""
    words = ["slowly", "gradual", "both legs", "both_legs", "sixty", "pardon", "don't know"]
    words += ["feet_numb", "feet numb", "numb"]
    words += ["emergency", "urgent", "routine", "self_care", "self care", "triage"]
    words += list(knowledge.causes) + list(pack.causes.values())
    words += [rule.id for rule in knowledge.rules]
    return words


def assert_private(log: str, knowledge: Knowledge, pack: Pack) -> None:
    text = TIMESTAMP.sub("", log).lower()
    assert text.count("\n") >= 3, f"expected a log of events, got:\n{log}"
    leaked = [w for w in forbidden(knowledge, pack) if w.lower() in text]
    assert not leaked, f"{leaked} in the log:\n{log}"
    assert not re.search(r"\byes\b", text), log


def lines(sessions: list[list[str]]) -> str:
    return "".join(line + "\n" for session in sessions for line in session)


def config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.yaml"
    path.write_text(
        "kiosk_id: ward-3\nreport_dir: reports\nretention_days: 1\n"
        f"alert: {{command: [{sys.executable}, -c, 'import sys; sys.exit(4)'], "
        "file: alerts.jsonl}\n",
        encoding="utf-8",
    )
    old = tmp_path / "reports" / "2020-01-02T03-04-05+00-00-a1b2c3.json"
    old.parent.mkdir()
    old.write_text("{}")
    os.utime(old, (0, 0))  # old enough for retention to delete it, and log that
    return path


def test_text_sessions_log_no_answers_or_results(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    done = subprocess.run([*KIOSK, "--text", "--config", str(config(tmp_path))],
                          input=lines(typed_sessions(knowledge, pack)), capture_output=True, text=True,
                          cwd=ROOT, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Goodbye" in done.stdout and "Stopping now" in done.stdout, "all three sessions ran"
    assert "exit code 4" in done.stderr and "clinician summary written" in done.stderr
    assert "retention: deleted 1" in done.stderr
    assert_private(done.stderr, knowledge, pack)


def test_an_emergency_jsonl_session_logs_no_answers_or_results(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    done = subprocess.run([*KIOSK, "--text", "--jsonl", "--config", str(config(tmp_path))],
                          input="yes\nrepeat\ndone\n", capture_output=True, text=True,
                          cwd=ROOT, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"event": "result"' in done.stdout
    assert "exit code 4" in done.stderr, "the alert ran before the one-session kiosk exited"
    assert_private(done.stderr, knowledge, pack)


def test_a_voice_session_logs_no_answers_or_results(
    knowledge: Knowledge, pack: Pack, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[Heard] = [Utterance(text) for text in typed_sessions(knowledge, pack)[0][1:]]

    def make(emit: object) -> Dialog:
        return Dialog(knowledge, pack, emit, lambda summary: True)  # type: ignore[arg-type]

    speaker = SilentSpeaker()
    with caplog.at_level(logging.DEBUG):
        front = VoiceFrontEnd(make, ScriptedListener([*heard]), ClipSource([]), speaker,
                              io.StringIO())  # fmt: skip
        front.run(sessions=1, start_at_once=True)
    assert any("Goodbye" in line for line in speaker.spoken)
    assert "heard Utterance" in caplog.text
    assert_private(caplog.text, knowledge, pack)
