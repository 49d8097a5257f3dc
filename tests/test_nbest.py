"""Reading the recognizer's N-best list: one answer per turn, and how sure it is."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pytest

from kiosk.dialog.machine import QUESTION_COMMANDS
from kiosk.dialog.table import CONFIRM_ANY_BELOW
from kiosk.hearing.grammar import Expectation
from kiosk.hearing.nbest import MIN_AGREED, MIN_DOUBTFUL, Alternative, Reading, agreed, read
from kiosk.language.pack import Pack
from kiosk.language.parse import NotUnderstood, spoken_meaning
from kiosk.triage.knowledge import Knowledge


def _read(
    pack: Pack, knowledge: Knowledge, question: str, *guesses: tuple[str, float]
) -> Reading | None:
    expecting = Expectation(knowledge.questions[question], QUESTION_COMMANDS)

    def meaning_of(phrase: str) -> Hashable | None:
        meaning = spoken_meaning(pack, phrase, expecting)
        return None if isinstance(meaning, NotUnderstood) else meaning

    found = [Alternative(text, score) for text, score in guesses]
    return read(found, meaning_of)


def test_a_run_of_answer_words_is_not_an_answer(pack: Pack, knowledge: Knowledge) -> None:
    """A sentence that is not an answer comes back as answer words strung together."""
    heard = _read(pack, knowledge, "stroke_signs", ("yes yeah yes i do yes", 50.0))
    assert heard is None


def test_an_answer_said_twice_over_is_one_answer(pack: Pack, knowledge: Knowledge) -> None:
    heard = _read(pack, knowledge, "stroke_signs", ("no no", 50.0))
    assert heard is not None and heard.text == "no no" and heard.confidence == 1.0


def test_two_different_answers_in_one_turn_are_not_an_answer(
    pack: Pack, knowledge: Knowledge
) -> None:
    assert _read(pack, knowledge, "stroke_signs", ("yes no", 50.0)) is None


def test_the_answer_alone_is_found_below_a_run_with_a_stray_word(
    pack: Pack, knowledge: Knowledge
) -> None:
    heard = _read(
        pack, knowledge, "sides", ("both legs help", 50.0), ("both legs", 49.5), ("one leg", 47.0)
    )
    assert heard is not None and heard.text == "both legs"
    assert heard.confidence < 0.9, "a red-flag answer found this way would be confirmed"


def test_rival_meanings_share_out_the_confidence(pack: Pack, knowledge: Knowledge) -> None:
    """Two guesses that both mean yes outweigh one that means no."""
    heard = _read(pack, knowledge, "stroke_signs", ("yes", 20.0), ("no", 20.0), ("yeah", 20.0))
    assert heard is not None and heard.text == "yes"
    assert abs(heard.confidence - 2 / 3) < 1e-6


def test_an_unlikely_answer_low_in_the_list_is_not_heard(pack: Pack, knowledge: Knowledge) -> None:
    far_down = _read(
        pack,
        knowledge,
        "stroke_signs",
        ("yes no", 30.0),
        ("yes help", 29.9),
        ("no repeat", 29.8),
        ("yes", 29.7),
    )
    assert far_down is None, "fourth place is too far down to be what was said"
    unlikely = _read(pack, knowledge, "stroke_signs", ("yes no", 30.0), ("yes", 27.0))
    assert unlikely is None, "one chance in twenty is not hearing it"


def test_a_two_word_number_is_one_answer(pack: Pack, knowledge: Knowledge) -> None:
    heard = _read(pack, knowledge, "age", ("forty five", 40.0))
    assert heard is not None and heard.text == "forty five"


@pytest.mark.parametrize(
    ("lang", "said", "alone", "number"),
    [("ko", "어 오 모르겠어 요", "어 오", "5"), ("ko", "잘 오 글쎄요", "오", "5"),
     ("ko", "넷 요", "넷", "4"), ("en", "five i don't know", "um five", "5")],
)  # fmt: skip
def test_a_number_among_other_words_is_no_age(
    knowledge: Knowledge, lang: str, said: str, alone: str, number: str
) -> None:
    """Vosk heard "I'm not sure" (잘 모르겠어요) as "어 오 모르겠어 요" and 몰라요 as "넷
    요" at full confidence: neither is an age of five or four, so the kiosk asks again;
    the number said alone, a filler before it or not, is still heard."""
    from kiosk.core.meaning import Answer
    from kiosk.language.pack import load_pack

    spoken = load_pack(lang, knowledge)
    assert _read(spoken, knowledge, "age", (said, 40.0)) is None
    heard = _read(spoken, knowledge, "age", (alone, 40.0))
    expecting = Expectation(knowledge.questions["age"], QUESTION_COMMANDS)
    assert heard is not None
    assert spoken_meaning(spoken, heard.text, expecting) == Answer(number)


@pytest.mark.parametrize(
    ("lang", "said", "heard"),
    [("ko", "어 네", "어 네"), ("ko", "네 어", None), ("en", "yes um", "yes um")],
)
def test_korean_fillers_come_before_an_answer_only(
    knowledge: Knowledge, lang: str, said: str, heard: str | None
) -> None:
    """Vosk heard 몰라요 ("I don't know") as "네 어", yes and then a filler, at 0.86; a
    Korean speaker puts 어 and 음 first, so that is no yes. English "yes, um" still is."""
    from kiosk.language.pack import load_pack

    reading = _read(load_pack(lang, knowledge), knowledge, "diabetes", (said, 40.0))
    assert (reading.text if reading else None) == heard


def test_speech_outside_the_grammar_beside_an_answer_is_flagged(
    pack: Pack, knowledge: Knowledge
) -> None:
    heard = _read(pack, knowledge, "stroke_signs", ("[unk] yes", 40.0))
    assert heard is not None and heard.text == "yes" and heard.heard_unknown


def _meaning_at(pack: Pack, knowledge: Knowledge, question: str) -> Callable[[str], Hashable]:
    expecting = Expectation(knowledge.questions[question], QUESTION_COMMANDS)
    return lambda phrase: spoken_meaning(pack, phrase, expecting)


def test_decodings_at_several_speeds_that_agree_give_one_sure_answer(
    pack: Pack, knowledge: Knowledge
) -> None:
    """ "yes" and "yeah" from two speeds, nothing from the third: the answer is yes."""
    readings = [Reading("yes", 1.0, False), None, Reading("yeah", 0.8, False)]
    heard = agreed(readings, _meaning_at(pack, knowledge, "stroke_signs"))
    assert heard is not None and heard.text == "yes"
    assert abs(heard.confidence - 0.6) < 1e-6, "the speed that heard nothing counts too"


def test_decodings_that_disagree_leave_a_doubtful_answer_to_confirm(
    pack: Pack, knowledge: Knowledge
) -> None:
    readings = [Reading("no", 1.0, False), Reading("yes", 1.0, False), Reading("no", 1.0, False)]
    heard = agreed(readings, _meaning_at(pack, knowledge, "stroke_signs"))
    assert heard is not None and heard.text == "no"
    assert heard.confidence < 0.9, "a red-flag answer heard this way is confirmed first"


def test_an_answer_the_speeds_barely_agree_on_is_doubtful_and_less_is_asked_again(
    pack: Pack, knowledge: Knowledge
) -> None:
    """Between MIN_DOUBTFUL and MIN_AGREED the answer is read, but as doubtful (the
    person is asked to confirm it); below MIN_DOUBTFUL it is not heard at all."""
    meaning = _meaning_at(pack, knowledge, "stroke_signs")
    weak = 3 * (MIN_DOUBTFUL + MIN_AGREED) / 2
    heard = agreed(
        [None, Reading("yes", weak / 2, False), Reading("yes", weak / 2, False)], meaning
    )
    assert heard is not None and heard.text == "yes" and heard.doubtful
    assert heard.confidence < CONFIRM_ANY_BELOW, "the dialog confirms it before it counts"
    sure = agreed([Reading("yes", 1.0, False), Reading("yeah", 0.8, False), None], meaning)
    assert sure is not None and not sure.doubtful
    too_weak = 3 * MIN_DOUBTFUL - 0.05
    assert agreed([None, Reading("yes", too_weak, False), None], meaning) is None
    assert agreed([None, None, None], meaning) is None


def test_with_voting_most_speeds_must_read_the_answer_and_none_another(
    pack: Pack, knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rule the benchmark can try instead (`--set kiosk.hearing.nbest.AGREEMENT=vote`)."""
    import kiosk.hearing.nbest

    monkeypatch.setattr(kiosk.hearing.nbest, "AGREEMENT", "vote")
    meaning = _meaning_at(pack, knowledge, "stroke_signs")
    weak_but_two = [Reading("no", 0.3, False), None, Reading("no", 0.4, False)]
    heard = agreed(weak_but_two, meaning)
    assert heard is not None and heard.text == "no" and heard.confidence < 0.9
    split = [Reading("no", 1.0, False), Reading("yes", 1.0, False), Reading("no", 1.0, False)]
    assert agreed(split, meaning) is None, "another speed heard another answer"
    assert agreed([Reading("no", 1.0, False), None, None], meaning) is None, "one of three"
