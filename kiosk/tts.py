"""Speech out with pyttsx3 (espeak-ng on Linux), behind a watchdog.

One engine for the process, driven by one worker thread. `say` waits until the line is
spoken (so the microphone never hears the kiosk), but never longer than the watchdog
allows: a stuck or broken engine is logged and the kiosk carries on with captions.
"""

from __future__ import annotations

import atexit
import logging
import queue
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Speaker(Protocol):
    def say(self, text: str) -> None:
        """Speak one line and return when it has been spoken (or given up on)."""
        ...

    def set_voice(self, rate: float, volume: float) -> None:
        """Rate and volume relative to the defaults (1.0 each)."""
        ...

    def close(self) -> None: ...


class SilentSpeaker:
    """No sound at all: text mode, tests, and the fallback when speech fails."""

    def __init__(self) -> None:
        self.spoken: list[str] = []
        self.rate = self.volume = 1.0

    def say(self, text: str) -> None:
        self.spoken.append(text)

    def set_voice(self, rate: float, volume: float) -> None:
        self.rate, self.volume = rate, volume

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


class Pyttsx3Speaker:
    """pyttsx3 on a worker thread; a watchdog bounds every line.

    A line that overruns its time is logged and the kiosk goes on with captions; the
    engine is tried again once it has caught up, so one slow line never silences the
    kiosk for the rest of the day. An engine that fails outright stays off.
    """

    def __init__(self, settings: VoiceSettings) -> None:
        self.settings = settings
        self._lines: queue.Queue[tuple[str, float, float] | None] = queue.Queue()
        self._spoken: queue.Queue[bool] = queue.Queue()
        self._rate = self._volume = 1.0
        self._outstanding = 0
        self._broken = False
        self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
        self._thread.start()

    def say(self, text: str) -> None:
        self._collect_late_lines()
        if self._broken or self._outstanding:
            return  # captions only until the engine has finished what it was given
        self._lines.put((text, self._rate, self._volume))
        self._outstanding += 1
        limit = (
            self.settings.watchdog_base
            + len(text) * self.settings.seconds_per_character / self._rate
        )
        try:
            ok = self._spoken.get(timeout=limit)
        except queue.Empty:
            log.error("speech took longer than %.0f s; captions only until it catches up", limit)
            return
        self._outstanding -= 1
        self._broken = self._broken or not ok

    def set_voice(self, rate: float, volume: float) -> None:
        self._rate, self._volume = rate, volume

    def close(self) -> None:
        self._lines.put(None)

    def _collect_late_lines(self) -> None:
        while self._outstanding:
            try:
                ok = self._spoken.get_nowait()
            except queue.Empty:
                return
            self._outstanding -= 1
            self._broken = self._broken or not ok

    def _work(self) -> None:
        try:
            engine = self._engine()
        except Exception:
            log.exception("speech engine could not start; captions only")
            self._broken = True
            self._spoken.put(False)  # answers a line already waiting, so it is not timed out
            return
        while (item := self._lines.get()) is not None:
            text, rate, volume = item
            try:
                engine.setProperty("rate", int(self.settings.words_per_minute * rate))
                engine.setProperty("volume", min(1.0, self.settings.volume * volume))
                engine.say(text)
                engine.runAndWait()
                self._spoken.put(True)
            except Exception:
                log.exception("speech engine failed; captions only")
                self._spoken.put(False)
                return

    def _engine(self) -> Any:
        import pyttsx3

        keep_speech_scratch_in_memory()
        engine = pyttsx3.init()
        if self.settings.voice:
            engine.setProperty("voice", self.settings.voice)
        return engine


def keep_speech_scratch_in_memory(memory: Path = Path("/dev/shm")) -> Path | None:
    """pyttsx3's espeak driver writes every line it speaks (results and their reasons
    among them) to a temporary WAV file before playing it. Put those files in a folder
    in memory that only this process can read, and remove it at exit: nothing the kiosk
    says about a person reaches a disk. None (logged) when there is no memory folder."""
    if tempfile.tempdir is not None and tempfile.tempdir.startswith(str(memory)):
        return Path(tempfile.tempdir)
    if not memory.is_dir():
        log.warning("no %s: the speech engine's temporary sound files go to disk", memory)
        return None
    folder = tempfile.mkdtemp(prefix="kiosk-speech-", dir=memory)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    tempfile.tempdir = folder
    return Path(folder)
