"""Sending each summary's FHIR Bundle to the clinic's FHIR server, until it is accepted.

Bundles wait in their own outbox folder (written before any try, so a restart loses
nothing) and one thread POSTs the oldest as a `transaction` to the server's base URL.
A 2xx answer removes it; no answer, a 5xx, 408 or 429 is tried again every
`retry_every` seconds; any other 4xx means the server will never take it, so it is
moved to a `rejected` folder beside the outbox and logged (by status code only).
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import urllib.error
import urllib.request
from pathlib import Path

from kiosk.records.fhir import Json, as_transaction
from kiosk.records.messages import new_id
from kiosk.records.outbox import OTHER, Outbox, Waiting
from kiosk.records.report import write_atomically

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({408, 429})


class FhirPoster:
    """`post` a collection Bundle; the thread started by `start` delivers it."""

    def __init__(
        self, url: str, outbox: Outbox, retry_every: float = 5.0, token: str | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.outbox = outbox
        self.retry_every = retry_every
        self._token = token
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._send_forever, name="fhir-post", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def post(self, collection: Json) -> None:
        text = json.dumps(as_transaction(collection), ensure_ascii=False)
        self.outbox.put(text, OTHER, new_id(), self.outbox.next_seq())

    def close(self) -> None:
        """Stop trying; what was not accepted stays in the outbox for the next start."""
        self._stopping.set()
        self._thread.join(timeout=5.0)

    def _send_forever(self) -> None:
        while not self._stopping.is_set():
            waiting = self.outbox.head(timeout=0.5)
            if waiting is None:
                continue
            outcome = self._send(waiting)
            if outcome == "retry":
                self._stopping.wait(self.retry_every)
                continue
            if outcome == "rejected":
                self._reject(waiting)
            self.outbox.remove(waiting)

    def _send(self, waiting: Waiting) -> str:
        headers = {"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        request = urllib.request.Request(
            self.url, data=waiting.text.encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code in RETRY_STATUSES:
                log.warning("FHIR server answered %s; trying again", exc.code)
                return "retry"
            log.error("FHIR server rejected a record with %s; kept in rejected/", exc.code)
            return "rejected"
        except (OSError, ValueError, http.client.HTTPException) as exc:
            log.warning("FHIR server not reached (%s); trying again", type(exc).__name__)
            return "retry"
        log.info("FHIR record accepted by the server")
        return "sent"

    def _reject(self, waiting: Waiting) -> None:
        folder: Path = self.outbox.folder.parent / "fhir-rejected"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomically(folder / waiting.name, waiting.text)
        except OSError as exc:
            log.error("cannot keep a rejected FHIR record (%s)", exc.strerror)
