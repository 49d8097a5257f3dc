"""The rule table a clinic's clinician reviews and signs off (`kiosk --explain-rules`).

Every red flag, triage rule, cause prior, cause triage level and cited weight, each
with its wording, its effect and its source, as Markdown or CSV. Built from the loaded
knowledge, so it is the table the kiosk runs on; the loader refuses a rule or weight
without a source, so no row can lack one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Citation, Condition, Kind, Knowledge, Question, Rule, Triage

FORMATS = ("md", "csv")
COLUMNS = ("kind", "id", "wording", "effect", "sources", "note")


@dataclass(frozen=True)
class Row:
    kind: str
    """red flag, triage rule, cause prior, cause triage, or weight."""
    id: str
    wording: str
    effect: str
    sources: str
    """Each cited source in full: its title and address."""
    note: str
    """What the source says that the row rests on."""


def rule_table(knowledge: Knowledge, pack: Pack) -> list[Row]:
    rows = [_rule_row(knowledge, pack, rule) for rule in knowledge.rules]
    for cause in knowledge.causes.values():
        name = pack.causes[cause.id]
        rows.append(
            Row("cause prior", cause.id, name, f"prior probability {cause.prior:g}",
                _sources(knowledge, cause.prior_citation), cause.prior_citation.note)
        )  # fmt: skip
        threshold = knowledge.policy.likely_cause_probability
        rows.append(
            Row("cause triage", cause.id, name,
                f"triage at least {cause.triage.label} when {threshold:.0%} likely or more",
                _sources(knowledge, cause.triage_citation), cause.triage_citation.note)
        )  # fmt: skip
    for question in knowledge.questions.values():
        for cause_id, citation in question.citations.items():
            rows.append(
                Row("weight", f"{question.id}/{cause_id}", pack.questions[question.id].ask,
                    _weight_effect(question, cause_id), _sources(knowledge, citation),
                    citation.note)
            )  # fmt: skip
    return rows


def render(rows: Iterable[Row], form: str) -> str:
    if form == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([r.kind, r.id, r.wording, r.effect, r.sources, r.note] for r in rows)
        return out.getvalue()
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        cells = (r.kind, f"`{r.id}`", r.wording, r.effect, r.sources, r.note)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _rule_row(knowledge: Knowledge, pack: Pack, rule: Rule) -> Row:
    when = [_condition(knowledge, pack, c) for c in rule.when]
    wording = "when " + " and ".join(when)
    if rule.unless:
        wording += ", unless " + " or ".join(_condition(knowledge, pack, c) for c in rule.unless)
    effect = f"triage at least {rule.level.label}"
    if rule.level is Triage.EMERGENCY:
        effect += "; questions stop and the emergency guidance is said first"
    single = rule.when[0].question if len(rule.when) == 1 else None
    flag = knowledge.questions[single] if single is not None else None
    kind = "red flag" if flag is not None and flag.red_flag else "triage rule"
    if flag is not None and flag.if_unsure is not None:
        effect += f"; still unknown after a simpler re-ask: at least {flag.if_unsure.label}"
    return Row(
        kind, rule.id, wording, effect, _sources(knowledge, rule.citation), rule.citation.note
    )


def _condition(knowledge: Knowledge, pack: Pack, condition: Condition) -> str:
    """ "onset = sudden ("the weakness came on suddenly")" """
    question = knowledge.questions[condition.question]
    values = sorted(condition.values, key=lambda v: (*question.options, v).index(v))
    texts = pack.questions[question.id].because
    plain = " or ".join(texts.get(v, "not known") for v in values)
    return f'{question.id} = {" or ".join(values)} ("{plain}")'


def _weight_effect(question: Question, cause: str) -> str:
    mine = question.likelihood[cause]
    if question.kind is Kind.YESNO:
        return f"P(yes | {cause}) = {mine['yes']:g}"
    options = ", ".join(question.options)
    values = ", ".join(f"{mine[o]:.3g}" for o in question.options)
    return f"P({options} | {cause}) = {values}"


def _sources(knowledge: Knowledge, citation: Citation) -> str:
    return "; ".join(knowledge.sources[s] for s in citation.sources)
