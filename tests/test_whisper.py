"""How the English listener reads what Whisper wrote: as one whole answer, checked when
Whisper was unsure, and never on the grammar's word alone where Whisper heard more.

What Whisper writes is given here as text (no audio), so each rule is tested on its own;
the voice tests (test_natural_speech.py, test_voice.py) hear whole sessions through it.
"""

from __future__ import annotations

import pytest

from kiosk.app.recognize import expectation_for
from kiosk.config.settings import Settings
from kiosk.core.events import Heard, Unclear, Utterance
from kiosk.core.meaning import Answer, Command, Meaning
from kiosk.dialog.table import CONFIRM_ANY_BELOW
from kiosk.hearing.engines import choose_engine
from kiosk.hearing.models import find_whisper_model
from kiosk.hearing.whisper_engine import WhisperListener, says_more, settle
from kiosk.hearing.whisper_reader import Transcript
from kiosk.language.pack import load_pack
from kiosk.triage.knowledge import Knowledge

SURE, UNSURE = -0.2, -0.9
"""Mean log-probabilities of a transcript Whisper was sure of, and of one it was not."""


@pytest.fixture(scope="module")
def listener(knowledge: Knowledge) -> WhisperListener:
    if find_whisper_model() is None:
        pytest.skip("Whisper is not installed (scripts/bootstrap installs it)")
    engine = choose_engine(load_pack("en", knowledge), knowledge, "whisper")
    assert isinstance(engine.listener, WhisperListener)
    return engine.listener


def heard(
    listener: WhisperListener,
    knowledge: Knowledge,
    text: str,
    at: str = "diabetes",
    log_probability: float = SURE,
    no_speech: float = 0.05,
) -> Heard:
    transcript = Transcript(text, log_probability, no_speech)
    return listener.read(transcript, expectation_for(knowledge, at))


def meaning(h: Heard) -> Meaning | None:
    return h.meaning if isinstance(h, Utterance) else None


def test_what_whisper_writes_counts_only_as_one_whole_answer(
    listener: WhisperListener, knowledge: Knowledge
) -> None:
    assert meaning(heard(listener, knowledge, "No, I don't.")) == Answer("no")
    assert meaning(heard(listener, knowledge, "Yes, that's right.")) == Answer("yes")
    assert meaning(heard(listener, knowledge, "Can you say that again?")) == Command("repeat")
    assert meaning(heard(listener, knowledge, "I'm 72.", at="age")) == Answer("72")  # digits
    for not_one_answer in ("I never checked.", "Yes, no.", "Where is the car park?", ""):
        assert isinstance(heard(listener, knowledge, not_one_answer), Unclear), not_one_answer


def test_words_whisper_writes_into_the_room_noise_are_not_an_answer(
    listener: WhisperListener, knowledge: Knowledge
) -> None:
    """Whisper writes "Thank you." or "Yes." into quiet or babble; when it says itself that
    it heard no speech and is unsure of its words, the person is asked again."""
    assert isinstance(
        heard(listener, knowledge, "Yes.", log_probability=-1.4, no_speech=0.8), Unclear
    )


def test_an_answer_whisper_was_unsure_of_is_checked_before_it_counts(
    listener: WhisperListener, knowledge: Knowledge
) -> None:
    unsure = heard(listener, knowledge, "No.", log_probability=UNSURE)
    assert isinstance(unsure, Utterance) and unsure.meaning == Answer("no")
    assert unsure.confidence < CONFIRM_ANY_BELOW  # "I heard no. Is that right?"
    sure = heard(listener, knowledge, "No.")
    assert isinstance(sure, Utterance) and sure.confidence >= CONFIRM_ANY_BELOW
    # a command that would change something is not done on an unsure hearing
    assert isinstance(heard(listener, knowledge, "Stop.", log_probability=UNSURE), Unclear)


def test_at_a_red_flag_every_answer_whisper_heard_is_checked(
    listener: WhisperListener, knowledge: Knowledge
) -> None:
    red_flag = knowledge.red_flag_questions[0]
    answer = heard(listener, knowledge, "Yes, I have.", at=red_flag)
    assert isinstance(answer, Utterance) and answer.meaning == Answer("yes")
    assert answer.confidence < Settings().confirm_below


def test_whisper_and_the_grammar_hearing_different_answers_is_asked_again() -> None:
    yes = Utterance("yes", 1.0, Answer("yes"), spoken=True)
    no = Utterance("no", 1.0, Answer("no"), spoken=True)
    assert isinstance(settle(yes, no), Unclear)
    assert settle(yes, yes) == yes
    assert settle(yes, Unclear()) == yes
    assert settle(Unclear(), no) == no  # Whisper wrote no answer: the grammar's fit


def test_the_grammar_never_takes_a_phrase_whisper_heard_inside_a_longer_sentence() -> None:
    """PocketSphinx fits "I never checked" onto "never" (a no); Whisper wrote it whole."""
    assert says_more(Transcript("I never checked.", SURE, 0.05), "never")
    assert not says_more(Transcript("No, I have.", SURE, 0.05), "no i havent")  # misheard
    assert not says_more(Transcript("Both eggs.", SURE, 0.05), "both legs")
    assert says_more(Transcript("I never check.", UNSURE, 0.05), "never")  # unsure too


def test_the_grammar_counts_as_it_is_only_where_whisper_wrote_words_like_it(
    listener: WhisperListener,
) -> None:
    """PocketSphinx fitted festival's "I never checked" onto "uh never i didnt" (a no) in
    one order of the suite; Whisper had written "I never checked." and was sure of it."""
    no = Utterance("never i didnt", 1.0, Answer("no"), spoken=True)
    sure = Transcript("I never checked.", SURE, 0.05)
    assert isinstance(listener.grammar_reading(no, sure, "uh never i didnt"), Unclear)
    both = Utterance("both legs", 1.0, Answer("both_legs"), spoken=True)
    assert listener.grammar_reading(both, Transcript("Both eggs.", SURE, 0.05), "both legs") == both
    unsure = listener.grammar_reading(no, Transcript("I never.", UNSURE, 0.05), "uh never i didnt")
    assert isinstance(unsure, Utterance) and unsure.confidence < CONFIRM_ANY_BELOW  # checked
