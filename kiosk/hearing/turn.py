"""One listening turn, engine-neutral: when speech has ended, and what was decided.

End of speech: once the words heard so far make a complete answer that more words
would not change, a short pause ends the turn; while they do not (a slow "I ... don't
... know", or "one ..." that may go on "... side of my body"), the kiosk waits much
longer. All three pauses are settings. A voice-activity detector keeps the turn open
while the person is still talking though the words have stopped changing (a sentence
the grammar cannot follow), for a bounded time; and after a settled answer it ends the
turn on the sound itself, which stops before the recognizer's words do (Vosk's lag a
quarter of a second and more). Time is counted in audio samples, so recorded audio
gives the same decisions every run.
"""

from __future__ import annotations

import array
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.core.events import Heard
from kiosk.hearing.audio import CHUNK_SECONDS, AudioSource
from kiosk.hearing.grammar import UNKNOWN_SYMBOLS, Expectation, SoFar
from kiosk.hearing.voice_activity import VoiceActivity


@dataclass(frozen=True)
class Endpointing:
    complete_pause: float = 0.4
    """Seconds of quiet that end a turn once a complete, settled answer has been heard."""
    unsettled_pause: float = 1.0
    """Seconds of quiet after an answer that more words would change ("one" before
    "... side of my body", "no" before "... idea"): longer, but not as long as mid-answer."""
    incomplete_pause: float = 1.6
    """Seconds of quiet tolerated mid-answer (slow or effortful speech)."""
    no_speech: float = 12.0
    """Seconds without any speech before the turn ends as silence."""
    longest_turn: float = 25.0
    """A turn never runs longer than this."""
    voice_gap: float = 0.2
    """Seconds without a voice (past the detector's own short hangover) that count as
    the person having stopped talking."""
    settled_words_quiet: float = 0.1
    """Once the detector has heard the voice stop after a complete, settled answer, the
    words need only have stayed the same this long: the pause is then measured on the
    sound itself rather than on the recognizer's words, which lag it."""
    near_voice_db: float = 0.0
    """When above 0: a voice counts as the person's only within this many dB of the
    loudest voice of the turn, so people talking behind them neither hold the turn open
    nor widen the part the judge hears. Off by default: at 10 dB the quieter ends of a
    person's own sentence fell below it and turns ended while they were still talking
    (docs/decisions/0001-natural-speech.md)."""
    talking_hold: float = 3.0
    """Seconds a voice still talking may hold the turn open after the words' own pause
    has passed: long enough for a sentence said instead of an answer to end (so it is
    judged whole, not cut off mid-way), short enough that chatter behind the person
    cannot keep the kiosk waiting."""


DEFAULT_ENDPOINTING = Endpointing()


@dataclass(frozen=True)
class Decision:
    """One turn's outcome, with what a benchmark wants to know about it."""

    heard: Heard
    grammar_text: str
    free_text: str | None
    speech_end: float
    """Audio seconds at which the heard words stopped changing."""
    decided_at: float
    """Audio seconds at which the turn was decided."""


class DecidingListener:
    """`listen` for a listener whose `decide` also reports what a benchmark wants."""

    def decide(
        self, source: AudioSource, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Decision | None:
        raise NotImplementedError

    def listen(
        self, source: AudioSource, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        """What was heard; None when `interrupted` said another input answered first."""
        decision = self.decide(source, expecting, interrupted)
        return None if decision is None else decision.heard


class Turn:
    """End-of-speech bookkeeping for one turn, in audio seconds."""

    def __init__(self, endpointing: Endpointing, voice: VoiceActivity | None = None) -> None:
        self.endpointing = endpointing
        self.voice = voice
        """Hears whether someone is talking (None: the words alone decide)."""
        self.elapsed = 0.0
        self.last_voice = 0.0
        """Audio seconds at the end of the last chunk that held a near voice (as loud as
        the loudest so far, within Endpointing.near_voice_db)."""
        self._voiced: list[tuple[float, float]] = []
        """(audio seconds at the chunk's start, its level in dB) of every voiced chunk."""
        self._loudest = -math.inf
        self.partial = ""
        self.last_change = 0.0
        self.finished: dict[str, Any] | None = None
        self._progress: tuple[str, SoFar] = ("", SoFar.INCOMPLETE)
        """The last words judged and how far they go: the partial rarely changes, while
        `done` is asked every chunk, and judging reads every phrase of the prompt."""

    def hear(self, chunk: bytes) -> None:
        """Count one chunk of the turn's audio, noting whether a near voice is in it."""
        self.elapsed += CHUNK_SECONDS
        if self.voice is None or not self.voice.voiced(chunk):
            return
        level = level_db(chunk)
        self._voiced.append((self.elapsed - CHUNK_SECONDS, level))
        self._loudest = max(self._loudest, level)
        if self._near(level):
            self.last_voice = self.elapsed

    @property
    def first_voice(self) -> float | None:
        """Audio seconds at the start of the first chunk with a near voice, judged by the
        loudest voice of the whole turn (None: no voice)."""
        return next((start for start, level in self._voiced if self._near(level)), None)

    def _near(self, level: float) -> bool:
        margin = self.endpointing.near_voice_db
        return margin <= 0 or level >= self._loudest - margin

    def update(self, partial: str) -> None:
        if partial != self.partial:
            self.partial = partial
            self.last_change = self.elapsed

    def done(self, so_far: Callable[[str], SoFar]) -> bool:
        rule = self.endpointing
        if self.finished is not None and self.finished.get("text"):
            return True
        if self.elapsed >= rule.longest_turn:
            return True
        if not self.partial:
            return self.elapsed + 1e-6 >= rule.no_speech
        quiet = self.elapsed - self.last_change + 1e-6  # audio time adds up in 0.1 s steps
        words = " ".join(w for w in self.partial.split() if w not in UNKNOWN_SYMBOLS)
        if words != self._progress[0]:
            self._progress = (words, so_far(words))
        progress = self._progress[1]
        pauses = {
            SoFar.SETTLED: rule.complete_pause,
            SoFar.MAY_CHANGE: rule.unsettled_pause,
            SoFar.INCOMPLETE: rule.incomplete_pause,
        }
        voice_quiet = self.elapsed - self.last_voice + 1e-6
        talking = voice_quiet < rule.voice_gap
        if progress is SoFar.SETTLED and self.last_voice > 0 and not talking:
            return quiet >= rule.settled_words_quiet  # the voice itself has stopped
        pause = pauses[progress]
        if quiet < pause:
            return False
        return not talking or quiet >= pause + rule.talking_hold


def level_db(chunk: bytes) -> float:
    """The chunk's power in dB (int16 full scale is about 90 dB)."""
    samples = array.array("h", chunk)
    power = sum(s * s for s in samples) / max(1, len(samples))
    return 10 * math.log10(power + 1.0)
