"""One kiosk's connection to the clinic's MQTT broker (paho-mqtt, QoS 1).

Alerts and results are put in the on-disk outbox first; one sender thread publishes
the outbox's head and deletes it only when the broker has acknowledged it (PUBACK),
so a broker that is down, a dropped network or a kiosk restart loses nothing. A
message whose acknowledgement was lost may arrive twice; it keeps its id, and the
desk shows each id once. While connected the kiosk's status is "online" (retained),
refreshed every heartbeat; its last will, published by the broker when the kiosk
vanishes without saying goodbye, is "offline". Acks for this kiosk's alerts arrive on
its ack topic and are handed to `on_ack`; anything malformed there is logged and
ignored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from kiosk.records import messages
from kiosk.records.broker import Broker
from kiosk.records.messages import Ack, Refused, Status
from kiosk.records.outbox import ALERT, OTHER, Outbox, Waiting

log = logging.getLogger(__name__)


def make_client(broker: Broker, client_id: str, clean_session: bool = True) -> mqtt.Client:
    """A paho client with the broker's credentials and TLS; not yet connected.

    `clean_session` False: the broker keeps this client's subscriptions and queues its
    QoS 1 messages while it is away (the desk must not miss what arrived meanwhile)."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        protocol=mqtt.MQTTv311,
    )
    if broker.username is not None:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set(ca_certs=str(broker.ca_file) if broker.ca_file else None)
    client.reconnect_delay_set(min_delay=1, max_delay=1)  # back within a second of the broker
    return client


class KioskLink:
    """Posts alerts and results through the outbox; `start` connects, `close` says goodbye."""

    def __init__(
        self,
        broker: Broker,
        kiosk_id: str,
        outbox: Outbox,
        heartbeat: float = 5.0,
        on_ack: Callable[[Ack], None] | None = None,
    ) -> None:
        self.kiosk_id = kiosk_id
        self.outbox = outbox
        self.heartbeat = heartbeat
        self.on_ack = on_ack or (lambda ack: None)
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._client = make_client(broker, f"leg-kiosk/{kiosk_id}", clean_session=False)
        self._client.will_set(self._topic("status"), self._status(False), qos=1, retain=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._broker = broker
        self._sender = threading.Thread(target=self._send_forever, name="mqtt-send", daemon=True)

    def start(self) -> None:
        """Connect in the background (and keep reconnecting); never blocks or raises."""
        self._client.connect_async(self._broker.host, self._broker.port, self._broker.keepalive)
        self._client.loop_start()
        self._sender.start()
        log.info("MQTT: connecting to %s:%s", self._broker.host, self._broker.port)

    def post(self, message: messages.Alert | messages.ResultReady) -> None:
        """Put an alert or result in the outbox; the sender publishes it when it can."""
        priority = ALERT if isinstance(message, messages.Alert) else OTHER
        self.outbox.put(messages.encode(message), priority, message.id, message.seq)

    def close(self, drain: float = 2.0) -> None:
        """Give waiting messages up to `drain` seconds, then say offline and disconnect.

        What is still waiting stays in the outbox for the next start."""
        deadline = time.monotonic() + drain
        while len(self.outbox) and time.monotonic() < deadline:
            time.sleep(0.05)  # the broker may be back in a moment
        self._stopping.set()
        self._sender.join(timeout=2.0)
        if self.connected.is_set():
            info = self._client.publish(self._topic("status"), self._status(False), 1, True)
            _wait(info, 1.0)
        self.connected.clear()  # a goodbye, not a lost connection
        self._client.disconnect()
        self._client.loop_stop()

    def _topic(self, kind: messages.Kind) -> str:
        return messages.topic(self.kiosk_id, kind)

    def _status(self, online: bool) -> str:
        return messages.encode(Status(self.kiosk_id, online, messages.now(), self.heartbeat))

    def _on_connect(self, client: mqtt.Client, _: Any, __: Any, code: Any, ___: Any) -> None:
        if code.is_failure:
            log.error("MQTT: the broker refused the connection (%s)", code)
            return
        client.subscribe(self._topic("ack"), qos=1)
        client.publish(self._topic("status"), self._status(True), qos=1, retain=True)
        self.connected.set()
        log.info("MQTT: connected")

    def _on_disconnect(self, _: mqtt.Client, __: Any, ___: Any, code: Any, ____: Any) -> None:
        if self.connected.is_set():
            log.warning("MQTT: disconnected (%s); messages wait in the outbox", code)
        self.connected.clear()

    def _on_message(self, _: mqtt.Client, __: Any, message: mqtt.MQTTMessage) -> None:
        try:
            decoded = messages.decode(message.topic, message.payload)
        except Refused as exc:
            log.warning("MQTT: ignored a message on %s: %s", message.topic, exc)
            return
        if not isinstance(decoded, Ack):
            return
        try:
            self.on_ack(decoded)
        except Exception:  # an exception here would end paho's network thread for good
            log.exception("MQTT: could not show the desk's ack")

    def _send_forever(self) -> None:
        """Publish the outbox's head until the broker has it, then the next; heartbeats."""
        beat_due = time.monotonic() + self.heartbeat
        while not self._stopping.is_set():
            if self.connected.is_set() and time.monotonic() >= beat_due:
                self._client.publish(self._topic("status"), self._status(True), 1, True)
                beat_due = time.monotonic() + self.heartbeat
            waiting = self.outbox.head(timeout=max(0.05, beat_due - time.monotonic()))
            if waiting is not None and self._deliver(waiting):
                self.outbox.remove(waiting)

    def _deliver(self, waiting: Waiting) -> bool:
        """True once the broker acknowledged the message; False when stopping first."""
        kind: messages.Kind = "alert" if waiting.priority == ALERT else "result"
        while not self._stopping.is_set():
            if not self.connected.wait(timeout=0.2):
                continue
            info = self._client.publish(self._topic(kind), waiting.text, qos=1)
            while not self._stopping.is_set():
                published = _wait(info, 0.2)
                if published is None:  # not taken at all: publish it again once connected
                    self.connected.wait(timeout=0.5)
                    break
                if published:
                    return True
        return False


def _wait(info: mqtt.MQTTMessageInfo, seconds: float) -> bool | None:
    """True: acknowledged; False: not yet (paho resends it after a reconnect);
    None: paho did not take it (its queue was full), so it must be published again."""
    if info.rc == MQTTErrorCode.MQTT_ERR_NO_CONN:
        # Published just as the connection dropped: paho has kept the message and sends
        # it on reconnecting, though its rc says otherwise. Publishing it again each time
        # round would queue a copy per try, and the desk would get them all.
        info.rc = MQTTErrorCode.MQTT_ERR_SUCCESS
    try:
        info.wait_for_publish(seconds)
    except (RuntimeError, ValueError):
        return None
    return info.is_published()
