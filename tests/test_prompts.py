"""Language packs: complete, unambiguous, and broken ones rejected by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.core.errors import PromptPackError
from kiosk.dialog.machine import QUESTION_COMMANDS
from kiosk.language.pack import DEFAULT_PROMPTS_DIR, Pack, load_pack
from kiosk.language.parse import (
    Answer,
    Command,
    NotUnderstood,
    OutOfRange,
    interpret,
    normalise,
    spoken_meaning,
)
from kiosk.language.vocabulary import Expectation, rests_on_near_opposites, vocabulary
from kiosk.triage.knowledge import Knowledge


def test_no_phrase_means_two_things_at_one_question(knowledge: Knowledge, pack: Pack) -> None:
    for question in knowledge.questions.values():
        seen: dict[tuple[str, ...], str] = {}
        options = dict(pack.questions[question.id].phrases) | {
            "dont_know": pack.answers["dont_know"]
        }
        commands = {f"command {c}": pack.commands[c] for c in QUESTION_COMMANDS}
        for meaning, phrases in (options | commands).items():
            for phrase in phrases:
                words = normalise(phrase)
                assert seen.setdefault(words, meaning) == meaning, (question.id, phrase)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_what_the_kiosk_suggests_saying_is_understood_as_that_choice(
    knowledge: Knowledge, language: str
) -> None:
    """Asked again, the kiosk suggests words for each choice, and a screen button sends
    them: they must mean that choice."""
    pack = load_pack(language, knowledge)
    for question in knowledge.questions.values():
        for option, words in pack.questions[question.id].suggestions.items():
            assert interpret(pack, words, question, QUESTION_COMMANDS) == Answer(option), words


@pytest.mark.parametrize(
    ("question", "text", "meaning"),
    [("onset", "천천히요", Answer("gradual")), ("onset", "갑자기요", Answer("sudden")),
     ("onset", "며칠이요", Answer("days")), ("sides", "양쪽 다리예요", Answer("both_legs")),
     ("age", "마흔다섯이요", Answer("45")), ("diabetes", "없어요", Answer("no")),
     ("diabetes", "네요", NotUnderstood()), ("diabetes", "예요", NotUnderstood()),
     ("diabetes", "맞아요", Answer("yes")), ("diabetes", "안 그래요", Answer("no")),
     ("sides", "왼쪽 다리만요", Answer("one_leg")), ("sides", "다리만", NotUnderstood())],
)  # fmt: skip
def test_korean_typed_with_a_polite_ending_attached(
    knowledge: Knowledge, question: str, text: str, meaning: object
) -> None:
    """천천히요 is 천천히 said politely, 왼쪽 다리만요 "only the left leg"; 네요 is not a yes
    (a stem keeps two characters)."""
    korean = load_pack("ko", knowledge)
    assert interpret(korean, text, knowledge.questions[question], QUESTION_COMMANDS) == meaning


@pytest.mark.parametrize(
    ("language", "question", "text", "meaning"),
    [("en", "function_now", "not on my own", NotUnderstood()),
     ("en", "function_now", "I can walk, but not on my own", NotUnderstood()),
     ("en", "function_now", "not without support", NotUnderstood()),
     ("en", "progression", "not getting worse", NotUnderstood()),
     ("en", "progression", "no better", NotUnderstood()),
     ("en", "onset", "not suddenly", NotUnderstood()),
     ("en", "sides", "one whole side", NotUnderstood()),
     ("en", "sides", "right arm and right leg", NotUnderstood()),
     ("en", "sides", "one leg and one arm", NotUnderstood()),
     ("ko", "sides", "한쪽 팔과 한쪽 다리", NotUnderstood()),
     ("ko", "progression", "안 좋아요", NotUnderstood()),
     ("ko", "progression", "안 좋아져요", NotUnderstood()),
     ("ko", "progression", "안 좋아지고 있어요", NotUnderstood()),
     # what these must not cost: the plain forms, and longer ones that hold a shorter choice
     ("en", "function_now", "only with a stick", Answer("with_help")),
     ("en", "function_now", "only with help", Answer("with_help")),
     ("en", "function_now", "I can barely walk", Answer("with_help")),
     ("en", "function_now", "help", Command("help")),
     ("en", "function_now", "I can't walk at all", Answer("cannot")),
     ("en", "sides", "my left leg is weak", Answer("one_leg")),
     ("en", "sides", "my left arm and leg", Answer("one_side_body")),
     ("en", "sides", "my left leg and arm", Answer("one_side_body")),
     ("en", "onset", "within a few days", Answer("days")),
     ("en", "diabetes", "no, I don't think so", Answer("no")),
     ("ko", "sides", "왼쪽 팔과 다리", Answer("one_side_body")),
     ("ko", "sides", "왼쪽 다리만요", Answer("one_leg")),
     ("ko", "progression", "점점 나빠져요", Answer("worse")),
     ("ko", "progression", "좋아지고 있어요", Answer("better")),
     ("ko", "function_now", "누가 도와주면 걸을 수 있어요", Answer("with_help"))],
)  # fmt: skip
def test_a_typed_choice_is_read_from_all_it_says_not_from_part_of_it(
    knowledge: Knowledge, language: str, question: str, text: str, meaning: object
) -> None:
    """Typing ignores words it does not know, so a choice must not be taken from part of
    what was typed: "not on my own" is no walking alone (an emergency could hide behind
    it), "one whole side" no "one" leg, "right arm and right leg" no "right leg"."""
    pack = load_pack(language, knowledge)
    assert interpret(pack, text, knowledge.questions[question], QUESTION_COMMANDS) == meaning


@pytest.mark.parametrize(
    ("language", "question", "text", "meaning"),
    [("en", "stroke_signs", "I am here with my son", NotUnderstood()),
     ("en", "stroke_signs", "I have been waiting for an hour", NotUnderstood()),
     ("en", "stroke_signs", "my right leg is weak", NotUnderstood()),
     ("en", "stroke_signs", "it's not my face, it's my arm", NotUnderstood()),
     ("en", "stroke_signs", "I don't like this machine", NotUnderstood()),
     ("en", "stroke_signs", "no, but my arm went weak", NotUnderstood()),
     ("en", "stroke_signs", "I don't know, but my speech is odd", NotUnderstood()),
     ("ko", "stroke_signs", "화장실이 어디 있어요", NotUnderstood()),
     ("ko", "stroke_signs", "시간이 없어요", NotUnderstood()),
     ("ko", "stroke_signs", "아니요 근데 팔에 힘이 없어요", NotUnderstood()),
     # what these must not cost: the short answers alone, with a yes or no word, or
     # with the question's own words
     ("en", "stroke_signs", "I have", Answer("yes")),
     ("en", "stroke_signs", "um, it's not", Answer("no")),
     ("en", "stroke_signs", "yes I have had that", Answer("yes")),
     ("en", "diabetes", "I do have diabetes", Answer("yes")),
     ("en", "diabetes", "no, I don't have diabetes", Answer("no")),
     ("en", "diabetes", "I don't have diabetes", Answer("no")),
     ("ko", "diabetes", "당뇨병 있어요", Answer("yes")),
     ("ko", "diabetes", "없어요", Answer("no"))],
)  # fmt: skip
def test_a_typed_yes_or_no_needs_more_than_a_phrase_from_another_sentence(
    knowledge: Knowledge, language: str, question: str, text: str, meaning: object
) -> None:
    """A typed "I am here with my son" at "has your face drooped…?" was yes: an emergency
    for a sentence that answers nothing; "no, but my arm went weak" was no, a red flag
    missed. Phrases with no yes or no word of their own count only beside fillers and the
    question's words, and a no followed by a "but" is asked again."""
    pack = load_pack(language, knowledge)
    assert interpret(pack, text, knowledge.questions[question], QUESTION_COMMANDS) == meaning


