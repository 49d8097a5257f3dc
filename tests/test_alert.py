"""Staff alert: fires once per emergency session, within a second, never delaying
the guidance; a failing, missing or hanging hook is logged (by code, no answers)."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.config.settings import AlertConfig
from kiosk.core.events import Heard, Output, Say, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.language.pack import Pack
from kiosk.language.present import emergency_lines
from kiosk.records.alert import StaffAlert
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk
from tests.test_lifecycle import ScriptedListener

HOOK = (
    "import json, sys, time; started = time.time(); alert = json.load(sys.stdin); "
    "open(sys.argv[1], 'a').write(json.dumps({'started': started, 'alert': alert}) + '\\n')"
)


class Watched(Kiosk):
    """A kiosk whose outputs pass through a StaffAlert, each stamped with the time."""

    def __init__(self, knowledge: Knowledge, pack: Pack, config: AlertConfig) -> None:
        super().__init__(knowledge, pack)
        self.alert = StaffAlert(config, "ward-3")
        self.stamps: list[tuple[float, Output]] = []
        self.dialog = Dialog(knowledge, pack, self.alert.watch(self._record), self._save)

    def _record(self, output: Output) -> None:
        self.stamps.append((time.time(), output))
        self.out.append(output)

    def emergency_said_at(self) -> float:
        return next(t for t, o in self.stamps if isinstance(o, Say) and o.kind == "emergency")

    def settle(self) -> None:
        for thread in self.alert.threads:
            thread.join(timeout=10)


def emergency(kiosk: Watched) -> float:
    """Start a session, answer yes to the first red flag; seconds the answer took."""
    kiosk.start()
    began = time.monotonic()
    kiosk.say("yes")
    return time.monotonic() - began


def guidance(kiosk: Watched) -> list[str]:
    return [s.text for s in kiosk.said() if s.kind == "emergency"]


def hook_calls(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_hook_fires_once_within_a_second_of_the_emergency_guidance(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    calls, alerts = tmp_path / "calls.jsonl", tmp_path / "alerts" / "alerts.jsonl"
    config = AlertConfig((sys.executable, "-c", HOOK, str(calls)), alerts, timeout=10)
    kiosk = Watched(knowledge, pack, config)
    emergency(kiosk)
    said_at = kiosk.emergency_said_at()
    kiosk.say("repeat")  # the guidance again: no second alert
    kiosk.silence()
    kiosk.settle()
    [call] = hook_calls(calls)
    assert 0 <= float(call["started"]) - said_at < 1.0  # type: ignore[arg-type]
    assert call["alert"] == hook_calls(alerts)[0]
    alert = call["alert"]
    assert alert["kiosk_id"] == "ward-3" and alert["triage"] == "emergency"  # type: ignore[index]
    assert alert["red_flags"] == ["stroke_signs"]  # type: ignore[index]
    assert set(alert) == {"event", "id", "time", "kiosk_id", "triage", "red_flags"}  # type: ignore[arg-type]
    kiosk.say("done")  # the next person's emergency alerts again
    emergency(kiosk)
    kiosk.settle()
    assert len(hook_calls(calls)) == 2 and len(hook_calls(alerts)) == 2
    ids = [c["alert"]["id"] for c in hook_calls(calls)]  # type: ignore[index]
    assert len(set(ids)) == 2  # each alert its own id: the desk shows and acks each once


def test_no_emergency_no_alert(knowledge: Knowledge, pack: Pack, tmp_path: Path) -> None:
    kiosk = Watched(knowledge, pack, AlertConfig(file=tmp_path / "alerts.jsonl"))
    kiosk.start()
    kiosk.answer_all({"onset": "gradual", "sides": "both_legs"})
    assert kiosk.result().triage != "emergency"
    assert kiosk.alert.threads == [] and not (tmp_path / "alerts.jsonl").exists()


def test_a_hanging_hook_does_not_delay_the_guidance_and_is_logged(
    knowledge: Knowledge, pack: Pack, caplog: pytest.LogCaptureFixture
) -> None:
    config = AlertConfig(("sleep", "30"), timeout=0.5)
    kiosk = Watched(knowledge, pack, config)
    with caplog.at_level(logging.INFO, logger="kiosk.records.alert"):
        took = emergency(kiosk)
        assert took < 0.2, f"the answer took {took:.2f} s to be handled"
        assert kiosk.pack.emergency_number in guidance(kiosk)[0]
        started = time.monotonic()
        kiosk.settle()
        assert time.monotonic() - started < 5, "the hanging hook was stopped"
    assert "sleep was stopped after 0.5 s" in caplog.text


@pytest.mark.parametrize(
    ("command", "logged"),
    [
        ((sys.executable, "-c", "import sys; sys.exit(3)"), "failed with exit code 3"),
        (("/nonexistent/page-staff",), "cannot run /nonexistent/page-staff (ENOENT)"),
    ],
)
def test_a_failing_hook_is_logged_and_the_session_carries_on(
    knowledge: Knowledge, pack: Pack, caplog: pytest.LogCaptureFixture,
    command: tuple[str, ...], logged: str,
) -> None:  # fmt: skip
    kiosk = Watched(knowledge, pack, AlertConfig(command))
    with caplog.at_level(logging.INFO, logger="kiosk.records.alert"):
        emergency(kiosk)
        kiosk.settle()
    assert logged in caplog.text
    assert kiosk.pack.emergency_number in guidance(kiosk)[0], "the guidance was given"
    kiosk.say("done")
    assert kiosk.ended() and len(kiosk.saved) == 1


def test_an_unwritable_alert_file_is_logged_and_the_command_still_runs(
    knowledge: Knowledge, pack: Pack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")  # even root cannot make a folder inside a file
    calls = tmp_path / "calls.jsonl"
    config = AlertConfig((sys.executable, "-c", HOOK, str(calls)), blocker / "alerts.jsonl")
    kiosk = Watched(knowledge, pack, config)
    with caplog.at_level(logging.INFO, logger="kiosk.records.alert"):
        emergency(kiosk)
        kiosk.settle()
    assert f"cannot write {blocker / 'alerts.jsonl'}" in caplog.text
    assert "EEXIST" in caplog.text or "ENOTDIR" in caplog.text
    assert len(hook_calls(calls)) == 1


def test_nothing_configured_starts_no_thread(knowledge: Knowledge, pack: Pack) -> None:
    kiosk = Watched(knowledge, pack, AlertConfig())
    emergency(kiosk)
    assert kiosk.alert.threads == []


class SlowSpeaker(SilentSpeaker):
    """A fake speaker that takes `seconds` to say each of the `slow` lines (the others
    at once) and notes when it said them."""

    def __init__(self, seconds: float, slow: set[str]) -> None:
        super().__init__()
        self.seconds = seconds
        self.slow = slow
        self.spans: list[tuple[float, float]] = []

    def start(self, text: str) -> None:
        if text in self.slow:
            began = time.time()
            time.sleep(self.seconds)
            self.spans.append((began, time.time()))


def test_in_voice_mode_the_hook_runs_while_the_guidance_is_spoken(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    alert = StaffAlert(AlertConfig((sys.executable, "-c", HOOK, str(calls))), "ward-3")

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, alert.watch(emit), lambda summary: True)

    guidance = {line.text for line in emergency_lines(knowledge, pack, {"stroke_signs": "yes"})}
    speaker = SlowSpeaker(0.6, guidance)
    heard: list[Heard] = [Utterance("yes"), Utterance("done")]
    front = VoiceFrontEnd(make, ScriptedListener(heard), ClipSource([]), speaker, io.StringIO())
    front.run(sessions=1, start_at_once=True)
    alert.wait()
    assert len(speaker.spans) >= 2, "the guidance was spoken"
    [call] = hook_calls(calls)
    spoken_from, spoken_until = speaker.spans[0][0], speaker.spans[-1][1]
    assert spoken_from <= float(call["started"]) <= spoken_until  # type: ignore[arg-type]
