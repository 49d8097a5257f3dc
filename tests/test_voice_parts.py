"""Voice-mode parts that need no speech model: grammar, end of speech, audio, speech out."""

from __future__ import annotations

import json
import math
import wave
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.errors import AudioDeviceError
from kiosk.core.meaning import Answer
from kiosk.dialog.machine import QUESTION_COMMANDS
from kiosk.hearing.audio import CHUNK_BYTES, ClipSource
from kiosk.hearing.grammar import Expectation, SoFar, answer_so_far, phrases, vosk_grammar
from kiosk.hearing.recording import read_wav
from kiosk.hearing.turn import Endpointing, Turn
from kiosk.language.pack import Pack, load_pack
from kiosk.language.parse import NotUnderstood, interpret_expected, spoken_meaning
from kiosk.triage.knowledge import Knowledge

pytestmark = pytest.mark.voice


def test_a_question_grammar_holds_its_answers_and_the_commands(
    knowledge: Knowledge, pack: Pack
) -> None:
    said = phrases(pack, Expectation(knowledge.questions["onset"], QUESTION_COMMANDS))
    assert {"suddenly", "over a few days", "slowly", "i dont know", "go back", "repeat"} <= set(
        said
    )
    assert len(said) == len(set(said))
    # "yes" is there so that it is not forced onto a choice, and it answers nothing
    onset = Expectation(knowledge.questions["onset"], QUESTION_COMMANDS)
    assert "yes" in said and spoken_meaning(pack, "yes", onset) == Answer("yes")
    assert interpret_expected(pack, "yes", onset) == NotUnderstood()


def test_an_age_grammar_holds_spoken_numbers(knowledge: Knowledge, pack: Pack) -> None:
    said = phrases(pack, Expectation(knowledge.questions["age"], QUESTION_COMMANDS))
    assert {"forty five", "seventy", "ninety nine"} <= set(said)


def test_a_korean_grammar_stays_readable_for_vosk(knowledge: Knowledge) -> None:
    ko = load_pack("ko", knowledge)
    grammar = vosk_grammar(ko, Expectation(knowledge.questions["stroke_signs"], QUESTION_COMMANDS))
    assert "\\u" not in grammar, "escaped Korean would be silently dropped by Vosk"
    assert ko.answers["yes"][0] in json.loads(grammar)


def _quiet_after(words: str, seconds: float, pack: Pack, expecting: Expectation) -> bool:
    turn = Turn(Endpointing(complete_pause=0.4, unsettled_pause=1.0, incomplete_pause=1.6))
    turn.elapsed = 1.0
    turn.update(words)
    turn.elapsed += seconds
    return turn.done(lambda text: answer_so_far(pack, text, expecting))


def test_a_complete_answer_ends_the_turn_after_a_short_pause(
    knowledge: Knowledge, pack: Pack
) -> None:
    expecting = Expectation(knowledge.questions["stroke_signs"], QUESTION_COMMANDS)
    assert not _quiet_after("yes", 0.3, pack, expecting)
    assert _quiet_after("yes", 0.4, pack, expecting)


def test_slow_speech_mid_answer_is_not_cut_off(knowledge: Knowledge, pack: Pack) -> None:
    expecting = Expectation(knowledge.questions["onset"], QUESTION_COMMANDS)
    assert not _quiet_after("over a", 1.0, pack, expecting), "half an answer: keep listening"
    assert _quiet_after("over a", 1.6, pack, expecting)


def test_an_answer_that_more_words_would_change_waits_for_them(
    knowledge: Knowledge, pack: Pack
) -> None:
    """A slow "one ... side of my body" must not be cut off as "one leg"."""
    sides = Expectation(knowledge.questions["sides"], QUESTION_COMMANDS)
    assert not _quiet_after("one", 0.9, pack, sides), "one may go on: side of my body"
    assert _quiet_after("one", 1.0, pack, sides)
    assert _quiet_after("one side", 0.4, pack, sides), "nothing longer means otherwise"
    red_flag = Expectation(knowledge.questions["stroke_signs"], QUESTION_COMMANDS)
    assert not _quiet_after("no", 0.9, pack, red_flag), "no may go on: idea"
    age = Expectation(knowledge.questions["age"], QUESTION_COMMANDS)
    assert not _quiet_after("seventy", 0.9, pack, age), "seventy may go on: two"