@pytest.mark.parametrize(
    ("language", "question", "text", "meaning"),
    [("en", "diabetes", "the pain does not stop", NotUnderstood()),
     ("en", "diabetes", "my legs give way at the end of the day", NotUnderstood()),
     ("en", "back_pain", "my back hurts", NotUnderstood()),
     ("en", "diabetes", "what is this machine for", NotUnderstood()),
     ("ko", "diabetes", "아픈 게 안 멈춰요", NotUnderstood()),
     ("ko", "back_pain", "허리가 다시 아파요", NotUnderstood()),
     # what this must not cost
     ("en", "back_pain", "yes, in my lower back", Answer("yes")),
     ("en", "diabetes", "stop", Command("stop")),
     ("en", "diabetes", "stop please", Command("stop")),
     ("en", "diabetes", "I want to stop", Command("stop")),
     ("en", "diabetes", "can we go back please", Command("back")),
     ("en", "diabetes", "what?", Command("repeat")),
     ("ko", "diabetes", "멈춰", Command("stop"))],
)  # fmt: skip
def test_a_one_word_command_typed_inside_a_sentence_is_no_command(
    knowledge: Knowledge, language: str, question: str, text: str, meaning: object
) -> None:
    """Typed "the pain does not stop" at a question was the stop command: the session
    ended and the answers were wiped; "my back hurts" at "do you have back pain?" went
    back a question. A one-word command counts only alone (fillers and "please" aside)."""
    pack = load_pack(language, knowledge)
    assert interpret(pack, text, knowledge.questions[question], QUESTION_COMMANDS) == meaning


