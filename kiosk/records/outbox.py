"""A bounded folder of messages waiting to leave the kiosk, alerts first.

The broker or the record server may be away for minutes; a kiosk may be switched off
meanwhile. So each message is a file, written atomically before anyone is told it was
sent, and deleted only once the other side has confirmed it. Names sort in sending
order: priority (alerts first), then a sequence number that keeps growing across
restarts (nanoseconds, never less than the last one used), then the message id.
A full outbox drops the oldest non-alert message first (an alert only when nothing
else is left), and logs it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.records.report import write_atomically

log = logging.getLogger(__name__)

ALERT, OTHER = 0, 1
"""Priorities: lower goes first."""


@dataclass(frozen=True)
class Waiting:
    """One message in the outbox: its file name orders it, its text is what is sent."""

    name: str
    text: str

    @property
    def priority(self) -> int:
        return int(self.name[0])


class Outbox:
    """Thread-safe: the kiosk puts, one sender thread takes the head and removes it."""

    def __init__(self, folder: Path, limit: int = 1000) -> None:
        self.folder = folder
        self.limit = limit
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._last_seq = 0
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.dropped = 0
        """Messages dropped because the outbox was full (since start)."""

    def put(self, text: str, priority: int, message_id: str, seq: int) -> None:
        """Store a message for sending, in the place its priority and `seq` give it."""
        with self._ready:
            write_atomically(self.folder / f"{priority}-{seq:020d}-{message_id}.json", text)
            self._trim()
            self._ready.notify_all()

    def next_seq(self) -> int:
        """A number larger than any given before, in this run or (by the clock) any other."""
        with self._lock:
            self._last_seq = max(self._last_seq + 1, time.time_ns())
            return self._last_seq

    def head(self, timeout: float | None = None) -> Waiting | None:
        """The next message to send, waiting up to `timeout` for one (None: none)."""
        with self._ready:
            names = self._names()
            if not names and timeout:
                self._ready.wait(timeout)
                names = self._names()
            for name in names:
                try:
                    return Waiting(name, (self.folder / name).read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError) as exc:
                    log.error("outbox: unreadable message dropped (%s)", exc)
                    self._unlink(name)
            return None

    def remove(self, waiting: Waiting) -> None:
        """The other side has it: forget it."""
        with self._lock:
            self._unlink(waiting.name)

    def __len__(self) -> int:
        with self._lock:
            return len(self._names())

    def _names(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.folder) if _is_message(n))
        except OSError as exc:
            log.error("outbox: cannot list %s (%s)", self.folder, exc.strerror)
            return []

    def _trim(self) -> None:
        names = self._names()
        while len(names) > self.limit:
            others = [n for n in names if not n.startswith(str(ALERT))]
            victim = (others or names)[0]
            kind = "message" if others else "ALERT"
            log.error("outbox full (%s): dropped the oldest waiting %s", self.limit, kind)
            self._unlink(victim)
            self.dropped += 1
            names.remove(victim)

    def _unlink(self, name: str) -> None:
        try:
            (self.folder / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.error("outbox: cannot delete a sent message (%s)", exc.strerror)


def _is_message(name: str) -> bool:
    return name[:1] in "01" and name[1:2] == "-" and name.endswith(".json")
