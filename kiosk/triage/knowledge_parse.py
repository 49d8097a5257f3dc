"""Turning the raw knowledge YAML into frozen `Knowledge`, checking every entry."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kiosk.core.yamlfields import Entry
from kiosk.triage.knowledge import (
    DONT_KNOW,
    NO,
    YES,
    Band,
    Cause,
    Citation,
    Condition,
    Kind,
    Knowledge,
    Policy,
    Question,
    Rule,
    Triage,
)

SUM_TOLERANCE = 0.02


def parse_knowledge(top: Entry) -> Knowledge:
    top.mapping({"sources", "next_steps", "policy", "causes", "questions", "rules", "clinical"})
    sources = {key: entry.text() for key, entry in top.get("sources").items()}
    next_steps = frozenset(top.get("next_steps").texts())
    causes = {
        key: _cause(key, entry, sources, next_steps) for key, entry in top.get("causes").items()
    }
    questions = {
        key: _question(key, entry, causes, sources) for key, entry in top.get("questions").items()
    }
    rules_entry = top.get("rules")
    if not isinstance(rules_entry.value, list) or not rules_entry.value:
        raise rules_entry.fail("must be a non-empty list of rules")
    rules = tuple(
        _rule(rules_entry.child(i, r), questions, sources) for i, r in enumerate(rules_entry.value)
    )
    _check_rule_ids(rules_entry, rules)
    _check_red_flags_have_rules(top.get("questions"), questions, rules)
    return Knowledge(
        sources=MappingProxyType(sources),
        next_steps=next_steps,
        causes=MappingProxyType(causes),
        questions=MappingProxyType(questions),
        rules=rules,
        policy=_policy(top.get("policy"), questions),
        clinical=_clinical(top.get("clinical"), questions),
    )


def _clinical(entry: Entry, questions: dict[str, Question]) -> Mapping[str, Mapping[str, str]]:
    """Every option of every question has its clinical term: none may be missing."""
    entry.mapping(set(questions))
    terms = {}
    for qid, question in questions.items():
        options = entry.get(qid)
        options.mapping(set(question.options))
        terms[qid] = MappingProxyType({o: options.get(o).text() for o in question.options})
    return MappingProxyType(terms)


def _policy(entry: Entry, questions: Mapping[str, Question]) -> Policy:
    entry.mapping(
        {
            "likely_cause_probability",
            "stop_when_leader_reaches",
            "stop_when_gain_below_bits",
            "ask_triage_question_above",
            "reason_ratio",
            "core_questions",
        }
    )
    core = entry.get("core_questions")
    for i, question in enumerate(core.texts()):
        core.child(i, question).one_of(questions)
        if questions[question].red_flag:
            raise core.child(i, question).fail("is a red flag, asked first anyway")
    return Policy(
        likely_cause_probability=entry.get("likely_cause_probability").number(0.01, 1),
        stop_when_leader_reaches=entry.get("stop_when_leader_reaches").number(0.01, 1),
        stop_when_gain_below_bits=entry.get("stop_when_gain_below_bits").number(0, 4),
        ask_triage_question_above=entry.get("ask_triage_question_above").number(0, 1),
        reason_ratio=entry.get("reason_ratio").number(1, 100),
        core_questions=core.texts(),
    )


def _cause(key: str, entry: Entry, sources: dict[str, str], steps: frozenset[str]) -> Cause:
    entry.mapping({"prior", "triage", "sources", "next_steps"})
    cited = entry.get("sources").texts()
    for i, source in enumerate(cited):
        entry.get("sources").child(i, source).one_of(sources)
    next_steps = entry.get("next_steps").texts()
    for i, step in enumerate(next_steps):
        entry.get("next_steps").child(i, step).one_of(steps)
    triage_entry, triage_citation = _cited(entry.get("triage"), "level", sources)
    triage = Triage.parse(triage_entry)
    if triage is Triage.EMERGENCY:
        raise triage_entry.fail("emergency comes only from red-flag rules; use urgent")
    prior, prior_citation = _cited(entry.get("prior"), "p", sources)
    return Cause(
        id=key,
        prior=prior.number(0.0001, 1),
        triage=triage,
        sources=cited,
        next_steps=next_steps,
        prior_citation=prior_citation,
        triage_citation=triage_citation,
    )


def _cited(entry: Entry, field: str, sources: Mapping[str, str]) -> tuple[Entry, Citation]:
    """`{<field>: value, source: id or [ids], note: what the page says}`: the value's
    entry and its citation. A value without a known source is refused."""
    if not isinstance(entry.value, dict):
        raise entry.fail(f"must be {{{field}: ..., source: <source id>, note: ...}}")
    entry.mapping({field, "source"}, frozenset({"note"}))
    return entry.get(field), _citation(entry, sources)


def _citation(entry: Entry, sources: Mapping[str, str]) -> Citation:
    """The `source:` (one id or a list) and `note:` of a mapping already checked."""
    source = entry.get("source")
    ids = source.texts() if isinstance(source.value, list) else (source.text(),)
    if not ids:
        raise source.fail("must name at least one source")
    for i, one in enumerate(ids):
        source.child(i, one).one_of(set(sources))
    note = entry.get("note").text() if entry.has("note") else ""
    return Citation(tuple(ids), note)


def _question(
    key: str, entry: Entry, causes: dict[str, Cause], sources: Mapping[str, str]
) -> Question:
    kind = Kind(entry.get("kind").one_of({k.value for k in Kind}))
    optional = frozenset({"red_flag", "if_unsure"})
    if kind is Kind.YESNO:
        entry.mapping({"kind", "yes"}, optional)
        options: tuple[str, ...] = (YES, NO)
        bands: tuple[Band, ...] = ()
        likelihood, citations = _yes_likelihood(entry.get("yes"), causes, sources)
    else:
        shape = "choices" if kind is Kind.CHOICE else "bands"
        entry.mapping({"kind", shape, "likelihood"}, optional)
        if kind is Kind.CHOICE:
            options = entry.get("choices").texts()
            bands = ()
        else:
            bands = _bands(entry.get("bands"))
            options = tuple(b.id for b in bands)
        likelihood, citations = _table_likelihood(entry.get("likelihood"), options, causes, sources)
    red_flag = entry.get("red_flag").boolean() if entry.has("red_flag") else False
    if red_flag and kind is not Kind.YESNO:
        raise entry.get("red_flag").fail("only yes/no questions can be red flags")
    if_unsure = Triage.parse(entry.get("if_unsure")) if entry.has("if_unsure") else None
    if red_flag != (if_unsure is not None):
        raise entry.fail("a red flag needs if_unsure (and only a red flag may have it)")
    return Question(
        key,
        kind,
        options,
        red_flag,
        if_unsure,
        bands,
        MappingProxyType(likelihood),
        MappingProxyType(citations),
    )


Cited = dict[str, Citation]


def _weights(entry: Entry, sources: Mapping[str, str]) -> tuple[dict[str, Entry], Cited]:
    """Each cause's weight entry (cited) and the plain `default` (an estimate)."""
    values: dict[str, Entry] = {}
    citations: Cited = {}
    for key, item in entry.items():
        if key == "default":
            values[key] = item
        else:
            values[key], citations[key] = _cited(item, "p", sources)
    return values, citations


