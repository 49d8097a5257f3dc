"""Kiosks and a desk as separate processes, talking through a real broker.

Each kiosk is `python -m kiosk --text --jsonl` with its own config file (kiosk id,
report folder, outbox, the broker); the desk is `python -m kiosk.desk --jsonl`.
A reader thread per process puts each JSON line on a queue with the time it arrived,
so a test can wait for the event it needs.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kiosk.language.pack import Pack

ROOT = Path(__file__).resolve().parents[2]
Event = dict[str, Any]


def kiosk_config(folder: Path, kiosk_id: str, url: str, keepalive: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kiosk_id}.yaml"
    path.write_text(
        f"kiosk_id: {kiosk_id}\n"
        f"report_dir: {folder / kiosk_id / 'reports'}\n"
        "alert:\n  file:\n"
        f"network:\n  mqtt: {url}\n  keepalive: {keepalive}\n  heartbeat: 1\n"
        f"  outbox_dir: {folder / kiosk_id / 'outbox'}\n"
    )
    return path


class Process:
    """A child process speaking JSON lines; `expect` waits for a matching event."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.events: queue.Queue[tuple[float, Event]] = queue.Queue()
        self.seen: list[tuple[float, Event]] = []
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            self.events.put((time.time(), json.loads(line)))

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(
        self, wanted: Callable[[Event], bool], timeout: float = 20.0, take: bool = True
    ) -> Event:
        """The first event not yet taken that `wanted` accepts (others are kept in `seen`);
        `take` False leaves it for the next `expect`."""
        for _, event in self.seen:
            if wanted(event) and not event.get("_taken"):
                event["_taken"] = take
                return event
        deadline = time.monotonic() + timeout
        while True:
            try:
                stamped = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no such event in {timeout} s; seen: {self.seen[-8:]}"
                ) from None
            self.seen.append(stamped)
            if wanted(stamped[1]):
                stamped[1]["_taken"] = take
                return stamped[1]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def start_kiosk(config: Path) -> Process:
    return Process([sys.executable, "-m", "kiosk", "--text", "--jsonl", "--config", str(config)])


def start_desk(url: str, client_id: str = "test-desk") -> Process:
    desk = Process(
        [sys.executable, "-m", "kiosk.desk", "--jsonl", "--mqtt", url, "--client-id", client_id]
    )
    desk.expect(lambda e: e["event"] == "subscribed")
    return desk


def answer_routinely(kiosk: Process, pack: Pack) -> Event:
    """Answer every question without a red flag until the result; the result event."""
    while True:
        event = kiosk.expect(lambda e: e["event"] in ("ask", "result"))
        if event["event"] == "result":
            return event
        if event["question"] == "readback":
            kiosk.send("yes")  # the answers read back before the result are right
        elif event["type"] == "yesno":
            kiosk.send("no")
        elif event["type"] == "number":
            kiosk.send("50")
        else:
            option = event["choices"][1] if len(event["choices"]) > 1 else event["choices"][0]
            kiosk.send(pack.questions[event["question"]].phrases[option][0])


def emergency(kiosk: Process) -> Event:
    """Answer yes to the first red-flag question; the emergency result event."""
    kiosk.expect(lambda e: e["event"] == "ask")
    kiosk.send("yes")
    return kiosk.expect(lambda e: e["event"] == "result")
