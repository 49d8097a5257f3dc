"""What something a person said or typed means: an answer, a command, or nothing usable."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    value: str
    """An option id, "dont_know", or a whole number as text."""


@dataclass(frozen=True)
class Command:
    name: str


@dataclass(frozen=True)
class OutOfRange:
    number: int


@dataclass(frozen=True)
class NotUnderstood:
    pass


Meaning = Answer | Command | OutOfRange | NotUnderstood
