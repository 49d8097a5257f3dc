"""Speech rate and volume for one session, changed by "slower", "louder" and so on.

Levels are relative to the kiosk's defaults (1.0) and go back to them for each new
person. Volume moves in steps of VOLUME_STEP_DB: from the quietest level to the loudest
is 20 dB in 4 steps, one of them above the default so "louder" can help (Section 508
402.3.2 and EN 301 549 5.1.3.12: incremental volume, reset for each user).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from kiosk.core.events import Voice
from kiosk.language.commands import VoiceStep

RATE_STEP = 0.15
RATE_RANGE = (0.55, 1.45)
VOLUME_STEP_DB = 5.0
VOLUME_RANGE_DB = (-15.0, 5.0)
"""Quietest and loudest volume relative to the default: 20 dB in 4 steps."""


@dataclass(frozen=True)
class VoiceLevels:
    rate: float = 1.0
    volume: float = 1.0

    def step(self, step: VoiceStep) -> VoiceLevels | None:
        """The levels after a voice command, or None when already at the limit."""
        if step.level == "volume":
            return self._step_volume(VOLUME_STEP_DB if step.up else -VOLUME_STEP_DB)
        value = round(self.rate + (RATE_STEP if step.up else -RATE_STEP), 2)
        if not RATE_RANGE[0] - 1e-9 <= value <= RATE_RANGE[1] + 1e-9:
            return None
        return replace(self, rate=value)

    @property
    def volume_db(self) -> float:
        """The volume relative to the default, in dB."""
        return round(20 * math.log10(self.volume), 1)

    def _step_volume(self, delta_db: float) -> VoiceLevels | None:
        level = self.volume_db + delta_db
        low, high = VOLUME_RANGE_DB
        if not low - 0.5 <= level <= high + 0.5:
            return None
        return replace(self, volume=10 ** (round(level / VOLUME_STEP_DB) * VOLUME_STEP_DB / 20))

    def as_event(self) -> Voice:
        return Voice(rate=self.rate, volume=self.volume)