@pytest.mark.parametrize(
    ("text", "meaning"),
    [("45", Answer("45")), ("45살", Answer("45")), ("45세요", Answer("45")),
     ("마흔다섯 살이요", Answer("45")), ("1950년생", OutOfRange(1950)), ("45.5", NotUnderstood())],
)  # fmt: skip
def test_a_korean_age_typed_with_its_unit_attached(
    knowledge: Knowledge, text: str, meaning: object
) -> None:
    """Korean is typed "45살" (no space before the unit); it is 45 all the same."""
    korean = load_pack("ko", knowledge)
    assert interpret(korean, text, knowledge.questions["age"], QUESTION_COMMANDS) == meaning


@pytest.mark.parametrize(
    ("question", "text", "meaning"),
    [
        ("stroke_signs", "Yes.", Answer("yes")),
        ("stroke_signs", "yeah I think so", Answer("yes")),
        ("stroke_signs", "Nope", Answer("no")),
        ("stroke_signs", "I don't think so", Answer("no")),
        ("stroke_signs", "I\u2019m not sure", Answer("dont_know")),  # a typographic apostrophe
        ("stroke_signs", "yes, not really", NotUnderstood()),
        ("stroke_signs", "yes no", NotUnderstood()),
        ("stroke_signs", "could you repeat that please", Command("repeat")),
        ("stroke_signs", "GO BACK", Command("back")),
        ("onset", "it came on over a few days", Answer("days")),
        ("onset", "all of a sudden", Answer("sudden")),
        ("onset", "it has been coming on for years", Answer("gradual")),
        ("onset", "it started two years ago, suddenly", NotUnderstood()),
        ("sides", "my left arm and leg", Answer("one_side_body")),
        ("sides", "both of them", Answer("both_legs")),
        ("age", "I'm 42 years old", Answer("42")),
        ("age", "seventy-five", Answer("75")),
        ("age", "a hundred and one", Answer("101")),
        ("age", "forty two or forty three", NotUnderstood()),
        ("age", "fifty, I don't know", NotUnderstood()),
        ("age", "300", OutOfRange(300)),
        ("age", "banana", NotUnderstood()),
    ],
)
def test_typed_answers_resolve_through_the_pack(
    knowledge: Knowledge, pack: Pack, question: str, text: str, meaning: object
) -> None:
    assert interpret(pack, text, knowledge.questions[question], QUESTION_COMMANDS) == meaning


