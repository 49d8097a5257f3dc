"""Severity and the read-back, as a person at the kiosk would notice them.

Sudden weakness that stops a person standing is an emergency, said first. Before any
other result the kiosk reads back the answers that drove it; "no" lets the person
change one (by its number: voice, key or touch) and the result is worked out again.
"""

from __future__ import annotations

import re

from kiosk.core.events import Ask, Result, Say
from kiosk.dialog.machine import State
from kiosk.frontends.screen.protocol import screen_event
from kiosk.hearing.grammar import phrases
from kiosk.language.pack import load_pack
from kiosk.triage.knowledge import Knowledge
from tests.conftest import Kiosk

NEUROPATHY = {"onset": "slowly", "sides": "both legs", "feet_numb": "yes", "diabetes": "yes"}


def asks(kiosk: Kiosk, since: int = 0) -> list[Ask]:
    return [o for o in kiosk.out[since:] if isinstance(o, Ask)]


def answer_until_readback(kiosk: Kiosk, answers: dict[str, str]) -> None:
    kiosk.start()
    while kiosk.asking != "readback":
        question = kiosk.asking
        assert question is not None, "no read-back"
        kind = kiosk.knowledge.questions[question].kind.value
        value = answers.get(question, "no" if kind == "yesno" else "dont_know")
        kiosk.say(kiosk.words_for(question, value))


def results_for_staff(kiosk: Kiosk, said: str, summary_says: str) -> None:
    """`said` ends the read-back: the results come as understood, staff are pointed to,
    and the clinician summary says why the answers were not confirmed."""
    mark = len(kiosk.out)
    kiosk.say(said)
    assert kiosk.state is State.RESULTS
    spoken = " ".join(s.text for s in kiosk.said(mark))
    assert "member of staff" in spoken and kiosk.pack.say("results_intro") in spoken
    kiosk.say("done")
    assert summary_says in kiosk.saved[-1].as_text()


def to_readback(kiosk: Kiosk, answers: dict[str, str]) -> Ask:
    kiosk.start()
    kiosk.answer_all({**answers, "readback": "no"})
    assert kiosk.state is State.CHOOSING
    return next(a for a in reversed(asks(kiosk)) if a.question == "readback")


def test_sudden_weakness_that_stops_standing_gets_emergency_guidance_first(
    kiosk: Kiosk,
) -> None:
    """No pain, no numbness, no other red flag: the legs gave way and they can barely stand."""
    kiosk.start()
    kiosk.answer_all({"onset": "suddenly", "sides": "one leg", "function_now": "only with support"})
    assert kiosk.result().triage == "emergency"
    assert "sudden_cannot_walk" in kiosk.result().red_flags
    first = next(s for s in kiosk.said() if s.kind in ("emergency", "result"))
    assert first.kind == "emergency" and "999" in first.text
    assert "readback" not in [a.question for a in asks(kiosk)], "nothing delays the guidance"


def to_function_now(kiosk: Kiosk, onset: str) -> None:
    """Start, and answer (no red flag, `onset`, one leg) up to "can you walk on your own?"."""
    kiosk.start()
    while kiosk.asking != "function_now":
        question = kiosk.asking
        assert question in kiosk.knowledge.questions, f"never asked: at {question}"
        kiosk.say({"onset": onset, "sides": "one leg"}.get(question, "no"))


def test_no_to_can_you_walk_on_your_own_asks_whether_with_support(kiosk: Kiosk) -> None:
    """ "Can you stand up and walk on your own?" "No." is the most natural answer of a
    person who cannot; it was once "Sorry, I did not catch that". Now the kiosk asks
    whether they can with support: yes means with help, no means not at all, and at a
    sudden onset either is an emergency."""
    follow_up = kiosk.pack.questions["function_now"].if_no
    assert follow_up is not None
    answers = {"no": "cannot", "yes": "with_help"}
    for said, meant in answers.items():
        person = Kiosk(kiosk.knowledge, kiosk.pack)
        to_function_now(person, "suddenly")
        ask = person.say("no")[-1]
        assert ask == Ask("function_now", "yesno", ("yes", "no"), follow_up.ask)
        person.say(said)
        assert person.result().answers["function_now"] == meant
        assert person.result().triage == "emergency"
    slow = Kiosk(kiosk.knowledge, kiosk.pack)
    to_function_now(slow, "slowly")
    slow.say("nope")
    slow.say("I don't know")
    assert slow.asking != "function_now", "not sure: don't know, and the questions go on"
    assert slow.dialog.answers["function_now"] == "dont_know"


