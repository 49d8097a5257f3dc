"""Settings, built once at the entry point and passed down; nothing else reads os.environ."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.knowledge import DEFAULT_KNOWLEDGE
from kiosk.prompts import DEFAULT_PROMPTS_DIR


@dataclass(frozen=True)
class Settings:
    language: str = "en"
    """Which prompts/<language>.yaml pack the kiosk speaks and understands."""
    prompts_dir: Path = DEFAULT_PROMPTS_DIR
    """Folder holding the language packs."""
    knowledge_file: Path = DEFAULT_KNOWLEDGE
    """The causes, questions, weights and red-flag rules."""
    report_dir: Path = Path("reports")
    """Where clinician summaries (text and JSON) are written."""
    emergency_number: str | None = None
    """Overrides the pack's emergency number (for a clinic in another country)."""
    confirm_below: float = 0.9
    """Answers to red-flag questions heard with less confidence than this are confirmed."""