def _broken_pack(tmp_path: Path, old: str, new: str) -> Path:
    text = (DEFAULT_PROMPTS_DIR / "en.yaml").read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in en.yaml"
    (tmp_path / "en.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "names"),
    [
        ("  diabetes:\n    ask:", "  diabetis:\n    ask:", "questions"),
        ("  goodbye: ", "  goodby: ", "messages"),
        ("emergency: \"This could be an emergency. Call {number} now", "emergency: \"This could be an emergency. Call now", "messages.emergency"),
        ("    simpler: \"Is it hard to breathe, or hard to swallow?\"\n", "", "questions.breathing_swallowing"),
        ("      days:\n        say:", "      dayz:\n        say:", "questions.onset.choices"),
        ("  overexertion: tired", "  overexertions: tired", "causes"),
        ("language: en", "language: fr", "language"),
        ("  yes: [yes,", "  yes: [42,", "answers.yes.0"),
        ("  louder: \"Louder\"\n", "", "screen"),
        ("near_opposites: [[i do, i don't]", "near_opposites: [[i don't, i do]", "near_opposites.0"),
        ("near_opposites: [[i can walk, i can't walk]]", "near_opposites: [[i can walk, on my own]]", "questions.function_now.near_opposites.0"),
    ],
)  # fmt: skip
def test_a_broken_pack_names_the_file_and_entry(
    knowledge: Knowledge, tmp_path: Path, old: str, new: str, names: str
) -> None:
    folder = _broken_pack(tmp_path, old, new)
    with pytest.raises(PromptPackError) as caught:
        load_pack("en", knowledge, folder)
    assert str(folder / "en.yaml") in str(caught.value)
    assert names in str(caught.value)


def test_an_unknown_language_lists_the_available_packs(knowledge: Knowledge) -> None:
    with pytest.raises(PromptPackError, match="available: en"):
        load_pack("xx", knowledge)


@pytest.mark.parametrize(
    ("lang", "said", "confirmed"),
    [
        ("en", "i don't", True),
        ("en", "um i do", True),
        ("en", "no i don't", False),
        ("en", "i don't know", False),
        ("ko", "있어요", True),
        ("ko", "없어요", True),
        ("ko", "네 있어요", False),
        ("ko", "아니요 없어요", False),
    ],
)
def test_a_yes_or_no_said_only_one_sound_from_its_opposite_needs_confirming(
    knowledge: Knowledge, lang: str, said: str, confirmed: bool
) -> None:
    """What the listener asks back: "있어요" alone can be a misheard 없어요."""
    pack = load_pack(lang, knowledge)
    expecting = Expectation(knowledge.questions["diabetes"], QUESTION_COMMANDS)
    terms = vocabulary(pack, expecting)
    assert rests_on_near_opposites(pack, normalise(said), terms) is confirmed


@pytest.mark.parametrize(
    ("language", "joiners"), [("en", (",", " and ")), ("ko", (",", "와 ", "과 "))]
)
def test_each_next_step_is_heard_as_one_item_of_the_spoken_list(
    knowledge: Knowledge, language: str, joiners: tuple[str, ...]
) -> None:
    """ "A doctor may suggest blood tests, nerve and muscle tests, called EMG and nerve
    conduction and ..." could not be told apart by ear: no item holds a comma or "and"."""
    steps = load_pack(language, knowledge).next_steps.values()
    assert [s for s in steps if any(j in s for j in joiners)] == []


