"""The one loop that hears a turn, whichever engine listens.

Both engines hear a turn the same way: each chunk is counted by `Turn` (levels, the
person's near voice, end of speech), given to the engine's streaming pass, and the
pass's running words tell the turn how far the answer has got. Only three things
differ, and each engine fills them in: how its pass hears a chunk and reports its words
(`StreamingPass`), whether chunks are held back until the person's voice begins
(`held_before_voice`), and how the finished turn is decided (`conclude`).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, Protocol

from kiosk.core.events import Heard, Silence, Unclear, Utterance
from kiosk.core.meaning import Meaning, NotUnderstood
from kiosk.hearing.audio import AudioSource
from kiosk.hearing.grammar import UNKNOWN_SYMBOLS, Expectation, SoFar
from kiosk.hearing.turn import (
    DEFAULT_ENDPOINTING,
    DOUBTFUL_CONFIDENCE,
    Decision,
    Endpointing,
    Turn,
    trusted_in_the_room,
)
from kiosk.hearing.voice_activity import voice_activity
from kiosk.language.pack import Pack
from kiosk.language.parse import spoken_meaning
from kiosk.language.vocabulary import (
    answers_nothing_here,
    near_opposite_words,
    normalise,
    rests_on_near_opposites,
    vocabulary,
)

log = logging.getLogger(__name__)

HELD_CHUNKS = 30
"""Chunks (3 s) held before a near voice is found: a voice at the very start of a turn
(after a barge-in) is told from the room only once the room has been heard."""


class StreamingPass(Protocol):
    """One engine's pass over a turn as it is heard, chunk by chunk."""

    def feed(self, chunk: bytes) -> None: ...

    def partial(self) -> str:
        """The words so far (the engine's running best guess)."""
        ...

    def ended(self) -> dict[str, Any] | None:
        """A result the engine's own end-of-speech rule closed (None: none, or the
        engine has no such rule)."""
        ...

    def close(self) -> None:
        """The turn is over (also when it was interrupted)."""
        ...


