"""The clinician's summary in a clinician's words.

Third person and clinical terms beside the patient's plain words ("bilateral
stocking-distribution paraesthesia" beside "both feet are numb or tingling"), the
rules that set the triage, the findings for and against each ranked cause, and how
each answer came (by key, asked again, confirmed, changed at the read-back). Not the
"because you said" voice of the patient's result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kiosk.triage.knowledge import DONT_KNOW, Knowledge
from kiosk.triage.rules import Answers, Assessment, RankedCause, rule_fires

if TYPE_CHECKING:
    from kiosk.records.report import Summary

PRESENTATION = ("onset", "sides", "progression", "function_now")
"""The answers that frame the story, in the order a clinician writes it."""
HOW = {
    "key": "given by key, not voice",
    "asked_again": "asked again after an unclear answer",
    "one_at_a_time": "the options were not understood, so each was asked as yes or no",
    "repeated": "question repeated at the patient's request",
    "confirmed": "heard with low confidence and confirmed",
    "confirmed_at_readback": "confirmed when read back",
    "changed_at_readback": "changed by the patient at the read-back",
    "not_confirmed_at_readback": (
        "read back; the patient said it was not right but named no answer to change"
    ),
    "unclear_at_readback": "read back; the patient's reply was not understood, so not confirmed",
}
"""How an answer came, in the summary's words (ids from `dialog_readback`)."""


def clinical_term(knowledge: Knowledge, question: str, value: str) -> str:
    """The clinical wording of one answer ("not known" for don't know)."""
    if value == DONT_KNOW:
        return "not known"
    spec = knowledge.questions.get(question)
    option = spec.option_of(value) if spec is not None else None
    return knowledge.clinical.get(question, {}).get(option or "", value)


def presentation(knowledge: Knowledge, answers: Answers) -> str:
    """ "Subacute onset (over days) of bilateral leg weakness (paraparesis); ..." """
    parts = [
        clinical_term(knowledge, q, answers[q])
        for q in (*PRESENTATION, "age")
        if answers.get(q, DONT_KNOW) != DONT_KNOW
    ]
    return "; ".join(parts) or "not established"


def findings(knowledge: Knowledge, cause: RankedCause) -> tuple[str, ...]:
    """The answers behind a cause's rank, clinically: "+ ..." for, "- ..." against."""
    return tuple(
        f"{'+' if r.raises else '-'} {clinical_term(knowledge, r.question, r.answer)}"
        for r in cause.reasons
    )


def rules_fired(
    knowledge: Knowledge, assessment: Assessment | None, answers: Answers
) -> tuple[str, ...]:
    """ "rule_id: what its source says" for each urgent or emergency rule that fired."""
    if assessment is None:
        return ()
    return tuple(
        f"{rule.id}: {rule.citation.note}"
        for rule in knowledge.rules
        if rule.id in assessment.red_flags and rule_fires(rule, answers)
    )


def summary_text(summary: Summary) -> str:
    lines = [
        "Leg weakness kiosk - summary for the clinician (not a diagnosis)",
        f"Created: {summary.created}   Language: {summary.language}",
        *(
            []
            if summary.complete
            else ["INCOMPLETE: the session ended with an error; these are all the answers."]
        ),
        f"Triage: {summary.triage.upper()}",
        f"Red flags: {', '.join(summary.red_flags) or 'none'}",
    ]
    lines += [f"  - {rule}" for rule in summary.rules_fired]
    if summary.rules_fired:
        lines.append("  (wording, effect and source of each rule: kiosk --explain-rules)")
    if summary.unsure_red_flags:
        lines.append(
            f"Red flags the patient could not answer: {', '.join(summary.unsure_red_flags)}"
        )
    lines += ["", f"Presentation: {summary.presentation}."]
    positive = [a.clinical for a in summary.answers if a.answer == "yes"]
    negative = [a.clinical for a in summary.answers if a.answer == "no"]
    lines.append(f"Reports: {'; '.join(positive) or 'nothing further'}.")
    lines.append(f"Pertinent negatives: {'; '.join(negative) or 'nothing asked'}.")
    lines += ["", "Causes the kiosk ranks highest (for review, not a diagnosis):"]
    for rank, cause in enumerate(summary.causes, start=1):
        lines.append(f"  {rank}. {cause.id} ({cause.probability:.0%}): {cause.name}")
        lines.extend(f"       {finding}" for finding in cause.findings)
    lines += ["", "Answers (clinical term; the patient's words; how it came if not simply spoken):"]
    for a in summary.answers:
        lines.append(f'  {a.question}: {a.answer} - {a.clinical} ("{a.plain}")')
        lines.append(f"       asked: {a.asked}")
        if a.how:
            lines.append(f"       [{'; '.join(HOW.get(h, h) for h in a.how)}]")
    return "\n".join(lines) + "\n"


def how_of(how: Mapping[str, Sequence[str]] | None, question: str) -> tuple[str, ...]:
    return tuple((how or {}).get(question, ()))
