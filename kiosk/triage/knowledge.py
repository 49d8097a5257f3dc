"""The knowledge file: causes, questions with their likelihoods, red-flag rules.

Loaded once, validated strictly, and frozen. Every likelihood is completed for
every cause here (a question's `default` stands in for causes it does not name),
so the rule module never has to deal with gaps.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.errors import KnowledgeError
from kiosk.core.yamlfields import Entry, load_yaml

DEFAULT_KNOWLEDGE = Path(__file__).parent / "leg_weakness.yaml"
DONT_KNOW = "dont_know"
YES, NO = "yes", "no"


class Triage(enum.IntEnum):
    """How soon a person should be seen; larger is more urgent."""

    SELF_CARE = 0
    ROUTINE = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, entry: Entry) -> Triage:
        return cls[entry.one_of({t.label for t in cls}).upper()]


class Kind(enum.StrEnum):
    YESNO = "yesno"
    CHOICE = "choice"
    NUMBER = "number"


@dataclass(frozen=True)
class Band:
    """A named range of a number question (for example an age band)."""

    id: str
    low: int
    high: int


@dataclass(frozen=True)
class Citation:
    """Where a number or a rule comes from, so a clinician can check it."""

    sources: tuple[str, ...]
    """Ids from the file's `sources:`."""
    note: str
    """What the page says that the number or rule rests on."""


NO_CITATION = Citation((), "")


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    options: tuple[str, ...]
    """Answer values: yes/no, the choice ids, or the band ids of a number question."""
    red_flag: bool
    if_unsure: Triage | None
    """For red flags: the triage floor when the person still cannot say after a re-ask."""
    bands: tuple[Band, ...]
    likelihood: Mapping[str, Mapping[str, float]]
    """cause id -> option -> P(option | cause), complete for every cause."""
    citations: Mapping[str, Citation] = field(default_factory=dict)
    """cause id -> the source of its weights here (causes left to `default` have none)."""

    def option_of(self, value: str) -> str | None:
        """The option an answer value stands for (a band for numbers); None for don't know."""
        if value == DONT_KNOW:
            return None
        if self.kind is not Kind.NUMBER:
            return value if value in self.options else None
        number = int(value)
        return next((b.id for b in self.bands if b.low <= number <= b.high), None)

    @property
    def number_range(self) -> tuple[int, int]:
        return (self.bands[0].low, self.bands[-1].high) if self.bands else (0, 0)


@dataclass(frozen=True)
class Condition:
    question: str
    values: frozenset[str]


@dataclass(frozen=True)
class Rule:
    """A red-flag rule: fires when every `when` condition is answered and matches,
    unless an answered `unless` condition matches."""

    id: str
    level: Triage
    when: tuple[Condition, ...]
    unless: tuple[Condition, ...]
    citation: Citation = NO_CITATION


@dataclass(frozen=True)
class Cause:
    id: str
    prior: float
    triage: Triage
    """The triage floor when this cause is likely."""
    sources: tuple[str, ...]
    next_steps: tuple[str, ...]
    prior_citation: Citation = NO_CITATION
    triage_citation: Citation = NO_CITATION


@dataclass(frozen=True)
class Policy:
    likely_cause_probability: float
    stop_when_leader_reaches: float
    stop_when_gain_below_bits: float
    ask_triage_question_above: float
    reason_ratio: float
    core_questions: tuple[str, ...] = ()
    """Asked of everyone right after the red flags, in this order, however sure the
    kiosk already is about the cause (how it started, where, how bad it is now)."""


@dataclass(frozen=True)
class Knowledge:
    sources: Mapping[str, str]
    next_steps: frozenset[str]
    causes: Mapping[str, Cause]
    questions: Mapping[str, Question]
    rules: tuple[Rule, ...]
    policy: Policy
    clinical: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """question -> option -> the clinical term for the clinician's summary."""

    @property
    def red_flag_questions(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions.values() if q.red_flag)


def load_knowledge(path: Path = DEFAULT_KNOWLEDGE) -> Knowledge:
    """Read and validate the knowledge file; errors name the file and the entry."""
    from kiosk.triage.knowledge_parse import parse_knowledge

    raw = load_yaml(path, KnowledgeError)
    return parse_knowledge(Entry(raw, str(path), "", KnowledgeError))
