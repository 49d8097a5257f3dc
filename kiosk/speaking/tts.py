"""What the front ends need from a speaker, and a silent one for tests.

A line is started and then waited for, so that the front end can stop it the moment a
key, a touch or a voice interrupts (`kiosk.speaking.speaker` has the real one, which
plays from memory). `say` is the plain "speak and wait" for callers that never stop.
How it speaks (voice, rate, volume, outputs) is `kiosk.config.speech.SpeechSettings`.
"""

from __future__ import annotations

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
