"""How the kiosk speaks: one frozen description for the speaker, built once from the config.

The config file keeps its sections as they are (`voice:` who speaks, how fast and how
loud; `audio:` where it is heard); `Settings.speech` gathers what speaking needs from both
and the app passes it down to `kiosk.speaking`. What a person changes ("slower",
"louder") is a level relative to these, reset for each person (`kiosk.dialog.voice_levels`).
"""

from __future__ import annotations

from dataclasses import dataclass

Device = int | str | None
"""A sound device: its index, its name, or None for the system's default."""


@dataclass(frozen=True)
class SpeechSettings:
    voice: str | None = None
    """An espeak-ng voice name or id (for example "ko" or "en-gb"); None: the engine's default."""
    words_per_minute: int = 150
    """The rate each new person starts at; slower speech helps many listeners."""
    volume: float = 0.7
    """The volume (0-1) each new person starts at, below the maximum so "louder" can help."""
    output_device: Device = None
    """The room's loudspeaker (a sounddevice output, index or name); None: the default."""
    private_output: Device = None
    """Headphones for private listening; None: none configured."""
    private: bool = False
    """Start each person on the headphones (when they are there)."""
    earcons: bool = True
    """A short tone as the microphone opens and closes."""
    seconds_per_character: float = 0.2
    """Watchdog: a line may take this long per character, plus `watchdog_base`, to speak
    (Korean at 150 words a minute measured about 0.15 s a character)."""
    watchdog_base: float = 5.0
    """Watchdog: seconds allowed for any line on top of its length."""

    def watchdog(self, text: str, rate: float) -> float:
        """Seconds a line may take before the speaker is given up on."""
        return self.watchdog_base + len(text) * self.seconds_per_character / rate


def device(value: Device) -> Device:
    """A device index given as text ("3", from the command line or a quoted YAML value)
    is the index."""
    return int(value) if isinstance(value, str) and value.isdigit() else value
