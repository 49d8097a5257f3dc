"""Text front ends left alone: the interactive kiosk notices, JSON lines only if told to."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.core.events import Silence
from kiosk.frontends.lines import LineReader
from tests.conftest import ROOT
from tests.test_frontends import KIOSK, Terminal

pytestmark = pytest.mark.slow


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"report_dir: reports\n{text}", encoding="utf-8")
    return path


def test_an_abandoned_terminal_session_warns_then_clears(tmp_path: Path) -> None:
    settings = config(tmp_path, "timeouts: {text_idle: 1}\n")
    pid, fd = pty.fork()
    if pid == 0:  # the child becomes the kiosk on a pseudo-terminal
        os.chdir(ROOT)
        os.execv(sys.executable, [*KIOSK, "--text", "--config", str(settings)])
    terminal = Terminal(fd)
    try:
        terminal.expect("press Enter")
        terminal.type("")
        terminal.expect("face")
        terminal.type("no")
        began = time.monotonic()
        terminal.expect("Take your time")
        terminal.expect("Are you still there? Say wait")
        terminal.expect("If you are still there")
        cleared = terminal.expect("cleared your answers")
        assert "> > " not in cleared, "a quiet prompt is not printed again"
        terminal.expect("press Enter")  # idle again, for the next person
        assert 3.5 < time.monotonic() - began < 15
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def read_events(stdout: int, seconds: float) -> list[dict[str, object]]:
    """JSON events that arrive within `seconds` (stops early at "end")."""
    deadline, text = time.monotonic() + seconds, ""
    while '{"event": "end"}' not in text:
        ready, _, _ = select.select([stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(stdout, 65536).decode()
        if not chunk:
            break
        text += chunk
    return [json.loads(line) for line in text.splitlines()]


def test_jsonl_times_out_only_when_configured(tmp_path: Path) -> None:
    quiet = config(tmp_path, "timeouts: {text_idle: 1}\n")
    with subprocess.Popen([*KIOSK, "--text", "--jsonl", "--config", str(quiet)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT) as proc:  # fmt: skip
        assert proc.stdin and proc.stdout
        first = read_events(proc.stdout.fileno(), 3.0)
        assert [e["event"] for e in first][-1] == "ask", "a harness may take its time"
        assert not any("Take your time" in str(e.get("text")) for e in first)
        proc.stdin.write(b"stop\n")
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0

    timed = config(tmp_path, "timeouts: {jsonl_idle: 1}\n")
    with subprocess.Popen([*KIOSK, "--text", "--jsonl", "--config", str(timed)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT) as proc:  # fmt: skip
        assert proc.stdin and proc.stdout
        events = read_events(proc.stdout.fileno(), 15.0)
        assert events[-1] == {"event": "end"}
        assert "cleared your answers" in str(events[-2]["text"])
        assert proc.wait(timeout=20) == 0


def test_lines_buffered_together_are_read_one_by_one() -> None:
    read, write = os.pipe()
    os.write(write, "no\nyes\n\xff tail".encode("latin-1"))
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as stream:
        lines = LineReader(stream, idle=5)
        got = [lines.read() for _ in range(4)]
    assert got == ["no", "yes", "\ufffd tail", None]


def test_a_quiet_pipe_gives_silence_after_the_idle_time() -> None:
    read, write = os.pipe()
    with os.fdopen(read, encoding="utf-8") as stream:
        lines = LineReader(stream, idle=0.3)
        began = time.monotonic()
        assert lines.read() == Silence()
        assert 0.25 < time.monotonic() - began < 2
        os.write(write, b"start\r\n")
        assert lines.read() == "start"
        os.close(write)
        assert lines.read() is None


def test_a_stream_without_a_descriptor_never_times_out() -> None:
    lines = LineReader(io.StringIO("yes\n"), idle=0.01)
    assert lines.read() == "yes" and lines.read() is None
