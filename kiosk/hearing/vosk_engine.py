"""Speech in with Vosk: one grammar per prompt, our own end-of-speech rule, and a check.

End of speech: `kiosk.hearing.turn` on the running partial result (a short pause after a
settled answer, longer ones while the answer may still change or is half said).

Which answer: the grammar decoder keeps an N-best list, read by `kiosk.hearing.nbest` (one
spoken sentence per turn; how sure is the share of the list that means it). Two more
grammar decoders hear the same speech 10% slower and 10% faster (SPEEDS), and the answer
is the one the three readings agree on; an answer they agree on only weakly is confirmed
with the person before it counts (`kiosk.hearing.nbest.MIN_DOUBTFUL`). A reading that
holds a word the model does not know (its unknown-word symbol) is asked again: part of
what was said was not understood, and a phrase must never become a meaning it only
partly contains.

The grammar holds only phrases whose every word the model has (`hearable`); the pack
spells some natural forms the model lacks in words it has (`Pack.spellings`).

A free (grammar-less) decoder can also check the answer (`check_with_free_decoder`),
lowering the confidence when it heard something else. It is off by default: it cost
about 1.3 s of processor per second of audio on the small Korean model, four times the
three grammar decoders together, and understood too little Korean to be a good judge
(docs/decisions/0001-natural-speech.md).
"""

from __future__ import annotations

import array
import json
import logging
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

from kiosk.core.errors import ModelNotFoundError
from kiosk.core.events import Heard, Unclear, Utterance
from kiosk.core.meaning import Answer
from kiosk.hearing.audio import SAMPLE_RATE
from kiosk.hearing.grammar import UNKNOWN_SYMBOLS, Expectation, SoFar, vosk_grammar
from kiosk.hearing.nbest import Reading, agreed, alternatives, read
from kiosk.hearing.resample import Resampler
from kiosk.hearing.turn import DEFAULT_ENDPOINTING, Endpointing, Turn, doubted
from kiosk.hearing.turn_loop import DecidingListener, StreamingPass
from kiosk.language.pack import Pack

log = logging.getLogger(__name__)

DISAGREEMENT_CONFIDENCE = 0.3
"""Confidence when the free decoder heard a different answer."""
UNCORROBORATED_CONFIDENCE = 0.6
"""Confidence when the free decoder heard nothing the kiosk understands."""
ALTERNATIVES = 10
"""N-best list length: enough to share out the probability between meanings."""
BEFORE_VOICE = 0.5
"""Seconds of the room before the person's first near voice that the decoders hear with
it; they hear nothing earlier, so people talking behind the person cannot be read as an
answer before the person speaks, and silence costs no decoding."""
SPEEDS = (1.0, 0.9, 1.1)
"""Speeds the grammar decoders hear each turn at, the speech as it came first (its words
also drive end of speech). A changed speed is a resampling, so pitch and formants move
with it: the speed perturbation that Kaldi recipes train their models with (Ko et al.,
"Audio augmentation for speech recognition", Interspeech 2015). A voice the model fits
poorly as heard often fits at another speed. On a tuning set of other phrases,
voices and rates than the benchmark's (108 Korean answers from 6 espeak-ng voices), the
three together were right for 84 and 61 (clean / 10 dB SNR), one speed alone for 78 and
51, and took fewer answers wrongly: 9 and 17 against 14 and 29."""


def load_vosk_model(path: Path) -> Any:
    """Load a Vosk model from an explicit folder (never downloaded at run time)."""
    if not path.is_dir():
        raise ModelNotFoundError(f"{path}: no such model folder")
    if not (path / "am").is_dir() and not (path / "final.mdl").exists():
        raise ModelNotFoundError(f"{path}: not a Vosk model folder (no am/ inside)")
    try:
        import vosk
    except ImportError as exc:
        raise ModelNotFoundError(f"the vosk package is not installed ({exc})") from exc
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception for a broken model
        raise ModelNotFoundError(
            f"{path}: the Vosk model is damaged or incomplete and could not be loaded ({exc}); "
            f"unpack or fetch it again"
        ) from exc


def missing_words(model: Any, words: Iterable[str]) -> list[str]:
    """Grammar words the model cannot recognise (Vosk would drop them with a warning)."""
    return [w for w in words if model.vosk_model_find_word(w) < 0]


