"""Standardised patient vignettes and how a simulated patient answers the kiosk.

Used by the triage benchmark and the tests. A vignette lists the findings a patient
has; every yes/no question it does not list is answered "no". Answers are typed as a
person would, in words from the language pack, varied from question to question so
the benchmark exercises the answer parser too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import yaml

from kiosk.dialog.table import READBACK_QUESTION
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import DONT_KNOW, NO, YES, Kind, Knowledge


@dataclass(frozen=True)
class Vignette:
    id: str
    cause: str
    triage: str
    answers: Mapping[str, str]

    def value_for(self, knowledge: Knowledge, question: str) -> str:
        """The answer value this patient gives (unlisted yes/no questions are "no")."""
        if question in self.answers:
            return self.answers[question]
        if knowledge.questions[question].kind is Kind.YESNO:
            return NO
        return DONT_KNOW

    def typed_answer(self, knowledge: Knowledge, pack: Pack, question: str) -> str:
        """What the patient types: a phrase from the pack for the value, or the number.
        When the kiosk reads the answers back, the patient agrees: it heard them right."""
        if question == READBACK_QUESTION:
            return pack.answers[YES][0]
        value = self.value_for(knowledge, question)
        if value.isdigit():
            return value
        if value == DONT_KNOW:
            phrases = pack.answers[DONT_KNOW]
        else:
            phrases = pack.questions[question].phrases[value]
        digest = hashlib.sha256(f"{self.id}/{question}".encode()).digest()
        return phrases[digest[0] % len(phrases)]


def load_vignettes(path: Path) -> list[Vignette]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Vignette(
            id=item["id"],
            cause=item["cause"],
            triage=item["triage"],
            answers=MappingProxyType({k: _text(v) for k, v in item["answers"].items()}),
        )
        for item in raw
    ]


def _text(value: object) -> str:
    if isinstance(value, bool):
        raise ValueError("unquoted yes/no in a vignette: quote it")
    return str(value)
