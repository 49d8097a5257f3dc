"""Which answers to read back before the results, and how they read.

Pure: the few answers that drove the triage and the leading causes, in the order a
person would check them. Red-flag answers are not read back (a yes to one never
reaches the read-back: the emergency guidance comes first), nor "I don't know".
"""

from __future__ import annotations

from kiosk.language.pack import Pack
from kiosk.language.present import because
from kiosk.triage.knowledge import DONT_KNOW, Knowledge, Triage
from kiosk.triage.rules import Answers, Assessment, rule_fires

MAX_ITEMS = 4
"""Few enough to hold in mind while listening."""
LEADING_CAUSES = 2


FRAMING = ("onset", "sides")
"""How it started and where: read back whenever known, as a clinician frames the story."""


def readback_items(
    knowledge: Knowledge, assessment: Assessment, answers: Answers
) -> tuple[str, ...]:
    """Question ids, in the order they were asked: how it started and where, the answers
    of the urgent rules that fired, then those that most raised the leading causes; at
    most `MAX_ITEMS`."""
    items: list[str] = []

    def add(question: str) -> None:
        value = answers.get(question)
        red_flag = knowledge.questions[question].red_flag
        if value is not None and value != DONT_KNOW and not red_flag and question not in items:
            items.append(question)

    for question in FRAMING:
        if question in knowledge.questions:
            add(question)
    for rule in knowledge.rules:
        if rule.level >= Triage.URGENT and rule_fires(rule, answers):
            for condition in rule.when:
                add(condition.question)
    for cause in assessment.causes[:LEADING_CAUSES]:
        for reason in cause.reasons:
            if reason.raises:
                add(reason.question)
    order = list(answers)
    return tuple(sorted(items[:MAX_ITEMS], key=order.index))


def readback_text(
    knowledge: Knowledge, pack: Pack, answers: Answers, items: tuple[str, ...]
) -> str:
    """ "You told me the weakness came on slowly, both legs are weak ... Is that right?" """
    phrases = [because(knowledge, pack, q, answers[q]) for q in items]
    return pack.say("readback", items=pack.join(phrases))


def which_text(knowledge: Knowledge, pack: Pack, answers: Answers, items: tuple[str, ...]) -> str:
    """ "Which one should I change? Say its number. 1: ... 2: ..." """
    listed = " ".join(
        pack.say("readback_item", number=number, item=because(knowledge, pack, q, answers[q]))
        for number, q in enumerate(items, start=1)
    )
    return pack.say("readback_which", items=listed)
