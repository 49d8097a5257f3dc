"""Speech in with PocketSphinx: English out of the box, where no Vosk model is installed.

The pocketsphinx wheel carries a US-English acoustic model and pronouncing dictionary,
so English voice works on a machine that never had a network. Each prompt gets a JSGF
grammar rendered from the same pack phrases as the Vosk grammar.

A grammar decoder forces any sound onto its nearest phrase, so every result is checked
before it counts (measured with scripts/bench_voice.py):

- the best path must end on a whole phrase (out-of-grammar speech often stops part-way);
- its acoustic fit must be good enough: PocketSphinx scores each frame against the best
  senone of that frame, so the path score per frame of speech measures how far the
  grammar had to bend to fit the sound. Speech that is not an answer fits badly and is
  "unclear"; a middling fit counts with a lower confidence.
- it must stand clear of the best phrase that means something else in the decoder's
  N-best list (its lead): when "too loud" beats "don't know" by a hair, the sound was
  neither. On the tuning set (scripts/tune_sphinx_fit.py) a lead of 2.5 per frame cut
  the wrong answers taken from 18 to 11 of 224 for one right answer lost, and the
  non-answers taken at 10 dB from 70 to 64 of 160.
- free dictation of the same turn (the n-gram language model, streamed alongside) must
  not hear many more words than the phrase has: a grammar squeezes "I came by taxi"
  into "what can i say", while dictation hears four or five words, whatever they are.
  On the tuning set, allowing two extra words cut the non-answers taken from 27 to 15
  of 160 clean and from 71 to 46 at 10 dB, for 7 of 224 right answers lost (on the
  benchmark's audio, 1 of 324). Only the word count is used: dictation gets the
  words themselves wrong too often to read an answer from them.
- on safety-critical questions every answer it hears is confirmed ("I heard no. Is that
  right?"): on espeak-ng voices a good fit was still the wrong answer too often (15 of
  432 utterances at a red-flag question) to take any red-flag answer unchecked.

Every turn first gets a faint noise floor (kiosk.noise_floor): recordings and synthetic
speech can hold digital silence, which this acoustic model has never heard; it misheard
espeak-ng's "no" as "go" after a tenth of a second of it.

End of speech follows the same rule as Vosk (kiosk/turn.py) on the running hypothesis;
the whole turn, kept in memory only, is then decoded once more by a second decoder that
normalises the cepstrum on that turn alone (batch CMN). The running pass has to carry its
mean over from earlier turns, so a quiet answer after a noisy one was misheard; on the
same espeak-ng audio (3 voices x 3 rates) it took clean answers from 35% to 62% right.
Both decoders dither (deterministically) because digital silence, which no microphone
produces but recordings can, gives the acoustic model frames it has never seen.
The dictation decoder runs only its first, streaming pass (no second pass at the end of
the turn, so it adds no delay), with narrower beams than PocketSphinx's defaults: on the
development machine 0.18 instead of 0.49 s of processor time per second of audio, with
nearly the same word counts (the tuning set lost 5 more non-answers at 10 dB).

Tried and not adopted: comparing the grammar path with a free phone loop over the same
turn (scripts/tune_sphinx_fit.py shows the fit thresholds on a tuning set kept apart
from the benchmark). Rejecting when the phrase scored 12 per frame below the phone loop
let through 41 instead of 70 of 160 non-answers at 10 dB, but lost 16% of right answers
on the tuning set and 15% of the benchmark's clean ones: a phone loop follows the
speaker's accent, while the grammar can only use the dictionary's US pronunciations.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kiosk.audio import CHUNK_BYTES, CHUNK_SECONDS, AudioSource
from kiosk.errors import ModelNotFoundError
from kiosk.events import Heard, Silence, Unclear, Utterance
from kiosk.grammar import Expectation, SoFar, jsgf_grammar, phrases
from kiosk.noise_floor import FLOOR_RMS, with_noise_floor
from kiosk.parse import understood
from kiosk.prompts import Pack
from kiosk.turn import DEFAULT_ENDPOINTING, DecidingListener, Decision, Endpointing, Turn
from kiosk.voice_activity import voice_activity

log = logging.getLogger(__name__)

NOT_SPEECH = {"<s>", "</s>", "<sil>", "[NOISE]", "(NULL)", "SIL"}


@dataclass(frozen=True)
class Fit:
    """Thresholds on the grammar path's score per frame of speech (log base 1.0001).

    Set from espeak-ng voices on a tuning set of answers and of sentences that are not
    answers (kept apart from the benchmark's own); real voices fit the acoustic model
    better than synthetic ones, so these err towards asking again."""

    reject_below: float = -85.0
    """A worse fit is not taken as an answer: the person is asked again. With the noise
    floor (kiosk.noise_floor) clean speech fits better, so this is stricter than the
    -95 used without it; on the tuning set that took 91 instead of 67 of 112 clean
    answers right, 81 instead of 84 at 10 dB, 12 instead of 18 wrong, and 60 instead of
    70 of 160 non-answers at 10 dB (26 instead of 25 clean)."""
    confirm_below: float = -75.0
    """A fit between the two counts with lower confidence (red flags are confirmed)."""
    unsure_confidence: float = 0.6
    most_extra_words: int = 2
    """Free dictation hearing more words than the phrase has, by more than this, means
    a sentence was said rather than an answer: the person is asked again."""
    least_lead: float = 2.5
    """A phrase that leads the best phrase of another meaning by less (per frame of
    speech) is too close to call: the person is asked again."""


@dataclass(frozen=True)
class Judgement:
    """The judge's reading of a whole turn."""

    text: str
    """The best path's words ("" when it found none)."""
    whole: bool
    """The best path ended on a whole phrase of the grammar (it often stops part-way
    through one on speech that is not an answer)."""
    fit: float | None
    """The best path's score per frame of speech; None without a path."""
    lead: float | None
    """How far, per frame of speech, the best phrase scores above the best phrase that
    means something else; None when the N-best list holds no such rival."""


RIVALS_SEARCHED = 50
"""N-best entries read for a rival. The list repeats the best phrase with other word
timings, and entries further down score too far behind to matter."""


DEFAULT_FIT = Fit()

KEPT_BEFORE_VOICE = 0.5
"""Seconds of a turn that the judge and free dictation hear before the voice began.
People often wait a moment before they answer. The judge normalises the cepstrum on the
audio it hears, so a long quiet start pulls that mean away from the speech, and free
dictation hears words in the quiet ("really you say west" before "previous question").
With 3 s of quiet before the answer, 28 of 54 clean answers (9 answers x 6 espeak-ng
voices) were right when the whole turn was heard, and 50 from here; at 10 dB SNR, 37
and 47 (with 0.3 s of quiet, 49-52 and 51). Half a second keeps the quiet the acoustic
model expects around a word."""


DICTATION_BEAMS = {"beam": 1e-40, "wbeam": 1e-28, "pbeam": 1e-40, "maxhmmpf": 5000}
"""Narrower than PocketSphinx's defaults (1e-48, 7e-29, 1e-48, 30000): dictation only
has to count words, and must keep up with the microphone on a small machine."""


def load_sphinx(cmn: str = "live", dictation: bool = False) -> Any:
    """A PocketSphinx decoder with the US-English model inside the wheel.

    `cmn` is "live" for the streaming pass (the mean is carried over from earlier turns)
    or "batch" for the pass over a whole turn (normalised on that turn alone).
    `dictation` loads the n-gram language model for free speech instead of grammars."""
    try:
        import pocketsphinx
    except ImportError as exc:
        raise ModelNotFoundError(f"the pocketsphinx package is not installed ({exc})") from exc
    search: dict[str, Any] = {"lm": None}
    if dictation:
        search = {"fwdflat": False, "bestpath": False, **DICTATION_BEAMS}
    try:
        # No noise removal: its estimate carries over from one turn to the next, so the
        # same answer could be decided differently depending on who spoke before.
        return pocketsphinx.Decoder(
            samprate=16000,
            loglevel="FATAL",
            remove_noise=False,
            dither=True,
            seed=1,
            cmn=cmn,
            **search,
        )
    except (RuntimeError, ValueError) as exc:
        raise ModelNotFoundError(f"PocketSphinx could not load its model ({exc})") from exc


def add_spellings(decoder: Any, words: Iterable[str]) -> list[str]:
    """Teach the decoder the pack's spellings without apostrophes ("dont" as "don't");
    returns the words it still cannot pronounce."""
    missing = []
    for word in dict.fromkeys(words):
        if decoder.lookup_word(word) is not None:
            continue
        variants = (word[:i] + "'" + word[i:] for i in range(1, len(word)))
        spelling = next((p for v in variants if (p := decoder.lookup_word(v))), None)
        if spelling is None:
            missing.append(word)
        else:
            decoder.add_word(word, spelling, False)
    return missing


def voice_offset(turn: Turn) -> int:
    """Where, in bytes of the turn's audio, the judge and the dictation start hearing
    it: KEPT_BEFORE_VOICE before the voice began (the start when none was detected)."""
    if turn.first_voice is None:
        return 0
    start = max(0.0, turn.first_voice - KEPT_BEFORE_VOICE)
    return round(start / CHUNK_SECONDS) * CHUNK_BYTES


class SphinxListener(DecidingListener):
    """Listens for one answer at a time with the grammar of the current prompt."""

    def __init__(
        self,
        decoder: Any,
        judge: Any,
        pack: Pack,
        so_far: Callable[[str, Expectation], SoFar],
        endpointing: Endpointing = DEFAULT_ENDPOINTING,
        fit: Fit = DEFAULT_FIT,
        dictation: Any = None,
        noise_floor: float = FLOOR_RMS,
    ) -> None:
        self.decoder = decoder
        """Streams each turn to find where the speech ends (live CMN)."""
        self.judge = judge
        """Decodes the whole turn once more and decides it (batch CMN)."""
        self.pack = pack
        self.so_far = so_far
        self.endpointing = endpointing
        self.fit = fit
        self.dictation = dictation
        """Free dictation of the same turn, for its word count (None: no such check)."""
        self.noise_floor = noise_floor
        """Noise added under each turn (kiosk.noise_floor); 0 adds none."""
        self._searches: dict[str, str] = {}
        self._logmath = decoder.get_logmath()

    def decide(
        self,
        source: AudioSource,
        expecting: Expectation,
        interrupted: Callable[[], bool] = lambda: False,
    ) -> Decision | None:
        """The turn's outcome; None when `interrupted` said another input answered first."""
        search = self.search_for(expecting)
        self.decoder.activate_search(search)
        self.judge.activate_search(search)
        turn = Turn(self.endpointing, voice_activity())
        audio = bytearray()
        dictated_to = 0  # bytes of the turn's audio the dictation decoder has heard
        self.decoder.start_utt()
        if self.dictation is not None:
            self.dictation.start_utt()
        try:
            for chunk in with_noise_floor(source.open_turn(), self.noise_floor):
                if interrupted():
                    return None
                turn.hear(chunk)
                audio += chunk
                self.decoder.process_raw(chunk)
                if turn.first_voice is not None or turn.voice is None:
                    dictated_to = self._dictate(audio, max(dictated_to, voice_offset(turn)))
                hypothesis = self.decoder.hyp()
                turn.update(hypothesis.hypstr if hypothesis else "")
                if turn.done(lambda text: self.so_far(text, expecting)):
                    break
        finally:
            self.decoder.end_utt()
            if not dictated_to:  # no voice was detected: dictation hears the whole turn
                self._dictate(audio, 0)
            dictated = self._dictated()
        judgement = self.judge_turn(bytes(audio[voice_offset(turn) :]), expecting)
        heard = self._heard(judgement, dictated, expecting, turn)
        return Decision(heard, judgement.text, dictated, turn.last_change, turn.elapsed)

    def _dictate(self, audio: bytearray, start: int) -> int:
        """Stream the turn's audio from `start` to the dictation decoder (if there is
        one); returns how far it has heard."""
        if self.dictation is not None and start < len(audio):
            self.dictation.process_raw(bytes(audio[start:]))
        return len(audio)

    def _dictated(self) -> str | None:
        """The free dictation of the turn just ended (None without a dictation decoder)."""
        if self.dictation is None:
            return None
        self.dictation.end_utt()
        hypothesis = self.dictation.hyp()
        words = hypothesis.hypstr.split() if hypothesis is not None else []
        return " ".join(w for w in words if w not in NOT_SPEECH)

    def search_for(self, expecting: Expectation) -> str:
        """The name of the decoders' search for this prompt's grammar (made once)."""
        grammar = jsgf_grammar(self.pack, expecting)
        if grammar not in self._searches:
            name = f"prompt{len(self._searches)}"
            self.decoder.add_jsgf_string(name, grammar)
            self.judge.add_jsgf_string(name, grammar)
            self._searches[grammar] = name
        return self._searches[grammar]

    def judge_turn(self, audio: bytes, expecting: Expectation) -> Judgement:
        """The best phrase for the whole turn (the judge's search must be `expecting`'s),
        with its fit and its lead over the best phrase of another meaning."""
        judge = self.judge
        judge.start_utt()
        judge.process_raw(audio, full_utt=True)
        judge.end_utt()
        hypothesis = judge.hyp()
        if hypothesis is None or not hypothesis.hypstr or hypothesis.score <= 0:
            return Judgement("", False, None, None)
        frames = max(
            1, sum(s.end_frame - s.start_frame + 1 for s in judge.seg() if s.word not in NOT_SPEECH)
        )
        text = hypothesis.hypstr
        fit = self._logmath.log(hypothesis.score) / frames
        grammar = set(phrases(self.pack, expecting))
        if text not in grammar:
            return Judgement(text, False, fit, None)
        return Judgement(text, True, fit, self._lead(text, expecting, grammar, frames))

    def _lead(
        self, text: str, expecting: Expectation, grammar: set[str], frames: int
    ) -> float | None:
        """The best phrase's N-best score above its nearest rival of another meaning."""
        meant = understood(self.pack, text, expecting)
        own: float | None = None
        rival: float | None = None
        for rank, alternative in enumerate(self.judge.nbest()):
            if alternative is None or rank >= RIVALS_SEARCHED or None not in (own, rival):
                break
            if alternative.hypstr not in grammar or alternative.score <= 0:
                continue
            score = float(self._logmath.log(alternative.score))
            if alternative.hypstr == text:
                own = score if own is None else own
            elif rival is None and understood(self.pack, alternative.hypstr, expecting) != meant:
                rival = score  # the list is best first, so this is the best rival
        if own is None or rival is None:
            return None
        return (own - rival) / frames

    def _heard(
        self, judgement: Judgement, dictated: str | None, expecting: Expectation, turn: Turn
    ) -> Heard:
        text, fit, lead = judgement.text, judgement.fit, judgement.lead
        if not turn.partial and not text:
            return Silence()
        if fit is None or not judgement.whole:
            return Unclear()  # the best path stopped part-way through a phrase
        if fit < self.fit.reject_below:
            log.info("speech did not fit any answer well enough")
            return Unclear()
        if lead is not None and lead < self.fit.least_lead:
            log.info("two answers fitted the speech almost equally well")
            return Unclear()
        if dictated is not None and (
            len(dictated.split()) > len(text.split()) + self.fit.most_extra_words
        ):
            log.info("heard a sentence rather than an answer")
            return Unclear()
        sure = fit >= self.fit.confirm_below and not expecting.safety_critical
        return Utterance(text, 1.0 if sure else self.fit.unsure_confidence)
