"""The dialog state machine, as a person at the kiosk would notice it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.core.events import Ask, End, Result, Say, Unclear, Utterance, Voice
from kiosk.core.meaning import Answer, Command, Meaning
from kiosk.dialog.machine import TRANSITIONS, State
from kiosk.dialog.table import CONFIRM_ANY_BELOW
from kiosk.hearing.turn import doubted
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Knowledge, Question
from kiosk.triage.rules import guards_emergency
from tests.conftest import Kiosk

GRADUAL_BOTH = {"onset": "slowly", "sides": "both legs"}


def red_flags_no(kiosk: Kiosk) -> None:
    for question in kiosk.knowledge.red_flag_questions:
        assert kiosk.asking == question
        kiosk.say("no")


def test_idle_waits_for_start_and_the_welcome_leads_to_red_flags(kiosk: Kiosk) -> None:
    assert kiosk.state is State.IDLE
    said = kiosk.say("what is this")
    assert kiosk.state is State.IDLE and "start" in said[0].text.lower()  # type: ignore[union-attr]
    kiosk.say("start")
    assert kiosk.state is State.SCREENING
    assert kiosk.asking == kiosk.knowledge.red_flag_questions[0]
    welcome = kiosk.said()[-2].text
    assert "not a doctor" in welcome


def test_pressing_enter_at_idle_starts(kiosk: Kiosk) -> None:
    kiosk.say("")
    assert kiosk.state is State.SCREENING


@pytest.mark.parametrize("red_flag", ["stroke_signs", "bladder_bowel", "cold_pale_leg"])
def test_a_red_flag_yes_gives_emergency_guidance_as_the_very_next_thing(
    kiosk: Kiosk, red_flag: str
) -> None:
    kiosk.start()
    while kiosk.asking != red_flag:
        kiosk.say("no")
    after = kiosk.say("yes")
    assert isinstance(after[0], Say) and after[0].kind == "emergency"
    assert kiosk.pack.emergency_number in after[0].text
    assert kiosk.state is State.EMERGENCY
    assert not any(isinstance(o, Ask) for o in after), "questioning must end"
    result = next(o for o in after if isinstance(o, Result))
    assert result.triage == "emergency" and red_flag in result.red_flags


def test_emergency_guidance_is_repeated_first_and_go_back_cannot_undo_it(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("yes")
    again = kiosk.say("repeat")
    assert isinstance(again[0], Say) and again[0].kind == "emergency"
    refused = kiosk.say("go back")
    assert refused[0].kind == "emergency"  # type: ignore[union-attr]
    assert kiosk.state is State.EMERGENCY


def test_emergency_from_a_combination_of_ordinary_answers(kiosk: Kiosk) -> None:
    kiosk.start()
    red_flags_no(kiosk)
    kiosk.say("suddenly")
    after = kiosk.say("one side of my body")
    assert after[0].kind == "emergency"  # type: ignore[union-attr]
    assert "sudden_one_side" in kiosk.result().red_flags


def test_dont_know_on_a_red_flag_is_asked_more_simply_then_escalates(kiosk: Kiosk) -> None:
    kiosk.start()
    first = kiosk.asking
    assert first is not None
    simpler = kiosk.say("I don't know")
    ask = simpler[-1]
    assert isinstance(ask, Ask) and ask.question == first
    assert ask.text == kiosk.pack.questions[first].simpler
    kiosk.say("not sure")
    assert kiosk.asking != first
    kiosk.answer_all({"onset": "gradual", "sides": "both_legs", "recent_exertion": "yes",
                      "sore_muscles": "yes"})  # fmt: skip
    result = kiosk.result()
    assert result.triage in ("urgent", "emergency")
    assert result.answers[first] == "dont_know"
    assert any("not sure" in s.text for s in kiosk.said())


def test_a_low_confidence_red_flag_answer_is_confirmed_before_it_counts(kiosk: Kiosk) -> None:
    kiosk.start()
    question = kiosk.asking
    confirm = kiosk.say("yes", confidence=0.5)
    assert kiosk.state is State.CONFIRMING
    assert isinstance(confirm[-1], Ask) and "yes" in confirm[-1].text
    assert not any(o.kind == "emergency" for o in kiosk.said())
    kiosk.say("no")  # "I did not say yes": the question is asked again
    assert kiosk.asking == question and kiosk.state is State.SCREENING
    kiosk.say("yes", confidence=0.5)
    after = kiosk.say("yes")
    assert after[0].kind == "emergency"  # type: ignore[union-attr]


def _answer_until(kiosk: Kiosk, wanted: Callable[[Question], bool]) -> Question:
    """Answer "no" (or "I don't know") until the kiosk asks a question `wanted` picks."""
    for _ in range(60):
        question = kiosk.knowledge.questions[kiosk.asking]  # type: ignore[index]
        if wanted(question):
            return question
        kiosk.say("no" if question.kind.value == "yesno" else "i don't know")
    raise AssertionError("the kiosk never asked such a question")


def test_any_answer_heard_in_noise_is_confirmed_before_it_counts(kiosk: Kiosk) -> None:
    """A recognizer that heard the answer in a noisy room says so with a low confidence:
    at an ordinary question too, "I heard ... Is that right?" comes first."""
    kiosk.start()
    question = _answer_until(
        kiosk,
        lambda q: q.kind.value == "yesno" and not guards_emergency(kiosk.knowledge, q),
    )  # a question whose answers were never confirmed before
    confirm = kiosk.say("yes", confidence=CONFIRM_ANY_BELOW - 0.1)
    assert kiosk.state is State.CONFIRMING and question.id not in kiosk.dialog.answers
    assert isinstance(confirm[-1], Ask) and confirm[-1].question == "confirm"
    kiosk.say("no")  # "that is not what I said": asked again, nothing kept
    assert kiosk.asking == question.id and question.id not in kiosk.dialog.answers
    kiosk.say("yes", confidence=CONFIRM_ANY_BELOW - 0.1)
    kiosk.say("yes")
    assert kiosk.dialog.answers[question.id] == "yes"


@pytest.mark.parametrize(
    ("meaning", "checked"),
    [(Answer("no"), True), (Answer("one_leg"), True), (Answer("dont_know"), True),
     (Command("headphones"), False), (Command("quieter"), False), (Command("wait"), False),
     (Command("back"), False), (Command("stop"), False)],
)  # fmt: skip
def test_what_the_dialog_would_do_unchecked_is_asked_again_when_heard_in_noise(
    meaning: Meaning, checked: bool
) -> None:
    """In noise the recognizers turned answers into commands ("both legs" into
    *headphones*, which would send the voice away from the person). A doubtful hearing
    leads only to "Is that right?" (an answer comes with a confidence the dialog
    confirms, as in the test above); a command the dialog would do unchecked is asked
    again."""
    heard = doubted(Utterance("words", 1.0, meaning, spoken=True))
    if checked:
        assert isinstance(heard, Utterance) and heard.confidence < CONFIRM_ANY_BELOW
    else:
        assert heard == Unclear()


def test_a_dont_know_heard_in_noise_is_confirmed_in_its_own_words(kiosk: Kiosk) -> None:
    """In noise "no" came back as "don't know": unchecked, the answer would be lost."""
    kiosk.start()
    question = _answer_until(
        kiosk, lambda q: q.kind.value == "yesno" and not guards_emergency(kiosk.knowledge, q)
    )
    confirm = kiosk.say("not sure", confidence=CONFIRM_ANY_BELOW - 0.1)
    assert isinstance(confirm[-1], Ask) and confirm[-1].question == "confirm"
    assert "I heard not sure" in confirm[-1].text
    kiosk.say("no")
    assert kiosk.asking == question.id and question.id not in kiosk.dialog.answers
    kiosk.say("not sure")  # heard clearly: taken, as ever
    assert kiosk.dialog.answers[question.id] == "dont_know"


@pytest.mark.parametrize("command", ["repeat", "help", "start"])
def test_a_command_that_only_says_something_is_done_even_in_noise(command: str) -> None:
    said = Utterance("words", 1.0, Command(command), spoken=True)
    assert doubted(said) == said


def test_a_number_heard_in_noise_is_confirmed_in_its_own_words(kiosk: Kiosk) -> None:
    kiosk.start()
    _answer_until(kiosk, lambda q: q.kind.value == "number")
    confirm = kiosk.say("42", confidence=CONFIRM_ANY_BELOW - 0.1)
    assert isinstance(confirm[-1], Ask) and "42" in confirm[-1].text
    kiosk.say("yes")
    assert kiosk.dialog.answers["age"] == "42"


def test_a_spoken_age_is_always_checked_and_a_typed_one_never(kiosk: Kiosk) -> None:
    """PocketSphinx heard "forty" as 48 and "nineteen" as 90 at full confidence, so a
    spoken number is read back before it counts; "no" asks the age again."""
    kiosk.start()
    _answer_until(kiosk, lambda q: q.kind.value == "number")
    check = kiosk.say("nineteen", spoken=True)
    assert isinstance(check[-1], Ask) and "19" in check[-1].text and kiosk.asking != "age"
    again = kiosk.say("no", spoken=True)
    assert kiosk.asking == "age" and "age" not in kiosk.dialog.answers, again
    kiosk.say("ninety", spoken=True)
    kiosk.say("yes", spoken=True)
    assert kiosk.dialog.answers["age"] == "90"
    kiosk.say("back")
    assert kiosk.asking == "age"
    kiosk.say("42")
    assert kiosk.dialog.answers["age"] == "42" and kiosk.asking != "age"


def test_a_confirmation_that_stays_unclear_counts_as_dont_know(kiosk: Kiosk) -> None:
    kiosk.start()
    question = kiosk.asking
    assert question is not None
    kiosk.say("no", confidence=0.4)
    kiosk.say("banana")
    kiosk.say("banana")
    assert kiosk.dialog.answers[question] == "dont_know"


def test_unclear_answers_say_what_can_be_said_and_then_offer_keys(kiosk: Kiosk) -> None:
    kiosk.start()
    first = kiosk.say("purple")
    assert first[0].kind == "error" and "yes, no" in first[0].text  # type: ignore[union-attr]
    second = kiosk.say("purple")
    assert any("press 1" in o.text for o in second if isinstance(o, Say))
    question = kiosk.asking
    kiosk.say("2")
    assert kiosk.dialog.answers[question] == "no"  # type: ignore[index]
    kiosk.unclear()
    assert kiosk.asking is not None


def test_unclear_choice_lists_the_choices(kiosk: Kiosk) -> None:
    kiosk.start()
    red_flags_no(kiosk)
    said = kiosk.say("purple")
    assert "all of a sudden, over a few days or slowly" in said[0].text  # type: ignore[union-attr]


def _asked(outputs: list[object]) -> list[Ask]:
    return [o for o in outputs if isinstance(o, Ask)]


def _korean_at_onset(knowledge: Knowledge) -> Kiosk:
    """A Korean session at "how did it start?", every red flag answered 아니요 by voice."""
    from kiosk.language.pack import load_pack

    kiosk = Kiosk(knowledge, load_pack("ko", knowledge))
    kiosk.start()
    while kiosk.asking != "onset":
        kiosk.say("아니요", spoken=True)
    return kiosk


def test_a_choice_not_understood_twice_is_asked_one_option_at_a_time(
    knowledge: Knowledge,
) -> None:
    """A Korean speaker whose "how did it start?" the recognizer cannot make out twice is
    asked each option as a yes/no question, the most urgent first (the Korean model hears
    a yes or no far better than a choice): a yes picks it, a no moves on."""
    kiosk = _korean_at_onset(knowledge)
    alone = kiosk.pack.questions["onset"].one_at_a_time
    kiosk.unclear()
    second = kiosk.unclear()
    assert "하나씩" in second[0].text  # type: ignore[union-attr]
    asked = _asked(second)
    assert [(a.question, a.type, a.text) for a in asked] == [("onset", "yesno", alone["sudden"])]
    assert [a.text for a in _asked(kiosk.say("아니요", spoken=True))] == [alone["days"]]
    assert [a.text for a in _asked(kiosk.say("다시", spoken=True))] == [alone["days"]]
    kiosk.say("네", spoken=True)
    assert kiosk.dialog.answers["onset"] == "days" and kiosk.asking == "sides"


def test_one_option_at_a_time_keeps_its_checks_and_ways_out(knowledge: Knowledge) -> None:
    """An unsure yes is confirmed as the option it picks, and an unsure no asks the same
    option again (onset guards an emergency); a key answers the yes/no asked
    (1 is yes here, not the first option); "go back" returns to the whole question; no
    to every option is "not sure"; the clinician reads how the answer came. Someone
    typing is offered the choice keys instead."""
    kiosk = _korean_at_onset(knowledge)
    alone = kiosk.pack.questions["onset"].one_at_a_time
    kiosk.unclear()
    kiosk.unclear()
    unsure_no = _asked(kiosk.say("아니요", confidence=0.6, spoken=True))
    assert [a.text for a in unsure_no] == [alone["sudden"]], "an unsure no passes nothing over"
    check = _asked(kiosk.say("네", confidence=0.3, spoken=True))
    assert kiosk.state is State.CONFIRMING and "갑자기" in check[0].text
    kiosk.say("아니요", spoken=True)
    assert "onset" not in kiosk.dialog.answers
    kiosk.unclear()
    kiosk.unclear()
    back = _asked(kiosk.say("이전", spoken=True))
    assert [(a.question, a.type) for a in back] == [("onset", "choice")]
    kiosk.unclear()
    kiosk.unclear()
    kiosk.say("2")
    assert [a.text for a in _asked(kiosk.say("1"))][:1] != [alone["gradual"]]
    assert kiosk.dialog.answers["onset"] == "days" and kiosk.state is not State.CONFIRMING
    assert "one_at_a_time" in kiosk.dialog._memory.how["onset"]
    assert "key" in kiosk.dialog._memory.how["onset"]
    kiosk.unclear()
    kiosk.unclear()
    for _ in alone:
        said = kiosk.say("아니요", spoken=True)
    assert "잘 모르시는" in " ".join(o.text for o in said if isinstance(o, Say))
    assert kiosk.dialog.answers["sides"] == "dont_know"
    typist = _korean_at_onset(knowledge)
    typist.say("바나나")
    typed = typist.say("바나나")
    assert any("1번은" in o.text for o in typed if isinstance(o, Say))
    assert [a.type for a in _asked(typed)] == ["choice"]


def test_someone_typing_is_told_what_to_type_and_someone_speaking_what_to_say(
    kiosk: Kiosk,
) -> None:
    """The hint after an answer not understood matches how the answer came: typed
    nonsense gets "please type", a turn the recognizer could not make out "please say",
    at a yes/no question, a choice and the age."""
    kiosk.start()
    assert "Please type yes, no, or not sure" in kiosk.say("purple")[0].text  # type: ignore[union-attr]
    assert "Please say yes, no, or not sure" in kiosk.unclear()[0].text  # type: ignore[union-attr]
    red_flags_no(kiosk)
    assert "Please say all of a sudden" in kiosk.unclear()[0].text  # type: ignore[union-attr]
    kiosk.say("slowly")
    assert "Please type one leg" in kiosk.say("purple")[0].text  # type: ignore[union-attr]
    _answer_until(kiosk, lambda q: q.kind.value == "number")
    assert "type your age in figures" in kiosk.say("old")[0].text  # type: ignore[union-attr]
    assert "Please type a number from" in kiosk.say("400")[0].text  # type: ignore[union-attr]
    assert "Please say a number from" in kiosk.say("400", spoken=True)[0].text  # type: ignore[union-attr]


def test_a_voice_lost_in_a_noisy_room_is_told_to_come_closer_once_per_question(
    kiosk: Kiosk,
) -> None:
    """When the recognizer could not make out a voice that stood barely above the room,
    the person hears that coming closer would help, then the usual hint and the question;
    not again at the same question (someone who cannot move is not nagged), but again
    at the next one. A turn that was simply not understood does not mention noise."""
    kiosk.start()
    closer = "come a little closer to the microphone"
    said = [o.text for o in kiosk.unclear(noisy=True) if isinstance(o, Say | Ask)]
    assert closer in said[0] and "Please say yes, no, or not sure" in said[1], said
    assert isinstance(kiosk.out[-1], Ask), "the question is asked again after the advice"
    assert not any(closer in o.text for o in kiosk.unclear(noisy=True) if isinstance(o, Say))
    kiosk.say("no")
    assert not any(closer in o.text for o in kiosk.unclear() if isinstance(o, Say))
    assert any(closer in o.text for o in kiosk.unclear(noisy=True) if isinstance(o, Say))


def test_a_choice_not_understood_twice_can_be_answered_with_a_number_key(
    kiosk: Kiosk,
) -> None:
    """A person who cannot be understood at "How did it start?" is told the keys for the
    choices, in the order they are said; a key answers once checked (3 means "don't
    know" at yes/no questions), and the clinician sees it came by key."""
    kiosk.start()
    red_flags_no(kiosk)
    kiosk.say("purple")
    second = [o.text for o in kiosk.say("purple") if isinstance(o, Say)]
    assert "press 1 for all of a sudden, 2 for over a few days or 3 for slowly" in " ".join(second)
    asked = [o.text for o in kiosk.say("3") if isinstance(o, Ask)]
    assert "onset" not in kiosk.dialog.answers, "3 is don't know elsewhere: checked first"
    assert asked == ["I heard slowly. Is that right? Please say yes or no."]
    kiosk.say("1")
    assert kiosk.dialog.answers["onset"] == "gradual"
    kiosk.answer_all({"sides": "both legs"})
    kiosk.say("done")
    onset = next(a for a in kiosk.saved[-1].answers if a.question == "onset")
    assert "key" in onset.how


def test_asked_again_a_choice_suggests_what_the_question_taught(knowledge: Knowledge) -> None:
    """The Korean side question teaches naming the side (heard far better than 한쪽 다리);
    asked again, the kiosk suggests the same words, and both sides count as one leg."""
    from kiosk.language.pack import load_pack

    for side in ("오른쪽 다리", "왼쪽 다리"):
        kiosk = Kiosk(knowledge, load_pack("ko", knowledge))
        kiosk.start()
        while kiosk.asking != "sides":
            question = kiosk.asking or ""
            kiosk.say(kiosk.words_for(question, "sudden" if question == "onset" else "no"))
        suggested = kiosk.say("바나나")[0].text  # type: ignore[union-attr]
        assert "오른쪽 다리나 왼쪽 다리" in suggested and "몸 오른쪽이나 몸 왼쪽" in suggested
        kiosk.say(side)
        assert kiosk.dialog.answers["sides"] == "one_leg"  # type: ignore[index]


def test_age_out_of_range_names_the_number(kiosk: Kiosk) -> None:
    kiosk.start()
    red_flags_no(kiosk)
    kiosk.say("suddenly")
    kiosk.say("one leg")
    kiosk.say("on my own")  # how well they walk now: asked at once after a sudden start
    while kiosk.asking not in ("age", None):
        kiosk.say("no")
    assert kiosk.asking == "age"
    said = kiosk.say("250")
    assert "250" in said[0].text and said[0].kind == "error"  # type: ignore[union-attr]
    kiosk.say("forty two")
    assert kiosk.dialog.answers["age"] == "42"


def test_silence_gets_a_gentle_reprompt_not_a_reset(kiosk: Kiosk) -> None:
    kiosk.start()
    question = kiosk.asking
    said = kiosk.silence()
    assert "take your time" in said[0].text.lower()  # type: ignore[union-attr]
    assert kiosk.asking == question


def test_repeat_asks_the_same_question_again(kiosk: Kiosk) -> None:
    kiosk.start()
    question = kiosk.asking
    again = kiosk.say("say that again")
    assert isinstance(again[-1], Ask) and again[-1].question == question


def test_go_back_undoes_the_last_answer(kiosk: Kiosk) -> None:
    kiosk.start()
    first = kiosk.asking
    nothing = kiosk.say("go back")
    assert "first question" in nothing[0].text  # type: ignore[union-attr]
    kiosk.say("no")
    kiosk.say("go back")
    assert kiosk.asking == first and first not in kiosk.dialog.answers


def test_go_back_from_results_reopens_the_last_question(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all(GRADUAL_BOTH | {"feet_numb": "yes", "diabetes": "yes"})
    assert kiosk.state is State.RESULTS
    last = list(kiosk.dialog.answers)[-1]
    kiosk.say("go back")
    assert kiosk.asking == last and kiosk.state is State.QUESTIONS


def test_help_explains_the_answers_and_the_commands(kiosk: Kiosk) -> None:
    kiosk.start()
    said = kiosk.say("help")
    texts = " ".join(o.text for o in said if isinstance(o, Say))
    assert "yes, no" in texts and "repeat" in texts and "previous question" in texts
    assert isinstance(said[-1], Ask)


def test_a_person_who_does_not_understand_a_red_flag_is_asked_it_in_plainer_words(
    kiosk: Kiosk,
) -> None:
    """Saying "I don't understand" at "...your speech become slurred or muddled?" must not get
    the same words back: the question comes again in its simpler wording, once."""
    kiosk.start()
    first = kiosk.dialog.pack.questions[kiosk.asking]
    assert first.simpler is not None
    asked = [o for o in kiosk.say("I don't understand") if isinstance(o, Ask)]
    assert [a.text for a in asked] == [first.simpler]
    again = [o for o in kiosk.say("what does that mean") if isinstance(o, Ask)]
    assert [a.text for a in again] == [first.simpler]
    kiosk.say("no")
    assert kiosk.asking != asked[0].question  # the plainer question is answered as the first


def test_voice_commands_change_rate_and_volume_for_this_session_only(kiosk: Kiosk) -> None:
    kiosk.start()
    slower = kiosk.say("slower")
    voice = next(o for o in slower if isinstance(o, Voice))
    assert voice.rate < 1.0 and voice.volume == 1.0
    louder = kiosk.say("louder")
    assert next(o for o in louder if isinstance(o, Voice)).volume > 1.0
    kiosk.say("faster")
    kiosk.say("quieter")
    for _ in range(10):
        kiosk.say("louder")
    assert "as loud as" in kiosk.said()[-1].text or "as loud as" in kiosk.said()[-2].text
    kiosk.say("stop")
    kiosk.start()
    assert kiosk.dialog._memory.voice.rate == 1.0 and kiosk.dialog._memory.voice.volume == 1.0


def test_stop_mid_session_wipes_everything_and_saves_nothing(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("no")
    kiosk.say("no")
    said = kiosk.say("stop")
    assert isinstance(said[-1], End) and kiosk.state is State.IDLE
    assert kiosk.dialog.answers == {} and kiosk.saved == []


def test_a_spoken_stop_is_checked_before_any_answer_is_cleared(kiosk: Kiosk, pack: Pack) -> None:
    """A recognizer can mishear another command as "stop" (through PocketSphinx "back
    please" came back as "stop please" at full confidence); the answers are kept unless
    the person says they want to stop."""
    kiosk.start()
    kiosk.say("no")
    kiosk.say("no")
    question = kiosk.asking
    said = kiosk.say("stop", spoken=True)
    assert said[-1] == Ask("stop_check", "yesno", ("yes", "no"), pack.say("stop_check"))
    assert kiosk.dialog.answers, "nothing is cleared while asking"
    said = kiosk.say("no", spoken=True)
    assert pack.say("carry_on") in [s.text for s in said if isinstance(s, Say)]
    assert kiosk.asking == question and len(kiosk.dialog.answers) == 2
    kiosk.say("stop", spoken=True)
    said = kiosk.say("yes", spoken=True)
    assert isinstance(said[-1], End) and kiosk.state is State.IDLE
    assert kiosk.dialog.answers == {} and kiosk.saved == []


@pytest.mark.parametrize("then", ["stop", "unclear twice"])
def test_at_the_stop_check_stop_again_stops_and_not_being_understood_goes_on(
    kiosk: Kiosk, then: str
) -> None:
    kiosk.start()
    kiosk.say("no")
    question = kiosk.asking
    kiosk.say("stop", spoken=True)
    if then == "stop":
        kiosk.say("stop", spoken=True)
        assert kiosk.state is State.IDLE and kiosk.dialog.answers == {}
    else:
        kiosk.unclear()
        assert kiosk.asking == "stop_check"
        kiosk.unclear()
        assert kiosk.asking == question and kiosk.dialog.answers


def test_a_spoken_stop_while_confirming_goes_back_to_the_confirmation(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.say("no")
    question = kiosk.asking
    kiosk.say("no", confidence=0.3)
    assert kiosk.asking == "confirm"
    kiosk.say("stop", spoken=True)
    kiosk.say("no")
    assert kiosk.asking == "confirm"
    kiosk.say("yes")
    assert question and kiosk.dialog.answers[question] == "no"
    assert kiosk.asking not in ("confirm", question)


@pytest.mark.parametrize("how", ["typed", "spoken before any answer"])
def test_a_typed_stop_or_one_with_nothing_to_lose_stops_at_once(kiosk: Kiosk, how: str) -> None:
    kiosk.start()
    if how == "typed":
        kiosk.say("no")
    said = kiosk.say("stop", spoken=how != "typed")
    assert isinstance(said[-1], End) and kiosk.state is State.IDLE


def test_results_name_causes_with_reasons_and_say_it_is_not_a_diagnosis(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all(GRADUAL_BOTH | {"feet_numb": "yes", "diabetes": "yes", "age": "64"})
    lines = [s.text for s in kiosk.said() if s.kind == "result"]
    assert any("because you said" in line and "diabetes" in line for line in lines)
    assert any("not a diagnosis" in line for line in lines)
    assert any("A doctor may suggest" in line for line in lines)
    replay = kiosk.say("repeat")
    assert [s.text for s in replay if isinstance(s, Say) and s.kind == "result"] == lines


def test_urgent_guidance_comes_before_the_causes(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all({"onset": "suddenly", "sides": "one leg", "shooting_pain": "yes",
                      "back_pain": "yes", "after_lifting": "yes"})  # fmt: skip
    results = [s for s in kiosk.said() if s.kind in ("result", "emergency")]
    assert kiosk.result().triage == "urgent"
    assert "today" in results[0].text


def test_done_saves_the_summary_says_goodbye_and_wipes(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all(GRADUAL_BOTH | {"feet_numb": "yes"})
    said = kiosk.say("done")
    assert isinstance(said[-1], End) and kiosk.state is State.IDLE
    assert len(kiosk.saved) == 1 and kiosk.saved[0].answers
    assert kiosk.dialog.answers == {}
    assert kiosk.dialog._memory.result_lines == [] and kiosk.dialog._memory.assessment is None


def test_a_summary_that_cannot_be_saved_is_reported_to_the_person(
    knowledge: Knowledge, pack: Pack
) -> None:
    kiosk = Kiosk(knowledge, pack, save_ok=False)
    kiosk.start()
    kiosk.answer_all(GRADUAL_BOTH)
    said = kiosk.say("done")
    assert any(s.kind == "error" and "staff" in s.text for s in said if isinstance(s, Say))


def test_the_next_person_hears_nothing_of_the_last(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all(GRADUAL_BOTH | {"diabetes": "yes", "feet_numb": "yes"})
    kiosk.say("done")
    mark = len(kiosk.out)
    kiosk.start()
    kiosk.answer_all({"onset": "days", "sides": "both legs", "recent_exertion": "yes",
                      "sore_muscles": "yes"})  # fmt: skip
    second = " ".join(getattr(o, "text", "") for o in kiosk.out[mark:])
    assert "diabetes" not in second.replace("not have diabetes", "")
    assert "diabetes" not in kiosk.result().answers or kiosk.result().answers["diabetes"] == "no"


def test_every_state_and_transition_is_reachable(kiosk: Kiosk) -> None:
    seen: set[State] = set()
    original = kiosk.dialog.trigger

    def spy(name: str) -> bool:
        ok = original(name)
        seen.add(kiosk.state)
        return ok

    kiosk.dialog.trigger = spy  # type: ignore[method-assign]
    kiosk.start()
    kiosk.say("no", confidence=0.3)
    kiosk.say("yes")
    kiosk.say("stop", spoken=True)
    kiosk.say("no")
    kiosk.answer_all({**GRADUAL_BOTH, "readback": "no"})
    kiosk.say("1")  # change the first answer read back
    kiosk.answer_all(GRADUAL_BOTH)
    kiosk.say("done")
    kiosk.start()
    kiosk.say("yes")
    kiosk.say("done")
    assert seen == set(State)
    assert {t["trigger"] for t in TRANSITIONS} >= {"begin", "raise_alarm", "conclude", "reset"}