def _yes_likelihood(
    entry: Entry, causes: dict[str, Cause], sources: Mapping[str, str]
) -> tuple[dict[str, dict[str, float]], Cited]:
    weights, citations = _weights(entry, sources)
    values = {key: e.number(0.001, 0.999) for key, e in weights.items()}
    _check_causes(entry, values, causes)
    default = values["default"]
    likelihood = {c: {YES: values.get(c, default), NO: 1 - values.get(c, default)} for c in causes}
    return likelihood, citations


def _table_likelihood(
    entry: Entry, options: tuple[str, ...], causes: dict[str, Cause], sources: Mapping[str, str]
) -> tuple[dict[str, dict[str, float]], Cited]:
    weights, citations = _weights(entry, sources)
    rows: dict[str, dict[str, float]] = {}
    for key, row in weights.items():
        if not isinstance(row.value, list) or len(row.value) != len(options):
            raise row.fail(f"must list {len(options)} probabilities, one per {', '.join(options)}")
        probs = [row.child(i, p).number(0.001, 0.999) for i, p in enumerate(row.value)]
        if abs(sum(probs) - 1) > SUM_TOLERANCE:
            raise row.fail(f"probabilities must add up to 1, they add up to {sum(probs):.3f}")
        rows[key] = {o: p / sum(probs) for o, p in zip(options, probs, strict=True)}
    _check_causes(entry, rows, causes)
    return {c: rows.get(c, rows["default"]) for c in causes}, citations


def _check_causes(entry: Entry, values: Mapping[str, object], causes: dict[str, Cause]) -> None:
    if "default" not in values:
        raise entry.fail("missing key(s) default (the likelihood for causes not listed)")
    unknown = sorted(set(values) - set(causes) - {"default"})
    if unknown:
        raise entry.child(unknown[0], None).fail("is not a cause in this file")


def _bands(entry: Entry) -> tuple[Band, ...]:
    bands: list[Band] = []
    low = entry.get("from").integer(0, 1000) if entry.has("from") else None
    if low is None:
        raise entry.fail("must start with from: <lowest accepted number>")
    for key, upper in entry.items():
        if key == "from":
            continue
        high = upper.integer(low, 1000)
        bands.append(Band(key, low, high))
        low = high + 1
    if not bands:
        raise entry.fail("needs at least one band after from")
    return tuple(bands)


def _rule(entry: Entry, questions: dict[str, Question], sources: Mapping[str, str]) -> Rule:
    entry.mapping({"id", "level", "when", "source"}, frozenset({"unless", "note"}))
    when = _conditions(entry.get("when"), questions)
    unless = _conditions(entry.get("unless"), questions) if entry.has("unless") else ()
    level = Triage.parse(entry.get("level"))
    return Rule(entry.get("id").text(), level, when, unless, _citation(entry, sources))


def _conditions(entry: Entry, questions: dict[str, Question]) -> tuple[Condition, ...]:
    conditions = []
    for key, value in entry.items():
        if key not in questions:
            raise value.fail("is not a question in this file")
        wanted = value.texts() if isinstance(value.value, list) else (value.text(),)
        options = (*questions[key].options, DONT_KNOW)
        for i, option in enumerate(wanted):
            if option not in options:
                raise value.child(i, option).fail(
                    f"{option!r} is not an answer of {key} ({', '.join(options)})"
                )
        conditions.append(Condition(key, frozenset(wanted)))
    return tuple(conditions)


def _check_rule_ids(entry: Entry, rules: tuple[Rule, ...]) -> None:
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise entry.child(i, None).fail(f"rule id {rule.id!r} is used twice")
        seen.add(rule.id)


def _check_red_flags_have_rules(
    entry: Entry, questions: dict[str, Question], rules: tuple[Rule, ...]
) -> None:
    for q in questions.values():
        alone = [
            r
            for r in rules
            if r.level is Triage.EMERGENCY and r.when == (Condition(q.id, frozenset({YES})),)
        ]
        if q.red_flag and not alone:
            raise entry.child(q.id, None).fail("red flag without an emergency rule for yes alone")
