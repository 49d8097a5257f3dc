"""Telling staff about an emergency, in the background, while the guidance is spoken.

The dialog knows nothing of staff or devices: it emits a `Result` whose triage is
emergency, right after the emergency guidance lines. `StaffAlert.watch` wraps the
dialog's emit callback, sees that result, and starts one background thread per
session that runs the configured command and/or appends to the alert file. Nothing
here can delay or break the guidance: the thread is started, never waited for, and
every failure is logged by error code only. The alert carries what staff need (time,
kiosk, triage, red-flag rule ids), never the person's answers. With the clinic network
configured it also goes to the staff desk (`network`, first: it is the fastest).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import secrets
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk.config.settings import AlertConfig
from kiosk.core.events import End, Output, Result
from kiosk.core.stopping import signals_held

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """What staff are told; `as_json` is what the command and the file receive."""

    id: str
    """Unique per alert: the desk shows each once, and acknowledges it by this id."""
    time: str
    kiosk_id: str
    triage: str
    red_flags: tuple[str, ...]

    def as_json(self) -> str:
        return json.dumps(
            {
                "event": "emergency",
                "id": self.id,
                "time": self.time,
                "kiosk_id": self.kiosk_id,
                "triage": self.triage,
                "red_flags": list(self.red_flags),
            }
        )


class StaffAlert:
    """Fires the configured hook once per session on emergency triage."""

    def __init__(
        self,
        config: AlertConfig,
        kiosk_id: str,
        network: Callable[[Alert], None] | None = None,
    ) -> None:
        self.config = config
        self.kiosk_id = kiosk_id
        self.network = network
        """Sends the alert to the staff desk (puts it in the outbox; quick, never raises)."""
        self._fired = False
        self.threads: list[threading.Thread] = []
        """Alert threads started (tests and benchmarks wait for them; the kiosk never does)."""

    @property
    def enabled(self) -> bool:
        return bool(self.config.command) or self.config.file is not None or bool(self.network)

    def watch(self, emit: Callable[[Output], None]) -> Callable[[Output], None]:
        """`emit`, with the alert started (not awaited) when an emergency result passes."""

        def observe(output: Output) -> None:
            if isinstance(output, Result) and output.triage == "emergency":
                self._fire(output.red_flags)
            elif isinstance(output, End):
                self._fired = False  # the next person's emergency alerts again
            emit(output)

        return observe

    def due(self, triage: str, red_flags: tuple[str, ...]) -> None:
        """A summary was kept (perhaps as the kiosk stops): an emergency in it that no
        result has alerted staff to yet is alerted now, so it cannot be lost."""
        if triage == "emergency":
            self._fire(red_flags)

    def _fire(self, red_flags: tuple[str, ...]) -> None:
        if self._fired or not self.enabled:
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        alert = Alert(secrets.token_hex(16), now, self.kiosk_id, "emergency", red_flags)
        thread = threading.Thread(target=self.deliver, args=(alert,), name="staff-alert")
        thread.daemon = True  # a hanging hook must never keep the kiosk from exiting
        with signals_held():  # a stop between the two would lose the alert
            self._fired = True
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
            thread.start()
        log.info("staff alert started")

    def wait(self, within: float | None = None) -> None:
        """Let alerts still on their way finish (at exit: a one-session run ends at once).

        Never longer than the command's own time limit, after which it is stopped, nor
        than `within` seconds (the kiosk is being stopped and must exit soon)."""
        limit = self.config.timeout + 1.0
        deadline = time.monotonic() + (limit if within is None else min(limit, within))
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def deliver(self, alert: Alert) -> None:
        """Append to the file, then run the command; each failure is logged, never raised."""
        started = time.monotonic()
        if self.network is not None:
            self._send(self.network, alert)
        if self.config.file is not None:
            self._append(self.config.file, alert)
        if self.config.command:
            self._run(self.config.command, alert)
        log.info("staff alert finished after %.2f s", time.monotonic() - started)

    def _append(self, path: Path, alert: Alert) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            try:
                os.write(fd, (alert.as_json() + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            log.error("staff alert: cannot write %s (%s)", path, _code(exc))

    def _send(self, network: Callable[[Alert], None], alert: Alert) -> None:
        try:
            network(alert)
        except Exception as exc:  # a broken outbox must not stop the file and command
            log.error("staff alert: cannot queue it for the desk (%s)", type(exc).__name__)

    def _run(self, command: tuple[str, ...], alert: Alert) -> None:
        try:
            done = subprocess.run(
                command,
                input=alert.as_json().encode(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=self.config.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            log.error("staff alert: %s was stopped after %s s", command[0], self.config.timeout)
        except OSError as exc:
            log.error("staff alert: cannot run %s (%s)", command[0], _code(exc))
        else:
            if done.returncode != 0:
                log.error("staff alert: %s failed with exit code %s", command[0], done.returncode)


def _code(exc: OSError) -> str:
    """The error's symbolic code (ENOENT, EACCES...), or its text when it has none."""
    return errno.errorcode.get(exc.errno or 0, str(exc))
