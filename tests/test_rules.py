"""The rule module: ranking, triage, red-flag screening, question choice and stopping."""

from __future__ import annotations

import itertools

import pytest

from kiosk.triage.knowledge import DONT_KNOW, Knowledge, Triage
from kiosk.triage.rules import assess, expected_information_gain, next_question, posterior
from tests.conftest import Kiosk

# Textbook presentations, each from the cause's cited sources (see the knowledge file).
TEXTBOOK = {
    "multiple_sclerosis": {"onset": "days", "sides": "one_leg", "age": "30", "past_episodes": "yes",
                           "heat_worse": "yes", "tired_pale": "yes", "unsteady_dark": "yes"},
    "stroke_tia": {"stroke_signs": "yes"},
    "peripheral_neuropathy": {"onset": "gradual", "sides": "both_legs", "age": "62",
                              "feet_numb": "yes", "diabetes": "yes", "unsteady_dark": "yes"},
    "als": {"onset": "gradual", "sides": "one_leg", "age": "60", "twitching_wasting": "yes",
            "cramps": "yes", "hands_weak": "yes"},
    "guillain_barre": {"onset": "days", "sides": "both_legs", "age": "45", "feet_numb": "yes",
                       "recent_infection": "yes", "back_pain": "yes"},
    "spinal_stenosis": {"onset": "gradual", "sides": "both_legs", "age": "72", "back_pain": "yes",
                        "walk_worse_sit_better": "yes"},
    "herniated_disc": {"onset": "sudden", "sides": "one_leg", "age": "38", "back_pain": "yes",
                       "shooting_pain": "yes", "after_lifting": "yes", "cough_worse": "yes"},
    "sciatica": {"onset": "days", "sides": "one_leg", "age": "45", "shooting_pain": "yes"},
    "low_potassium": {"onset": "days", "sides": "both_legs", "age": "55", "cramps": "yes",
                      "fluid_loss_diuretics": "yes", "palpitations": "yes"},
    "b12_deficiency": {"onset": "gradual", "sides": "both_legs", "age": "70", "feet_numb": "yes",
                       "b12_risk": "yes", "tired_pale": "yes", "unsteady_dark": "yes"},
    "peripheral_artery_disease": {"onset": "gradual", "sides": "one_leg", "age": "68",
                                  "calf_pain_walking": "yes", "vascular_risk": "yes"},
    "myasthenia_gravis": {"onset": "gradual", "sides": "both_legs", "age": "35",
                          "fatigable": "yes", "eyelids_double": "yes"},
    "cauda_equina": {"saddle_numbness": "yes"},
    "overexertion": {"onset": "days", "sides": "both_legs", "age": "28", "recent_exertion": "yes",
                     "sore_muscles": "yes"},
}  # fmt: skip


@pytest.mark.parametrize("cause", sorted(TEXTBOOK))
def test_each_cause_comes_first_for_its_textbook_presentation(kiosk: Kiosk, cause: str) -> None:
    kiosk.start()
    kiosk.answer_all(TEXTBOOK[cause])
    assert kiosk.result().causes[0].id == cause


@pytest.mark.parametrize("cause", sorted(TEXTBOOK))
def test_the_first_cause_is_explained_by_the_answers_given(
    knowledge: Knowledge, cause: str
) -> None:
    answers = {q: "no" for q in knowledge.red_flag_questions} | TEXTBOOK[cause]
    leader = assess(knowledge, answers).causes[0]
    raising = {r.question for r in leader.reasons if r.raises}
    assert raising, f"{cause} came first with no reason"
    assert raising <= set(TEXTBOOK[cause])


def test_dont_know_contributes_nothing_to_the_ranking(knowledge: Knowledge) -> None:
    answers = {"onset": "gradual", "feet_numb": "yes"}
    with_unknowns = answers | {"diabetes": DONT_KNOW, "age": DONT_KNOW}
    assert posterior(knowledge, answers) == posterior(knowledge, with_unknowns)


def test_a_no_lowers_the_causes_it_argues_against(knowledge: Knowledge) -> None:
    before = posterior(knowledge, {"onset": "gradual"})["peripheral_artery_disease"]
    after = posterior(knowledge, {"onset": "gradual", "calf_pain_walking": "no"})
    assert after["peripheral_artery_disease"] < before / 2


@pytest.mark.parametrize("red_flag", ["stroke_signs", "bladder_bowel", "rising_weakness"])
def test_red_flags_come_before_any_other_question(knowledge: Knowledge, red_flag: str) -> None:
    answers: dict[str, str] = {}
    asked = []
    while (question := next_question(knowledge, answers)) is not None and len(asked) < 8:
        asked.append(question)
        answers[question] = "no"
    assert asked == list(knowledge.red_flag_questions)
    assert red_flag in asked


