"""The text front ends as a person or an outside harness uses them: real processes."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

KIOSK = [sys.executable, "-m", "kiosk"]


def run_jsonl(lines: list[str], report_dir: Path, *extra: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [*KIOSK, "--text", "--jsonl", "--report-dir", str(report_dir), *extra],
        input="".join(line + "\n" for line in lines),
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=True,
    )  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_jsonl_round_trip_follows_the_protocol_exactly(tmp_path: Path) -> None:
    answers = {"onset": "slowly", "sides": "both legs", "feet_numb": "yes", "diabetes": "yep",
               "readback": "yes"}  # fmt: skip
    events = []
    with subprocess.Popen(
        [*KIOSK, "--text", "--jsonl", "--report-dir", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    ) as proc:  # fmt: skip
        assert proc.stdin and proc.stdout
        for line in proc.stdout:
            event = json.loads(line)
            events.append(event)
            if event["event"] == "ask":
                other = "I don't know" if event["type"] == "choice" else "no"
                proc.stdin.write(answers.get(event["question"], other) + "\n")
                proc.stdin.flush()
            elif event["event"] == "result":
                proc.stdin.write("done\n")
                proc.stdin.flush()
    assert proc.returncode == 0
    keys = {
        "say": {"event", "text", "kind"},
        "ask": {"event", "question", "type", "choices", "text"},
        "result": {"event", "triage", "red_flags", "causes", "answers"},
        "end": {"event"},
    }
    for event in events:
        assert set(event) == keys[event["event"]], event
    assert events[-1] == {"event": "end"}
    result = next(e for e in events if e["event"] == "result")
    assert result["causes"][0]["id"] == "peripheral_neuropathy"  # type: ignore[index]
    assert set(result["causes"][0]) == {"id", "score", "reasons"}  # type: ignore[index]
    assert result["answers"]["diabetes"] == "yes"  # type: ignore[index]
    summaries = sorted(tmp_path.iterdir())
    assert [p.suffix for p in summaries] == [".fhir", ".json", ".txt"]  # FHIR R4 too
    summary = json.loads(summaries[1].read_text(encoding="utf-8"))
    assert summary["triage"] == result["triage"]


def test_jsonl_emergency_comes_first_and_the_session_ends_at_end_of_input(tmp_path: Path) -> None:
    events = run_jsonl(["yes"], tmp_path)
    after_answer = events[3:]
    assert after_answer[0] == {"event": "say", "kind": "emergency",
                               "text": after_answer[0]["text"]}  # fmt: skip
    assert "999" in str(after_answer[0]["text"])
    assert events[-1] == {"event": "end"}
    assert len(list(tmp_path.glob("*.json"))) == 1, "the summary is kept even without 'done'"


def test_a_client_that_goes_away_ends_the_kiosk_quietly(tmp_path: Path) -> None:
    with subprocess.Popen(
        [*KIOSK, "--text", "--jsonl", "--report-dir", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    ) as proc:  # fmt: skip
        assert proc.stdin and proc.stdout and proc.stderr
        proc.stdout.readline()
        proc.stdout.close()
        proc.stdin.write(b"no\n" * 50)
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
        assert b"Traceback" not in proc.stderr.read()


def test_emergency_number_can_be_set_for_the_clinic(tmp_path: Path) -> None:
    events = run_jsonl(["yes"], tmp_path, "--emergency-number", "112")
    assert any("112" in str(e.get("text")) for e in events if e.get("kind") == "emergency")


def test_an_unreadable_report_folder_is_told_to_the_person(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    events = run_jsonl(["yes", "done"], blocker / "reports")
    assert any(e.get("kind") == "error" and "staff" in str(e.get("text")) for e in events)
    assert events[-1] == {"event": "end"}


def test_listings_show_the_stable_ids() -> None:
    questions = subprocess.run([*KIOSK, "--list-questions"], capture_output=True, text=True,
                               cwd=ROOT, check=True).stdout  # fmt: skip
    causes = subprocess.run([*KIOSK, "--list-causes"], capture_output=True, text=True,
                            cwd=ROOT, check=True).stdout  # fmt: skip
    assert "stroke_signs\tyesno\tred flag" in questions and "age\tnumber" in questions
    assert "cauda_equina\turgent" in causes and "overexertion\tself_care" in causes


def test_a_broken_knowledge_file_stops_start_up_with_its_name(tmp_path: Path) -> None:
    broken = tmp_path / "knowledge.yaml"
    broken.write_text("sources: {}\n")
    done = subprocess.run([*KIOSK, "--text", "--knowledge", str(broken)], capture_output=True,
                          text=True, cwd=ROOT, input="")  # fmt: skip
    assert done.returncode == 2
    assert str(broken) in done.stderr and "missing key(s) causes" in done.stderr


class Terminal:
    """The kiosk on a pseudo-terminal: type lines, wait for text to appear."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending = ""

    def expect(self, needle: str, timeout: float = 20) -> str:
        """Everything shown up to and including `needle`."""
        deadline = time.monotonic() + timeout
        while needle not in self.pending:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"{needle!r} never appeared in:\n{self.pending}")
            self.pending += os.read(self.fd, 4096).decode("utf-8", "replace")
        end = self.pending.index(needle) + len(needle)
        shown, self.pending = self.pending[:end], self.pending[end:]
        return shown

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\n")


def test_an_interactive_session_in_a_terminal(tmp_path: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:  # the child becomes the kiosk on a pseudo-terminal
        os.chdir(ROOT)
        os.execv(sys.executable, [*KIOSK, "--text", "--report-dir", str(tmp_path)])
    terminal = Terminal(fd)
    try:
        terminal.expect("press Enter")
        terminal.type("")
        terminal.expect("face")
        for _ in range(8):
            terminal.type("no")
        terminal.expect("How did the weakness start")
        terminal.type("slowly")
        screen = ""
        for _ in range(40):
            screen = terminal.expect("> ")
            if "Say repeat to hear this again" in screen:
                break
            answer = "both legs" if "Where is the weakness" in screen else "no"
            if "Is that right?" in screen:  # the answers read back before the results
                answer = "yes"
            elif "Say getting worse" in screen or "Say on my own" in screen:
                answer = "I don't know"
            terminal.type("60" if "How old" in screen else answer)
        assert "not a diagnosis" in screen
        terminal.type("done")
        terminal.expect("Goodbye")
        terminal.expect("press Enter")  # back to idle for the next person
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    assert len(list(tmp_path.glob("*.txt"))) == 1