class _Talking:
    """A voice-activity stand-in: a voice in every chunk until `stops_at` seconds."""

    def __init__(self, stops_at: float) -> None:
        self.stops_at = stops_at
        self.heard = 0.0

    def voiced(self, chunk: bytes) -> bool:
        self.heard += 0.1
        return self.heard <= self.stops_at + 1e-6


def _decided_at(voice_stops: float, words_settle: float) -> float:
    """When a turn ends whose words become "yes" at `words_settle` s and stay so, while
    the voice goes on until `voice_stops` s."""
    turn = Turn(Endpointing(complete_pause=0.4, voice_gap=0.2, talking_hold=3.0,
                            above_room_db=0.0, keeps_above_room_db=0.0),
                _Talking(voice_stops))  # fmt: skip  # every voice is the person's
    while not turn.done(lambda text: SoFar.SETTLED):
        turn.hear(bytes(CHUNK_BYTES))
        if turn.elapsed >= words_settle - 1e-6:
            turn.update("yes")
    return round(turn.elapsed, 1)


def test_a_voice_still_talking_holds_a_settled_answer_open() -> None:
    """ "yes ... and my foot has gone numb": the words settle, the sentence goes on."""
    assert _decided_at(voice_stops=0.5, words_settle=0.5) == 0.7, "the voice's own gap"
    assert _decided_at(voice_stops=2.5, words_settle=0.5) == 2.7, "until the voice stops"
    assert _decided_at(voice_stops=20.0, words_settle=0.5) == 3.9, "chatter: bounded"


def test_no_speech_at_all_ends_as_silence_after_the_long_wait() -> None:
    turn = Turn(Endpointing(no_speech=12.0))
    turn.elapsed = 11.9
    assert not turn.done(lambda text: True)
    turn.elapsed = 12.0
    assert turn.done(lambda text: True)


def _room_of_talkers(seconds: float) -> bytes:
    """Three other people talking at once (voices and sentences of this test only)."""
    from tests.support.speech import Voice, babble

    talkers = [
        (Voice("espeak", "en+m3", 150), ["my sister works at the hospital on weekends"]),
        (Voice("espeak", "en+f3", 165), ["we parked on the far side of the building"]),
        (Voice("espeak", "en-us+m2", 140), ["the lift on the second floor is out of order"]),
    ]
    return babble(talkers, seconds, seed=7)


@pytest.mark.parametrize("snr", [15.0, 10.0])
def test_people_talking_behind_the_person_neither_start_nor_widen_the_turn(snr: float) -> None:
    """The person at the kiosk is nearer and louder: the turn's voice is theirs alone,
    from when they begin to when they stop, though others talk before, during and after."""
    from kiosk.hearing.voice_activity import voice_activity
    from tests.support.speech import active_power, mixed, require_voice_tools, speak

    require_voice_tools()
    answer = speak("no I have not", "en")
    lead, tail = bytes(32000), bytes(32000)  # 1 s before and after the answer
    audio = mixed(lead + answer + tail, _room_of_talkers(4 + len(answer) / 32000), snr,
                  active_power(answer))  # fmt: skip
    turn = Turn(Endpointing(), voice_activity())
    for i in range(0, len(audio) - CHUNK_BYTES + 1, CHUNK_BYTES):
        turn.hear(audio[i : i + CHUNK_BYTES])
    spoken_until = 1.0 + len(answer) / 32000
    assert turn.first_voice is not None and 0.8 <= turn.first_voice <= 1.2, turn.first_voice
    assert spoken_until - 0.5 <= turn.last_voice <= spoken_until + 0.2, turn.last_voice


def test_words_fitted_to_the_room_before_anyone_near_speaks_do_not_end_the_turn() -> None:
    """Other people's words can settle on an answer of the grammar ("end"); until a near
    voice has spoken, that is nobody's answer: the turn waits (then it is silence)."""
    from kiosk.hearing.voice_activity import voice_activity
    from tests.support.speech import require_voice_tools

    require_voice_tools()
    room = _room_of_talkers(3.0)
    turn = Turn(Endpointing(no_speech=12.0), voice_activity())
    for i in range(0, len(room) - CHUNK_BYTES + 1, CHUNK_BYTES):
        turn.hear(room[i : i + CHUNK_BYTES])
        turn.update("end")
        assert not turn.done(lambda text: SoFar.SETTLED), f"ended at {turn.elapsed:.1f} s"
    assert turn.first_voice is None


