"""Everything the kiosk holds about the person in front of it, in one record.

The dialog replaces the record whole when a session ends or the next person starts,
so wiping a session cannot forget a field that a later change adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.events import Say
from kiosk.dialog.patience import Patience
from kiosk.dialog.table import Pending, Prompt, State
from kiosk.dialog.voice_levels import VoiceLevels
from kiosk.triage.rules import Assessment


@dataclass
class SessionMemory:
    patience: Patience
    """How long the kiosk still waits for this person before it resets."""
    answers: dict[str, str] = field(default_factory=dict)
    prompt: Prompt | None = None
    """The question being asked now."""
    pending: Pending | None = None
    """A red-flag answer waiting for "Is that right?"."""
    result_lines: list[Say] = field(default_factory=list)
    """The results as said, for "repeat"."""
    assessment: Assessment | None = None
    voice: VoiceLevels = field(default_factory=VoiceLevels)
    """Rate and volume as this person asked for them."""
    handed_over: bool = False
    """The clinician summary of this session has been saved (or tried)."""
    readback: tuple[str, ...] = ()
    """The questions whose answers are being read back (numbered from 1 when choosing)."""
    readbacks: int = 0
    """How often the answers were read back in this session."""
    readback_unclear: int = 0
    readback_declined: int = 0
    """Times the read-back was called wrong with nothing named to change."""
    stopping_from: State | None = None
    """Where the person was when a spoken "stop" was heard, while checking it."""
    stop_unclear: int = 0
    changing: str | None = None
    """The question asked again after the person chose it at the read-back."""
    repeated: set[str] = field(default_factory=set)
    """Questions the person asked to hear again."""
    advised_closer_at: str | None = None
    """The question at which the person was last told the room is noisy (told once
    per question: someone who cannot move closer is not told again and again)."""
    how: dict[str, list[str]] = field(default_factory=dict)
    """question -> how its answer came (`dialog_readback.HOW`), for the clinician."""
