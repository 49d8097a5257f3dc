"""What the staff desk knows: each kiosk's state, open alerts, results ready.

Pure and single-threaded (the desk feeds it from one queue), so it is easy to test.
Each message id is shown once: QoS 1 delivers at least once, so a repeat (the same
id again) is counted and dropped. Memory stays bounded however long the desk runs:
the ids remembered, the results kept and the kiosks tracked all have a limit. A
kiosk whose heartbeats stop is shown offline even before its last will arrives.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

from kiosk.records.messages import Ack, Alert, Message, ResultReady, Status

SILENT_HEARTBEATS = 3
"""A kiosk is offline once this many heartbeats have not arrived."""


@dataclass
class KioskState:
    online: bool
    heartbeat: float
    last_heard: float
    """When the desk last heard from it (the desk's monotonic clock)."""


@dataclass(frozen=True)
class Change:
    """Something the desk shows: kind is alert, result, online, offline or silent."""

    kind: str
    kiosk_id: str
    message: Message | None = None


@dataclass
class Board:
    remember_ids: int = 100_000
    keep_results: int = 200
    max_kiosks: int = 1000
    kiosks: dict[str, KioskState] = field(default_factory=dict)
    open_alerts: OrderedDict[str, Alert] = field(default_factory=OrderedDict)
    results: deque[ResultReady] = field(default_factory=deque)
    duplicates: int = 0
    _seen: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def receive(self, message: Message, now: float) -> list[Change]:
        """Take one message; what changed on the desk (nothing for a repeat)."""
        if isinstance(message, Status):
            return self._status(message, now)
        if isinstance(message, Ack):
            self.open_alerts.pop(message.alert_id, None)
            return []
        if self._repeat(message.id):
            self.duplicates += 1
            return []
        changes = self._heard(message.kiosk_id, now)
        if isinstance(message, Alert):
            self.open_alerts[message.id] = message
            while len(self.open_alerts) > self.keep_results:
                self.open_alerts.popitem(last=False)
            return [*changes, Change("alert", message.kiosk_id, message)]
        self.results.append(message)
        while len(self.results) > self.keep_results:
            self.results.popleft()
        return [*changes, Change("result", message.kiosk_id, message)]

    def acknowledge(self, number: int = 1) -> Alert | None:
        """Close the `number`th open alert (1: the oldest); the alert, or None."""
        if not 1 <= number <= len(self.open_alerts):
            return None
        alert_id = list(self.open_alerts)[number - 1]
        return self.open_alerts.pop(alert_id)

    def check_silence(self, now: float) -> list[Change]:
        """Kiosks whose heartbeats have stopped: offline from now on."""
        changes = []
        for kiosk_id, state in self.kiosks.items():
            if state.online and now - state.last_heard > SILENT_HEARTBEATS * state.heartbeat:
                state.online = False
                changes.append(Change("silent", kiosk_id))
        return changes

    def reconnected(self, now: float) -> None:
        """The desk itself was cut off: nobody's silence meanwhile counts against them."""
        for state in self.kiosks.values():
            state.last_heard = now

    def _status(self, status: Status, now: float) -> list[Change]:
        state = self.kiosks.get(status.kiosk_id)
        if state is None:
            if len(self.kiosks) >= self.max_kiosks:
                return []
            state = self.kiosks[status.kiosk_id] = KioskState(not status.online, 0.0, now)
        state.heartbeat = status.heartbeat or state.heartbeat
        state.last_heard = now
        if state.online == status.online:
            return []
        state.online = status.online
        return [Change("online" if status.online else "offline", status.kiosk_id, status)]

    def _heard(self, kiosk_id: str, now: float) -> list[Change]:
        """A message from a kiosk is as good as a heartbeat."""
        state = self.kiosks.get(kiosk_id)
        if state is not None:
            state.last_heard = now
        return []

    def _repeat(self, message_id: str) -> bool:
        if message_id in self._seen:
            self._seen.move_to_end(message_id)
            return True
        self._seen[message_id] = None
        while len(self._seen) > self.remember_ids:
            self._seen.popitem(last=False)
        return False
