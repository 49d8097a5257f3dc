"""What the front ends need from a speaker, its settings, and a silent one for tests.

A line is started and then waited for, so that the front end can stop it the moment a
key, a touch or a voice interrupts (`kiosk.speaking.speaker` has the real one, which
plays from memory). `say` is the plain "speak and wait" for callers that never stop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.speaking.earcons import Earcon


class Speaker(Protocol):
    def start(self, text: str) -> None:
        """Begin speaking one line; returns at once."""
        ...

    def wait(self, timeout: float) -> bool:
        """True once the line (and any earcon) has been heard in full or stopped."""
        ...

    def stop(self) -> None:
        """Silence whatever is playing now."""
        ...

    def say(self, text: str) -> None:
        """Speak one line and return when it has been spoken (or given up on)."""
        ...

    def earcon(self, which: Earcon) -> None:
        """Play a short tone (the microphone opens or closes), if earcons are on."""
        ...

    def set_voice(self, rate: float, volume: float) -> None:
        """Rate and volume relative to the defaults (1.0 each)."""
        ...

    def set_private(self, private: bool) -> bool:
        """Speak through the headphones (True) or the room's loudspeaker; False when
        there are no headphones to switch to."""
        ...

    def close(self) -> None: ...


class SilentSpeaker:
    """No sound at all: text mode, tests, and the fallback when speech fails."""

    def __init__(self, headphones: bool = False) -> None:
        self.spoken: list[str] = []
        self.earcons: list[str] = []
        self.rate = self.volume = 1.0
        self.headphones = headphones
        self.private = False
        self.stopped = 0

    def start(self, text: str) -> None:
        self.spoken.append(text)

    def wait(self, timeout: float) -> bool:
        return True

    def stop(self) -> None:
        self.stopped += 1

    def say(self, text: str) -> None:
        self.start(text)

    def earcon(self, which: Earcon) -> None:
        self.earcons.append(which)

    def set_voice(self, rate: float, volume: float) -> None:
        self.rate, self.volume = rate, volume

    def set_private(self, private: bool) -> bool:
        if private and not self.headphones:
            return False
        self.private = private
        return True

    def close(self) -> None:
        self.spoken.clear()


@dataclass(frozen=True)
class VoiceSettings:
    voice: str | None = None
    """An espeak-ng voice name or id (for example "ko" or "en-gb"); None: the engine's default."""
    words_per_minute: int = 150
    """The default rate; slower speech helps many listeners."""
    volume: float = 0.7
    """The default volume (0-1), kept below the maximum so "louder" can help."""
    seconds_per_character: float = 0.2
    """Watchdog: a line may take this long per character, plus `watchdog_base`, to speak
    (Korean at 150 words a minute measured about 0.15 s a character)."""
    watchdog_base: float = 5.0
    """Watchdog: seconds allowed for any line on top of its length."""
    output_device: int | str | None = None
    """The room's loudspeaker (a sounddevice output, index or name); None: the default."""
    private_output: int | str | None = None
    """Headphones for private listening; None: none configured."""
    private: bool = False
    """Start each person on the headphones (when they are there)."""
    earcons: bool = True
    """A short tone as the microphone opens and closes."""

    def watchdog(self, text: str, rate: float) -> float:
        """Seconds a line may take before the speaker is given up on."""
        return self.watchdog_base + len(text) * self.seconds_per_character / rate
