"""The soak benchmark runs (small) and reports no leaks, so it cannot quietly rot."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_a_short_soak_shows_its_table_and_no_leaks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench_soak", "--sessions", "60", "--jsonl", "10", "--voice", "20"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    assert rows["interactive"][1] == "60" and rows["voice"][1] == "20"
    assert int(rows["voice"][5]) > 1, "the voice front end's own threads were running"
    assert {"resident", "threads", "open"} <= set(rows)