@pytest.mark.parametrize(
    "answers",
    [
        {"onset": "sudden", "sides": "one_side_body"},
        {"onset": "sudden", "sides": "both_legs", "back_pain": "yes"},
        {"onset": "sudden", "stroke_signs": DONT_KNOW},
    ],
)
def test_combinations_of_answers_are_emergencies(
    knowledge: Knowledge, answers: dict[str, str]
) -> None:
    red_flags_no = {q: "no" for q in knowledge.red_flag_questions}
    assessment = assess(knowledge, red_flags_no | answers)
    assert assessment.triage is Triage.EMERGENCY


def test_questions_of_emergency_combinations_are_asked_during_screening(
    knowledge: Knowledge,
) -> None:
    answers = {q: "no" for q in knowledge.red_flag_questions} | {"onset": "sudden"}
    assert next_question(knowledge, answers) == "sides"
    answers["sides"] = "both_legs"
    assert next_question(knowledge, answers) == "function_now"
    answers["function_now"] = "walks_alone"
    assert next_question(knowledge, answers) == "back_pain"


def test_dont_know_on_a_red_flag_never_lowers_triage(knowledge: Knowledge) -> None:
    others = [
        {},
        {"onset": "gradual", "sides": "both_legs", "recent_exertion": "yes", "sore_muscles": "yes"},
        {"onset": "days", "sides": "one_leg", "shooting_pain": "yes"},
        {"onset": "sudden", "sides": "one_leg"},
    ]
    for red_flag, extra in itertools.product(knowledge.red_flag_questions, others):
        base = {q: "no" for q in knowledge.red_flag_questions} | extra
        said_no = assess(knowledge, base).triage
        unsure = assess(knowledge, base | {red_flag: DONT_KNOW}).triage
        assert unsure >= said_no, (red_flag, extra)
        assert unsure >= Triage.URGENT, (red_flag, extra)


def test_where_the_weakness_is_is_asked_even_when_one_cause_already_leads(
    knowledge: Knowledge,
) -> None:
    """Numb feet, tiredness and a B12 risk point at B12 deficiency, a cause of weakness
    in both legs; the kiosk still asks where the weakness is, and one weak leg argues
    against it (the questions go on instead of a result that never asked)."""
    answers = {q: "no" for q in knowledge.red_flag_questions} | {
        "onset": "gradual", "feet_numb": "yes", "tired_pale": "yes", "b12_risk": "yes"
    }  # fmt: skip
    assert max(posterior(knowledge, answers).values()) > 0.8
    assert next_question(knowledge, answers) == "sides"
    one_leg = posterior(knowledge, answers | {"sides": "one_leg"})["b12_deficiency"]
    both_legs = posterior(knowledge, answers | {"sides": "both_legs"})["b12_deficiency"]
    assert one_leg < both_legs - 0.2
    # and whether they can still stand and walk, though no rule turns on it when the
    # weakness came on slowly: the clinician's summary says it either way
    assert next_question(knowledge, answers | {"sides": "both_legs"}) == "function_now"


def test_the_most_informative_question_is_asked_next(knowledge: Knowledge) -> None:
    core = {"onset": "gradual", "sides": "both_legs", "function_now": "walks_alone"}
    answers = {q: "no" for q in knowledge.red_flag_questions} | core
    probs = posterior(knowledge, answers)
    chosen = next_question(knowledge, answers)
    assert chosen is not None
    gains = {
        q.id: expected_information_gain(knowledge, probs, q)
        for q in knowledge.questions.values()
        if q.id not in answers
    }
    assert gains[chosen] == max(gains.values())


def test_questioning_stops_once_the_leader_is_clear(knowledge: Knowledge) -> None:
    answers = {q: "no" for q in knowledge.red_flag_questions} | TEXTBOOK["spinal_stenosis"]
    answers["function_now"] = "walks_alone"
    assert max(posterior(knowledge, answers).values()) >= 0.85
    assert next_question(knowledge, answers) is None


def test_an_urgent_finding_is_asked_before_stopping_when_it_is_likely(
    knowledge: Knowledge,
) -> None:
    answers = {q: "no" for q in knowledge.red_flag_questions} | TEXTBOOK[
        "peripheral_artery_disease"
    ]
    answers["function_now"] = "walks_alone"
    assert next_question(knowledge, answers) == "leg_pain_rest"
    answers["leg_pain_rest"] = "yes"
    assert assess(knowledge, answers).triage is Triage.URGENT


def test_no_question_is_asked_only_for_a_triage_it_already_has(knowledge: Knowledge) -> None:
    """Once a rule makes it urgent, asking whether the foot hurts at rest (another urgent
    rule) cannot change what the person is told: the questions stop instead."""
    pad = {q: "no" for q in knowledge.red_flag_questions} | TEXTBOOK["peripheral_artery_disease"]
    pad["function_now"] = "walks_alone"
    urgent = pad | {"palpitations": "yes"}
    assert assess(knowledge, urgent).triage is Triage.URGENT
    assert next_question(knowledge, pad) == "leg_pain_rest"
    assert next_question(knowledge, urgent) is None


def test_overexertion_alone_is_self_care(knowledge: Knowledge) -> None:
    answers = {q: "no" for q in knowledge.red_flag_questions} | TEXTBOOK["overexertion"]
    assert assess(knowledge, answers).triage is Triage.SELF_CARE