def test_at_the_walking_follow_up_back_unclear_and_keys_work_as_at_a_yes_no_question(
    kiosk: Kiosk,
) -> None:
    to_function_now(kiosk, "slowly")
    broad = kiosk.pack.questions["function_now"].ask
    kiosk.say("no")
    assert kiosk.say("go back")[-1].text == broad, "back to the question as first asked"
    kiosk.say("no")
    said = kiosk.say("purple")
    assert said[0].text == kiosk.pack.say("unclear_yesno_typed")
    assert said[-1].text == kiosk.pack.questions["function_now"].if_no.ask  # type: ignore[union-attr]
    kiosk.say("2")  # the "no" key: not even with support
    assert kiosk.asking == "confirm"  # a key at a choice is checked: "I heard I cannot walk"
    kiosk.say("yes")
    assert kiosk.dialog.answers["function_now"] == "cannot"


def test_causes_named_after_an_emergency_stop_are_said_to_be_not_yet_told_apart(
    kiosk: Kiosk, knowledge: Knowledge
) -> None:
    """The questions end at the emergency, before stroke and a slipped disc are told
    apart: the causes that follow must not sound like the answer."""
    kiosk.start()
    kiosk.answer_all({"onset": "suddenly", "sides": "one leg", "function_now": "not at all"})
    intro = next(s for s in kiosk.said() if s.kind == "result")
    assert "stopped the questions early" in intro.text and "cannot yet tell" in intro.text
    routine = Kiosk(knowledge, kiosk.pack)
    routine.start()
    routine.answer_all(NEUROPATHY)
    intro = next(s for s in routine.said() if s.kind == "result")
    assert intro.text.startswith("Here is what your answers point to")


