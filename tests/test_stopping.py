"""SIGTERM and SIGINT mid-session: the kiosk saves what it has (marked incomplete), does
not lose a staff alert, and exits 0, in every front end. Voice mode on a sound server
is in tests/test_speech_device.py."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Knowledge
from tests.conftest import ROOT

STOP_WITHIN = 2.0
"""Seconds the issue (and deploy/leg-kiosk.service's TimeoutStopSec) allows a stop."""


def start(mode: list[str], folder: Path) -> subprocess.Popen[str]:
    config = folder / "config.yaml"
    config.write_text(f"alert:\n  file: {folder / 'alerts.jsonl'}\n")
    command = [sys.executable, "-m", "kiosk", *mode, "--config", str(config),
               "--report-dir", str(folder / "reports")]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )  # fmt: skip


def wait_for(kiosk: subprocess.Popen[str], text: str, timeout: float = 30) -> list[str]:
    """Lines of standard output up to the one holding `text`."""
    assert kiosk.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = kiosk.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"never saw {text!r}: {seen}")


def stop(kiosk: subprocess.Popen[str], how: signal.Signals) -> int:
    sent = time.monotonic()
    kiosk.send_signal(how)
    code = kiosk.wait(timeout=10)
    assert time.monotonic() - sent < STOP_WITHIN, "it stopped within the time systemd allows"
    assert kiosk.stderr is not None
    log = kiosk.stderr.read()
    assert "Traceback" not in log, log
    for stream in (kiosk.stdin, kiosk.stdout, kiosk.stderr):
        if stream is not None:
            stream.close()
    return code


def summaries(folder: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text()) for p in sorted((folder / "reports").glob("*.json"))]


def answer(kiosk: subprocess.Popen[str], line: str) -> None:
    assert kiosk.stdin is not None
    kiosk.stdin.write(line + "\n")
    kiosk.stdin.flush()


FRONT_ENDS = {
    "text": ["--text"],
    "jsonl": ["--text", "--jsonl"],
    "screen": ["--screen", "--no-voice", "--port", "0"],
}


@pytest.mark.parametrize("front", list(FRONT_ENDS))
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_mid_session_keeps_an_incomplete_summary_and_exits_0(
    tmp_path: Path, pack: Pack, knowledge: Knowledge, front: str, how: signal.Signals
) -> None:
    first, second, third = (pack.questions[q].ask for q in knowledge.red_flag_questions[:3])
    kiosk = start(FRONT_ENDS[front], tmp_path)
    if front != "jsonl":
        wait_for(kiosk, pack.say("idle"))
        answer(kiosk, "")
    wait_for(kiosk, first)
    answer(kiosk, "no")
    wait_for(kiosk, second)
    answer(kiosk, "no")
    wait_for(kiosk, third)
    assert stop(kiosk, how) == 0
    [summary] = summaries(tmp_path)
    assert summary["complete"] is False
    asked = [a["question"] for a in summary["answers"]]  # type: ignore[attr-defined]
    assert asked == list(knowledge.red_flag_questions[:2])
    assert not (tmp_path / "alerts.jsonl").exists(), "no emergency, no alert"


def test_a_stop_during_the_emergency_guidance_keeps_the_alert_and_the_summary(
    tmp_path: Path, pack: Pack, knowledge: Knowledge
) -> None:
    kiosk = start(["--text"], tmp_path)
    wait_for(kiosk, pack.say("idle"))
    answer(kiosk, "")
    wait_for(kiosk, pack.questions[knowledge.red_flag_questions[0]].ask)
    answer(kiosk, "yes")
    wait_for(kiosk, pack.say("emergency", number=pack.emergency_number))
    assert stop(kiosk, signal.SIGTERM) == 0
    [summary] = summaries(tmp_path)
    assert summary["complete"] is False and summary["triage"] == "emergency"
    alerts = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(alerts) == 1 and json.loads(alerts[0])["triage"] == "emergency"


def test_a_stop_at_idle_saves_nothing_and_exits_0(tmp_path: Path, pack: Pack) -> None:
    kiosk = start(["--text"], tmp_path)
    wait_for(kiosk, pack.say("idle"))
    assert stop(kiosk, signal.SIGTERM) == 0
    assert summaries(tmp_path) == []


def test_the_service_gives_the_kiosk_time_to_stop_and_signals_only_the_kiosk() -> None:
    unit = (ROOT / "deploy" / "leg-kiosk.service").read_text()
    timeout = re.search(r"^TimeoutStopSec=(\d+)s?$", unit, re.MULTILINE)
    assert timeout and STOP_WITHIN < int(timeout.group(1)) <= 10, "room to save, not to hang"
    assert re.search(r"^KillMode=mixed$", unit, re.MULTILINE), (
        "SIGTERM to the kiosk alone: a staff alert command it started is not killed first"
    )
