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
- on safety-critical questions every answer it hears is confirmed ("I heard no. Is that
  right?"): on espeak-ng voices a good fit was still the wrong answer too often (15 of
  432 utterances at a red-flag question) to take any red-flag answer unchecked.

End of speech follows the same rule as Vosk (kiosk/turn.py) on the running hypothesis;
the whole turn, kept in memory only, is then decoded once more by a second decoder that
normalises the cepstrum on that turn alone (batch CMN). The running pass has to carry its
mean over from earlier turns, so a quiet answer after a noisy one was misheard; on the
same espeak-ng audio (3 voices x 3 rates) it took clean answers from 35% to 62% right.
Both decoders dither (deterministically) because digital silence, which no microphone
produces but recordings can, gives the acoustic model frames it has never seen.
Neither loads the n-gram language model (grammars only): peak memory 128 -> 77 MB.

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

from kiosk.audio import CHUNK_SECONDS, AudioSource
from kiosk.errors import ModelNotFoundError
from kiosk.events import Heard, Silence, Unclear, Utterance
from kiosk.grammar import Expectation, SoFar, jsgf_grammar, phrases
from kiosk.prompts import Pack
from kiosk.turn import DEFAULT_ENDPOINTING, DecidingListener, Decision, Endpointing, Turn

log = logging.getLogger(__name__)

NOT_SPEECH = {"<s>", "</s>", "<sil>", "[NOISE]", "(NULL)", "SIL"}


@dataclass(frozen=True)
class Fit:
    """Thresholds on the grammar path's score per frame of speech (log base 1.0001).

    Set from espeak-ng voices on a tuning set of answers and of sentences that are not
    answers (kept apart from the benchmark's own); real voices fit the acoustic model
    better than synthetic ones, so these err towards asking again."""

    reject_below: float = -95.0
    """A worse fit is not taken as an answer: the person is asked again."""
    confirm_below: float = -75.0
    """A fit between the two counts with lower confidence (red flags are confirmed)."""
    unsure_confidence: float = 0.6


DEFAULT_FIT = Fit()


def load_sphinx(cmn: str = "live") -> Any:
    """A PocketSphinx decoder with the US-English model inside the wheel.

    `cmn` is "live" for the streaming pass (the mean is carried over from earlier turns)
    or "batch" for the pass over a whole turn (normalised on that turn alone)."""
    try:
        import pocketsphinx
    except ImportError as exc:
        raise ModelNotFoundError(f"the pocketsphinx package is not installed ({exc})") from exc
    try:
        # No noise removal: its estimate carries over from one turn to the next, so the
        # same answer could be decided differently depending on who spoke before.
        return pocketsphinx.Decoder(
            samprate=16000,
            loglevel="FATAL",
            remove_noise=False,
            dither=True,
            seed=1,
            lm=None,
            cmn=cmn,
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
    ) -> None:
        self.decoder = decoder
        """Streams each turn to find where the speech ends (live CMN)."""
        self.judge = judge
        """Decodes the whole turn once more and decides it (batch CMN)."""
        self.pack = pack
        self.so_far = so_far
        self.endpointing = endpointing
        self.fit = fit
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
        turn = Turn(self.endpointing)
        audio = bytearray()
        self.decoder.start_utt()
        try:
            for chunk in source.open_turn():
                if interrupted():
                    return None
                turn.elapsed += CHUNK_SECONDS
                audio += chunk
                self.decoder.process_raw(chunk)
                hypothesis = self.decoder.hyp()
                turn.update(hypothesis.hypstr if hypothesis else "")
                if turn.done(lambda text: self.so_far(text, expecting)):
                    break
        finally:
            self.decoder.end_utt()
        text, score = self.judge_turn(bytes(audio))
        heard = self._heard(text, score, expecting, turn)
        return Decision(heard, text, None, turn.last_change, turn.elapsed)

    def search_for(self, expecting: Expectation) -> str:
        """The name of the decoders' search for this prompt's grammar (made once)."""
        grammar = jsgf_grammar(self.pack, expecting)
        if grammar not in self._searches:
            name = f"prompt{len(self._searches)}"
            self.decoder.add_jsgf_string(name, grammar)
            self.judge.add_jsgf_string(name, grammar)
            self._searches[grammar] = name
        return self._searches[grammar]

    def judge_turn(self, audio: bytes) -> tuple[str, float | None]:
        """The best phrase for the whole turn and its score per frame of speech (its fit)."""
        judge = self.judge
        judge.start_utt()
        judge.process_raw(audio, full_utt=True)
        judge.end_utt()
        hypothesis = judge.hyp()
        if hypothesis is None or not hypothesis.hypstr or hypothesis.score <= 0:
            return "", None
        frames = sum(
            s.end_frame - s.start_frame + 1 for s in judge.seg() if s.word not in NOT_SPEECH
        )
        return hypothesis.hypstr, self._logmath.log(hypothesis.score) / max(frames, 1)

    def _heard(self, text: str, score: float | None, expecting: Expectation, turn: Turn) -> Heard:
        if not turn.partial and not text:
            return Silence()
        if score is None or text not in phrases(self.pack, expecting):
            return Unclear()  # the best path stopped part-way through a phrase
        if score < self.fit.reject_below:
            log.info("speech did not fit any answer well enough")
            return Unclear()
        sure = score >= self.fit.confirm_below and not expecting.safety_critical
        return Utterance(text, 1.0 if sure else self.fit.unsure_confidence)