def test_weakness_getting_worse_over_days_is_urgent_and_a_relapse_too(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all({"onset": "over a few days", "sides": "one leg", "progression": "worse"})
    assert kiosk.result().triage == "urgent" and "worsening_over_days" in kiosk.result().red_flags
    relapse = Kiosk(kiosk.knowledge, kiosk.pack)
    relapse.start()
    relapse.answer_all({"onset": "over a few days", "sides": "one leg", "past_episodes": "yes"})
    assert "relapse_new_deficit" in relapse.result().red_flags
    assert relapse.result().triage == "urgent"


def test_the_answers_that_matter_are_read_back_before_any_result(kiosk: Kiosk) -> None:
    answer_until_readback(kiosk, NEUROPATHY)
    kiosk.say("pass")  # neither yes nor no: asked again
    readback = [a for a in asks(kiosk) if a.question == "readback"]
    assert len(readback) == 2 and readback[0].type == "yesno"
    text = readback[0].text
    assert "You told me the weakness came on slowly, " in text  # in the order asked
    for item in ("both legs are weak", "both feet are numb", "you have diabetes"):
        assert item in text
    assert "Is that right" in text
    assert not [o for o in kiosk.out if isinstance(o, Result)], "no result before the check"
    mark = len(kiosk.out)
    kiosk.say("yes")
    assert kiosk.state is State.RESULTS
    assert kiosk.result().causes[0].id == "peripheral_neuropathy"
    assert not asks(kiosk, mark)


def test_no_then_changing_one_answer_works_the_result_out_again(kiosk: Kiosk) -> None:
    readback = to_readback(kiosk, NEUROPATHY)
    which = asks(kiosk)[-1]
    assert which.question == "readback_which" and which.type == "choice"
    assert which.choices == tuple(str(n) for n in range(1, len(which.choices) + 1))
    assert "1: the weakness came on slowly." in which.text  # what each number stands for
    assert "came on slowly" in readback.text
    kiosk.say("number one")  # the onset was misheard: it was sudden
    assert kiosk.asking == "onset"
    kiosk.answer_all({"onset": "suddenly", "sides": "both legs", "feet_numb": "yes"})
    result = kiosk.result()
    assert result.answers["onset"] == "sudden"
    assert result.triage in ("urgent", "emergency"), "sudden weakness needs same-day care"
    said = " ".join(a.text for a in asks(kiosk) if a.question == "readback")
    assert "came on suddenly" in said, "the changed answer is read back too"


def test_the_answer_to_change_can_be_chosen_by_key_and_a_wrong_number_is_named(
    kiosk: Kiosk,
) -> None:
    to_readback(kiosk, NEUROPATHY)
    which = asks(kiosk)[-1]
    count = len(which.choices)
    number = re.search(r"(\d): both legs are weak", which.text)
    assert number is not None
    said = [o for o in kiosk.say("7") if isinstance(o, Say)]
    assert said[0].kind == "error" and f"from 1 to {count}" in said[0].text
    assert kiosk.asking == "readback_which"
    kiosk.say(number.group(1))  # a key, as on the keypad or a touch button
    assert kiosk.asking == "sides"
    kiosk.say("one leg")
    assert kiosk.dialog.answers["sides"] == "one_leg"


def test_which_one_understands_the_second_one_and_never_reads_one_as_item_1(
    kiosk: Kiosk, knowledge: Knowledge
) -> None:
    """ "The second one" at "Which one should I change?" was read as 1 (its "one"), so
    the kiosk asked the first answer again; "the last one" and "the diabetes one" too.
    Now a rank is its number, and "one" after another word names no item."""
    by_number = Kiosk(knowledge, kiosk.pack)
    to_readback(by_number, NEUROPATHY)
    by_number.say("2")
    to_readback(kiosk, NEUROPATHY)
    kiosk.say("the second one")
    assert kiosk.asking == by_number.asking != "readback_which"
    for said in ("the last one", "the diabetes one"):
        person = Kiosk(knowledge, kiosk.pack)
        to_readback(person, NEUROPATHY)
        person.say(said)
        assert person.asking == "readback_which", said
    korean = Kiosk(knowledge, load_pack("ko", knowledge))
    to_readback(korean, {"onset": "천천히", "sides": "양쪽 다리", "feet_numb": "네"})
    korean.say("첫 번째요")
    first = Kiosk(knowledge, korean.pack)
    to_readback(first, {"onset": "천천히", "sides": "양쪽 다리", "feet_numb": "네"})
    first.say("1")
    assert korean.asking == first.asking != "readback_which"


def test_going_back_from_which_one_reads_the_answers_back_again(kiosk: Kiosk) -> None:
    to_readback(kiosk, NEUROPATHY)
    kiosk.say("go back")
    assert kiosk.asking == "readback"
    kiosk.say("1")  # 1 = yes, as at every yes/no question
    assert kiosk.state is State.RESULTS


def test_no_at_which_one_means_nothing_to_change_and_the_check_comes_again(
    kiosk: Kiosk, knowledge: Knowledge
) -> None:
    """A "no" to the read-back said by mistake: "no" or "none" at "Which one should I
    change?" goes back to "Is that right?" instead of asking for a number forever."""
    for said in ("no", "none", "no thank you"):
        person = Kiosk(knowledge, kiosk.pack)
        to_readback(person, NEUROPATHY)
        person.say(said)
        assert person.asking == "readback", said
        person.say("yes")
        assert person.state is State.RESULTS
        assert person.dialog.answers["diabetes"] == "yes"
    korean = Kiosk(knowledge, load_pack("ko", knowledge))
    to_readback(korean, {"onset": "천천히", "sides": "양쪽 다리", "feet_numb": "네"})
    korean.say("없어요")  # "there is none"
    assert korean.asking == "readback"


def test_a_read_back_called_wrong_with_nothing_to_change_ends_in_the_results(
    kiosk: Kiosk,
) -> None:
    """ "No" to the read-back, then "no" to "which one?", over and over: the second time
    the kiosk gives the results as it understood them and points to staff, and the
    clinician summary says the answers were not confirmed."""
    to_readback(kiosk, NEUROPATHY)
    kiosk.say("no")  # nothing to change: the answers are read back again
    assert kiosk.asking == "readback"
    kiosk.say("no")
    assert kiosk.asking == "readback_which"
    results_for_staff(kiosk, "no", "said it was not right but named no answer to change")


def test_not_sure_at_the_read_back_goes_through_the_answers_and_never_round_for_ever(
    kiosk: Kiosk,
) -> None:
    """ "I don't know" to "Is that right?" was once "Sorry, I did not catch that. Please
    say yes, no, or I don't know", again and again. Not sure, the person is asked which
    answer to change; naming none twice gives the results as understood."""
    answer_until_readback(kiosk, NEUROPATHY)
    kiosk.say("I'm not sure")
    assert kiosk.asking == "readback_which"
    kiosk.say("none")
    assert kiosk.asking == "readback"
    kiosk.say("3")  # the "don't know" key
    assert kiosk.asking == "readback_which"
    kiosk.say("none")
    assert kiosk.state is State.RESULTS
    assert not [s for s in kiosk.said() if s.kind == "error"]


def test_a_person_not_understood_at_the_read_back_is_not_held_there(
    kiosk: Kiosk, knowledge: Knowledge
) -> None:
    """Replies the kiosk cannot place, at "Is that right?" or at "which one?" ("yes" is
    no number), were asked again without end. Keys are offered at the second; after four
    the results come as understood, staff are pointed to, and the clinician summary says
    the answers read back were not confirmed."""
    answer_until_readback(kiosk, NEUROPATHY)
    mark = len(kiosk.out)
    kiosk.say("banana")
    kiosk.say("purple elephant")
    assert kiosk.asking == "readback"
    assert kiosk.pack.say("offer_keys") in " ".join(s.text for s in kiosk.said(mark))
    kiosk.say("no")
    kiosk.say("yes")  # no number: still choosing
    assert kiosk.asking == "readback_which"
    results_for_staff(kiosk, "yes", "reply was not understood, so not confirmed")
    korean = Kiosk(knowledge, load_pack("ko", knowledge))
    answer_until_readback(korean, {"onset": "천천히", "sides": "양쪽 다리", "feet_numb": "네"})
    for said in ("바나나", "음", "사과", "포도"):
        korean.say(said)
    assert korean.state is State.RESULTS


def test_the_clinician_summary_says_how_answers_came(kiosk: Kiosk) -> None:
    to_readback(kiosk, NEUROPATHY)
    kiosk.say("1")
    kiosk.answer_all({**NEUROPATHY, "onset": "over a few days"})
    kiosk.say("done")
    answers = {a.question: a for a in kiosk.saved[-1].answers}
    assert "changed_at_readback" in answers["onset"].how
    assert "confirmed_at_readback" in answers["onset"].how
    text = kiosk.saved[-1].as_text()
    assert "changed by the patient at the read-back" in text


def test_a_read_back_in_korean(knowledge: Knowledge) -> None:
    pack = load_pack("ko", knowledge)
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    kiosk.answer_all({"onset": "점점", "sides": "양쪽 다리", "feet_numb": "네", "readback": "네"})
    readback = next(a for a in asks(kiosk) if a.question == "readback")
    assert "천천히 시작된 힘 빠짐" in readback.text and "맞나요" in readback.text
    assert kiosk.state is State.RESULTS


def test_the_clinician_summary_is_written_for_a_clinician(kiosk: Kiosk) -> None:
    kiosk.start()
    kiosk.answer_all(NEUROPATHY)
    kiosk.say("done")
    summary = kiosk.saved[-1]
    text = summary.as_text()
    assert "because you said" not in text and "you have" not in text.split("Answers")[0]
    assert "Presentation: insidious onset (weeks to months); bilateral leg weakness" in text
    feet = next(a for a in summary.answers if a.question == "feet_numb")
    assert feet.clinical == "bilateral stocking-distribution paraesthesia"
    assert feet.plain == "both feet are numb or tingling"
    assert '- bilateral stocking-distribution paraesthesia ("both feet are numb' in text
    assert "+ bilateral stocking-distribution paraesthesia" in text  # a finding for the leader
    assert "Pertinent negatives: no facial droop" in text  # not "Denies: no ..."
    assert "[confirmed when read back]" in text


def test_voice_and_touch_get_what_they_need_at_the_read_back(kiosk: Kiosk) -> None:
    """The recognizer listens for yes/no, then for numbers; the screen shows a button
    per answer that posts words the dialog understands."""
    answer_until_readback(kiosk, NEUROPATHY)
    heard = phrases(kiosk.pack, kiosk.dialog.expecting)
    assert "yes" in heard and "no" in heard
    readback = screen_event(asks(kiosk)[-1], kiosk.pack)
    assert readback is not None and readback["words"][:2] == ["yes", "no"]
    kiosk.say(str(readback["words"][1]))
    assert kiosk.asking == "readback_which"
    heard = phrases(kiosk.pack, kiosk.dialog.expecting)
    assert {"one", "two", "three"} <= set(heard) and "previous question" in heard
    which = screen_event(asks(kiosk)[-1], kiosk.pack)
    assert which is not None and which["words"] == list(asks(kiosk)[-1].choices)
    kiosk.say("one")
    assert kiosk.asking in kiosk.knowledge.questions
