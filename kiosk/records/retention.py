"""Deleting clinician summaries once the retention period is over.

Summaries hold health information, so they are kept only as long as the clinic
configures. Only files the kiosk itself wrote are ever deleted: the summaries
(`report.ReportWriter` names them <UTC time>-<6 hex>.json/.txt/.fhir) and the temporary
files an interrupted write left behind (a dot, that name, a random suffix). Anything
else in the folder is never touched, however old.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from kiosk.records.report import Summary

log = logging.getLogger(__name__)

DAY = 86400.0
SUMMARY_NAME = re.compile(
    r"\.?\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:[+-]\d{2}-\d{2}|Z)?-[0-9a-f]{6}"
    r"\.(?:json|txt|fhir)(?:\.[A-Za-z0-9_]{6,12})?"
)


def is_summary_file(name: str) -> bool:
    """True for a name the kiosk's report writer gives (or its temporary file)."""
    return SUMMARY_NAME.fullmatch(name) is not None


def prune(folder: Path, days: int | None, now: float | None = None) -> int:
    """Delete the kiosk's summaries last changed more than `days` ago; how many went."""
    if days is None or not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - days * DAY
    try:
        with os.scandir(folder) as entries:  # scandir: no extra stat for other files
            old = [Path(e.path) for e in entries if is_summary_file(e.name) and _older(e, cutoff)]
    except OSError as exc:
        log.error("retention: cannot list the report folder (%s)", exc.strerror)
        return 0
    deleted = 0
    for path in old:
        try:
            path.unlink()
            deleted += 1
        except OSError as exc:
            log.error("retention: cannot delete an old summary (%s)", exc.strerror)
    if deleted:
        log.info("retention: deleted %s summary files older than %s days", deleted, days)
    return deleted


def _older(entry: os.DirEntry[str], cutoff: float) -> bool:
    """A regular file (never a link or a folder) last changed before `cutoff`."""
    try:
        return (
            entry.is_file(follow_symlinks=False)
            and entry.stat(follow_symlinks=False).st_mtime < cutoff
        )
    except OSError:
        return False


def pruning(
    save: Callable[[Summary], bool], folder: Path, days: int | None
) -> Callable[[Summary], bool]:
    """`save`, followed by pruning the folder whenever a summary was saved."""

    def save_then_prune(summary: Summary) -> bool:
        saved = save(summary)
        if saved:
            prune(folder, days)
        return saved

    return save_then_prune
