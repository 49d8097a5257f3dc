"""The desk's ack, in one kiosk process with a real broker: shown to the person whose
alert it answers, never to the next person, and the outputs stay whole lines."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config.settings import AlertConfig
from kiosk.core.events import Heard, Output, Say, Utterance
from kiosk.dialog.machine import Dialog
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import ClipSource
from kiosk.language.pack import Pack
from kiosk.records import messages
from kiosk.records.alert import StaffAlert
from kiosk.records.broker import Broker
from kiosk.records.mqtt_link import KioskLink, make_client
from kiosk.records.network import KioskNetwork
from kiosk.records.outbox import Outbox
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk
from tests.support.broker import Mosquitto

pytestmark = [pytest.mark.broker]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    server = Mosquitto(tmp_path / "broker")
    server.start()
    yield Broker("127.0.0.1", server.port, False, keepalive=5)
    server.stop()


class Desk:
    """Just enough of a desk: collects alerts, sends acks."""

    def __init__(self, broker: Broker) -> None:
        self.alerts: list[messages.Alert] = []
        self.ready = threading.Event()
        self.client = make_client(broker, "ack-test-desk")
        self.client.on_connect = lambda c, *_: c.subscribe("leg-kiosk/+/alert", qos=1)
        self.client.on_subscribe = lambda *_: self.ready.set()
        self.client.on_message = lambda _c, _u, m: self.alerts.append(
            messages.decode(m.topic, m.payload)  # type: ignore[arg-type]
        )
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self.ready.wait(10)

    def ack(self, alert: messages.Alert) -> None:
        ack = messages.Ack(messages.new_id(), alert.kiosk_id, alert.id, messages.now())
        topic = messages.topic(alert.kiosk_id, "ack")
        self.client.publish(topic, messages.encode(ack), qos=1).wait_for_publish(5)

    def wait_for(self, count: int) -> list[messages.Alert]:
        deadline = time.monotonic() + 20
        while len(self.alerts) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.alerts

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class NetworkedKiosk(Kiosk):
    def __init__(self, knowledge: Knowledge, pack: Pack, network: KioskNetwork) -> None:
        super().__init__(knowledge, pack)
        alert = StaffAlert(AlertConfig(), "ward-3", network.send_alert)
        self.dialog = Dialog(
            knowledge, pack, alert.watch(network.watch(self.out.append)), self._save
        )


def coming(kiosk: Kiosk) -> list[Output]:
    return [
        o
        for o in kiosk.out
        if isinstance(o, Say) and o.text == kiosk.pack.say("staff_on_their_way")
    ]


def wait_until(check: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


def test_an_ack_is_shown_to_its_person_only(
    tmp_path: Path,
    broker: Broker,
    knowledge: Knowledge,
    pack: Pack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.records.network")
    desk = Desk(broker)
    link = KioskLink(broker, "ward-3", Outbox(tmp_path / "outbox"), heartbeat=1.0)
    network = KioskNetwork("ward-3", pack.say("staff_on_their_way"), link)
    network.start()
    kiosk = NetworkedKiosk(knowledge, pack, network)
    try:
        kiosk.start()
        kiosk.say("yes")  # an emergency
        [first] = desk.wait_for(1)
        desk.ack(first)
        wait_until(lambda: coming(kiosk))
        assert len(coming(kiosk)) == 1 and kiosk.out[-1] == coming(kiosk)[0]
        desk.ack(first)  # acked again (a second desk): said once only
        wait_until(lambda: "for an earlier session: not shown" in caplog.text)
        caplog.clear()
        kiosk.say("done")  # the next person
        kiosk.start()
        kiosk.say("yes")
        second = desk.wait_for(2)[1]
        assert second.id != first.id
        kiosk.say("done")
        kiosk.start()  # a third person, also an emergency
        kiosk.say("yes")
        third = desk.wait_for(3)[2]
        desk.ack(second)  # late: that person has gone
        desk.ack(third)  # after it on the same topic, so it arrives after it
        wait_until(
            lambda: len(coming(kiosk)) == 2 and "for an earlier session: not shown" in caplog.text
        )
        assert (
            "for an earlier session: not shown" in caplog.text
        )  # the late ack arrived, and was not shown
        assert len(coming(kiosk)) == 2 and kiosk.out[-1] == coming(kiosk)[1]
    finally:
        network.close()
        desk.close()


class WaitingListener:
    """Hears 'yes' (an emergency), then waits as a person would until something
    interrupts the listening, then hears 'done'."""

    def __init__(self, speaker: SilentSpeaker) -> None:
        self.turns = 0
        self.speaker = speaker
        self.said_before_last_turn: list[str] = []

    def listen(self, source: object, expecting: object, interrupted: Any) -> Heard | None:
        self.turns += 1
        if self.turns == 1:
            return Utterance("yes")
        if self.turns == 2:
            deadline = time.monotonic() + 20
            while not interrupted() and time.monotonic() < deadline:
                time.sleep(0.01)
            return None
        self.said_before_last_turn = list(self.speaker.spoken)
        return Utterance("done")


def test_in_voice_mode_the_ack_is_said_without_waiting_for_the_person(
    tmp_path: Path, broker: Broker, knowledge: Knowledge, pack: Pack
) -> None:
    desk = Desk(broker)
    link = KioskLink(broker, "ward-3", Outbox(tmp_path / "outbox"), heartbeat=1.0)
    network = KioskNetwork("ward-3", pack.say("staff_on_their_way"), link)
    inbox = Inbox()
    network.wake = inbox.nudge
    network.start()
    alert = StaffAlert(AlertConfig(), "ward-3", network.send_alert)
    speaker = SilentSpeaker()

    def make(emit: Any) -> Dialog:
        return Dialog(knowledge, pack, alert.watch(network.watch(emit)), lambda summary: True)

    listener = WaitingListener(speaker)
    front = VoiceFrontEnd(make, listener, ClipSource([]), speaker, io.StringIO(), inbox)
    acking = threading.Thread(target=lambda: desk.ack(desk.wait_for(1)[0]), daemon=True)
    acking.start()
    try:
        front.run(sessions=1, start_at_once=True)
    finally:
        network.close()
        desk.close()
    said = listener.said_before_last_turn
    assert pack.say("staff_on_their_way") in said  # said while the person was silent
    assert said.index(pack.say("staff_on_their_way")) > said.index(
        pack.say("emergency_while_waiting")
    )
