"""Retention: the kiosk's own summaries older than the period go; nothing else ever does."""

from __future__ import annotations

import os
import time
from pathlib import Path

from kiosk.app.cli import dialog_factory
from kiosk.config.settings import Settings
from kiosk.core.events import Output
from kiosk.language.pack import Pack
from kiosk.records.report import ReportWriter
from kiosk.records.retention import DAY, is_summary_file, prune, pruning
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk

NOW = time.time()


def aged(path: Path, days: float, text: str = "x") -> Path:
    """A file last changed `days` ago."""
    path.write_text(text)
    os.utime(path, (NOW - days * DAY, NOW - days * DAY))
    return path


def test_only_old_summaries_are_deleted(tmp_path: Path) -> None:
    old_json = aged(tmp_path / "2025-01-02T03-04-05+00-00-a1b2c3.json", 31)
    old_text = aged(tmp_path / "2025-01-02T03-04-05+00-00-a1b2c3.txt", 31)
    left_over = aged(tmp_path / ".2025-01-02T03-04-05+00-00-d4e5f6.json.k2j4_x9q", 40)
    recent = aged(tmp_path / "2025-02-01T00-00-00+00-00-0f0f0f.json", 29)
    strangers = [
        aged(tmp_path / "notes.txt", 400),
        aged(tmp_path / "2025-01-02.json", 400),
        aged(tmp_path / "2025-01-02T03-04-05+00-00-a1b2c3.json.bak", 400),
        aged(tmp_path / "2025-01-02T03-04-05+00-00-A1B2C3.json", 400),
    ]
    folder = tmp_path / "2025-01-02T03-04-05+00-00-abcdef.json"  # a folder, not a summary
    folder.mkdir()
    link = tmp_path / "2025-01-02T03-04-05+00-00-123456.txt"
    link.symlink_to(strangers[0])
    os.utime(link, (NOW - 400 * DAY, NOW - 400 * DAY), follow_symlinks=False)

    assert prune(tmp_path, 30, now=NOW) == 3
    assert not old_json.exists() and not old_text.exists() and not left_over.exists()
    assert recent.exists() and folder.is_dir() and link.is_symlink()
    assert all(path.exists() for path in strangers)


def test_keeping_for_ever_deletes_nothing(tmp_path: Path) -> None:
    old = aged(tmp_path / "2020-01-02T03-04-05+00-00-a1b2c3.json", 2000)
    assert prune(tmp_path, None, now=NOW) == 0 and old.exists()


def test_a_missing_folder_is_not_an_error(tmp_path: Path) -> None:
    assert prune(tmp_path / "never-made", 30) == 0


def test_the_writers_own_names_are_recognised(kiosk: Kiosk, tmp_path: Path) -> None:
    kiosk.start()
    kiosk.say("yes")
    kiosk.say("done")
    assert ReportWriter(tmp_path).save(kiosk.saved[0])
    names = [p.name for p in tmp_path.iterdir()]
    assert len(names) == 2 and all(is_summary_file(name) for name in names)


def test_old_summaries_go_after_each_saved_one(kiosk: Kiosk, tmp_path: Path) -> None:
    old = aged(tmp_path / "2025-01-02T03-04-05+00-00-a1b2c3.json", 8)
    save = pruning(ReportWriter(tmp_path).save, tmp_path, 7)
    kiosk.start()
    kiosk.say("yes")
    kiosk.say("done")
    assert save(kiosk.saved[0])
    assert not old.exists() and len(list(tmp_path.iterdir())) == 2


def test_old_summaries_go_at_start_up(knowledge: Knowledge, pack: Pack, tmp_path: Path) -> None:
    old = aged(tmp_path / "2025-01-02T03-04-05+00-00-a1b2c3.txt", 15)
    kept = aged(tmp_path / "2025-01-02T03-04-05+00-00-b1b2c3.txt", 13)
    settings = Settings(report_dir=tmp_path, retention_days=14)
    outputs: list[Output] = []
    dialog_factory(settings, knowledge, pack)(outputs.append)
    assert not old.exists() and kept.exists()
