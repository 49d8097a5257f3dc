"""Answers said the way people say them, by voice: carrier phrases, polite forms, fillers,
forms the model cannot hear, and other people talking in the room.

The speech is made at test time (espeak-ng, festival), the babble from talkers and
sentences that neither the benchmark's tuning half nor the kiosk's packs use. Each
session must reach the same result as the same answers typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kiosk.app.recognize import expectation_for
from kiosk.config.settings import Settings
from kiosk.core.events import Heard, Output, Result, Utterance
from kiosk.core.meaning import Answer, Command
from kiosk.dialog.machine import Dialog
from kiosk.dialog.table import CONFIRM_ANY_BELOW, QUESTION_COMMANDS
from kiosk.frontends.voice import VoiceFrontEnd
from kiosk.hearing.audio import CHUNK_BYTES, SAMPLE_RATE, ClipSource
from kiosk.hearing.engines import Engine, choose_engine
from kiosk.hearing.grammar import Expectation, jsgf_grammar, vosk_grammar
from kiosk.hearing.turn import Endpointing
from kiosk.language.commands import SPECS
from kiosk.language.pack import Pack, load_pack
from kiosk.speaking.tts import SilentSpeaker
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk
from tests.support.speech import Voice, active_power, babble, mixed, require_voice_tools, say
from tests.test_voice import _NullText

pytestmark = pytest.mark.voice

NATURAL = {
    "en": {"yes": "yes I do", "no": "no I don't", "dont_know": "I'm not sure",
           "confirm_yes": "yes that's right", "confirm_no": "no it isn't",
           "done": "I'm finished", "repeat": "can you say that again"},
    "ko": {"yes": "네 있어요", "no": "아니요 없어요", "dont_know": "모르겠어요",
           "confirm_yes": "네", "confirm_no": "아니에요",
           "done": "완료", "repeat": "다시 말해 주세요"},
}  # fmt: skip
"""What the patient says. Not yet heard reliably in espeak-ng's plain Korean voice, and
so not used here (measured with the benchmark's --misses): 네 맞아요, 다 했어요; nor
"I'm done" in English at the results."""
VOICE = {"en": Voice("espeak", "en-us", 150), "ko": Voice("espeak", "ko", 150)}
ROOM = {
    "en": (
        [Voice("espeak", "en+m8", 155), Voice("espeak", "en+f5", 145), Voice("festival", "slt")],
        ["the parking ticket machine is broken", "we waited two hours last time",
         "my cousin is a nurse here", "shall we sit by the window"],
    ),
    "ko": (
        [Voice("espeak", "ko+m8", 155), Voice("espeak", "ko+f5", 145), Voice("espeak", "ko+klatt5")],
        ["주차 기계가 고장 났어요", "지난번엔 두 시간 기다렸어요",
         "사촌이 여기 간호사예요", "창가에 앉을까요"],
    ),
}  # fmt: skip
"""Three other people talking behind the patient, in each language."""


@pytest.fixture(scope="module", params=["ko", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    require_voice_tools()
    return str(request.param)


@pytest.fixture(scope="module")
def pack(lang: str, knowledge: Knowledge) -> Pack:
    return load_pack(lang, knowledge)


@pytest.fixture(scope="module")
def engine(pack: Pack, knowledge: Knowledge) -> Engine:
    return choose_engine(pack, knowledge, endpointing=Endpointing(no_speech=3.0))


@pytest.fixture(scope="module")
def room(lang: str) -> bytes:
    talkers, sentences = ROOM[lang]
    return babble([(v, sentences[i::2] or sentences) for i, v in enumerate(talkers)], 20.0, 7)


MOST_TURNS = 60
"""A session takes about 25 turns; past this the kiosk is not understanding the patient."""


class NaturalPatient:
    """Answers every prompt out loud in natural words."""

    def __init__(
        self,
        pack: Pack,
        answers: dict[str, str],
        room: bytes | None = None,
        off_topic: str | None = None,
        snr: float = 15.0,
    ) -> None:
        self.pack = pack
        self.room = room
        """Other people talking behind the patient, `snr` dB below each answer."""
        self.snr = snr
        self.off_topic = off_topic
        """Said (twice, as the kiosk asks again) instead of a choice the kiosk can ask one
        option at a time: a person who talks about something else, or is not heard."""
        self.words = NATURAL[pack.language]
        self.voice = VOICE[pack.language]
        self.answers = answers
        self.front: VoiceFrontEnd | None = None
        self.said: list[str] = []

    def line(self) -> str:
        assert self.front is not None
        dialog = self.front.dialog
        if dialog.confirming is not None:
            question, heard = dialog.confirming
            agree = heard == self.answers.get(question, "no")
            return self.words["confirm_yes" if agree else "confirm_no"]
        if dialog.asking_alone is not None:  # "did it come on all of a sudden?"
            question, option = dialog.asking_alone
            return self.words["confirm_yes" if self.answers[question] == option else "confirm_no"]
        if dialog.expecting.yes_no:  # the answers read back before the results: right
            return self.words["confirm_yes"]
        question = dialog.expecting.question
        if question is None:
            return self.words["done"]
        if self.off_topic and self.pack.questions[question.id].one_at_a_time:
            return self.off_topic
        if question.kind.value != "yesno":  # a choice: the first way the pack says it
            return self.pack.questions[question.id].phrases[self.answers[question.id]][0]
        return self.words[self.answers.get(question.id, "no")]

    def open_turn(self) -> Iterator[bytes]:
        if len(self.said) >= MOST_TURNS:  # not understood all along: fall silent, so the
            yield from iter(lambda: bytes(CHUNK_BYTES), None)  # session times out
        text = self.line()
        self.said.append(text)
        clip = say(text, self.voice)
        audio = bytes(int(SAMPLE_RATE * 0.5) * 2) + clip + bytes(SAMPLE_RATE * 4 * 2)
        if self.room is not None:  # a different stretch of the room's talk each turn
            offset = (len(self.said) * 40009 * 2) % (len(self.room) - len(audio))
            audio = mixed(audio, self.room[offset:], self.snr, active_power(clip))
        for start in range(0, len(audio), CHUNK_BYTES):
            yield audio[start : start + CHUNK_BYTES].ljust(CHUNK_BYTES, b"\0")
        while True:
            yield bytes(CHUNK_BYTES)

    def close(self) -> None:
        pass


def spoken_session(
    knowledge: Knowledge, pack: Pack, engine: Engine, patient: NaturalPatient
) -> list[Output]:
    outputs: list[Output] = []

    def make(emit: Callable[[Output], None]) -> Dialog:
        return Dialog(knowledge, pack, lambda o: (outputs.append(o), emit(o))[1], lambda s: True)

    front = VoiceFrontEnd(make, engine.listener, patient, SilentSpeaker(), _NullText())
    patient.front = front
    front.run(sessions=1, start_at_once=True)
    return outputs


def typed(knowledge: Knowledge, pack: Pack, answers: dict[str, str]) -> Result:
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    kiosk.answer_all(answers)
    return kiosk.result()


ANSWERS = {
    "feet_numb": "yes", "diabetes": "yes", "back_pain": "dont_know", "onset": "gradual",
    "sides": "both_legs", "function_now": "walks_alone", "progression": "same",
}  # fmt: skip
"""Yes/no answers in natural words (NATURAL); the choices in the pack's own words."""


def test_a_session_answered_in_natural_phrases_matches_typing(
    knowledge: Knowledge, pack: Pack, engine: Engine, lang: str
) -> None:
    patient = NaturalPatient(pack, ANSWERS)
    outputs = spoken_session(knowledge, pack, engine, patient)
    results = [o for o in outputs if isinstance(o, Result)]
    assert results, f"no result; the patient said {patient.said}"
    expected = typed(knowledge, pack, ANSWERS)
    assert results[-1].answers == expected.answers, f"the patient said {patient.said}"
    assert results[-1].triage == expected.triage


def test_an_english_session_in_babble_matches_typing(knowledge: Knowledge) -> None:
    """Three other people talking 15 dB below the patient the whole session: Whisper
    makes out the natural answers (the kiosk checks each one, as in any noisy room) and
    the session ends as typing does. PocketSphinx alone made out 8% of answers in such a
    room (decision record 0001, stop 39); Korean is not there yet (issue 18)."""
    require_voice_tools()
    english = load_pack("en", knowledge)
    engine = choose_engine(english, knowledge, endpointing=Endpointing(no_speech=3.0))
    talkers, sentences = ROOM["en"]
    room = babble([(v, sentences[i::2] or sentences) for i, v in enumerate(talkers)], 20.0, 7)
    patient = NaturalPatient(english, ANSWERS, room=room, snr=15.0)
    outputs = spoken_session(knowledge, english, engine, patient)
    results = [o for o in outputs if isinstance(o, Result)]
    assert results, f"no result; the patient said {patient.said}"
    assert results[-1].answers == typed(knowledge, english, ANSWERS).answers, patient.said


def test_a_korean_choice_not_made_out_is_answered_one_option_at_a_time_by_voice(
    knowledge: Knowledge,
) -> None:
    """A Korean speaker who says something else at each choice ("where is the car park?")
    is asked its options one at a time, answers 네 and 아니에요 aloud, and ends with the
    answers typing gives (decision record 0001, stop 38; English choices are not asked
    this way)."""
    require_voice_tools()
    korean = load_pack("ko", knowledge)
    engine = choose_engine(korean, knowledge, endpointing=Endpointing(no_speech=3.0))
    patient = NaturalPatient(korean, ANSWERS, off_topic="주차장이 어디예요")
    outputs = spoken_session(knowledge, korean, engine, patient)
    results = [o for o in outputs if isinstance(o, Result)]
    assert results, f"no result; the patient said {patient.said}"
    assert results[-1].answers == typed(knowledge, korean, ANSWERS).answers, patient.said
    assert patient.said.count("주차장이 어디예요") >= 4, patient.said  # onset and sides


@pytest.mark.parametrize("snr", [15, 10])
def test_in_babble_nothing_is_taken_as_another_answer_without_asking(
    knowledge: Knowledge, pack: Pack, engine: Engine, room: bytes, lang: str, snr: int
) -> None:
    """Three other people talking 15 or 10 dB below the patient: the kiosk may have to
    ask again, and what it heard it confirms ("I heard no. Is that right?") before it
    counts; what the dialog would act on unchecked (a command that changes something, a
    "don't know") must be what was said; a stop is never taken from a hearing in the
    noise."""
    expecting = Expectation(knowledge.questions["diabetes"], QUESTION_COMMANDS)
    said = [(k, t) for k, t in NATURAL[lang].items() if k in ("yes", "no", "dont_know", "repeat")]
    said.append(("stop", pack.commands["stop"][0]))
    taken = []
    for n, (_, text) in enumerate(said):
        clip = say(text, VOICE[lang])
        audio = bytes(SAMPLE_RATE) + clip + bytes(SAMPLE_RATE * 3)
        offset = (n * 40009 * 2 + snr) % (len(room) - len(audio))
        noisy = mixed(audio, room[offset:], snr, active_power(clip))
        decision = engine.listener.decide(ClipSource([noisy], lead_in=0.0), expecting)
        assert decision is not None
        heard = decision.heard
        meaning = heard.meaning if isinstance(heard, Utterance) else None
        sure = isinstance(heard, Utterance) and heard.confidence >= CONFIRM_ANY_BELOW
        if isinstance(meaning, Answer) and (sure or meaning == Answer("dont_know")):
            taken.append((text, meaning))  # counts without "Is that right?"
        elif isinstance(meaning, Command) and not SPECS[meaning.name].only_says:
            taken.append((text, meaning))  # done, whatever the confidence
    meant = {(t, Command(v) if v in ("repeat", "stop") else Answer(v)) for v, t in said}
    assert [(t, m) for t, m in taken if (t, m) not in meant] == []
    assert not any(m == Command("stop") for _, m in taken), taken


def _hear(engine: Engine, text: str, voice: Voice, expecting: Expectation) -> Heard:
    """What the kiosk's listener decides `text` said once by `voice` was (a second of
    quiet before, four after)."""
    audio = bytes(SAMPLE_RATE) + say(text, voice) + bytes(SAMPLE_RATE * 4)
    decision = engine.listener.decide(ClipSource([audio], lead_in=0.0), expecting)
    assert decision is not None
    return decision.heard


def _decide(
    engine: Engine, pack: Pack, knowledge: Knowledge, text: str, voice: Voice, at: str = "diabetes"
) -> object:
    heard = _hear(engine, text, voice, expectation_for(knowledge, at))  # as the dialog
    # marked as heard, so a spoken "stop" is checked before any answer is cleared
    assert not isinstance(heard, Utterance) or heard.spoken, heard
    return heard.meaning if isinstance(heard, Utterance) else None


THREE_VOICES = {
    "en": [Voice("espeak", "en+m4", 140), Voice("festival", "ked"), Voice("espeak", "en+f4", 170)],
    "ko": [Voice("espeak", "ko+m4", 140), Voice("espeak", "ko+f2", 160), Voice("espeak", "ko+m6")],
}


def test_the_dont_know_the_kiosk_teaches_is_heard_and_never_as_yes_or_no(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """The kiosk tells people to say "not sure" / 잘 모르겠어요. It taught 몰라요 before,
    which the tuning voices got right 1 time in 8 at a red flag and once heard as "네
    어" (yes); and "I don't know", 5 of 8 at a yes/no question, where "I don't" is a no."""
    taught = pack.spoken_answers["dont_know"][0]
    assert all(taught in pack.say(m) for m in ("welcome", "unclear_yesno", "help_yesno"))
    heard = [
        _decide(engine, pack, knowledge, taught, v, "stroke_signs") for v in THREE_VOICES[lang]
    ]
    assert Answer("yes") not in heard and Answer("no") not in heard, heard
    assert Answer("dont_know") in heard, heard


@pytest.mark.parametrize("command", ["slower", "faster", "quieter"])
def test_the_speed_and_volume_commands_the_kiosk_teaches_are_heard_never_as_answers(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str, command: str
) -> None:
    """The help message teaches one way to ask for each. In Korean it taught 느리게
    ("slowly"), 더 빠르게 ("faster") and 작게 ("smaller"), which the benchmark's tuning
    voices got right 0, 1 to 3 and 0 times in 8 (작게 twice as 맞아, a yes); the "too ..."
    forms, as English teaches "too loud", 6 to 8 of 8 each. English taught "speed up"
    (5 of 8; "too slow" 8 of 8). English "slow down" was heard 1 of 3 by these voices
    until Whisper wrote it down (stop 39)."""
    taught = pack.spoken_commands[command][0]
    assert taught in pack.say("help_commands")
    heard = [_decide(engine, pack, knowledge, taught, v) for v in THREE_VOICES[lang]]
    assert not any(isinstance(h, Answer) for h in heard), heard
    assert heard.count(Command(command)) >= 2, heard


def test_a_plain_yes_at_a_choice_never_moves_the_voice_to_the_headphones(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """Vosk heard the Korean 예 as 이어폰 ("earphones") at "how did it start?" for 5 of 8
    tuning voices, once at full confidence: with headphones fitted, a person who said
    yes would have heard nothing more from the room's loudspeaker."""
    headphones = Command("headphones")
    for yes in pack.answers["yes"][:2]:
        heard = [_decide(engine, pack, knowledge, yes, v, "onset") for v in THREE_VOICES[lang]]
        assert headphones not in heard, (yes, heard)


SWAPPED_YES = {
    "en": [Voice("espeak", "en+f1", 170), Voice("espeak", "en+f1", 195)],
    "ko": THREE_VOICES["ko"],
}
"""Voices that once swapped a suggested yes and no (en+f1 heard "correct" as "uh
negative", a no, at full confidence)."""
KOREAN_YE = (
    "ko+f2 heard 예 (yes) as 아니에요 (no) at 0.58-0.67, 1 in 32 of 16 voices x 2 rates; "
    "without 아니에요 spelled for the model, 예 was never no, but 아니에요 itself was heard "
    "3 times in 32 instead of 30, so the spelling stays (decision record 0001)"
)


def test_the_yes_and_no_the_kiosk_suggests_are_never_swapped(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str, request: pytest.FixtureRequest
) -> None:
    if lang == "ko":
        request.applymarker(pytest.mark.xfail(strict=False, reason=KOREAN_YE))
    opposite = {"yes": Answer("no"), "no": Answer("yes")}
    for answer, wrong in opposite.items():
        for said in pack.spoken_answers[answer][:4]:
            heard = [_decide(engine, pack, knowledge, said, v) for v in SWAPPED_YES[lang]]
            assert wrong not in heard, (said, heard)


@pytest.mark.parametrize("at", ["diabetes", "onset"])
def test_a_command_at_a_question_is_never_an_unchecked_answer(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str, at: str
) -> None:
    """Vosk heard 더 크게 ("louder") as "네 그래요" (yes, unchecked at most questions) 6
    times in 8 tuning voices and rates, while 그래요 itself was never heard right; 그만
    ("stop") as 맞아 (yes) 3 times; at "how did it start?", 빠르게 ("faster") as 바로
    ("right away": sudden) 4 times, and "slower" as *slowly* twice. (PocketSphinx heard
    "louder" as "well they are" at 0.3, and at "how did it start?" as "well a month" at
    0.6: both checked, "I heard ... Is that right?"; and "undo that" as "I do not", a no,
    at 1.0 for 5 of 8 tuning voices, now checked as one word from "I do".)"""
    from kiosk.triage.rules import guards_emergency

    question = knowledge.questions[at]
    expecting = expectation_for(knowledge, at)
    checked_below = (
        Settings().confirm_below if guards_emergency(knowledge, question) else CONFIRM_ANY_BELOW
    )
    commands = {
        "en": ["louder", "speak up", "stop", "help", "slow down", "speed up", "too slow",
               "undo that"],
        "ko": ["더 크게", "크게", "그만", "멈춰", "도와줘", "도움말", "빠르게", "더 빠르게",
               "너무 빨라", "너무 느려", "너무 시끄러워"],
    }[lang]  # fmt: skip
    found_with = {"undo that": [Voice("espeak", "en+f1", 170)]}  # the voice that showed it
    for said in commands:
        voices = THREE_VOICES[lang] + found_with.get(said, [])
        heard = [_hear(engine, said, v, expecting) for v in voices]
        unchecked = [
            h
            for h in heard
            if isinstance(h, Utterance)
            and isinstance(h.meaning, Answer)
            and h.confidence >= checked_below
        ]
        assert not unchecked, (said, heard)


def test_no_said_with_a_carrier_phrase_is_no_never_dont_know(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """ "no I don't" holds "I don't", which begins "I don't know": the whole decides."""
    text = {"en": "no I don't", "ko": "아니요 없어요"}[lang]
    heard = [_decide(engine, pack, knowledge, text, v) for v in THREE_VOICES[lang]]
    assert Answer("dont_know") not in heard and Answer("yes") not in heard, heard
    assert Answer("no") in heard, heard  # how often: scripts/bench_voice.py


def test_a_bare_no_at_a_red_flag_is_heard_as_no(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """The commonest answer of a session (eight red flags, most answered no). With
    "dunno" and "who knows" in the grammar, "uh no" lost its lead to them and was asked
    again 11 times in 12 (English)."""
    text = {"en": "no", "ko": "아니요"}[lang]
    expecting = expectation_for(knowledge, knowledge.red_flag_questions[0])
    heard = []
    for voice in THREE_VOICES[lang]:
        decided = _hear(engine, text, voice, expecting)
        if isinstance(decided, Utterance):
            heard.append((decided.meaning, decided.confidence))
    assert [m for m, _ in heard].count(Answer("no")) >= 2, heard
    # anything else only with "I heard ... Is that right?" first
    assert all(c < CONFIRM_ANY_BELOW for m, c in heard if m != Answer("no")), heard


def test_no_to_can_you_walk_on_your_own_is_understood_never_dont_know(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """Not in that question's grammar, a bare "no" was forced onto "don't know" (10 of 12
    English voices and rates), so at a sudden onset the emergency rule never fired; in
    Korean 아니요 was never understood. Now "no" is heard there and followed up."""
    text = {"en": "no", "ko": "아니요"}[lang]
    heard = [_decide(engine, pack, knowledge, text, v, "function_now") for v in THREE_VOICES[lang]]
    assert not {Answer("dont_know"), Answer("walks_alone"), Answer("with_help")} & set(heard), heard
    assert Answer("no") in heard, heard


def test_yes_or_no_at_a_choice_question_is_never_taken_as_a_choice(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """ "How did the weakness start?" "Yes." Not in that grammar, "yes" was forced onto
    "slowly" and "no" onto "don't know" (9 of 12 English voices and rates each)."""
    onset = knowledge.questions["onset"]
    taken = {Answer(o) for o in (*onset.options, "dont_know")}
    for text in {"en": ["yes", "no"], "ko": ["네", "아니요"]}[lang]:
        heard = [_decide(engine, pack, knowledge, text, v, "onset") for v in THREE_VOICES[lang]]
        assert not taken & set(heard), (text, heard)


def test_a_yes_or_no_one_sound_from_its_opposite_is_confirmed_before_it_counts(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """ "있어요" alone was once heard as 없어요 at full confidence: said only in such a
    phrase, a yes or no is asked back ("I heard no. Is that right?") before it counts."""
    texts = {"en": ["I do", "I don't"], "ko": ["있어요", "없어요"]}[lang]
    expecting = Expectation(knowledge.questions["diabetes"], QUESTION_COMMANDS)
    heard = []
    for text in texts:
        for voice in THREE_VOICES[lang]:
            decided = _hear(engine, text, voice, expecting)
            if isinstance(decided, Utterance):
                heard.append((text, decided.meaning, decided.confidence))
    answers = [h for h in heard if h[1] in (Answer("yes"), Answer("no"))]
    assert answers, f"none of {texts} was heard as an answer: {heard}"
    assert all(confidence < CONFIRM_ANY_BELOW for _, _, confidence in answers), answers


def test_at_is_that_right_a_phrase_near_its_opposite_is_asked_again(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """At "I heard no. Is that right?" nothing would check the check: "it is" and
    있어요, one short sound from "it isn't" and 없어요, are asked again (for a plain
    yes or no) rather than taken; a plain "yes" is taken."""
    near = {"en": ["it is", "it isn't"], "ko": ["있어요", "없어요"]}[lang]
    plain = {"en": "yes", "ko": "네"}[lang]
    checking = Expectation(None, QUESTION_COMMANDS, yes_no=True, checking=True)

    def heard(text: str, voice: Voice) -> object:
        said = _hear(engine, text, voice, checking)
        return said.meaning if isinstance(said, Utterance) else None

    taken = [(t, m) for t in near for v in THREE_VOICES[lang] if (m := heard(t, v)) is not None]
    assert not [(t, m) for t, m in taken if isinstance(m, Answer)], taken
    assert Answer("yes") in [heard(plain, v) for v in THREE_VOICES[lang]]


def test_a_dont_know_form_the_model_cannot_hear_is_never_yes_or_no(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str, request: pytest.FixtureRequest
) -> None:
    """Forms whose words are not in the model's vocabulary (and have no spelling in the
    pack): asked again, never forced onto an answer. Known gaps, reported rather than
    hidden; at a red flag such a mishearing is checked first (the test after this)."""
    if lang == "ko":  # English: PocketSphinx fitted "I never checked" onto "never" (a no)
        # until Whisper wrote it whole (stop 39)
        reason = (
            "Vosk heard 모르겠네요 as 아닌 데요 (no) at confidence 0.56 once, in one order of "
            "the voice tests (Kaldi's dither differs from turn to turn); 0 of 32 in a sweep"
        )
        request.applymarker(pytest.mark.xfail(reason=reason, strict=False))
    heard = [_decide(engine, pack, knowledge, t, v) for t in UNKNOWN_DONT_KNOW[lang]
             for v in THREE_VOICES[lang]]  # fmt: skip
    assert Answer("yes") not in heard and Answer("no") not in heard, heard


def test_at_a_red_flag_an_unknown_dont_know_form_is_never_yes_or_no_unchecked(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """The guarantee that holds where it matters most: at a red flag, such a form is
    asked again, or checked ("I heard no. Is that right?") before it counts."""
    red_flag = knowledge.questions[knowledge.red_flag_questions[0]]
    expecting = Expectation(red_flag, QUESTION_COMMANDS, safety_critical=True)  # as the dialog
    for text in UNKNOWN_DONT_KNOW[lang]:
        for voice in THREE_VOICES[lang]:
            heard = _hear(engine, text, voice, expecting)
            if isinstance(heard, Utterance) and heard.meaning in (Answer("yes"), Answer("no")):
                assert heard.confidence < Settings().confirm_below, (text, voice, heard)


UNKNOWN_DONT_KNOW = {
    "en": ["who can say", "I never checked"],
    "ko": ["모르겠네요", "기억이 안 나요"],
}
"""Ways to say "I don't know" that no pack holds ("who knows" and "beats me" were added
at stop 27, "heaven knows" and "I wouldn't know" at stop 29; "who knows" was taken out
again at stop 30)."""


def test_a_phrase_with_a_word_the_engine_cannot_hear_is_left_out_of_the_grammar(
    pack: Pack, knowledge: Knowledge
) -> None:
    expecting = Expectation(knowledge.questions["diabetes"], QUESTION_COMMANDS)
    lacking = pack.answers["yes"][0]

    def hearable(word: str) -> bool:
        return word != lacking

    def words(grammar: str) -> set[str]:
        return set(grammar.replace(";", " ").replace('"', " ").replace(",", " ").split())

    assert lacking in words(vosk_grammar(pack, expecting)) & words(jsgf_grammar(pack, expecting))
    assert lacking not in words(vosk_grammar(pack, expecting, hearable=hearable))
    assert lacking not in words(jsgf_grammar(pack, expecting, hearable))


def test_an_arm_and_a_leg_on_one_side_is_never_heard_as_one_leg(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """ "my left arm and leg" holds "my left leg": before its whole was in the grammar,
    festival's slt voice saying it was taken as one leg, sure enough not to be asked
    back (the pattern of a stroke read as a single leg). Korean 왼쪽 팔다리 is not in the
    grammar (one syllable from 왼쪽 다리, it took that as one side of the body): it is
    asked again, never taken as one leg."""
    text = {"en": "my left arm and leg", "ko": "왼쪽 팔다리"}[lang]
    voices = {"en": [Voice("festival", "slt"), Voice("espeak", "en-us", 150)]}
    expecting = expectation_for(knowledge, "sides")  # as the dialog: it guards an emergency
    heard = []
    for voice in voices.get(lang, THREE_VOICES[lang]):
        decided = _hear(engine, text, voice, expecting)
        if isinstance(decided, Utterance):
            heard.append(decided.meaning)
    assert Answer("one_leg") not in heard, heard
    if lang == "en":
        assert Answer("one_side_body") in heard, heard


def test_an_answer_said_inside_the_questions_own_words_is_heard(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """ "It's one leg", "it started all of a sudden", "it's about the same": before the
    pack's `around:` words, PocketSphinx asked each of these again in 5 of 5 espeak-ng and
    festival voices, and "forty five years old" in 2 of these 3. Korean: a polite 요 after
    the choice (오른쪽 다리만요), and getting better or worse said as people say it (점점
    좋아지고 있어요), which the model hears in pieces it has (좋아지 고); each was asked
    again before. Each is heard as its answer in at least two of three other voices, and
    never as another."""
    said = {
        "en": [("sides", "it's one leg", "one_leg"), ("sides", "in both legs", "both_legs"),
               ("onset", "it started all of a sudden", "sudden"),
               ("progression", "it's about the same", "same"),
               ("age", "forty five years old", "45")],
        "ko": [("sides", "오른쪽 다리만요", "one_leg"),
               ("progression", "점점 좋아지고 있어요", "better"),
               ("progression", "점점 나빠지고 있어요", "worse")],
    }[lang]  # fmt: skip
    for question, text, option in said:
        expecting = expectation_for(knowledge, question)
        heard = [_hear(engine, text, voice, expecting) for voice in THREE_VOICES[lang]]
        meant = [h.meaning for h in heard if isinstance(h, Utterance)]
        assert meant.count(Answer(option)) >= 2, (text, heard)
        assert all(m == Answer(option) for m in meant if isinstance(m, Answer)), (text, meant)


def test_what_the_kiosk_suggests_at_a_choice_is_heard_as_that_choice(
    engine: Engine, pack: Pack, knowledge: Knowledge, lang: str
) -> None:
    """A person says what the kiosk told them to say ("Say on my own, only with support,
    or I cannot walk"): it is heard as that choice in at least one of three voices, and
    never as another choice. (How often: the suggestions were chosen on 12 other
    espeak-ng voices and rates, where "not at all" was heard 0 times. Korean: several
    suggestions are not heard in espeak-ng's Korean voices at all, 갑자기 among them;
    only "never another choice" holds there.)"""
    voices = THREE_VOICES[lang]
    never_heard, heard_wrong = [], []
    for question in knowledge.questions.values():
        if question.kind.value != "choice":
            continue
        expecting = Expectation(question, QUESTION_COMMANDS, safety_critical=True)
        for option, text in pack.questions[question.id].suggestions.items():
            heard = []
            for voice in voices:
                decided = _hear(engine, text, voice, expecting)
                if isinstance(decided, Utterance):
                    heard.append(decided.meaning)
            if Answer(option) not in heard:
                never_heard.append(text)
            heard_wrong += [(text, m) for m in heard if isinstance(m, Answer) and m.value != option]
    assert heard_wrong == []
    if lang == "en":
        assert never_heard == []
