"""The clinician summary: built from an assessment, written atomically as text and JSON.

A summary must never be half-written or lost if the kiosk dies a moment later: each
file is written to a temporary name in the same folder, flushed to disk, then renamed.
A summary that cannot be written (folder full, read-only, missing) is kept in memory
and written, in order, at the next save or on a timer, as soon as the folder works.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Knowledge
from kiosk.triage.rules import Answers, Assessment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryCause:
    id: str
    name: str
    probability: float
    reasons: tuple[str, ...]
    """As the patient heard them ("because you said ...")."""
    findings: tuple[str, ...] = ()
    """The same answers in clinical terms: "+ ..." for the cause, "- ..." against it."""


@dataclass(frozen=True)
class SummaryAnswer:
    question: str
    asked: str
    answer: str
    how: tuple[str, ...] = ()
    """How the answer came when not simply heard once by voice (`records.clinician.HOW`)."""
    clinical: str = ""
    """The answer in clinical terms ("bilateral stocking-distribution paraesthesia")."""
    plain: str = ""
    """The answer in the patient's words ("both feet are numb or tingling")."""


@dataclass(frozen=True)
class Summary:
    created: str
    language: str
    triage: str
    red_flags: tuple[str, ...]
    unsure_red_flags: tuple[str, ...]
    answers: tuple[SummaryAnswer, ...]
    causes: tuple[SummaryCause, ...]
    complete: bool = True
    """False when the session ended with an error: the answers are all there were."""
    presentation: str = ""
    """Onset, distribution, progression, function and age, in clinical terms."""
    rules_fired: tuple[str, ...] = ()
    """ "rule id: what its source says" for each rule that set the triage."""

    @classmethod
    def build(
        cls,
        knowledge: Knowledge,
        pack: Pack,
        assessment: Assessment | None,
        answers: Answers,
        complete: bool = True,
        how: Mapping[str, Sequence[str]] | None = None,
    ) -> Summary:
        """`assessment` None: the rules could not be run (only the answers are known)."""
        from kiosk.language.present import because, reason_texts, shown_causes
        from kiosk.records.clinician import (
            clinical_term,
            findings,
            how_of,
            presentation,
            rules_fired,
        )

        return cls(
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            language=pack.language,
            triage=assessment.triage.label if assessment else "unknown",
            red_flags=assessment.red_flags if assessment else (),
            unsure_red_flags=assessment.unsure_red_flags if assessment else (),
            answers=tuple(
                SummaryAnswer(
                    q,
                    pack.questions[q].ask,
                    value,
                    how_of(how, q),
                    clinical_term(knowledge, q, value),
                    because(knowledge, pack, q, value),
                )
                for q, value in answers.items()
            ),
            causes=tuple(
                SummaryCause(
                    c.id,
                    pack.causes[c.id],
                    round(c.probability, 4),
                    reason_texts(knowledge, pack, c),
                    findings(knowledge, c),
                )
                for c in (shown_causes(assessment) if assessment else ())
            ),
            complete=complete,
            presentation=presentation(knowledge, answers),
            rules_fired=rules_fired(knowledge, assessment, answers),
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def as_text(self) -> str:
        """For the clinician, in clinical terms (see `records.clinician`)."""
        from kiosk.records.clinician import summary_text

        return summary_text(self)


class ReportWriter:
    """Writes each summary as <stamp>-<id>.txt and .json into one folder.

    What cannot be written is kept, in order, and tried again before the next summary
    and every `retry_every` seconds until the folder works; nothing is dropped.
    """

    def __init__(
        self,
        folder: Path,
        write_file: Callable[[Path, str], None] | None = None,
        retry_every: float | None = 30.0,
        extras: Mapping[str, Callable[[Summary], str]] | None = None,
        on_written: Callable[[str, Summary, Mapping[str, str]], None] | None = None,
    ) -> None:
        self.folder = folder
        self._extras = dict(extras or {})
        """More files per summary: suffix (like "fhir.json") -> what to write in it."""
        self._on_written = on_written
        """Told (stem, summary, extra files' texts) once a summary is safely on disk."""
        self._write_file = write_file or write_atomically
        """How one file reaches the disk (tests pass one that fails like a full disk)."""
        self._retry_every = retry_every
        self._kept: list[tuple[str, Summary]] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    @property
    def kept(self) -> int:
        """How many summaries are waiting in memory for the folder to work."""
        with self._lock:
            return len(self._kept)

    def save(self, summary: Summary) -> bool:
        """True when this summary (and every one kept before it) is safely on disk;
        otherwise it is kept and retried. Failures are logged, never raised."""
        stem = f"{summary.created.replace(':', '-')}-{secrets.token_hex(3)}"
        with self._lock:
            self._kept.append((stem, summary))
            saved = self._write_kept()
        if not saved:
            self._schedule_retry()
        return saved

    def retry(self) -> bool:
        """Write every kept summary now; True when none is left waiting."""
        with self._lock:
            return self._write_kept()

    def close(self) -> None:
        """Stop retrying after one last try; anything still kept is reported as lost."""
        if self._timer is not None:
            self._timer.cancel()
        if not self.retry():
            log.error("%s clinician summaries could not be written and are lost", self.kept)

    def _write_kept(self) -> bool:
        while self._kept:
            stem, summary = self._kept[0]
            try:
                self._write(stem, summary)
            except OSError as exc:
                log.error(
                    "could not write the clinician summary to %s (%s); %s kept to retry",
                    self.folder, exc.strerror or exc, len(self._kept),
                )  # fmt: skip
                return False
            self._kept.pop(0)
            log.info("clinician summary written as %s", stem)
        return True

    def _write(self, stem: str, summary: Summary) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        extras = {suffix: render(summary) for suffix, render in self._extras.items()}
        for suffix, text in extras.items():
            self._write_file(self.folder / f"{stem}.{suffix}", text)
        payload = json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n"
        self._write_file(self.folder / f"{stem}.json", payload)
        self._write_file(self.folder / f"{stem}.txt", summary.as_text())
        if self._on_written is not None:
            try:
                self._on_written(stem, summary, extras)
            except Exception:  # the summary is on disk; telling others must not undo that
                log.exception("could not pass on the written summary %s", stem)

    def _schedule_retry(self) -> None:
        with self._lock:
            if self._retry_every is None or (self._timer and self._timer.is_alive()):
                return
            self._timer = threading.Timer(self._retry_every, self._retry_later)
            self._timer.name = "report-retry"
            self._timer.daemon = True
            self._timer.start()

    def _retry_later(self) -> None:
        with self._lock:
            self._timer = None
        if not self.retry():
            self._schedule_retry()


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
