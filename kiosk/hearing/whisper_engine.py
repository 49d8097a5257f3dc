"""English speech in with Whisper: it writes down what was said, and the kiosk reads it.

PocketSphinx still hears the turn (its running words drive the end of speech exactly as
in kiosk/hearing/sphinx_engine.py, and its judge decides silence); Whisper tiny.en then
writes down the part of the turn the judge would hear, and the kiosk's own
whole-sentence rule reads that text (`DecidingListener.sentence_meaning`). Free text is
why it holds up among other voices: a grammar decoder forces babble onto the nearest
answer, Whisper writes what it heard, and anything that is not one spoken answer of the
prompt is asked again rather than forced onto one.

What was measured, on what, and why each threshold: docs/decisions/0001-natural-speech.md
(stop 39).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

from kiosk.core.events import Heard, Unclear, Utterance
from kiosk.hearing.grammar import Expectation, SoFar
from kiosk.hearing.sphinx_engine import SphinxListener, heard_part
from kiosk.hearing.turn import DEFAULT_ENDPOINTING, Endpointing, Turn, doubted
from kiosk.hearing.turn_loop import StreamingPass, nobody_spoke
from kiosk.hearing.whisper_reader import Transcript, WhisperReader
from kiosk.language.pack import Pack
from kiosk.language.vocabulary import normalise, without_fillers

log = logging.getLogger(__name__)

SURE_LOG_PROBABILITY = -0.6
"""A transcript whose tokens average a lower log-probability is not trusted on its own
(`turn.doubted`: an answer is checked with the person, a command asked again). On the
tuning half every transcript taken as another answer averaged -0.76 or less (4 of 472,
all in babble), while 7 of 102 right answers in a quiet room fell under -0.6."""
NO_SPEECH = 0.6
"""Whisper's own belief that the audio held no speech, above which, with an unsure
transcript, it wrote words into the room's noise ("Thank you.")."""

RESEMBLES = 0.7
"""How alike (difflib's ratio over the letters) Whisper's words and the grammar's
sentence must be for the grammar's reading to count as it is. Every time the grammar
rightly decided on the tuning half where Whisper, sure of its words, wrote no answer,
they were at least 0.79 alike ("Yes, not right." / "yes thats right"; "Both eggs." /
"both legs" 0.89); "I never checked." / "never i didnt" (a no) is 0.50."""


class WhisperListener(SphinxListener):
    """Hears one answer at a time: PocketSphinx finds the turn, Whisper reads it."""

    def __init__(
        self,
        decoder: Any,
        judge: Any,
        reader: WhisperReader,
        pack: Pack,
        so_far: Callable[[str, Expectation], SoFar],
        endpointing: Endpointing = DEFAULT_ENDPOINTING,
    ) -> None:
        super().__init__(decoder, judge, pack, so_far, endpointing)
        self.reader = reader

    def conclude(
        self, stream: StreamingPass, turn: Turn, expecting: Expectation
    ) -> tuple[Heard, str, str | None]:
        part = heard_part(turn, getattr(stream, "audio", b""))
        judged = self.judge_turn(part, expecting)
        if nobody_spoke(turn, judged.text):
            return Unclear(), judged.text, None  # silence: Whisper's time is not spent
        transcript = self.reader.read(part)
        written = self.read(transcript, expecting)
        fitted = Unclear() if turn.noisy else self._answer(judged, expecting)
        fitted = self.grammar_reading(fitted, transcript, judged.text)
        return settle(written, fitted), judged.text, transcript.text

    def read(self, transcript: Transcript, expecting: Expectation) -> Heard:
        """The answer in Whisper's text, under the kiosk's whole-sentence rule."""
        text = " ".join(normalise(transcript.text))
        unsure = transcript.mean_log_probability < SURE_LOG_PROBABILITY
        if not text or (unsure and transcript.no_speech_probability > NO_SPEECH):
            return Unclear()
        meaning = self.sentence_meaning(text, expecting)
        if meaning is None:
            log.info("the words are not one answer here")
            return Unclear()
        # at a question that guards an emergency every answer is checked
        confidence = self.fit.unsure_confidence if expecting.safety_critical else 1.0
        heard = Utterance(text, confidence, meaning, spoken=True)
        return doubted(heard) if unsure else heard

    def grammar_reading(self, fitted: Heard, transcript: Transcript, fitted_text: str) -> Heard:
        """What the grammar's fit is worth beside Whisper's words (it counts only where
        Whisper wrote no answer, `settle`): nothing where Whisper wrote every word of it
        and more, or was sure of words unlike it ("I never checked" against "uh never i
        didnt", a no); as it is where Whisper's words resemble it ("Both eggs." for "both
        legs"); checked first where Whisper was unsure of words unlike it."""
        if not isinstance(fitted, Utterance):
            return fitted
        if says_more(transcript, fitted_text):
            return Unclear()
        spoken = without_fillers(self.pack, normalise(fitted_text))
        likeness = SequenceMatcher(None, " ".join(normalise(transcript.text)), " ".join(spoken))
        if likeness.ratio() >= RESEMBLES:
            return fitted
        if transcript.mean_log_probability >= SURE_LOG_PROBABILITY:
            log.info("Whisper wrote other words than the grammar fitted: asking again")
            return Unclear()
        return doubted(fitted)


def settle(written: Heard, fitted: Heard) -> Heard:
    """Whisper's reading first; PocketSphinx's grammar fit where Whisper wrote no answer
    ("both eggs", "say much again"); asked again where the two hear different answers."""
    if not isinstance(written, Utterance):
        return fitted
    if isinstance(fitted, Utterance) and fitted.meaning != written.meaning:
        log.info("Whisper and the grammar heard different answers: asking again")
        return Unclear()
    return written


def says_more(transcript: Transcript, fitted_text: str) -> bool:
    """Whisper wrote every word the grammar fitted, and more: the grammar took a phrase
    that the speech only partly contains ("I never checked" as "never", a no). However
    unsure Whisper was of its words, they are evidence that more was said."""
    written = normalise(transcript.text)
    fitted = normalise(fitted_text)
    if not fitted or len(written) <= len(fitted):
        return False
    rest = iter(written)
    return all(word in rest for word in fitted)
