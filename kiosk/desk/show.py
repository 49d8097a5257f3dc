"""How the desk shows what changed: plain lines for staff, or JSON lines for programs.

An alert is loud: the terminal bell, capitals, and how to acknowledge it. The desk's
words are for staff, in English; kiosks' own words live in their language packs.
"""

from __future__ import annotations

import json
import time
from typing import TextIO

from kiosk.desk.board import Change
from kiosk.records.messages import Alert, ResultReady

BELL = "\a"


class Shower:
    """Writes each change to `out`, as text or (jsonl) one JSON object per line."""

    def __init__(self, out: TextIO, jsonl: bool = False) -> None:
        self.out = out
        self.jsonl = jsonl

    def change(self, change: Change, open_number: int = 0) -> None:
        if self.jsonl:
            self._json(_change_json(change))
        else:
            self._line(_change_text(change, open_number))

    def event(self, name: str, text: str, **fields: object) -> None:
        """A desk event (broker connected, ack sent...)."""
        if self.jsonl:
            self._json({"event": name, **fields})
        else:
            self._line(text)

    def reminder(self, count: int) -> None:
        if not self.jsonl and count:
            self._line(f"{BELL}!!! {count} alert(s) not yet acknowledged: press Enter")

    def _json(self, body: dict[str, object]) -> None:
        self._line(json.dumps(body, ensure_ascii=False))

    def _line(self, text: str) -> None:
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except (BrokenPipeError, ValueError):
            pass  # nobody is reading any more; the desk carries on for the broker's sake


def _change_json(change: Change) -> dict[str, object]:
    body: dict[str, object] = {"event": change.kind, "kiosk_id": change.kiosk_id}
    message = change.message
    if isinstance(message, Alert | ResultReady):
        body.update(
            {"id": message.id, "seq": message.seq, "time": message.time, "triage": message.triage}
        )
        body["received"] = time.time()
    if isinstance(message, Alert):
        body["red_flags"] = list(message.red_flags)
    if isinstance(message, ResultReady):
        body["summary_id"] = message.summary_id
    return body


def _change_text(change: Change, open_number: int) -> str:
    message, kiosk = change.message, change.kiosk_id
    if isinstance(message, Alert):
        flags = ", ".join(message.red_flags) or "no rule named"
        key = "Enter" if open_number <= 1 else f"'a {open_number}' and Enter"
        return (
            f"{BELL}!!! EMERGENCY at kiosk {kiosk} ({message.time}): {flags}. "
            f"Go now; press {key} to tell the kiosk staff are on their way."
        )
    if isinstance(message, ResultReady):
        return f"    summary ready at kiosk {kiosk}: {message.summary_id} ({message.triage})"
    if change.kind == "online":
        return f"    kiosk {kiosk} is online"
    why = "its heartbeat stopped" if change.kind == "silent" else "it went away"
    return f"!!  kiosk {kiosk} is OFFLINE ({why})"
