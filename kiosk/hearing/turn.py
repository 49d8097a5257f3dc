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
import bisect
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from kiosk.core.events import Heard, Unclear, Utterance
from kiosk.core.meaning import Command
from kiosk.hearing.audio import CHUNK_SECONDS
from kiosk.hearing.grammar import UNKNOWN_SYMBOLS, SoFar
from kiosk.hearing.voice_activity import VoiceActivity
from kiosk.language.commands import SPECS


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
    above_room_db: float = 8.0
    """A voice counts as the person's only when it starts this many dB above the room:
    the level of the quieter part (`ROOM_PERCENTILE`) of the turn's chunks that were not
    the person's voice: the lead-in, the pauses, the tail. People talking behind the
    person are quieter than the person at the kiosk, so they neither start nor hold a
    turn, nor widen the part of it the judge hears. In a quiet room the room is the
    microphone's own noise, and every voice counts."""
    keeps_above_room_db: float = 3.0
    """Once the person's voice has started, it goes on while it stays this far above the
    room: the quiet ends of their own words still count."""
    talking_hold: float = 3.0
    """Seconds a voice still talking may hold the turn open after the words' own pause
    has passed: long enough for a sentence said instead of an answer to end (so it is
    judged whole, not cut off mid-way), short enough that chatter behind the person
    cannot keep the kiosk waiting."""


DEFAULT_ENDPOINTING = Endpointing()
NOISY_BELOW_DB = 30.0
"""A voice less far above the room than this was heard in noise. Clean speech stands
40 dB and more above the room; with other people talking 15 dB below the person (the
benchmark's babble), 15 to 26 dB, and 21 dB below (the person came closer), 22 to 31
dB. At 25 dB the kiosk trusted most of what it heard in that last room and took 2 of 90
tuning answers as another, unchecked (docs/decisions/0001-natural-speech.md, stop 33)."""
DOUBTFUL_CONFIDENCE = 0.3
"""The confidence of an answer heard in noise: below the dialog's CONFIRM_ANY_BELOW, so
"I heard no. Is that right?" comes before it counts, whatever the question."""
ROOM_PERCENTILE = 0.5
"""Which quantile of the levels of the chunks that were not the person's voice is the
room: the median, which babble's brief moments of silence do not pull down."""


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


class Turn:
    """End-of-speech bookkeeping for one turn, in audio seconds."""

    def __init__(self, endpointing: Endpointing, voice: VoiceActivity | None = None) -> None:
        self.endpointing = endpointing
        self.voice = voice
        """Hears whether someone is talking (None: the words alone decide)."""
        self.elapsed = 0.0
        self.last_voice = 0.0
        """Audio seconds at the end of the last chunk that held a near voice (judged
        against the room as heard so far)."""
        self._voiced: list[tuple[float, float]] = []
        """(audio seconds at the start, level in dB) of every chunk with a voice in it."""
        self._room_levels: list[float] = []
        """The level in dB of every chunk so far that was not the person's voice."""
        self._near_before = False
        """The chunk before held the person's voice (it goes on at a lower margin)."""
        self.partial = ""
        self.last_change = 0.0
        self.finished: dict[str, Any] | None = None
        self._progress: tuple[str, SoFar] = ("", SoFar.INCOMPLETE)
        """The last words judged and how far they go: the partial rarely changes, while
        `done` is asked every chunk, and judging reads every phrase of the prompt."""

    def hear(self, chunk: bytes) -> None:
        """Count one chunk of the turn's audio, noting whether a near voice is in it."""
        self.elapsed += CHUNK_SECONDS
        if self.voice is None:
            return
        level = level_db(chunk)
        voiced = self.voice.voiced(chunk)
        rule, room = self.endpointing, self.room_db
        margin = rule.keeps_above_room_db if self._near_before else rule.above_room_db
        near = voiced and room is not None and level >= room + margin
        self._near_before = near
        if voiced:
            self._voiced.append((self.elapsed - CHUNK_SECONDS, level))
        if near:
            self.last_voice = self.elapsed
        else:
            bisect.insort(self._room_levels, level)

    @property
    def room_db(self) -> float | None:
        """The room's level: the median of the chunks that were not the person's voice
        (None: nothing heard yet)."""
        levels = self._room_levels
        return levels[int(len(levels) * ROOM_PERCENTILE)] if levels else None

    def _near_chunks(self) -> Iterator[tuple[float, float]]:
        """(start, level) of the voiced chunks that stand out from the room as now known."""
        room = self.room_db
        if room is None:
            return
        floor = room + self.endpointing.above_room_db
        yield from ((start, level) for start, level in self._voiced if level >= floor)

    @property
    def first_voice(self) -> float | None:
        """Audio seconds at the start of the first chunk of the person's voice, judged
        against the room as it is known now: a person who speaks at once (a turn after
        a barge-in starts with the voice) is first taken for the room, then found once
        the room has been heard (None: no near voice)."""
        return next((start for start, _ in self._near_chunks()), None)

    @property
    def voice_span(self) -> tuple[float, float] | None:
        """Audio seconds from the start of the first chunk of the person's voice to the
        end of the last, judged against the room as known now (None: no near voice).
        The end is `last_voice`, judged as the turn went, unless that judgement missed
        the voice altogether: a person who speaks the moment the turn opens is at first
        taken for the room, and found only once the room has been heard; then the end
        is that of the last chunk that stands out now."""
        near = [start for start, _ in self._near_chunks()]
        if not near:
            return None
        first = near[0]
        return first, self.last_voice if self.last_voice > first else near[-1] + CHUNK_SECONDS

    @property
    def noisy(self) -> bool:
        """The person's voice stood less than NOISY_BELOW_DB above the room: what was
        heard may be partly other people's words or noise."""
        room = self.room_db
        loudest = max((level for _, level in self._near_chunks()), default=None)
        return room is not None and loudest is not None and loudest - room < NOISY_BELOW_DB

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
        if not self.partial or (self.voice is not None and self.first_voice is None):
            # No words yet, or words fitted to the room (people behind the person, noise)
            # while no near voice has spoken: nobody has answered yet.
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


def trusted_in_the_room(heard: Heard, turn: Turn) -> Heard:
    """What one hearing in a noisy room is worth (`doubted`). In babble the grammar
    decoders take a wrong answer almost as often as a right one
    (docs/decisions/0001-natural-speech.md)."""
    if not isinstance(heard, Utterance) or not turn.noisy:
        return heard
    return doubted(heard)


def doubted(heard: Utterance) -> Heard:
    """A hearing not to be trusted on its own (in noise, or read with little agreement):
    an answer (a "don't know" too) counts only once confirmed; a command that only says
    something is done; any other command, which the dialog would do unchecked, is asked
    again. In noise the grammar decoders turned answers into commands ("both legs" into
    *headphones*, which would send the voice away from the person)
    (docs/decisions/0001-natural-speech.md, stop 34)."""
    meaning = heard.meaning
    if isinstance(meaning, Command):
        return heard if SPECS[meaning.name].only_says else Unclear()
    return replace(heard, confidence=min(heard.confidence, DOUBTFUL_CONFIDENCE))


def level_db(chunk: bytes) -> float:
    """The chunk's power in dB (int16 full scale is about 90 dB)."""
    samples = array.array("h", chunk)
    power = sum(s * s for s in samples) / max(1, len(samples))
    return 10 * math.log10(power + 1.0)