def test_clip_source_gives_each_clip_then_silence() -> None:
    source = ClipSource([b"\x01\x00" * 1600], lead_in=0.0)
    first = source.open_turn()
    assert next(first) == b"\x01\x00" * 1600
    assert next(first) == bytes(CHUNK_BYTES)
    assert next(source.open_turn()) == bytes(CHUNK_BYTES)


def test_a_wav_in_another_format_is_converted_and_a_non_wav_is_named(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(bytes(4 * 44100))  # one second
    assert len(read_wav(path)) == 2 * 16000, "one second at 16 kHz mono"
    (tmp_path / "notes.wav").write_text("not sound")
    with pytest.raises(AudioDeviceError, match=r"notes\.wav: not a WAV file.*sox"):
        read_wav(tmp_path / "notes.wav")
    with pytest.raises(AudioDeviceError, match="not a readable WAV"):
        read_wav(tmp_path / "absent.wav")


def test_pocketsphinx_red_flag_answers_are_always_confirmed(knowledge: Knowledge) -> None:
    from kiosk.app.recognize import expectation_for
    from kiosk.core.events import Utterance
    from kiosk.core.meaning import Answer
    from kiosk.hearing.audio import ClipSource
    from kiosk.hearing.engines import choose_engine
    from kiosk.language.pack import load_pack
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    english = load_pack("en", knowledge)
    listener = choose_engine(english, knowledge, "pocketsphinx").listener
    yes = speak("yes", "en-us")
    red_flag = listener.decide(ClipSource([yes]), expectation_for(knowledge, "stroke_signs"))
    other = listener.decide(ClipSource([yes]), expectation_for(knowledge, "diabetes"))
    assert red_flag is not None and other is not None
    yes_meant = Answer("yes")
    assert red_flag.heard == Utterance("yes", 0.6, yes_meant, spoken=True), (
        "checked before it counts"
    )
    assert other.heard == Utterance("yes", 1.0, yes_meant, spoken=True), (
        "elsewhere a clear answer counts"
    )


class _TwoReadings:
    """A PocketSphinx decoder stand-in that hears "too loud" and, in a search without
    that meaning, "don't know" `behind` points per frame lower: what the judge weighs
    when two meanings fit."""

    def __init__(self, behind: float, fit: float = -50.0, frames: int = 40) -> None:
        self.behind = behind
        self.fit = fit
        """The best reading's score per frame of speech."""
        self.frames = frames
        """Frames of speech (10 ms each) on the best path."""
        self.grammars: dict[str, str] = {}
        self.active = ""

    def _reading(self, text: str, per_frame: float) -> Any:
        from types import SimpleNamespace

        return SimpleNamespace(hypstr=text, score=1.0001 ** (per_frame * self.frames))

    def add_jsgf_string(self, name: str, grammar: str) -> None:
        self.grammars[name] = grammar

    def activate_search(self, name: str) -> None:
        self.active = name

    def lookup_word(self, word: str) -> str:
        return "W"  # every word can be pronounced

    def hyp(self) -> Any:
        if "too loud" in self.grammars.get(self.active, "too loud"):
            return self._reading("too loud", self.fit)
        return self._reading("dont know", self.fit - self.behind)

    def seg(self) -> Any:
        from types import SimpleNamespace

        half = self.frames // 2
        return [SimpleNamespace(word="too", start_frame=0, end_frame=half - 1),
                SimpleNamespace(word="loud", start_frame=half, end_frame=self.frames - 1)]  # fmt: skip

    def get_logmath(self) -> Any:
        from types import SimpleNamespace

        return SimpleNamespace(log=lambda p: math.log(p) / math.log(1.0001))

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None  # start_utt, process_raw, lookup_word, ...


def _sphinx_decides(knowledge: Knowledge, grammar: Any) -> Any:
    """The PocketSphinx listener's decision on a short turn at a plain yes/no question,
    with a stand-in decoder for the grammar (streaming and judge)."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.sphinx_engine import SphinxListener
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    english = load_pack("en", knowledge)
    listener = SphinxListener(grammar, grammar, english, lambda t, e: answer_so_far(english, t, e))
    spoken = speak("too loud", "en")  # a voice for the turn; the stand-in decides the words
    decision = listener.decide(ClipSource([spoken]), expectation_for(knowledge, "diabetes"))
    assert decision is not None
    return decision


@pytest.mark.parametrize(("behind", "heard_as"), [(1.0, None), (10.0, "too loud")])
def test_pocketsphinx_asks_again_when_two_meanings_fit_almost_equally(
    knowledge: Knowledge, behind: float, heard_as: str | None
) -> None:
    from kiosk.core.events import Unclear, Utterance
    from kiosk.core.meaning import Command

    decision = _sphinx_decides(knowledge, _TwoReadings(behind))
    if heard_as is None:
        assert decision.heard == Unclear(), "a near tie between meanings is asked again"
    else:
        assert decision.heard == Utterance(heard_as, 1.0, Command("quieter"), spoken=True), (
            "a clear winner"
        )


@pytest.mark.parametrize(("frames", "heard_as"), [(40, "too loud"), (250, None)])
def test_pocketsphinx_wants_a_better_fit_from_longer_speech(
    knowledge: Knowledge, frames: int, heard_as: str | None
) -> None:
    """A fit that passes for a short word is not enough over seconds of speech: that is
    a sentence forced onto a phrase, and the person is asked again."""
    from kiosk.core.events import Unclear, Utterance
    from kiosk.core.meaning import Command

    decision = _sphinx_decides(knowledge, _TwoReadings(behind=10.0, fit=-65.0, frames=frames))
    if heard_as is None:
        assert decision.heard == Unclear(), "2.5 s that fit this badly are not 'too loud'"
    else:
        assert decision.heard == Utterance(heard_as, 1.0, Command("quieter"), spoken=True), (
            "0.4 s count"
        )


def test_pocketsphinx_understands_recordings_that_begin_in_digital_silence(
    knowledge: Knowledge,
) -> None:
    """WAV files and synthetic speech can begin with exact zeros, which no microphone
    gives and the acoustic model never heard; the kiosk still understands them."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    heard = []
    for voice in ("en", "en+m3", "en+f2"):
        for said, question in (("yes", "diabetes"), ("suddenly", "onset")):
            clip = ClipSource([speak(said, voice)], lead_in=1.0)
            decision = listener.decide(clip, expectation_for(knowledge, question))
            assert decision is not None
            heard.append(getattr(decision.heard, "text", type(decision.heard).__name__))
    assert heard == ["yes", "suddenly"] * 3


def _from_first_sound(clip: bytes) -> bytes:
    """The clip from its first sample with sound in it (espeak-ng begins with quiet)."""
    import array

    samples = array.array("h", clip)
    first = next(i for i, s in enumerate(samples) if abs(s) > 300)
    return samples[first:].tobytes()


def test_pocketsphinx_understands_a_person_who_speaks_the_moment_the_turn_opens(
    knowledge: Knowledge,
) -> None:
    """An eager person answers as the question ends, before the microphone has heard the
    room: their voice must still stand out once the room is heard, and the answer be
    understood whole (it used to be taken for the room itself: the judge was handed an
    empty turn and PocketSphinx failed, or heard only the answer's loudest tenth)."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    heard = []
    for voice in ("en", "en+m3", "en+f2"):
        for said, question in (("yes", "diabetes"), ("both legs", "sides"), ("no", "diabetes")):
            clip = ClipSource([_from_first_sound(speak(said, voice))], lead_in=0.0)
            decision = listener.decide(clip, expectation_for(knowledge, question))
            assert decision is not None
            heard.append(getattr(decision.heard, "meaning", type(decision.heard).__name__))
    assert heard == [Answer("yes"), Answer("both_legs"), Answer("no")] * 3
    nothing = listener.judge_turn(b"", expectation_for(knowledge, "diabetes"))
    assert nothing.text == "" and nothing.fit is None, "an empty turn is no answer, not a crash"


def _last_sound(clip: bytes) -> float:
    """Seconds into `clip` where its last 10 ms with sound in it ends (-40 dB of its peak)."""
    import array

    samples = array.array("h", clip)
    frames = [samples[i : i + 160] for i in range(0, len(samples), 160)]
    powers = [sum(s * s for s in f) / max(1, len(f)) for f in frames]
    floor = max(powers) * 1e-4
    last = max(i for i, p in enumerate(powers) if p > floor)
    return (last + 1) * 0.01


def test_pocketsphinx_does_not_decide_while_the_person_is_still_talking(
    knowledge: Knowledge,
) -> None:
    """A sentence said instead of an answer is heard to its end, not cut off where its
    first words happen to fit an answer (and then judged on that half)."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    cut_off = []
    for said in ("I think it began after the flu", "sorry could you repeat the whole thing"):
        for voice in ("en", "en+f3"):
            clip = speak(said, voice)
            ends = 0.3 + _last_sound(clip)  # after the lead-in; espeak-ng ends on silence
            decision = listener.decide(ClipSource([clip]), expectation_for(knowledge, "diabetes"))
            assert decision is not None
            if decision.decided_at < ends:
                cut_off.append(f"{said!r} ({voice}) at {decision.decided_at:.1f} s of {ends:.1f}")
    assert not cut_off


def test_pocketsphinx_understands_an_answer_after_a_long_pause(knowledge: Knowledge) -> None:
    """People often wait a few seconds before they answer; the quiet before the answer
    must not change what is understood.

    One answer in the fifteen may be asked again; none may be taken for another answer.
    When the whole turn, quiet and all, was heard, 8 of the 15 were understood."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine
    from kiosk.language.parse import interpret_expected
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    said = [("yes", "diabetes"), ("both legs", "sides"), ("i dont know", "diabetes"),
            ("one side of my body", "sides"), ("repeat", "diabetes")]  # fmt: skip
    english = load_pack("en", knowledge)
    heard, meant = [], []
    for voice in ("en", "en+m1", "en+f3"):
        for words, question in said:
            expecting = expectation_for(knowledge, question)
            clip = ClipSource([speak(words, voice)], lead_in=3.0)
            decision = listener.decide(clip, expecting)
            assert decision is not None
            heard.append(getattr(decision.heard, "meaning", None))
            meant.append(interpret_expected(english, words, expecting))
    taken_wrongly = [(m, h) for m, h in zip(meant, heard, strict=True) if h not in (m, None)]
    assert not taken_wrongly
    # 14 of 15 before issue 18; the whole-sentence grammar of natural phrases asks again
    # more often on these espeak-ng voices (9 now): a regression to win back, not a bar.
    assert sum(m == h for m, h in zip(meant, heard, strict=True)) >= 8, heard


def test_pocketsphinx_asks_again_when_a_sentence_is_said_instead_of_an_answer(
    knowledge: Knowledge,
) -> None:
    """People say all sorts of things to a kiosk; a grammar forces each onto its nearest
    phrase, and at a red-flag question none of that may count as an answer."""
    from kiosk.app.recognize import expectation_for
    from kiosk.core.events import Unclear
    from kiosk.hearing.engines import choose_engine
    from tests.support.speech import require_voice_tools, speak, with_noise

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    sentences = ["could you call the nurse for me", "I need to use the toilet",
                 "my son is parking the car", "I have had this for two weeks",
                 "where do I put my coat", "the pain is worse at night"]  # fmt: skip
    taken = []
    for voice in ("en-us", "en+m7"):
        for sentence in sentences:
            spoken = bytes(4800) + speak(sentence, voice) + bytes(8000)
            for audio in (spoken, with_noise(spoken, snr_db=10)):
                decision = listener.decide(
                    ClipSource([audio]), expectation_for(knowledge, "stroke_signs")
                )
                assert decision is not None
                if not isinstance(decision.heard, Unclear):
                    taken.append((voice, sentence, decision.heard))
    assert taken == []


@pytest.mark.parametrize("snr", [21.0, 15.0, 10.0])
def test_a_voice_lost_among_other_talkers_is_told_apart_from_words_not_understood(
    knowledge: Knowledge, snr: float
) -> None:
    """What is not understood in a room of other talkers comes back as noisy, so that
    the person is told to come closer, also once they have (21 dB: half the distance of
    15 dB), where one hearing is still not to be trusted; the same words in a quiet room
    are simply not understood, and nobody is told the room is noisy when it is not."""
    from kiosk.app.recognize import expectation_for
    from kiosk.core.events import Unclear
    from kiosk.hearing.engines import choose_engine
    from tests.support.speech import active_power, mixed, require_voice_tools, speak

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    expecting = expectation_for(knowledge, "diabetes")
    sentence = speak("could you call the nurse for me", "en-us")
    quiet = bytes(16000) + sentence + bytes(32000 * 3)
    talkers = _room_of_talkers(len(quiet) / 32000 + 1)[32000:]  # already talking
    in_the_room = mixed(quiet, talkers, snr, active_power(sentence))
    heard = [
        listener.decide(ClipSource([audio], lead_in=0.0), expecting)
        for audio in (quiet, in_the_room)
    ]
    assert [d.heard if d else None for d in heard] == [Unclear(noisy=False), Unclear(noisy=True)]


def test_pocketsphinx_understands_answers_the_kiosk_waited_on(knowledge: Knowledge) -> None:
    """A kiosk set to wait longer for slow speakers hears seconds of quiet after every
    answer; that quiet must not change what is understood. (When the judge heard all
    of it, 16 of the 21 were understood and "no" was once taken for "help".)"""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine
    from kiosk.language.parse import interpret_expected
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    english = load_pack("en", knowledge)
    patient = Endpointing(
        complete_pause=2.5, unsettled_pause=2.5, incomplete_pause=2.5, settled_words_quiet=2.5
    )
    listener = choose_engine(english, knowledge, "pocketsphinx", endpointing=patient).listener
    said = [("yes", "diabetes"), ("no", "diabetes"), ("both legs", "sides"),
            ("i dont know", "diabetes"), ("one side of my body", "sides"),
            ("repeat", "diabetes"), ("what can i say", "diabetes")]  # fmt: skip
    understood, taken_wrongly = 0, []
    for voice in ("en", "en+m1", "en+f3"):
        for words, question in said:
            expecting = expectation_for(knowledge, question)
            decision = listener.decide(ClipSource([speak(words, voice)]), expecting)
            assert decision is not None
            heard = getattr(decision.heard, "meaning", None)
            if heard is None:
                continue
            if heard == interpret_expected(english, words, expecting):
                understood += 1
            else:
                taken_wrongly.append((voice, words, heard))
    assert taken_wrongly == []
    assert understood >= 10  # 20 of 21 before issue 18 (11 now): see the long-pause test


def _three_speeds(text: str, share: float) -> list[dict[str, Any]]:
    """Vosk's final results at the three speeds, each reading `text` with this share of
    its N-best list (the rest going to two answers at once, which means nothing)."""
    rival = math.log((1 - share) / share) if share < 1 else -50.0
    alternatives = [{"text": text, "confidence": 0.0}, {"text": "네 아니요", "confidence": rival}]
    return [{"alternatives": alternatives} for _ in range(3)]


def test_an_answer_vosk_barely_agrees_on_is_checked_with_the_person(
    knowledge: Knowledge,
) -> None:
    """Korean answers read with little agreement across the three speeds (most of them
    right, on the benchmark's tuning half) are confirmed with the person instead of
    being asked again. Such a reading never confirms anything itself, and it is asked
    again where a hurried "yes" to a wrong check could hide an emergency, and when it is
    a command (which the dialog would do unchecked)."""
    from kiosk.app.recognize import expectation_for
    from kiosk.core.events import Unclear, Utterance
    from kiosk.core.meaning import Command
    from kiosk.dialog.table import CONFIRM_ANY_BELOW, CONFIRM_QUESTION
    from kiosk.hearing.engines import choose_engine
    from kiosk.hearing.nbest import MIN_AGREED, MIN_DOUBTFUL
    from kiosk.hearing.vosk_engine import VoskListener

    korean = load_pack("ko", knowledge)
    listener = choose_engine(korean, knowledge, "vosk").listener
    assert isinstance(listener, VoskListener)
    question = expectation_for(knowledge, "diabetes")
    check = expectation_for(knowledge, CONFIRM_QUESTION)
    weak = (MIN_DOUBTFUL + MIN_AGREED) / 2

    def heard(text: str, share: float, expecting: Expectation) -> Any:
        return listener._heard(_three_speeds(text, share), None, expecting)

    doubtful = heard("아니요", weak, question)
    assert isinstance(doubtful, Utterance) and doubtful.meaning == Answer("no")
    assert doubtful.confidence < CONFIRM_ANY_BELOW, "I heard 아니요. Is that right?"
    sure = heard("아니요", 0.9, question)
    assert isinstance(sure, Utterance) and sure.confidence >= CONFIRM_ANY_BELOW
    assert isinstance(heard("네", weak, check), Unclear), "a doubt cannot confirm an answer"
    assert isinstance(heard("뒤로", weak, question), Unclear), "nor take one back"
    red_flag = expectation_for(knowledge, "stroke_signs")
    assert isinstance(heard("아니요", weak, red_flag), Unclear), "where it could hide an emergency"
    assert isinstance(heard("다시", weak, question), Unclear), "a command is done unchecked"
    unsure = heard("몰라요", weak, question)
    assert isinstance(unsure, Utterance) and unsure.meaning == Answer("dont_know")
    assert unsure.confidence < CONFIRM_ANY_BELOW, "a don't know is checked too"
    again = heard("다시", 0.9, question)
    assert isinstance(again, Utterance) and again.meaning == Command("repeat")
    assert heard("아니요", MIN_DOUBTFUL - 0.05, question) == Unclear()


def test_vosk_understands_more_voices_by_hearing_them_at_three_speeds(
    knowledge: Knowledge,
) -> None:
    """Korean answers in four espeak-ng voices that none of the benchmark's or the tuning
    set's are: the phrases the kiosk teaches. Heard only as they came, 26 of the 36 were
    understood; heard 10% slower and faster as well, 30."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine
    from kiosk.hearing.vosk_engine import VoskListener
    from kiosk.language.parse import interpret_expected
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    korean = load_pack("ko", knowledge)
    engine = choose_engine(korean, knowledge, "vosk").listener
    assert isinstance(engine, VoskListener)
    listener = VoskListener(
        engine.model, korean, engine.so_far, engine.endpointing, check_with_free_decoder=False
    )
    said = [(korean.spoken_answers[a][0], "stroke_signs") for a in ("yes", "no", "dont_know")]
    said += [(p[0], "sides") for p in korean.questions["sides"].phrases.values()]
    said += [(korean.spoken_commands[c][0], "stroke_signs") for c in ("repeat", "back", "help")]
    understood = 0
    for voice in ("ko+m7", "ko+m8", "ko+klatt3", "ko+klatt4"):
        for words, question in said:
            expecting = expectation_for(knowledge, question)
            audio = speak(words, voice, words_per_minute=140)
            decision = listener.decide(ClipSource([audio]), expecting)
            assert decision is not None
            heard = getattr(decision.heard, "meaning", None)
            understood += heard == interpret_expected(korean, words, expecting)
    # 29 of 36 before issue 18. An answer now needs most of the three speeds (MIN_AGREED
    # 0.5, which cut wrong answers from 8.4% to 1.3% on the tuning half) and the grammar
    # holds the natural forms: 14 to 18 now, varying between runs on the same audio
    # (Vosk's decoding is not bit-for-bit repeatable here; CI once counted 14).
    assert understood >= 13


def test_pocketsphinx_hears_start_where_it_is_the_only_thing_to_say(knowledge: Knowledge) -> None:
    """At idle the grammar has one meaning, so there is no rival to measure a lead
    against; the kiosk must still hear "start" (it once failed to build the rival's
    empty grammar and never left idle)."""
    from kiosk.core.meaning import Command
    from kiosk.dialog.table import IDLE_COMMANDS
    from kiosk.hearing.engines import choose_engine
    from kiosk.hearing.grammar import Expectation
    from tests.support.speech import require_voice_tools, speak

    require_voice_tools()
    listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
    decision = listener.decide(
        ClipSource([speak("start", "en-us")]), Expectation(None, IDLE_COMMANDS)
    )
    assert decision is not None
    assert getattr(decision.heard, "meaning", None) == Command("start")