@pytest.mark.parametrize(
    ("question", "said", "meaning"),
    [("diabetes", "say that again please", Command("repeat")),
     ("diabetes", "um go back please", Command("back")),
     ("diabetes", "please call the nurse", NotUnderstood()),
     ("diabetes", "please go back", NotUnderstood()),
     ("diabetes", "stop please", NotUnderstood()),
     ("diabetes", "slower please", Command("slower")),
     ("diabetes", "yes please", Answer("yes")),
     ("diabetes", "no please", NotUnderstood()),
     ("sides", "both legs please", NotUnderstood()),
     ("sides", "my left arm and leg", Answer("one_side_body")),
     ("sides", "the whole right side", Answer("one_side_body")),
     ("sides", "the right leg", Answer("one_leg"))],
)  # fmt: skip
def test_a_spoken_command_may_be_polite_and_an_answer_is_read_whole(
    knowledge: Knowledge, pack: Pack, question: str, said: str, meaning: object
) -> None:
    """What a recognizer's words mean: "please" may follow a command, never an answer
    (a request ending in it is no answer), nor come before a command, where requests
    that are no answer begin with it; "my left arm and leg" is one side of the body as
    a whole, never "my left leg" (one leg) with two words dropped."""
    expecting = Expectation(knowledge.questions[question], QUESTION_COMMANDS)
    assert spoken_meaning(pack, said, expecting) == meaning


@pytest.mark.parametrize(
    ("question", "said", "meaning"),
    [("sides", "in both legs", Answer("both_legs")),
     ("sides", "um it's in my left leg", Answer("one_leg")),
     ("sides", "my left arm and leg are weak", Answer("one_side_body")),
     ("onset", "it came on over a few days", Answer("days")),
     ("onset", "it started all of a sudden", Answer("sudden")),
     ("progression", "it's about the same", Answer("same")),
     # the words around change nothing, and stand around a choice only
     ("sides", "in", NotUnderstood()),
     ("sides", "are weak", NotUnderstood()),
     ("sides", "it's yes", NotUnderstood()),
     ("sides", "it's not sure", NotUnderstood()),
     ("sides", "in go back", NotUnderstood()),
     ("sides", "in both legs and one leg", NotUnderstood()),
     ("diabetes", "it's yes", NotUnderstood())],
)  # fmt: skip
def test_a_spoken_choice_may_stand_inside_the_questions_own_words(
    knowledge: Knowledge, pack: Pack, question: str, said: str, meaning: object
) -> None:
    """People answer "where is the weakness?" with "in both legs" or "both legs are
    weak", and "how did it start?" with "it came on over a few days": the question's own
    words (`around:` in the pack) may stand before and after a choice, and nothing else."""
    expecting = Expectation(knowledge.questions[question], QUESTION_COMMANDS)
    assert spoken_meaning(pack, said, expecting) == meaning


@pytest.mark.parametrize(
    ("lang", "said", "meaning"),
    [("en", "i'm seventy two", Answer("72")),
     ("en", "um forty five years old", Answer("45")),
     ("en", "i am sixty", Answer("60")),
     ("en", "i'm", NotUnderstood()),
     ("en", "years old", NotUnderstood()),
     ("en", "i'm forty or fifty", NotUnderstood()),
     ("en", "i'm not sure", Answer("dont_know"))],
)  # fmt: skip
def test_a_spoken_age_may_stand_inside_the_questions_own_words(
    knowledge: Knowledge, lang: str, said: str, meaning: object
) -> None:
    """ "I'm seventy two", "forty five years old": how people say their age when asked
    it. The words around the number change nothing and make no age alone."""
    expecting = Expectation(knowledge.questions["age"], QUESTION_COMMANDS)
    assert spoken_meaning(load_pack(lang, knowledge), said, expecting) == meaning


@pytest.mark.parametrize(
    ("said", "confirmed"),
    [("i can walk", True), ("i can't walk", True), ("on my own", False), ("not at all", False)],
)
def test_a_choice_one_sound_from_another_needs_confirming(
    knowledge: Knowledge, pack: Pack, said: str, confirmed: bool
) -> None:
    """ "I can't walk" came back as "i can walk" (and the other way round): said only in
    such a phrase, how well the person walks is asked back before it counts."""
    expecting = Expectation(knowledge.questions["function_now"], QUESTION_COMMANDS)
    terms = vocabulary(pack, expecting)
    assert rests_on_near_opposites(pack, normalise(said), terms) is confirmed