class VoskListener(DecidingListener):
    """Listens for one answer at a time with the grammar of the current prompt."""

    def __init__(
        self,
        model: Any,
        pack: Pack,
        so_far: Callable[[str, Expectation], SoFar],
        endpointing: Endpointing = DEFAULT_ENDPOINTING,
        check_with_free_decoder: bool = False,
        speeds: tuple[float, ...] = SPEEDS,
    ) -> None:
        super().__init__(pack, so_far, endpointing)
        self.model = model
        self.check_with_free_decoder = check_with_free_decoder
        self.speeds = speeds
        self.held_before_voice = BEFORE_VOICE
        self.unknown = next(
            (u for u in UNKNOWN_SYMBOLS if model.vosk_model_find_word(u) >= 0), None
        )
        """The model's unknown-word symbol ([unk], or <UNK> in the small Korean model)."""
        self._known: dict[str, bool] = {}

    def hearable(self, word: str) -> bool:
        """Whether the model has this word (a grammar phrase with one it lacks is dropped)."""
        if word not in self._known:
            self._known[word] = self.model.vosk_model_find_word(word) >= 0
        return self._known[word]

    def start(self, expecting: Expectation) -> _VoskPass:
        rules = vosk_grammar(self.pack, expecting, self.unknown, self.hearable)
        return _VoskPass(self.model, rules, self.speeds, self.check_with_free_decoder)

    def conclude(
        self, stream: StreamingPass, turn: Turn, expecting: Expectation
    ) -> tuple[Heard, str, str | None]:
        assert isinstance(stream, _VoskPass)
        finals = [decoder.final() for decoder in stream.decoders]
        free_text = stream.free_text()
        return self._heard(finals, free_text, expecting), finals[0].get("text", ""), free_text

    def _heard(
        self,
        finals: list[dict[str, Any]],
        free_text: str | None,
        expecting: Expectation,
    ) -> Heard:
        def meaning(phrase: str) -> Hashable | None:
            return self.sentence_meaning(phrase, expecting)

        readings: list[Reading | None] = [read(alternatives(f), meaning) for f in finals]
        reading = agreed(readings, meaning)
        if reading is None:
            log.info("no single answer among the best guesses")
            return Unclear()
        if reading.heard_unknown:
            log.info("part of the answer was a word the model does not know")
            return Unclear()
        confidence = reading.confidence
        if free_text is not None:
            confidence = min(confidence, self._corroboration(reading.text, free_text, expecting))
        understood = self.sentence_meaning(reading.text, expecting)
        heard = Utterance(reading.text, confidence, understood, spoken=True)
        if not reading.doubtful:
            return heard
        if expecting.checking or expecting.safety_critical or not isinstance(understood, Answer):
            # A doubt may not confirm an answer; where a mishearing could hide an
            # emergency, a hurried "yes" to a wrong check is too great a risk (왼쪽
            # 팔다리, one side of the body, was read this way as one leg); and commands
            # read this weakly were as often another command as the one said (tuning
            # half), and at idle would be the room starting a session.
            log.info("too little agreement to check here: asking again")
            return Unclear()
        log.info("too little agreement to take it unchecked")
        return doubted(heard)

    def _corroboration(self, text: str, free_text: str, expecting: Expectation) -> float:
        """How far the free decoder supports the grammar's meaning (an upper bound)."""
        from kiosk.language.parse import NotUnderstood, interpret_expected

        meant = interpret_expected(self.pack, text, expecting)
        free = interpret_expected(self.pack, free_text, expecting)
        if free == meant:
            return 1.0
        if isinstance(free, NotUnderstood):
            return UNCORROBORATED_CONFIDENCE
        log.info("grammar and free decoder heard different answers")
        return DISAGREEMENT_CONFIDENCE


class _VoskPass:
    """The grammar decoders (one per speed) and the optional free decoder over one turn;
    the first speed's words drive end of speech."""

    def __init__(self, model: Any, rules: str, speeds: tuple[float, ...], free: bool) -> None:
        import vosk

        self.decoders = [_GrammarDecoder(model, rules, speed) for speed in speeds]
        self.free = vosk.KaldiRecognizer(model, SAMPLE_RATE) if free else None

    def feed(self, chunk: bytes) -> None:
        for decoder in self.decoders:
            decoder.hear(chunk)
        if self.free is not None:
            self.free.AcceptWaveform(chunk)

    def partial(self) -> str:
        return self.decoders[0].partial()

    def ended(self) -> dict[str, Any] | None:
        return self.decoders[0].ended

    def free_text(self) -> str | None:
        if self.free is None:
            return None
        return str(json.loads(self.free.FinalResult()).get("text", ""))

    def close(self) -> None:
        """Vosk's recognizers need no closing; they are dropped with the pass."""


class _GrammarDecoder:
    """One grammar decoder hearing a turn at one speed (see SPEEDS)."""

    def __init__(self, model: Any, rules: str, speed: float) -> None:
        import vosk

        self.recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, rules)
        self.recognizer.SetMaxAlternatives(ALTERNATIVES)
        self.resampler = (
            None if speed == 1.0 else Resampler(round(SAMPLE_RATE * speed), SAMPLE_RATE)
        )
        self.ended: dict[str, Any] | None = None
        """The last result with words that Vosk's own end-of-speech rule closed."""

    def hear(self, chunk: bytes) -> None:
        if self.resampler is not None:
            chunk = array.array("h", self.resampler.feed(array.array("h", chunk))).tobytes()
        if self.recognizer.AcceptWaveform(chunk):
            result = _with_text(json.loads(self.recognizer.Result()))
            if result["text"]:
                self.ended = result

    def partial(self) -> str:
        return str(json.loads(self.recognizer.PartialResult()).get("partial", ""))

    def final(self) -> dict[str, Any]:
        """What this decoder heard in the turn: words still open, else the last closed."""
        still_open = _with_text(json.loads(self.recognizer.FinalResult()))
        if still_open["text"] or self.ended is None:
            return still_open
        return self.ended


def _with_text(result: dict[str, Any]) -> dict[str, Any]:
    """An N-best result with its best alternative's words as "text", as a plain one has."""
    found = alternatives(result)
    return {**result, "text": found[0].text if found else ""}
