"""Words for an assessment: the spoken results and the structured result event.

Emergency and urgent guidance always come first; then the likely causes with the
answers that point to them; then what a doctor may do next; then a plain statement
that this is not a diagnosis.
"""

from __future__ import annotations

from kiosk.core.events import CauseResult, Result, Say
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import DONT_KNOW, YES, Knowledge, Triage
from kiosk.triage.rules import Answers, Assessment, RankedCause, is_emergency, rule_fires

MAX_CAUSES = 3
MIN_SHOWN_PROBABILITY = 0.05
MAX_SPOKEN_REASONS = 3


def result_lines(
    knowledge: Knowledge, pack: Pack, assessment: Assessment, answers: Answers
) -> list[Say]:
    """Everything said for the results, most urgent first."""
    lines = _urgency_lines(knowledge, pack, assessment, answers)
    shown = shown_causes(assessment)
    # An emergency rule ends the questions before the causes are told apart: a slipped
    # disc named first must not sound like the answer to "sudden and cannot stand".
    stopped_early = is_emergency(knowledge, answers)
    lines.append(
        Say(pack.say("results_intro_early" if stopped_early else "results_intro"), "result")
    )
    for rank, cause in enumerate(shown, start=1):
        lines.append(Say(_cause_line(knowledge, pack, rank, cause), "result"))
    steps = _next_steps(knowledge, pack, shown)
    if steps:
        lines.append(Say(pack.say("next_steps", steps=steps), "result"))
    if assessment.triage is Triage.ROUTINE:
        lines.append(Say(pack.say("routine"), "result"))
    elif assessment.triage is Triage.SELF_CARE:
        lines.append(Say(pack.say("self_care"), "result"))
    lines.append(Say(pack.say("disclaimer"), "result"))
    if assessment.triage is Triage.EMERGENCY:
        lines.append(Say(pack.say("again_emergency", number=pack.emergency_number), "emergency"))
    return lines


def emergency_lines(knowledge: Knowledge, pack: Pack, answers: Answers) -> list[Say]:
    """The guidance said the moment a red flag makes the triage an emergency."""
    reasons = _rule_reasons(knowledge, pack, answers, Triage.EMERGENCY)
    lines = [
        Say(pack.say("emergency", number=pack.emergency_number), "emergency"),
        Say(pack.say("emergency_while_waiting"), "emergency"),
    ]
    if reasons:
        lines.append(Say(pack.say("emergency_because", reasons=reasons), "emergency"))
    return lines


def result_event(
    knowledge: Knowledge, pack: Pack, assessment: Assessment, answers: Answers
) -> Result:
    return Result(
        triage=assessment.triage.label,
        red_flags=assessment.red_flags,
        causes=tuple(
            CauseResult(c.id, round(c.probability, 4), reason_texts(knowledge, pack, c))
            for c in shown_causes(assessment)
        ),
        answers=dict(answers),
    )


def shown_causes(assessment: Assessment) -> tuple[RankedCause, ...]:
    """The two or three causes worth naming: the leader, and others not negligible."""
    leader, *rest = assessment.causes[:MAX_CAUSES]
    return (leader, *(c for c in rest if c.probability >= MIN_SHOWN_PROBABILITY))


def reason_texts(knowledge: Knowledge, pack: Pack, cause: RankedCause) -> tuple[str, ...]:
    texts = []
    for reason in cause.reasons:
        key = "reason_for" if reason.raises else "reason_against"
        phrase = because(knowledge, pack, reason.question, reason.answer)
        texts.append(pack.say(key, reason=phrase))
    return tuple(texts)


def because(knowledge: Knowledge, pack: Pack, question: str, value: str) -> str:
    """How an answer reads after "because you said" (a number reads as its band)."""
    phrases = pack.questions[question].because
    if value == DONT_KNOW:
        return pack.say("unsure_reason", item=phrases.get(YES) or next(iter(phrases.values())))
    option = knowledge.questions[question].option_of(value) or value
    return phrases[option]


def _urgency_lines(
    knowledge: Knowledge, pack: Pack, assessment: Assessment, answers: Answers
) -> list[Say]:
    lines: list[Say] = []
    if assessment.triage is Triage.EMERGENCY:
        lines += emergency_lines(knowledge, pack, answers)
    elif assessment.triage is Triage.URGENT:
        lines.append(Say(pack.say("urgent"), "result"))
        reasons = _rule_reasons(knowledge, pack, answers, Triage.URGENT)
        if reasons:
            lines.append(Say(pack.say("urgent_because", reasons=reasons), "result"))
    if assessment.unsure_red_flags:
        items = [pack.questions[q].because["yes"] for q in assessment.unsure_red_flags]
        lines.append(Say(pack.say("unsure_red_flags", items=pack.join(items, "list_or")), "result"))
    return lines


def _rule_reasons(knowledge: Knowledge, pack: Pack, answers: Answers, level: Triage) -> str:
    phrases: list[str] = []
    for rule in knowledge.rules:
        if rule.level is level and rule_fires(rule, answers):
            for condition in rule.when:
                phrase = because(knowledge, pack, condition.question, answers[condition.question])
                if phrase not in phrases:
                    phrases.append(phrase)
    return pack.join(phrases)


def _cause_line(knowledge: Knowledge, pack: Pack, rank: int, cause: RankedCause) -> str:
    name = pack.causes[cause.id]
    raising = [because(knowledge, pack, r.question, r.answer) for r in cause.reasons if r.raises]
    if not raising:
        return pack.say("cause_without_reasons", rank=rank, cause=name)
    reasons = pack.join(raising[:MAX_SPOKEN_REASONS])
    return pack.say("cause_with_reasons", rank=rank, cause=name, reasons=reasons)


def _next_steps(knowledge: Knowledge, pack: Pack, causes: tuple[RankedCause, ...]) -> str:
    steps: list[str] = []
    for cause in causes:
        for step in knowledge.causes[cause.id].next_steps:
            if pack.next_steps[step] not in steps:
                steps.append(pack.next_steps[step])
    return pack.join(steps)
