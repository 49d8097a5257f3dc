"""Each summary's Bundle reaches the clinic's FHIR server once, as a transaction, even
when the server fails at first or is down; a Bundle it refuses is kept aside."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from kiosk.language.pack import Pack
from kiosk.records import fhir
from kiosk.records.fhir_post import FhirPoster
from kiosk.records.outbox import Outbox
from kiosk.records.report import Summary
from kiosk.triage.knowledge import Knowledge


class Server:
    """A FHIR server on 127.0.0.1 that answers each POST with the next status given."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = owner.statuses.pop(0) if owner.statuses else 200
                if status < 300:
                    owner.received.append(json.loads(body))
                    owner.headers.append(dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/fhir"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def bundle(knowledge: Knowledge, pack: Pack) -> dict[str, Any]:
    summary = Summary.build(knowledge, pack, None, {"age": "70"})
    return fhir.bundle(summary, knowledge, pack)


def wait_until(done: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_failing_server_gets_the_bundle_once_it_works(
    tmp_path: Path, bundle: dict[str, Any]
) -> None:
    server = Server([503, 500, 429, 201])
    box = Outbox(tmp_path / "fhir")
    poster = FhirPoster(server.url, box, retry_every=0.05, token="t0ken")
    try:
        poster.start()
        poster.post(bundle)
        wait_until(lambda: len(box) == 0)
    finally:
        poster.close()
        server.close()
    [sent] = server.received
    assert Bundle.model_validate(sent).type == "transaction"
    assert [e["request"] for e in sent["entry"]] == [
        {"method": "POST", "url": "QuestionnaireResponse"},
        {"method": "POST", "url": "RiskAssessment"},
    ]
    assert server.headers[0]["Authorization"] == "Bearer t0ken"
    assert server.headers[0]["Content-Type"] == "application/fhir+json"


def test_a_server_that_is_down_gets_what_waited_after_a_restart(
    tmp_path: Path, bundle: dict[str, Any]
) -> None:
    box = Outbox(tmp_path / "fhir")
    down = FhirPoster("http://127.0.0.1:9/fhir", box, retry_every=0.05)  # nothing listens
    down.start()
    down.post(bundle)
    time.sleep(0.3)
    down.close()
    assert len(box) == 1  # kept on disk
    server = Server([])
    again = FhirPoster(server.url, Outbox(tmp_path / "fhir"), retry_every=0.05)
    try:
        again.start()
        wait_until(lambda: len(server.received) == 1 and len(box) == 0)
    finally:
        again.close()
        server.close()
    assert [e["fullUrl"] for e in server.received[0]["entry"]] == [
        e["fullUrl"] for e in bundle["entry"]
    ]


def test_a_bundle_the_server_refuses_is_kept_aside_and_the_next_one_goes(
    tmp_path: Path, bundle: dict[str, Any]
) -> None:
    server = Server([400])
    box = Outbox(tmp_path / "fhir")
    poster = FhirPoster(server.url, box, retry_every=0.05)
    try:
        poster.start()
        poster.post(bundle)
        poster.post(bundle | {"id": "second"})
        wait_until(lambda: len(server.received) == 1)
    finally:
        poster.close()
        server.close()
    assert server.received[0]["id"] == "second"
    assert len(list((tmp_path / "fhir-rejected").iterdir())) == 1
