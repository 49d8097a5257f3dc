#!/usr/bin/env python3
"""Staff alert benchmark: how soon the hook starts after the emergency guidance is said,
and how long the guidance waits for it (it should not wait at all).

Runs emergency sessions through the real dialog with the real StaffAlert: the hook is
a command (a Python one-liner noting the moment it started, as a real paging script
would) plus an alert file. Also runs each with a hook that hangs, to show the guidance
is not held up by it.

    .venv/bin/python -m scripts.bench_alert [--sessions 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kiosk.config.settings import AlertConfig
from kiosk.core.events import Output, Say, Start, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.language.pack import load_pack
from kiosk.records.alert import StaffAlert
from kiosk.triage.knowledge import load_knowledge

HOOK = (
    "import sys, time; started = time.time(); sys.stdin.read(); "
    "open(sys.argv[1], 'a').write(f'{started}\\n')"
)


def session(config: AlertConfig) -> tuple[float, float, StaffAlert]:
    """One emergency: (wall time the guidance was emitted, seconds the answer took)."""
    knowledge = load_knowledge()
    pack = load_pack("en", knowledge)
    said: list[float] = []

    def emit(output: Output) -> None:
        if isinstance(output, Say) and output.kind == "emergency" and not said:
            said.append(time.time())

    alert = StaffAlert(config, "bench")
    dialog = Dialog(knowledge, pack, alert.watch(emit), lambda summary: True)
    dialog.handle(Start())
    began = time.perf_counter()
    dialog.handle(Utterance("yes"))
    took = time.perf_counter() - began
    dialog.handle(Utterance("done"))
    return said[0], took, alert


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (
        f"{name:<46} median {statistics.median(ms):7.1f} ms   max {ms[-1]:7.1f} ms   (n={len(ms)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # the hanging hook's "stopped after" lines are expected
    with tempfile.TemporaryDirectory() as folder:
        starts = Path(folder) / "starts.txt"
        command = (sys.executable, "-c", HOOK, str(starts))
        config = AlertConfig(command, Path(folder) / "alerts.jsonl", timeout=10)
        latencies, handled = [], []
        for _ in range(args.sessions):
            said_at, took, alert = session(config)
            alert.wait()
            started = float(starts.read_text().splitlines()[-1])
            latencies.append(started - said_at)
            handled.append(took)
        alerts = [json.loads(line) for line in (Path(folder) / "alerts.jsonl").open()]
        hanging = AlertConfig(("sleep", "30"), timeout=0.5)
        blocked = []
        for _ in range(min(args.sessions, 5)):
            _, took, alert = session(hanging)
            blocked.append(took)
            alert.wait()
    print(summary("emergency guidance -> hook command started", latencies))
    print(summary("answer handled, guidance emitted (hook ok)", handled))
    print(summary("answer handled, guidance emitted (hook hangs)", blocked))
    print(f"alerts written to the alert file: {len(alerts)} of {args.sessions} sessions")
    ok = max(latencies) < 1.0 and len(alerts) == args.sessions
    print("within one second: " + ("yes" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
