"""Speech in with PocketSphinx: English out of the box, where no Vosk model is installed.

The pocketsphinx wheel carries a US-English acoustic model and pronouncing dictionary,
so English voice works on a machine that never had a network. Each prompt gets a JSGF
grammar of whole spoken sentences rendered from the prompt's vocabulary (fillers, then
one or two phrases of one meaning); phrases with a word the dictionary cannot pronounce
are left out.

A grammar decoder forces any sound onto its nearest sentence, so every result is
checked before it counts:
- the best path must be a whole sentence of the grammar;
- its acoustic fit (path score per frame of speech) must be good enough, and the longer
  the speech the better it must fit (`Fit.least_fit`);
- it must lead the best sentence of another meaning (a second decode of the same turn
  without the best meaning's sentences) by `Fit.least_lead` per frame;
- on safety-critical questions every answer is confirmed.

End of speech follows kiosk/hearing/turn.py on the streaming decoder's running hypothesis; the
whole turn, kept in memory only, is then decoded again by a judge that normalises the
cepstrum on that turn alone. Every turn first gets a faint noise floor
(kiosk.hearing.noise_floor), and both decoders dither.

What was tried, on what, and the numbers behind each threshold:
docs/decisions/0002-pocketsphinx-checks.md (and 0001-natural-speech.md for the
sentence grammar).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kiosk.core.errors import ModelNotFoundError
from kiosk.core.events import Heard, Unclear, Utterance
from kiosk.core.meaning import Meaning
from kiosk.hearing.audio import CHUNK_BYTES, CHUNK_SECONDS, AudioSource
from kiosk.hearing.grammar import Expectation, SoFar, jsgf_grammar, other_meanings
from kiosk.hearing.noise_floor import FLOOR_RMS, with_noise_floor
from kiosk.hearing.turn import DEFAULT_ENDPOINTING, Endpointing, Turn
from kiosk.hearing.turn_loop import DecidingListener, StreamingPass
from kiosk.language.pack import Pack

log = logging.getLogger(__name__)

NOT_SPEECH = {"<s>", "</s>", "<sil>", "[NOISE]", "(NULL)", "SIL"}


@dataclass(frozen=True)
class Fit:
    """Thresholds on the grammar path's score per frame of speech (log base 1.0001).

    Set from espeak-ng voices on a tuning set of answers and of sentences that are not
    answers (kept apart from the benchmark's own); real voices fit the acoustic model
    better than synthetic ones, so these err towards asking again."""

    reject_below: float = -60.0
    """At one second of speech, a worse fit is not taken as an answer: the person is
    asked again. Shorter speech is allowed more and longer speech less (`spread`)."""
    spread: float = 50.0
    """How the rejection threshold moves with the length of the speech: at n frames it
    is reject_below - spread * (sqrt(100 / n) - 1). The fit is a mean over the frames
    of speech, and like any mean it varies less the more frames it has: a one-syllable
    answer can fit badly by chance, while seconds of speech that fit badly are not the
    phrase at all (people who say a sentence instead of an answer speak for longer).
    At 0.3 s of speech the threshold is -101, at 0.5 s -81, at 2 s -45. On the tuning
    set this pair takes the fewest wrong answers and sentences before right answers
    fall away (scripts/tune_sphinx_fit.py prints the grid)."""
    confirm_margin: float = 10.0
    """A fit less than this above the rejection threshold counts with lower confidence
    (red flags are confirmed)."""
    unsure_confidence: float = 0.6
    least_lead: float = 2.5
    """A phrase that leads the best phrase of another meaning by less (per frame of
    speech) is too close to call: the person is asked again."""

    def least_fit(self, frames: int) -> float:
        """The worst fit per frame taken as an answer, for `frames` frames of speech."""
        return self.reject_below - self.spread * (math.sqrt(100 / max(1, frames)) - 1)


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
    frames: int = 0
    """Frames (10 ms) of speech on the best path, silence left out."""
    meaning: Meaning | None = None
    """What the words mean as one spoken sentence (None: they are not one)."""


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
            cmn=cmn,
            lm=None,
            # The best path through the search itself, not a lattice rescoring: on a
            # grammar of whole sentences the lattice's best path took seconds per turn
            # (5 s for a 1.5 s "no I don't") and was no better.
            bestpath=False,
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


KEPT_BEFORE_VOICE = 0.5
"""Seconds of a turn that the judge hears before the voice began. People often wait a
moment before they answer. The judge normalises the cepstrum on the audio it hears, so a
long quiet start pulls that mean away from the speech. With 3 s of quiet before the
answer, 28 of 54 clean answers (9 answers x 6 espeak-ng voices) were right when the
whole turn was heard, and 50 from here; at 10 dB SNR, 37 and 47 (with 0.3 s of quiet,
49-52 and 51). Half a second keeps the quiet the acoustic model expects around a word."""


KEPT_AFTER_VOICE = 0.3
"""Seconds of a turn that the judge hears after the voice stopped. A turn whose words
are not yet a whole phrase waits more than a second for more, and that quiet, like the
quiet before an answer, pulls the judge's mean away from the speech: most of all for a
one-word answer, whose mean is then mostly quiet. On the tuning set (decisions of the
whole listener) hearing the whole turn took 90 and 86 of 112 answers right (clean,
10 dB); keeping 0.3 s took 94 and 93, 0.5 s 94 and 86, 0.8 s 93 and 87, and each
took 2 and 1 or 2 of 160 sentences. On the benchmark's audio (6 voices x 3 rates)
keeping 0.3 s took clean answers from 152 to 161 of 162 right (153 at 10 dB either way):
"no" went from 27 to 34 of 36, and "what can i say", cut to "what can i" by the quiet,
from 33 to 36."""


def heard_part(turn: Turn, audio: bytes | bytearray) -> bytes:
    """The part of the turn's audio the judge hears: from KEPT_BEFORE_VOICE before the
    voice began to KEPT_AFTER_VOICE after it stopped (all of it when no voice was found)."""
    span = turn.voice_span
    if span is None:
        return bytes(audio)
    start = max(0.0, span[0] - KEPT_BEFORE_VOICE)
    end = span[1] + KEPT_AFTER_VOICE
    return bytes(audio[_byte_at(start) : _byte_at(end)])


def _byte_at(seconds: float) -> int:
    """The offset in a turn's audio of the chunk boundary nearest `seconds`."""
    return round(seconds / CHUNK_SECONDS) * CHUNK_BYTES


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
        noise_floor: float = FLOOR_RMS,
    ) -> None:
        super().__init__(pack, so_far, endpointing)
        self.decoder = decoder
        """Streams each turn to find where the speech ends (live CMN)."""
        self.judge = judge
        """Decodes the whole turn once more and decides it (batch CMN)."""
        self.fit = fit
        self.noise_floor = noise_floor
        """Noise added under each turn (kiosk.hearing.noise_floor); 0 adds none."""
        self._searches: dict[str, str] = {}
        self._logmath = decoder.get_logmath()

    def hearable(self, word: str) -> bool:
        """Whether the dictionary can pronounce the word (a phrase with one it cannot is
        left out of the grammar, so it is heard as unclear, never as another answer)."""
        return all(d.lookup_word(word) is not None for d in (self.decoder, self.judge))

    def start(self, expecting: Expectation) -> _SphinxPass:
        self.decoder.activate_search(self.search_for(expecting))
        return _SphinxPass(self.decoder)

    def chunks(self, source: AudioSource) -> Iterator[bytes]:
        return with_noise_floor(source.open_turn(), self.noise_floor)

    def conclude(
        self, stream: StreamingPass, turn: Turn, expecting: Expectation
    ) -> tuple[Heard, str, str | None]:
        assert isinstance(stream, _SphinxPass)
        judgement = self.judge_turn(heard_part(turn, stream.audio), expecting)
        return self._answer(judgement, expecting), judgement.text, None

    def search_for(self, expecting: Expectation, without: Meaning | None = None) -> str:
        """The name of the decoders' search for this prompt's grammar (made once);
        `without` leaves out the sentences of one meaning (the judge's rival search)."""
        grammar = jsgf_grammar(self.pack, expecting, self.hearable, without)
        if grammar not in self._searches:
            name = f"prompt{len(self._searches)}"
            if without is None:
                self.decoder.add_jsgf_string(name, grammar)
            self.judge.add_jsgf_string(name, grammar)
            self._searches[grammar] = name
        return self._searches[grammar]

    def judge_turn(self, audio: bytes, expecting: Expectation) -> Judgement:
        """The best sentence for the whole turn, with its fit and its lead over the best
        sentence of another meaning."""
        hypothesis = self._decode(audio, self.search_for(expecting))
        if hypothesis is None:
            return Judgement("", False, None, None)
        frames = max(
            1,
            sum(
                s.end_frame - s.start_frame + 1
                for s in self.judge.seg()
                if s.word not in NOT_SPEECH
            ),
        )
        text = hypothesis.hypstr
        score = float(self._logmath.log(hypothesis.score))
        meant = self.sentence_meaning(text, expecting)
        if meant is None:
            return Judgement(text, False, score / frames, None, frames)
        lead = None
        if not other_meanings(self.pack, expecting, self.hearable, meant):
            return Judgement(text, True, score / frames, lead, frames, meant)
        rival = self._decode(audio, self.search_for(expecting, without=meant))
        if rival is not None and self.sentence_meaning(rival.hypstr, expecting) is not None:
            lead = (score - float(self._logmath.log(rival.score))) / frames
        return Judgement(text, True, score / frames, lead, frames, meant)

    def _decode(self, audio: bytes, search: str) -> Any:
        """The judge's best path through `search` for the whole turn (None: no path)."""
        if not audio:
            return None  # PocketSphinx fails on an empty buffer
        judge = self.judge
        judge.activate_search(search)
        judge.start_utt()
        judge.process_raw(audio, full_utt=True)
        judge.end_utt()
        hypothesis = judge.hyp()
        if hypothesis is None or not hypothesis.hypstr or hypothesis.score <= 0:
            return None
        return hypothesis

    def _answer(self, judgement: Judgement, expecting: Expectation) -> Heard:
        text, fit, lead = judgement.text, judgement.fit, judgement.lead
        if fit is None or not judgement.whole:
            return Unclear()  # the best path stopped part-way through a phrase
        least_fit = self.fit.least_fit(judgement.frames)
        if fit < least_fit:
            log.info("speech did not fit any answer well enough")
            return Unclear()
        if lead is not None and lead < self.fit.least_lead:
            log.info("two answers fitted the speech almost equally well")
            return Unclear()
        sure = fit >= least_fit + self.fit.confirm_margin and not expecting.safety_critical
        confidence = 1.0 if sure else self.fit.unsure_confidence
        return Utterance(text, confidence, judgement.meaning, spoken=True)


class _SphinxPass:
    """The streaming decoder over one turn (its words drive end of speech); the turn's
    audio is kept, in memory only, for the judge."""

    def __init__(self, decoder: Any) -> None:
        self.decoder = decoder
        self.audio = bytearray()
        decoder.start_utt()

    def feed(self, chunk: bytes) -> None:
        self.audio += chunk
        self.decoder.process_raw(chunk)

    def partial(self) -> str:
        hypothesis = self.decoder.hyp()
        return str(hypothesis.hypstr) if hypothesis else ""

    def ended(self) -> dict[str, Any] | None:
        return None  # PocketSphinx's own end of speech is not used

    def close(self) -> None:
        self.decoder.end_utt()
