"""Messages on the wire: what kiosks send round-trips, carries no answers, and anything
else that arrives is refused with a reason, never a crash."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.records import messages
from kiosk.records.messages import Ack, Alert, Refused, ResultReady, Status

T = "2026-01-05T10:31:07.120+00:00"
SENT = [
    Alert("a" * 32, "ward-3", 7, T, "emergency", ("stroke_signs", "cauda_equina")),
    ResultReady("b" * 32, "ward-3", 8, T, "2026-01-05T10-31-07+00-00-abc123", "urgent"),
    Status("ward-3", True, T, 5.0),
    Ack("c" * 32, "ward-3", "a" * 32, T),
]


@pytest.mark.parametrize("message", SENT)
def test_what_is_sent_comes_back_the_same(message: messages.Message) -> None:
    kind = {Alert: "alert", ResultReady: "result", Status: "status", Ack: "ack"}[type(message)]
    payload = messages.encode(message).encode()
    assert messages.decode(messages.topic("ward-3", kind), payload) == message  # type: ignore[arg-type]


def test_an_alert_carries_ids_and_the_triage_only() -> None:
    body = json.loads(messages.encode(SENT[0]))
    assert set(body) == {"event", "id", "kiosk_id", "seq", "time", "triage", "red_flags"}


@given(topic=st.text(max_size=40), payload=st.binary(max_size=300))
def test_anything_else_is_refused_never_raised(topic: str, payload: bytes) -> None:
    with contextlib.suppress(Refused):
        messages.decode(topic, payload)


@given(st.dictionaries(st.sampled_from(["event", "id", "kiosk_id", "seq", "time", "triage",
                                        "red_flags", "state", "alert_id", "summary_id"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=20),
                                 st.lists(st.text(max_size=5), max_size=3))))  # fmt: skip
def test_json_of_any_shape_is_refused_or_read_never_a_crash(body: dict[str, object]) -> None:
    for kind in messages.KINDS:
        with contextlib.suppress(Refused):
            messages.decode(messages.topic("ward-3", kind), json.dumps(body).encode())
