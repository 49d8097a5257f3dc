"""Several kiosks and one staff desk, as separate processes, through a real Mosquitto.

Each test starts its own broker on a free 127.0.0.1 port (see tests/support/broker.py) and
stops it; kiosks are `kiosk --text --jsonl` processes, the desk `kiosk-desk --jsonl`.
Waiting has generous limits; how fast alerts arrive is measured by
scripts/bench_fleet.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from kiosk.language.pack import Pack
from tests.support.broker import Mosquitto
from tests.support.fleet import (
    Event,
    Process,
    answer_routinely,
    emergency,
    kiosk_config,
    start_desk,
    start_kiosk,
)

pytestmark = [pytest.mark.broker]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    server = Mosquitto(tmp_path / "broker")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.stop()


def desk_events(desk: Process, kind: str) -> list[Event]:
    return [e for _, e in desk.seen if e["event"] == kind]


def publish_raw(url_port: int, topic: str, payload: bytes) -> None:
    """What a stranger on the broker might send: straight through paho, no checks."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="stranger")
    client.connect("127.0.0.1", url_port)
    client.loop_start()
    client.publish(topic, payload, qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


@pytest.mark.slow
def test_three_kiosks_an_emergency_reaches_the_desk_and_the_ack_reaches_the_kiosk(
    tmp_path: Path, broker: Mosquitto, processes: list[Process], pack: Pack
) -> None:
    desk = start_desk(broker.url)
    processes.append(desk)
    kiosks = {}
    for name in ("entrance", "ward-2", "ward-3"):
        kiosks[name] = start_kiosk(kiosk_config(tmp_path, name, broker.url))
        processes.append(kiosks[name])
    for name in kiosks:
        desk.expect(lambda e, n=name: e["event"] == "online" and e["kiosk_id"] == n)

    result = emergency(kiosks["ward-2"])
    alert = desk.expect(lambda e: e["event"] == "alert")
    assert alert["kiosk_id"] == "ward-2" and alert["triage"] == result["triage"] == "emergency"
    assert alert["red_flags"] == result["red_flags"]
    desk.send("")  # Enter: acknowledge the oldest open alert
    acked = desk.expect(lambda e: e["event"] == "acked")
    assert acked == {
        "event": "acked",
        "kiosk_id": "ward-2",
        "alert_id": alert["id"],
        "_taken": True,
    }
    coming = pack.say("staff_on_their_way")
    said = kiosks["ward-2"].expect(lambda e: e["event"] == "say" and e["text"] == coming)
    assert said["kind"] == "info"

    for name in ("entrance", "ward-3"):
        answer_routinely(kiosks[name], pack)
    for kiosk in kiosks.values():
        kiosk.send("done")
        kiosk.expect(lambda e: e["event"] == "end")
    for name in kiosks:
        desk.expect(lambda e, n=name: e["event"] == "result" and e["kiosk_id"] == n)
        desk.expect(lambda e, n=name: e["event"] == "offline" and e["kiosk_id"] == n)
    assert [e["kiosk_id"] for e in desk_events(desk, "alert")] == ["ward-2"]
    others = [e for k in ("entrance", "ward-3") for _, e in kiosks[k].seen]
    assert not any("on their way" in str(e.get("text")) for e in others)


@pytest.mark.slow
def test_broker_stopped_mid_session_every_alert_and_result_arrives_once_in_order(
    tmp_path: Path, broker: Mosquitto, processes: list[Process], pack: Pack
) -> None:
    desk = start_desk(broker.url)
    processes.append(desk)
    configs = {n: kiosk_config(tmp_path, n, broker.url) for n in ("entrance", "ward-2", "ward-3")}
    live = {n: start_kiosk(c) for n, c in configs.items()}
    processes.extend(live.values())
    for name in live:
        desk.expect(lambda e, n=name: e["event"] == "online" and e["kiosk_id"] == n)
        live[name].expect(lambda e: e["event"] == "ask", take=False)

    broker.stop()  # mid-session: every kiosk has its first question on screen
    emergency(live["ward-2"])  # stays running: delivers once the broker is back
    for name in ("entrance", "ward-3"):  # these finish and exit: their outbox waits on disk
        answer_routinely(live[name], pack)
        live[name].send("done")
        live[name].expect(lambda e: e["event"] == "end")
        assert live[name].process.wait(timeout=30) == 0
    outage = [e for n in ("entrance", "ward-2", "ward-3") for _, e in live[n].seen]
    assert not [e for e in outage if e.get("kind") == "error"]  # the person is told nothing new
    second = start_kiosk(configs["entrance"])  # a second person while the broker is down
    processes.append(second)
    emergency(second)
    second.send("done")
    assert second.process.wait(timeout=30) == 0
    outbox = tmp_path / "entrance" / "outbox" / "mqtt"
    assert len(list(outbox.glob("*.json"))) == 3  # two results and an alert, waiting

    broker.restart()
    desk.expect(lambda e: e["event"] == "alert" and e["kiosk_id"] == "ward-2", take=False)
    live["ward-2"].send("done")  # the running kiosk sent its alert as soon as it could
    restarted = {n: start_kiosk(configs[n]) for n in ("entrance", "ward-3")}
    processes.extend(restarted.values())
    expected = {"entrance": (1, 2), "ward-2": (1, 1), "ward-3": (0, 1)}  # (alerts, results)
    for name, (alerts, results) in expected.items():
        for kind, count in (("alert", alerts), ("result", results)):
            for _ in range(count):
                desk.expect(lambda e, n=name, k=kind: e["event"] == k and e["kiosk_id"] == n)
    deadline = time.monotonic() + 20  # the broker's PUBACK may trail the desk's copy
    while list(outbox.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(outbox.glob("*.json"))  # acknowledged by the broker, so deleted
    for name in restarted:
        restarted[name].stop()
    for name in expected:
        desk.expect(lambda e, n=name: e["event"] == "offline" and e["kiosk_id"] == n)
    for name, (alerts, results) in expected.items():
        for kind, count in (("alert", alerts), ("result", results)):
            got = [e for e in desk_events(desk, kind) if e["kiosk_id"] == name]
            assert len(got) == count, (name, kind)  # each once: no repeats shown
            assert [e["seq"] for e in got] == sorted(e["seq"] for e in got)  # in order


@pytest.mark.slow
def test_a_killed_kiosk_shows_offline_at_the_desk(
    tmp_path: Path, broker: Mosquitto, processes: list[Process]
) -> None:
    desk = start_desk(broker.url)
    processes.append(desk)
    kiosk = start_kiosk(kiosk_config(tmp_path, "ward-5", broker.url, keepalive=5))
    processes.append(kiosk)
    desk.expect(lambda e: e["event"] == "online" and e["kiosk_id"] == "ward-5")
    kiosk.expect(lambda e: e["event"] == "ask", take=False)
    os.kill(kiosk.process.pid, signal.SIGKILL)  # no goodbye: only the last will tells
    offline = desk.expect(lambda e: e["event"] in ("offline", "silent"), timeout=5 * 1.5)
    assert offline["kiosk_id"] == "ward-5"


def test_strangers_messages_are_ignored_and_a_repeat_is_shown_once(
    tmp_path: Path, broker: Mosquitto, processes: list[Process]
) -> None:
    desk = start_desk(broker.url)
    processes.append(desk)
    good = {
        "event": "emergency", "id": "a" * 32, "kiosk_id": "ward-9", "seq": 1,
        "time": "2026-01-05T10:31:07+00:00", "triage": "emergency", "red_flags": ["stroke_signs"],
    }  # fmt: skip
    junk = [
        ("leg-kiosk/ward-9/alert", b"\xff\xfe not json"),
        ("leg-kiosk/ward-9/alert", b"[1, 2, 3]"),
        ("leg-kiosk/ward-9/alert", json.dumps(good | {"kiosk_id": "ward-1"}).encode()),
        ("leg-kiosk/ward-9/alert", json.dumps(good | {"red_flags": ["I fell over"]}).encode()),
        ("leg-kiosk/ward-9/alert", json.dumps(good | {"pad": "x" * 5000}).encode()),
        ("leg-kiosk/ward-9/status", b'{"event": "status", "state": "maybe"}'),
        ("leg-kiosk/ward-9/result", json.dumps(good).encode()),
    ]
    for topic, payload in junk:
        publish_raw(broker.port, topic, payload)
    for _ in range(2):  # QoS 1 may deliver twice: the same id is shown once
        publish_raw(broker.port, "leg-kiosk/ward-9/alert", json.dumps(good).encode())
    publish_raw(broker.port, "leg-kiosk/ward-9/alert", json.dumps(good | {"id": "b" * 32}).encode())
    desk.expect(lambda e: e["event"] == "alert" and e["id"] == "b" * 32)
    assert [e["id"] for e in desk_events(desk, "alert")] == ["a" * 32, "b" * 32]
    assert desk.process.poll() is None  # still running

    kiosk = start_kiosk(kiosk_config(tmp_path, "ward-9", broker.url))
    processes.append(kiosk)
    desk.expect(lambda e: e["event"] == "online" and e["kiosk_id"] == "ward-9")
    publish_raw(broker.port, "leg-kiosk/ward-9/ack", b'{"event": "ack"}')
    publish_raw(broker.port, "leg-kiosk/ward-9/ack", b"\x00" * 10000)
    emergency(kiosk)  # the kiosk carries on as if nothing had come
    kiosk.send("done")
    assert kiosk.expect(lambda e: e["event"] == "end")