class DecidingListener:
    """Hears one turn with the shared loop and decides it; engines fill in the parts.

    `listen` gives what was heard; `decide` also reports when speech ended and when the
    turn was decided (for benchmarks)."""

    held_before_voice: float | None = None
    """Seconds of the room before the person's first near voice that the pass hears
    with it; the pass hears nothing earlier. None: it hears the whole turn."""

    def __init__(
        self,
        pack: Pack,
        so_far: Callable[[str, Expectation], SoFar],
        endpointing: Endpointing = DEFAULT_ENDPOINTING,
    ) -> None:
        self.pack = pack
        self.so_far = so_far
        """How far words make an answer at a prompt (drives end of speech)."""
        self.endpointing = endpointing
        self._swappable = near_opposite_words(pack)
        """Phrases one sound from the opposite answer (worked out once, not per turn)."""

    def sentence_meaning(self, text: str, expecting: Expectation) -> Meaning | None:
        """What the words mean as one whole spoken sentence (None: they are not one)."""
        meant = spoken_meaning(self.pack, text, expecting)
        return None if isinstance(meant, NotUnderstood) else meant

    def start(self, expecting: Expectation) -> StreamingPass:
        """A streaming pass for one turn at this prompt."""
        raise NotImplementedError

    def chunks(self, source: AudioSource) -> Iterator[bytes]:
        """The turn's audio as this engine wants it."""
        return source.open_turn()

    def conclude(
        self, stream: StreamingPass, turn: Turn, expecting: Expectation
    ) -> tuple[Heard, str, str | None]:
        """The engine's reading of the finished turn, the grammar's words, and a free
        decoder's words (if any). Whether anyone spoke at all, and what a reading in a
        noisy room is worth, `decide` settles the same way for every engine."""
        raise NotImplementedError

    def decide(
        self,
        source: AudioSource,
        expecting: Expectation,
        interrupted: Callable[[], bool] = lambda: False,
    ) -> Decision | None:
        """The turn's outcome; None when `interrupted` said another input answered first."""
        turn = Turn(self.endpointing, voice_activity())
        stream = self.start(expecting)
        try:
            if not self._hear(source, stream, turn, expecting, interrupted):
                return None
        finally:
            stream.close()
        heard, grammar_text, free_text = self.conclude(stream, turn, expecting)
        words = " ".join(w for w in grammar_text.split() if w not in UNKNOWN_SYMBOLS)
        if nobody_spoke(turn, words):
            heard = Silence()
        else:
            heard = self._doubted_if_swappable(trusted_in_the_room(heard, turn), expecting)
            heard = self._unless_it_answers_nothing(heard, expecting)
            if isinstance(heard, Unclear) and turn.noisy:
                heard = Unclear(noisy=True)
        return Decision(heard, grammar_text, free_text, turn.last_change, turn.elapsed)

    def _unless_it_answers_nothing(self, heard: Heard, expecting: Expectation) -> Heard:
        """A yes or no at a choice question that gives it no meaning ("yes" to "how did
        it start?") is in the grammar only so that it is not forced onto a choice."""
        meaning = heard.meaning if isinstance(heard, Utterance) else None
        if meaning is not None and answers_nothing_here(self.pack, expecting.question, meaning):
            log.info("a yes or no that answers nothing at this question: asking again")
            return Unclear()
        return heard

    def _doubted_if_swappable(self, heard: Heard, expecting: Expectation) -> Heard:
        """A yes or no heard only in phrases one short sound from the opposite answer
        ("있어요" / "없어요") counts once confirmed: a recognizer swaps such pairs. At the
        confirmation itself ("그래요" / "안 그래요") nothing would confirm it, so the
        person is asked again, for a plain yes or no."""
        if not isinstance(heard, Utterance):
            return heard
        words = normalise(heard.text)
        terms = vocabulary(self.pack, expecting)
        if not rests_on_near_opposites(self.pack, words, terms, self._swappable):
            return heard
        if expecting.checking:
            log.info("a check answered only with a phrase near its opposite: asking again")
            return Unclear()
        return replace(heard, confidence=min(heard.confidence, DOUBTFUL_CONFIDENCE))

    def listen(
        self, source: AudioSource, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        """What was heard; None when `interrupted` said another input answered first."""
        decision = self.decide(source, expecting, interrupted)
        return None if decision is None else decision.heard

    def _hear(
        self,
        source: AudioSource,
        stream: StreamingPass,
        turn: Turn,
        expecting: Expectation,
        interrupted: Callable[[], bool],
    ) -> bool:
        """Feed the turn to the pass until it ends; False if it was interrupted."""

        def so_far(text: str) -> SoFar:
            return self.so_far(text, expecting)

        held: deque[tuple[float, bytes]] = deque(maxlen=HELD_CHUNKS)
        for chunk in self.chunks(source):
            if interrupted():
                return False
            turn.hear(chunk)
            if self.held_before_voice is not None:
                first_voice = turn.first_voice
                if turn.voice is not None and first_voice is None:
                    held.append((turn.elapsed, chunk))  # the room only, so far
                    if turn.done(so_far):
                        break
                    continue
                start = (first_voice or 0.0) - self.held_before_voice
                for ends, part in held:
                    if ends > start + 1e-6:
                        stream.feed(part)
                held.clear()
            stream.feed(chunk)
            ended = stream.ended()
            if ended:
                turn.finished = ended
            else:
                turn.update(stream.partial())
            if turn.done(so_far):
                break
        return True


def nobody_spoke(turn: Turn, words: str) -> bool:
    """The turn was silence: no words at all, or words fitted to the room while nobody
    near the kiosk spoke."""
    if not turn.partial and not words:
        return True
    return turn.voice is not None and turn.first_voice is None
