#!/usr/bin/env python3
"""Fleet benchmark: many kiosks, one broker, one staff desk, and broker restarts.

Starts a real Mosquitto on a free 127.0.0.1 port and the desk (`kiosk-desk --jsonl`)
as its own process. First a few emergencies in real `kiosk --text --jsonl` processes
(from the guidance on the kiosk's output to the alert shown at the desk). Then
simulated kiosks are the kiosk's real MQTT link (outbox on disk,
paho client, last will, heartbeat) in this process, one per kiosk; each runs its
sessions (an alert in some, a result in every one) with a short pause between them,
while the broker is stopped and started again meanwhile. Then it waits for the desk to
show everything and prints: alert latency end to end (sent by the kiosk to shown by
the desk: all alerts, and those sent while the broker was up and everyone connected),
messages lost,
duplicates shown at the desk, repeats the desk dropped, restarts survived, and the
desk's memory (resident, and its peak).

    .venv/bin/python -m scripts.bench_fleet [--kiosks 20] [--sessions 50] [--restarts 2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

from kiosk.records import messages
from kiosk.records.broker import Broker
from kiosk.records.mqtt_link import KioskLink
from kiosk.records.outbox import Outbox
from tests.support.broker import Mosquitto
from tests.support.fleet import kiosk_config, start_kiosk

ROOT = Path(__file__).resolve().parent.parent

ALERT_SHARE = 0.3
RECONNECT = 1.5
"""Seconds after a restart before kiosks and desk are surely back (paho retries each 1 s):
alerts sent from a stop until then count as sent during the outage."""


class Desk:
    """The desk process; every line it prints is kept with the time it arrived."""

    def __init__(self, url: str) -> None:
        command = [sys.executable, "-m", "kiosk.desk", "--jsonl", "--mqtt", url]
        command += ["--client-id", "bench-desk"]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        self.events: list[dict[str, Any]] = []
        self.subscribed = threading.Event()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        if not self.subscribed.wait(15):
            raise SystemExit("bench_fleet: the desk did not subscribe")

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            event = json.loads(line)
            event["arrived"] = time.time()
            self.events.append(event)
            if event["event"] == "subscribed":
                self.subscribed.set()

    def shown(self) -> list[dict[str, Any]]:
        return [e for e in list(self.events) if e["event"] in ("alert", "result")]

    def memory_kib(self) -> tuple[int, int]:
        """(resident now, peak) from /proc."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            fields[name] = value.strip().split(" ")[0]
        return int(fields["VmRSS"]), int(fields["VmHWM"])

    def finish(self) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=15)
        time.sleep(0.2)
        return next(e for e in self.events if e["event"] == "bye")


