"""The outbox: alerts leave first, nothing is lost across a restart, and a full outbox
gives up the oldest non-alert message (and says so) rather than an alert."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.records.outbox import ALERT, OTHER, Outbox


def put(box: Outbox, text: str, priority: int) -> None:
    box.put(text, priority, text.ljust(32, "0"), box.next_seq())


def drain(box: Outbox) -> list[str]:
    sent = []
    while (waiting := box.head()) is not None:
        sent.append(waiting.text)
        box.remove(waiting)
    return sent


def test_alerts_go_first_then_everything_in_the_order_it_came(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    for text, priority in [("r1", OTHER), ("a1", ALERT), ("r2", OTHER), ("a2", ALERT)]:
        put(box, text, priority)
    assert drain(box) == ["a1", "a2", "r1", "r2"]
    assert len(box) == 0


def test_what_waits_survives_a_restart_and_new_messages_still_come_after_it(
    tmp_path: Path,
) -> None:
    first = Outbox(tmp_path)
    put(first, "r1", OTHER)
    put(first, "r2", OTHER)
    again = Outbox(tmp_path)  # the kiosk was switched off and on
    put(again, "r3", OTHER)
    assert drain(again) == ["r1", "r2", "r3"]


def test_a_message_stays_until_it_is_removed(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    put(box, "a1", ALERT)
    assert box.head() == box.head()  # taking a look does not send it
    assert len(box) == 1


def test_a_full_outbox_drops_the_oldest_result_never_an_alert_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    box = Outbox(tmp_path, limit=3)
    with caplog.at_level(logging.ERROR):
        for text, priority in [("a1", ALERT), ("r1", OTHER), ("r2", OTHER), ("a2", ALERT)]:
            put(box, text, priority)
        assert drain(box) == ["a1", "a2", "r2"]
        assert box.dropped == 1
        assert "outbox full" in caplog.text
        for text in ("a1", "a2", "a3", "a4"):
            put(box, text, ALERT)
    assert drain(box) == ["a2", "a3", "a4"]  # only alerts left: the oldest goes, logged
    assert "ALERT" in caplog.text


def test_head_waits_for_a_message_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a message")
    box = Outbox(tmp_path)
    assert box.head(timeout=0.01) is None
    put(box, "r1", OTHER)
    waiting = box.head(timeout=0.01)
    assert waiting is not None and waiting.text == "r1"


def test_sequence_numbers_keep_growing(tmp_path: Path) -> None:
    box = Outbox(tmp_path)
    numbers = [box.next_seq() for _ in range(1000)]
    assert numbers == sorted(set(numbers))
