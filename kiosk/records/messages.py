"""What kiosks and the staff desk say to each other over MQTT, and how it is checked.

Topics: `leg-kiosk/<kiosk id>/alert` (an emergency), `/result` (a summary is ready),
`/status` (online or offline, retained, with a heartbeat), and `/ack` (the desk
acknowledges an alert). Payloads are small JSON objects that carry ids, times, the
triage and red-flag rule ids: never answers or free text. Anything that arrives on a
subscribed topic is checked here before it is used; a message that is too large, not
JSON, of the wrong shape or about another kiosk than its topic names is refused with
the reason (the caller logs it) and never raises.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

PREFIX = "leg-kiosk"
MAX_BYTES = 4096
"""Larger payloads are refused: nothing a kiosk or the desk sends comes near it."""
KIOSK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A kiosk id that is safe as one MQTT topic level (no /, + or #)."""
MESSAGE_ID = re.compile(r"[0-9a-f]{32}")
TRIAGES = frozenset({"emergency", "urgent", "routine", "self_care", "unknown"})
Kind = Literal["alert", "result", "status", "ack"]
KINDS: tuple[Kind, ...] = ("alert", "result", "status", "ack")


class Refused(ValueError):
    """A message that cannot be used; the text says why (never the payload)."""


def topic(kiosk_id: str, kind: Kind) -> str:
    return f"{PREFIX}/{kiosk_id}/{kind}"


def new_id() -> str:
    return secrets.token_hex(16)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Alert:
    """An emergency at a kiosk; `seq` orders a kiosk's messages."""

    id: str
    kiosk_id: str
    seq: int
    time: str
    triage: str
    red_flags: tuple[str, ...]


@dataclass(frozen=True)
class ResultReady:
    """A clinician summary is ready at the kiosk (its file stem is `summary_id`)."""

    id: str
    kiosk_id: str
    seq: int
    time: str
    summary_id: str
    triage: str


@dataclass(frozen=True)
class Status:
    """Online (with a heartbeat every `heartbeat` seconds) or offline."""

    kiosk_id: str
    online: bool
    time: str
    heartbeat: float


@dataclass(frozen=True)
class Ack:
    """The desk has seen alert `alert_id`: staff are on their way."""

    id: str
    kiosk_id: str
    alert_id: str
    time: str


Message = Alert | ResultReady | Status | Ack


def encode(message: Message) -> str:
    """The JSON payload of a message."""
    fields: tuple[str, ...]
    if isinstance(message, Alert):
        body: dict[str, Any] = {"event": "emergency", "red_flags": list(message.red_flags)}
        fields = ("id", "kiosk_id", "seq", "time", "triage")
    elif isinstance(message, ResultReady):
        body = {"event": "result"}
        fields = ("id", "kiosk_id", "seq", "time", "summary_id", "triage")
    elif isinstance(message, Status):
        body = {"event": "status", "state": "online" if message.online else "offline"}
        fields = ("kiosk_id", "time", "heartbeat")
    else:
        body = {"event": "ack"}
        fields = ("id", "kiosk_id", "alert_id", "time")
    body.update({name: getattr(message, name) for name in fields})
    return json.dumps(body, ensure_ascii=True, separators=(",", ":"))


def decode(topic_name: str, payload: bytes | bytearray) -> Message:
    """The message on `topic_name`, or Refused saying what is wrong with it."""
    if len(payload) > MAX_BYTES:
        raise Refused(f"{len(payload)} bytes, more than {MAX_BYTES}")
    parts = topic_name.split("/")
    if len(parts) != 3 or parts[0] != PREFIX or parts[2] not in KINDS:
        raise Refused("not a kiosk topic")
    kiosk_id, kind = parts[1], parts[2]
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused("not JSON") from exc
    if not isinstance(body, dict):
        raise Refused("not a JSON object")
    fields = _Fields(body)
    if fields.text("kiosk_id", KIOSK_ID) != kiosk_id:
        raise Refused("its kiosk_id is not the kiosk its topic names")
    return _KINDS[kind](fields, kiosk_id)


class _Fields:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def text(self, name: str, pattern: re.Pattern[str] | None = None) -> str:
        value = self.body.get(name)
        if not isinstance(value, str) or len(value) > 100:
            raise Refused(f"{name} is missing or not short text")
        if pattern is not None and not pattern.fullmatch(value):
            raise Refused(f"{name} has the wrong form")
        return value

    def number(self, name: str) -> float:
        value = self.body.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise Refused(f"{name} is missing or not a number")
        return value

    def event(self, expected: str) -> None:
        if self.body.get("event") != expected:
            raise Refused(f"event is not {expected!r}")

    def time(self) -> str:
        value = self.text("time")
        try:
            datetime.fromisoformat(value)
        except ValueError as exc:
            raise Refused("time is not an ISO time") from exc
        return value


def _alert(f: _Fields, kiosk_id: str) -> Alert:
    f.event("emergency")
    flags = f.body.get("red_flags")
    if not isinstance(flags, list) or len(flags) > 50:
        raise Refused("red_flags is not a list")
    rule = re.compile(r"[a-z0-9_]{1,64}")
    if not all(isinstance(x, str) and rule.fullmatch(x) for x in flags):
        raise Refused("red_flags holds something other than rule ids")
    triage = f.text("triage")
    if triage not in TRIAGES:
        raise Refused("triage is not a triage level")
    seq = int(f.number("seq"))
    return Alert(f.text("id", MESSAGE_ID), kiosk_id, seq, f.time(), triage, tuple(flags))


def _result(f: _Fields, kiosk_id: str) -> ResultReady:
    f.event("result")
    triage = f.text("triage")
    if triage not in TRIAGES:
        raise Refused("triage is not a triage level")
    summary_id = f.text("summary_id", re.compile(r"[0-9A-Za-z:+_.-]{1,64}"))
    seq = int(f.number("seq"))
    return ResultReady(f.text("id", MESSAGE_ID), kiosk_id, seq, f.time(), summary_id, triage)


def _status(f: _Fields, kiosk_id: str) -> Status:
    f.event("status")
    state = f.body.get("state")
    if state not in ("online", "offline"):
        raise Refused("state is not online or offline")
    return Status(kiosk_id, state == "online", f.time(), f.number("heartbeat"))


def _ack(f: _Fields, kiosk_id: str) -> Ack:
    f.event("ack")
    alert_id = f.text("alert_id", MESSAGE_ID)
    return Ack(f.text("id", MESSAGE_ID), kiosk_id, alert_id, f.time())


_KINDS: dict[str, Callable[[_Fields, str], Message]] = {
    "alert": _alert,
    "result": _result,
    "status": _status,
    "ack": _ack,
}
