"""Plain-text tables of the stable question and cause ids (for --list-questions/--list-causes)."""

from __future__ import annotations

from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Knowledge


def list_questions(knowledge: Knowledge, pack: Pack) -> str:
    rows = ["id\ttype\tstage\tanswers\ttext"]
    for question in knowledge.questions.values():
        stage = "red flag" if question.red_flag else _stage(knowledge, question.id)
        answers = ", ".join((*question.options, "dont_know"))
        if question.bands:
            answers = f"a number {question.number_range[0]}-{question.number_range[1]}, dont_know"
        rows.append(
            f"{question.id}\t{question.kind.value}\t{stage}\t{answers}\t"
            f"{pack.questions[question.id].ask}"
        )
    return "\n".join(rows)


def list_causes(knowledge: Knowledge, pack: Pack) -> str:
    rows = ["id\ttriage if likely\tname\tsources"]
    for cause in knowledge.causes.values():
        rows.append(
            f"{cause.id}\t{cause.triage.label}\t{pack.causes[cause.id]}\t{', '.join(cause.sources)}"
        )
    return "\n".join(rows)


def _stage(knowledge: Knowledge, question: str) -> str:
    """Questions of emergency rules are asked during screening while the rule can fire."""
    in_rules = any(
        question in {c.question for c in r.when}
        for r in knowledge.rules
        if r.level.label == "emergency"
    )
    return "screening" if in_rules else "adaptive"
