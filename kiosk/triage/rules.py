"""The shared rule module: score causes, pick the next question, decide triage.

Pure functions of the knowledge and the answers so far; no I/O and no knowledge of
the dialog. Answers map a question id to an option id (yes, no, a choice), a whole
number as text (for number questions), or "dont_know", which contributes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kiosk.triage.knowledge import DONT_KNOW, Knowledge, Question, Rule, Triage

Answers = Mapping[str, str]


@dataclass(frozen=True)
class Reason:
    """One answer that made a cause more (`raises`) or less likely, and by how much."""

    question: str
    answer: str
    raises: bool
    ratio: float


@dataclass(frozen=True)
class RankedCause:
    id: str
    probability: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Assessment:
    triage: Triage
    red_flags: tuple[str, ...]
    """Ids of the red-flag rules that fired (emergency and urgent)."""
    unsure_red_flags: tuple[str, ...]
    """Red-flag questions the person could not answer; they raise the triage floor."""
    causes: tuple[RankedCause, ...]


def posterior(knowledge: Knowledge, answers: Answers) -> dict[str, float]:
    """P(cause | answers): priors times the likelihood of each answer, normalised."""
    logs = {c.id: math.log(c.prior) for c in knowledge.causes.values()}
    for question, option in _answered_options(knowledge, answers):
        for cause in logs:
            logs[cause] += math.log(question.likelihood[cause][option])
    return _normalise(logs)


def assess(knowledge: Knowledge, answers: Answers) -> Assessment:
    """Ranked causes with reasons, and the triage level with what set it."""
    probs = posterior(knowledge, answers)
    fired = [rule for rule in knowledge.rules if rule_fires(rule, answers)]
    unsure = tuple(q for q in knowledge.red_flag_questions if answers.get(q) == DONT_KNOW)
    ranked = tuple(
        RankedCause(cause, p, _reasons(knowledge, answers, cause))
        for cause, p in sorted(probs.items(), key=lambda item: -item[1])
    )
    return Assessment(
        triage=_triage(knowledge, probs, fired, unsure),
        red_flags=tuple(rule.id for rule in fired if rule.level >= Triage.URGENT),
        unsure_red_flags=unsure,
        causes=ranked,
    )


def rule_fires(rule: Rule, answers: Answers) -> bool:
    matches = all(answers.get(c.question) in c.values for c in rule.when)
    stopped = any(answers.get(c.question) in c.values for c in rule.unless)
    return matches and not stopped


def is_emergency(knowledge: Knowledge, answers: Answers) -> bool:
    return any(
        rule.level is Triage.EMERGENCY and rule_fires(rule, answers) for rule in knowledge.rules
    )


def next_question(knowledge: Knowledge, answers: Answers) -> str | None:
    """Red-flag screening first, always; then the most informative question; None to stop."""
    screening = next_screening_question(knowledge, answers)
    if screening is not None:
        return screening
    probs = posterior(knowledge, answers)
    best = _most_informative(knowledge, probs, answers)
    if best is not None:
        return best
    return next_triage_question(knowledge, probs, answers)


def _most_informative(
    knowledge: Knowledge, probs: Mapping[str, float], answers: Answers
) -> str | None:
    """The question with the greatest expected information gain, unless it is time to stop."""
    if max(probs.values()) >= knowledge.policy.stop_when_leader_reaches:
        return None
    gains = {
        q.id: expected_information_gain(knowledge, probs, q)
        for q in knowledge.questions.values()
        if q.id not in answers
    }
    if not gains:
        return None
    best = max(gains, key=lambda q: gains[q])
    return best if gains[best] >= knowledge.policy.stop_when_gain_below_bits else None


def next_screening_question(knowledge: Knowledge, answers: Answers) -> str | None:
    """The first unanswered red flag, then the core questions everyone is asked (how it
    started, where, how bad it is now), then the first unanswered question of an
    emergency rule that could still fire (so combinations are caught early)."""
    for question in (*knowledge.red_flag_questions, *knowledge.policy.core_questions):
        if question not in answers:
            return question
    for rule in knowledge.rules:
        if rule.level is Triage.EMERGENCY and _could_fire(rule, answers):
            for condition in rule.when:
                if condition.question not in answers:
                    return condition.question
    return None


def next_triage_question(
    knowledge: Knowledge, probs: Mapping[str, float], answers: Answers
) -> str | None:
    """The unanswered question most likely to complete an urgent rule, if likely enough.

    Stopping early must not skip a finding that would change what the person is told
    to do; such a question is asked when the current beliefs give it a fair chance.
    When the triage is already urgent, no urgent rule can change it: none is asked.
    """
    fired = [rule for rule in knowledge.rules if rule_fires(rule, answers)]
    unsure = tuple(q for q in knowledge.red_flag_questions if answers.get(q) == DONT_KNOW)
    if _triage(knowledge, probs, fired, unsure) >= Triage.URGENT:
        return None
    chances: dict[str, float] = {}
    for rule in knowledge.rules:
        if rule.level is not Triage.URGENT or not _could_fire(rule, answers):
            continue
        for condition in rule.when:
            if condition.question in answers:
                continue
            question = knowledge.questions[condition.question]
            chance = sum(
                p * question.likelihood[c][v]
                for c, p in probs.items()
                for v in condition.values
                if v in question.options
            )
            chances[question.id] = max(chance, chances.get(question.id, 0.0))
    if not chances:
        return None
    best = max(chances, key=lambda q: chances[q])
    return best if chances[best] >= knowledge.policy.ask_triage_question_above else None


def expected_information_gain(
    knowledge: Knowledge, probs: Mapping[str, float], question: Question
) -> float:
    """Expected drop in entropy (bits) of the cause distribution from asking `question`."""
    before = _entropy(probs.values())
    expected_after = 0.0
    for option in question.options:
        joint = {c: p * question.likelihood[c][option] for c, p in probs.items()}
        p_option = sum(joint.values())
        if p_option > 0:
            expected_after += p_option * _entropy(v / p_option for v in joint.values())
    return before - expected_after


def _could_fire(rule: Rule, answers: Answers) -> bool:
    return all(
        c.question not in answers or answers[c.question] in c.values for c in rule.when
    ) and not any(answers.get(c.question) in c.values for c in rule.unless)


def _triage(
    knowledge: Knowledge,
    probs: Mapping[str, float],
    fired: Iterable[Rule],
    unsure: tuple[str, ...],
) -> Triage:
    threshold = knowledge.policy.likely_cause_probability
    likely = [knowledge.causes[c].triage for c, p in probs.items() if p >= threshold]
    floors = [rule.level for rule in fired]
    floors += [knowledge.questions[q].if_unsure or Triage.URGENT for q in unsure]
    return max([*likely, *floors], default=Triage.ROUTINE)


def _reasons(knowledge: Knowledge, answers: Answers, cause: str) -> tuple[Reason, ...]:
    """Answers whose likelihood under `cause` differs most from the other causes."""
    priors = {c.id: c.prior for c in knowledge.causes.values() if c.id != cause}
    total = sum(priors.values())
    reasons = []
    for question, option in _answered_options(knowledge, answers):
        others = sum(p * question.likelihood[c][option] for c, p in priors.items()) / total
        ratio = question.likelihood[cause][option] / others
        limit = knowledge.policy.reason_ratio
        if ratio >= limit or ratio <= 1 / limit:
            reasons.append(Reason(question.id, answers[question.id], ratio > 1, ratio))
    return tuple(sorted(reasons, key=lambda r: -abs(math.log(r.ratio))))


def _answered_options(knowledge: Knowledge, answers: Answers) -> Iterable[tuple[Question, str]]:
    for qid, value in answers.items():
        question = knowledge.questions.get(qid)
        option = question.option_of(value) if question is not None else None
        if question is not None and option is not None:
            yield question, option


def _normalise(logs: Mapping[str, float]) -> dict[str, float]:
    top = max(logs.values())
    weights = {c: math.exp(v - top) for c, v in logs.items()}
    total = sum(weights.values())
    return {c: w / total for c, w in weights.items()}


def _entropy(probs: Iterable[float]) -> float:
    return -sum(p * math.log2(p) for p in probs if p > 0)


def guards_emergency(knowledge: Knowledge, question: Question) -> bool:
    """Red flags, and questions of emergency rules: a mishearing here is dangerous."""
    return question.red_flag or any(
        rule.level is Triage.EMERGENCY and question.id in {c.question for c in rule.when}
        for rule in knowledge.rules
    )