class SimulatedKiosk(threading.Thread):
    """A kiosk's real network link, running `sessions` sessions one after another."""

    def __init__(self, index: int, broker: Broker, folder: Path, sessions: int) -> None:
        super().__init__(daemon=True)
        self.kiosk_id = f"kiosk-{index:02d}"
        self.link = KioskLink(broker, self.kiosk_id, Outbox(folder / self.kiosk_id), 2.0)
        self.sessions = sessions
        self.sent: dict[str, tuple[str, float]] = {}
        """message id -> (kind, time sent)"""
        self.random = random.Random(index)

    def run(self) -> None:
        self.link.start()
        self.link.connected.wait(10)
        for _ in range(self.sessions):
            time.sleep(self.random.uniform(0.05, 0.25))
            if self.random.random() < ALERT_SHARE:
                self._post("alert")
            time.sleep(self.random.uniform(0.0, 0.05))
            self._post("result")

    def _post(self, kind: str) -> None:
        seq, message_id, now = self.link.outbox.next_seq(), messages.new_id(), messages.now()
        if kind == "alert":
            message: messages.Alert | messages.ResultReady = messages.Alert(
                message_id, self.kiosk_id, seq, now, "emergency", ("stroke_signs",)
            )
        else:
            message = messages.ResultReady(message_id, self.kiosk_id, seq, now, "stem", "routine")
        self.sent[message_id] = (kind, time.time())
        self.link.post(message)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    logging.basicConfig(level=logging.ERROR)  # the kiosks' reconnect warnings: expected here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--down", type=float, default=1.0, help="seconds the broker is down")
    parser.add_argument(
        "--real", type=int, default=6, help="emergency sessions in real kiosk processes first"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        server = Mosquitto(folder / "broker")
        server.start()
        try:
            desk = Desk(server.url)
            real = real_kiosks(server, desk, folder / "real", args.real)
            broker = Broker("127.0.0.1", server.port, False, keepalive=10)
            kiosks = [
                SimulatedKiosk(i, broker, folder / "outboxes", args.sessions)
                for i in range(args.kiosks)
            ]
            started = time.monotonic()
            outages: list[tuple[float, float]] = []
            for kiosk in kiosks:
                kiosk.start()
            for _ in range(args.restarts):
                time.sleep(2.0)
                stopped = time.time()
                server.stop()
                time.sleep(args.down)
                server.start()
                server.restarts += 1
                outages.append((stopped, time.time() + RECONNECT))
            for kiosk in kiosks:
                kiosk.join()
            sent = {m: (*v, k.kiosk_id) for k in kiosks for m, v in k.sent.items()}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if {e["id"] for e in desk.shown()} >= set(sent):
                    break
                time.sleep(0.2)
            elapsed = time.monotonic() - started
            time.sleep(1.0)  # a moment for any late repeat to show
            resident, peak = desk.memory_kib()
            for kiosk in kiosks:
                kiosk.link.close()
            bye = desk.finish()
        finally:
            server.stop()
    steady = {m for m, v in sent.items() if not any(a <= v[1] <= b for a, b in outages)}
    rows = [(f"real kiosks ({len(real)}): guidance to desk, median / max (ms)", _ms(real, False))]
    report(args, sent, steady, desk.shown(), bye, (resident, peak), server.restarts, elapsed, rows)
    return 0


def real_kiosks(server: Mosquitto, desk: Desk, folder: Path, sessions: int) -> list[float]:
    """Emergency sessions in `kiosk --text --jsonl` processes, three kiosks in turn:
    seconds from the emergency guidance on the kiosk's output to the alert at the desk."""
    latencies = []
    for n in range(sessions):
        kiosk_id = f"ward-{n % 3}"
        kiosk = start_kiosk(kiosk_config(folder, kiosk_id, server.url))
        try:
            kiosk.expect(lambda e: e["event"] == "ask")
            kiosk.send("yes")
            kiosk.expect(lambda e: e["event"] == "say" and e["kind"] == "emergency")
            said = next(t for t, e in kiosk.seen if e.get("kind") == "emergency")
            alert = wait_for_alert(desk, kiosk_id, n // 3 + 1)
            latencies.append(alert["received"] - said)
            kiosk.send("done")
            kiosk.process.wait(timeout=30)
        finally:
            kiosk.stop()
    return latencies


def wait_for_alert(desk: Desk, kiosk_id: str, count: int) -> dict[str, Any]:
    """The `count`th alert the desk showed from `kiosk_id`."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        alerts = [e for e in desk.shown() if e["event"] == "alert" and e["kiosk_id"] == kiosk_id]
        if len(alerts) >= count:
            return alerts[count - 1]
        time.sleep(0.005)
    raise SystemExit(f"bench_fleet: no alert from {kiosk_id} reached the desk")


def report(
    args: argparse.Namespace,
    sent: dict[str, tuple[str, float, str]],
    steady: set[str],
    shown: list[dict[str, Any]],
    bye: dict[str, Any],
    memory: tuple[int, int],
    restarts: int,
    elapsed: float,
    first_rows: list[tuple[str, str]],
) -> None:
    counts = Counter(e["id"] for e in shown)
    first = {}
    for event in shown:
        first.setdefault(event["id"], event)
    alerts = [m for m, (kind, *_) in sent.items() if kind == "alert"]
    latency_all = [first[m]["received"] - sent[m][1] for m in alerts if m in first]
    latency_up = [first[m]["received"] - sent[m][1] for m in alerts if m in first and m in steady]
    resident, peak = memory
    lost = [m for m in sent if m not in first]
    out_of_order = 0
    for kiosk_id in {v[2] for v in sent.values()}:
        for kind in ("alert", "result"):
            seqs = [e["seq"] for e in shown if e["kiosk_id"] == kiosk_id and e["event"] == kind]
            out_of_order += sum(1 for a, b in itertools.pairwise(seqs) if b < a)
    rows = [
        *first_rows,
        ("simulated kiosks x sessions", f"{args.kiosks} x {args.sessions}"),
        ("messages sent: alerts + results", f"{len(alerts)} + {len(sent) - len(alerts)}"),
        (f"alert latency, all ({len(latency_all)}): median / p99 / max (ms)", _ms(latency_all)),
        (f"alert latency, broker up ({len(latency_up)}): median / p99 / max (ms)", _ms(latency_up)),
        ("messages lost", str(len(lost))),
        ("duplicates shown at the desk", str(sum(c - 1 for c in counts.values()))),
        ("repeats dropped by the desk (QoS 1 redelivery)", str(bye.get("repeats"))),
        ("out of order per kiosk and kind", str(out_of_order)),
        ("broker restarts survived", f"{restarts} (down {args.down:g} s each)"),
        ("desk memory: resident / peak (MiB)", f"{resident / 1024:.1f} / {peak / 1024:.1f}"),
        ("wall time (s)", f"{elapsed:.1f}"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


def _ms(values: list[float], p99: bool = True) -> str:
    if not values:
        return "none"
    shown = [statistics.median(values), *([percentile(values, 0.99)] if p99 else []), max(values)]
    return " / ".join(f"{value * 1000:.1f}" for value in shown)


if __name__ == "__main__":
    sys.exit(main())
