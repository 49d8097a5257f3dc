"""The clinician summary: built from an assessment, written atomically as text and JSON.

A summary must never be half-written or lost if the kiosk dies a moment later: each
file is written to a temporary name in the same folder, flushed to disk, then renamed.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.knowledge import Knowledge
from kiosk.prompts import Pack
from kiosk.rules import Answers, Assessment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryCause:
    id: str
    name: str
    probability: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SummaryAnswer:
    question: str
    asked: str
    answer: str


@dataclass(frozen=True)
class Summary:
    created: str
    language: str
    triage: str
    red_flags: tuple[str, ...]
    unsure_red_flags: tuple[str, ...]
    answers: tuple[SummaryAnswer, ...]
    causes: tuple[SummaryCause, ...]

    @classmethod
    def build(
        cls, knowledge: Knowledge, pack: Pack, assessment: Assessment, answers: Answers
    ) -> Summary:
        from kiosk.present import reason_texts, shown_causes

        return cls(
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            language=pack.language,
            triage=assessment.triage.label,
            red_flags=assessment.red_flags,
            unsure_red_flags=assessment.unsure_red_flags,
            answers=tuple(
                SummaryAnswer(q, pack.questions[q].ask, value) for q, value in answers.items()
            ),
            causes=tuple(
                SummaryCause(
                    c.id,
                    pack.causes[c.id],
                    round(c.probability, 4),
                    reason_texts(knowledge, pack, c),
                )
                for c in shown_causes(assessment)
            ),
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def as_text(self) -> str:
        lines = [
            "Leg weakness kiosk - summary for the clinician (not a diagnosis)",
            f"Created: {self.created}   Language: {self.language}",
            f"Triage: {self.triage.upper()}",
            f"Red flags: {', '.join(self.red_flags) or 'none'}",
        ]
        if self.unsure_red_flags:
            lines.append(
                f"Red flags the person could not answer: {', '.join(self.unsure_red_flags)}"
            )
        lines.append("")
        lines.append("Likely causes:")
        for rank, cause in enumerate(self.causes, start=1):
            lines.append(f"  {rank}. {cause.id} ({cause.probability:.0%}): {cause.name}")
            lines.extend(f"       - {reason}" for reason in cause.reasons)
        lines.append("")
        lines.append("Answers:")
        lines.extend(f"  {a.question}: {a.answer}    ({a.asked})" for a in self.answers)
        return "\n".join(lines) + "\n"


class ReportWriter:
    """Writes each summary as <stamp>-<id>.txt and .json into one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, summary: Summary) -> bool:
        """True when both files are safely on disk; failures are logged, never raised."""
        stem = f"{summary.created.replace(':', '-')}-{secrets.token_hex(3)}"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            payload = json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n"
            write_atomically(self.folder / f"{stem}.json", payload)
            write_atomically(self.folder / f"{stem}.txt", summary.as_text())
        except OSError as exc:
            log.error("could not write the clinician summary to %s: %s", self.folder, exc.strerror)
            return False
        log.info("clinician summary written as %s", stem)
        return True


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
