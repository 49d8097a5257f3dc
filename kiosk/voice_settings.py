"""Speech rate and volume for one session, changed by "slower", "louder" and so on.

Levels are relative to the kiosk's defaults (1.0) and go back to them for each new
person. The default volume is kept below the loudest level so "louder" can help
(EN 301 549 5.1.3.12: adjustable volume, reset for each user).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kiosk.events import Voice

RATE_STEP = 0.15
RATE_RANGE = (0.55, 1.45)
VOLUME_STEP = 0.25
VOLUME_RANGE = (0.5, 1.5)


@dataclass(frozen=True)
class VoiceLevels:
    rate: float = 1.0
    volume: float = 1.0

    def step(self, command: str) -> VoiceLevels | None:
        """The levels after a voice command, or None when already at the limit."""
        steps = {
            "slower": ("rate", -RATE_STEP, RATE_RANGE),
            "faster": ("rate", RATE_STEP, RATE_RANGE),
            "quieter": ("volume", -VOLUME_STEP, VOLUME_RANGE),
            "louder": ("volume", VOLUME_STEP, VOLUME_RANGE),
        }
        field, delta, (low, high) = steps[command]
        value = round(getattr(self, field) + delta, 2)
        if not low - 1e-9 <= value <= high + 1e-9:
            return None
        return replace(self, **{field: value})

    def as_event(self) -> Voice:
        return Voice(rate=self.rate, volume=self.volume)
