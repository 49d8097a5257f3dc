"""The desk's board: each message id shown once, kiosks online and offline (by status,
last will or silence), alerts acknowledged in turn, memory bounded."""

from __future__ import annotations

import io

from kiosk.desk.board import Board, Change
from kiosk.desk.show import Shower
from kiosk.records.messages import Ack, Alert, ResultReady, Status

T = "2026-01-05T10:31:07+00:00"


def alert(n: int, kiosk: str = "ward-3") -> Alert:
    return Alert(f"{n:032x}", kiosk, n, T, "emergency", ("stroke_signs",))


def test_a_repeated_id_is_shown_once_and_counted() -> None:
    board = Board()
    assert [c.kind for c in board.receive(alert(1), 0.0)] == ["alert"]
    assert board.receive(alert(1), 0.1) == []
    result = ResultReady("f" * 32, "ward-3", 2, T, "stem", "urgent")
    assert [c.kind for c in board.receive(result, 0.2)] == ["result"]
    assert board.receive(result, 0.3) == []
    assert board.duplicates == 2


def test_online_offline_from_status_and_silence() -> None:
    board = Board()
    assert [c.kind for c in board.receive(Status("ward-3", True, T, 1.0), 0.0)] == ["online"]
    assert board.receive(Status("ward-3", True, T, 1.0), 1.0) == []  # a heartbeat: no change
    assert board.check_silence(3.5) == []
    assert [c.kind for c in board.check_silence(4.5)] == ["silent"]
    assert [c.kind for c in board.receive(Status("ward-3", True, T, 1.0), 5.0)] == ["online"]
    assert [c.kind for c in board.receive(Status("ward-3", False, T, 1.0), 6.0)] == ["offline"]
    board.receive(Status("ward-4", True, T, 1.0), 7.0)
    board.reconnected(20.0)  # the desk was cut off from 8 to 20: not ward-4's fault
    assert board.check_silence(21.0) == []


def test_alerts_are_acknowledged_oldest_first_or_by_number() -> None:
    board = Board()
    for n in (1, 2, 3):
        board.receive(alert(n), 0.0)
    acked = board.acknowledge(2)
    assert acked is not None and acked.seq == 2
    acked = board.acknowledge()
    assert acked is not None and acked.seq == 1
    assert board.acknowledge(5) is None
    board.receive(Ack("e" * 32, "ward-3", alert(3).id, T), 0.0)  # another desk acked it
    assert board.acknowledge() is None


def test_memory_stays_bounded_however_many_messages_arrive() -> None:
    board = Board(remember_ids=100, keep_results=10)
    for n in range(5000):
        board.receive(ResultReady(f"{n:032x}", "ward-3", n, T, "stem", "routine"), 0.0)
        board.receive(alert(n + 100_000), 0.0)
    assert len(board._seen) == 100
    assert len(board.results) == 10 and len(board.open_alerts) == 10


def test_staff_see_an_alert_loudly_and_how_to_acknowledge_it() -> None:
    out = io.StringIO()
    shower = Shower(out)
    shower.change(Change("alert", "ward-3", alert(1)), open_number=1)
    shower.change(Change("alert", "ward-4", alert(2, "ward-4")), open_number=2)
    shower.change(Change("silent", "ward-5"))
    first, second, offline = out.getvalue().splitlines()
    assert first.startswith("\a!!! EMERGENCY at kiosk ward-3") and "stroke_signs" in first
    assert "press Enter" in first and "press 'a 2' and Enter" in second
    assert offline == "!!  kiosk ward-5 is OFFLINE (its heartbeat stopped)"
