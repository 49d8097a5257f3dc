"""`kiosk-desk`: the staff desk, live, for every kiosk on the clinic's broker.

It subscribes to every kiosk's alert, result and status topics with a persistent
session (the broker keeps what arrives while the desk or the broker was away) and
shows each change as it happens. Staff acknowledge an alert with Enter (the oldest),
`a N` (the Nth open one) or `ack <alert id>`; the ack is published to the kiosk,
which tells the person staff are on their way. Everything arrives on one queue and is
handled on the main thread; a malformed message is logged and ignored, and a broker
that goes away is reconnected to, with nothing else changing.
"""

from __future__ import annotations

import argparse
import logging
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

import paho.mqtt.client as mqtt

from kiosk.config.reading import load_config
from kiosk.config.settings import DEFAULT_CONFIG, Settings
from kiosk.core.errors import KioskError
from kiosk.desk.board import Board
from kiosk.desk.show import Shower
from kiosk.records import messages
from kiosk.records.broker import Broker, broker_from
from kiosk.records.mqtt_link import make_client

log = logging.getLogger(__name__)
REMIND_EVERY = 15.0
"""Seconds between reminders (with the bell) while an alert is not acknowledged."""
Item = tuple[str, Any]


class Desk:
    """Connects, then `run` shows changes and takes keys until the input ends."""

    def __init__(self, broker: Broker, out: TextIO, jsonl: bool, client_id: str) -> None:
        self.board = Board()
        self.show = Shower(out, jsonl)
        self.inbox: queue.Queue[Item] = queue.Queue()
        self._broker = broker
        self._client = make_client(broker, client_id, clean_session=False)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = lambda *_: self.inbox.put(("broker", False))
        self._client.on_subscribe = lambda *_: self.inbox.put(("subscribed", True))
        self._client.on_message = self._on_message

    def run(self, keys: TextIO | None) -> int:
        self._client.connect_async(self._broker.host, self._broker.port, self._broker.keepalive)
        self._client.loop_start()
        if keys is not None:
            threading.Thread(target=self._read_keys, args=(keys,), daemon=True).start()
        reminded = time.monotonic()
        try:
            while True:
                try:
                    kind, value = self.inbox.get(timeout=0.5)
                except queue.Empty:
                    kind, value = "tick", None
                if kind == "end":
                    repeats = self.board.duplicates
                    self.show.event("bye", f"    {repeats} repeats dropped", repeats=repeats)
                    return 0
                self._handle(kind, value)
                if self._client.is_connected():  # silence is only news when the desk can hear
                    for change in self.board.check_silence(time.monotonic()):
                        self.show.change(change)
                if time.monotonic() - reminded > REMIND_EVERY:
                    reminded = time.monotonic()
                    self.show.reminder(len(self.board.open_alerts))
        finally:
            self._client.disconnect()
            self._client.loop_stop()

    def _handle(self, kind: str, value: Any) -> None:
        if kind == "message":
            for change in self.board.receive(value, time.monotonic()):
                self.show.change(change, len(self.board.open_alerts))
        elif kind == "broker":
            if value:
                self.board.reconnected(time.monotonic())
            text = "    connected to the broker" if value else "!!  lost the broker; reconnecting"
            self.show.event("broker", text, connected=value)
        elif kind == "subscribed":
            self.show.event("subscribed", "    watching every kiosk")
        elif kind == "key":
            self._key(value)

    def _key(self, line: str) -> None:
        words = line.split()
        if words[:1] == ["ack"] and len(words) == 2:
            alert = self.board.open_alerts.pop(words[1], None)
        elif not words or (words[0] == "a" and len(words) <= 2):
            number = words[1] if len(words) == 2 else "1"
            alert = self.board.acknowledge(int(number)) if number.isdigit() else None
        else:
            self.show.event("unknown_key", "    keys: Enter, a N, ack ID", line=line[:40])
            return
        if alert is None:
            self.show.event("no_alert", "    no such open alert")
            return
        ack = messages.Ack(messages.new_id(), alert.kiosk_id, alert.id, messages.now())
        topic = messages.topic(alert.kiosk_id, "ack")
        self._client.publish(topic, messages.encode(ack), qos=1)
        text = f"    acknowledged: kiosk {alert.kiosk_id} says staff are on their way"
        self.show.event("acked", text, kiosk_id=alert.kiosk_id, alert_id=alert.id)

    def _on_connect(self, client: mqtt.Client, _: Any, __: Any, code: Any, ___: Any) -> None:
        if code.is_failure:
            log.error("the broker refused the desk (%s)", code)
            return
        client.subscribe([(messages.topic("+", k), 1) for k in ("alert", "result", "status")])
        self.inbox.put(("broker", True))

    def _on_message(self, _: mqtt.Client, __: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self.inbox.put(("message", messages.decode(message.topic, message.payload)))
        except messages.Refused as exc:
            log.warning("ignored a message on %s: %s", message.topic[:120], exc)

    def _read_keys(self, keys: TextIO) -> None:
        for line in keys:
            self.inbox.put(("key", line.strip()))
        self.inbox.put(("end", None))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="kiosk-desk", description="The staff desk: every kiosk's alerts, results and state."
    )
    parser.add_argument("--mqtt", metavar="URL", help="the broker (default: network.mqtt)")
    parser.add_argument(
        "--config",
        type=Path,
        help=f"a config file with the desk's network settings (default: {DEFAULT_CONFIG})",
    )
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per change")
    parser.add_argument(
        "--client-id",
        default="leg-kiosk-desk",
        help="the desk's MQTT client id, which names its session at the broker (kiosks use "
        "leg-kiosk/<kiosk_id>, so the two never clash)",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
        settings = load_config(config) if config else Settings()
        broker = broker_from(settings.network, args.mqtt)
    except KioskError as exc:
        print(f"kiosk-desk: cannot start: {exc}", file=sys.stderr)
        return 2
    if broker is None:
        print("kiosk-desk: name the broker: --mqtt mqtt://HOST:PORT", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    desk = Desk(broker, sys.stdout, args.jsonl, args.client_id)
    try:
        return desk.run(sys.stdin)
    except KeyboardInterrupt:
        return 130
