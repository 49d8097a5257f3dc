"""A report folder that is full or unusable: the person is told, nothing is lost.

Tests run as root, for whom chmod stops nothing, so "read-only" is a report folder
whose parent is a regular file (mkdir fails for root too), and "full" is ENOSPC raised
by the writer's file-writing seam.
"""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path

from kiosk.core.events import Output, Say
from kiosk.dialog.machine import Dialog, State
from kiosk.language.pack import Pack
from kiosk.records.report import ReportWriter, write_atomically
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk

PEOPLE = [
    {"onset": "gradual", "sides": "both_legs", "feet_numb": "yes", "diabetes": "yes", "age": "71"},
    {"onset": "gradual", "sides": "one_leg", "back_pain": "yes", "age": "44"},
    {"onset": "days", "sides": "both_legs", "age": "29"},
]


class Disk:
    """Writes through to the real disk, or fails with "no space left" while `full`."""

    def __init__(self) -> None:
        self.full = True

    def write(self, path: Path, text: str) -> None:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        write_atomically(path, text)


def _session(
    knowledge: Knowledge, pack: Pack, writer: ReportWriter, answers: dict[str, str]
) -> tuple[list[Say], dict[str, str]]:
    """One person answers and says done: what they were told at the end, and their answers."""
    out: list[Output] = []
    kiosk = Kiosk(knowledge, pack)
    kiosk.dialog = Dialog(knowledge, pack, out.append, writer.save)
    kiosk.out = out
    kiosk.start()
    kiosk.answer_all(answers)
    given = dict(kiosk.result().answers)
    mark = len(out)
    kiosk.say("done")
    assert kiosk.state is State.IDLE
    return kiosk.said(mark), given


def _summaries(folder: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def _answers(summary: dict[str, object]) -> dict[str, str]:
    return {a["question"]: a["answer"] for a in summary["answers"]}  # type: ignore[attr-defined]


def test_a_full_disk_keeps_each_summary_and_writes_them_all_when_space_returns(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    disk = Disk()
    writer = ReportWriter(tmp_path, disk.write, retry_every=None)
    given = []
    for person in PEOPLE[:2]:
        told, answers = _session(knowledge, pack, writer, person)
        given.append(answers)
        assert Say(pack.say("summary_failed"), "error") in told
        assert "staff" in pack.say("summary_failed")
    assert writer.kept == 2 and _summaries(tmp_path) == []
    disk.full = False
    told, answers = _session(knowledge, pack, writer, PEOPLE[2])
    given.append(answers)
    assert Say(pack.say("summary_saved"), "info") in told
    written = _summaries(tmp_path)
    assert writer.kept == 0
    assert sorted(map(str, map(_answers, written))) == sorted(map(str, given)), "none lost"
    assert not list(tmp_path.glob(".*")), "no temporary files are left behind"


def test_a_folder_that_cannot_be_made_is_retried_on_a_timer_until_it_works(
    knowledge: Knowledge, pack: Pack, tmp_path: Path
) -> None:
    blocker = tmp_path / "clinic"
    blocker.write_text("a file where the report folder's parent should be")
    folder = blocker / "reports"
    writer = ReportWriter(folder, retry_every=0.05)
    told, given = _session(knowledge, pack, writer, PEOPLE[0])
    assert Say(pack.say("summary_failed"), "error") in told
    time.sleep(0.2)
    assert writer.kept == 1, "still kept while the folder cannot be made"
    blocker.unlink()
    deadline = time.monotonic() + 5
    while writer.kept and time.monotonic() < deadline:
        time.sleep(0.02)
    written = _summaries(folder)
    assert len(written) == 1 and _answers(written[0]) == given
    assert (folder / f"{sorted(folder.glob('*.json'))[0].stem}.txt").is_file()


def test_closing_with_summaries_still_kept_says_so(
    tmp_path: Path, knowledge: Knowledge, pack: Pack, caplog: object
) -> None:
    disk = Disk()
    writer = ReportWriter(tmp_path, disk.write, retry_every=None)
    _session(knowledge, pack, writer, PEOPLE[1])
    writer.close()
    assert "1 clinician summaries could not be written and are lost" in caplog.text  # type: ignore[attr-defined]
