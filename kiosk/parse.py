"""Turning what a person typed or said into an answer, a command, or "unclear".

One parser for typed and spoken words, driven by the language pack's phrases. It
prefers asking again over guessing: two different meanings in one utterance, or a
yes next to a negation ("yes, not really"), are unclear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.knowledge import DONT_KNOW, NO, YES, Kind, Question
from kiosk.prompts import Pack

if TYPE_CHECKING:
    from kiosk.grammar import Expectation

_PUNCTUATION = re.compile(r"[^\w\s']+")
LONGEST_ANSWER = 400
"""Characters; a longer line is no answer (and reading it would only slow the kiosk down)."""
LONGEST_NUMBER = 6
"""Digits; a longer number is not an age or a count anyone means."""
_QUOTE = re.compile(r"['\u2019`]")


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


def normalise(text: str) -> tuple[str, ...]:
    """Lower-case words without punctuation; apostrophes dropped so don't == dont."""
    text = _QUOTE.sub("", text.lower()).replace("-", " ")
    return tuple(_PUNCTUATION.sub(" ", text).split())


def interpret(pack: Pack, text: str, question: Question | None, commands: Iterable[str]) -> Meaning:
    """What `text` means while the kiosk waits for `question` (None: no question)."""
    options = pack.questions[question.id].phrases if question is not None else None
    meaning = _interpret(pack, text, options, commands)
    if meaning == NotUnderstood() and question is not None and question.kind is Kind.NUMBER:
        return _number_meaning(pack, normalise(text), question)
    return meaning


def interpret_yes_no(pack: Pack, text: str, commands: Iterable[str]) -> Meaning:
    """A yes, no or don't know outside any question (to confirm what was heard)."""
    options = {o: pack.answers[o] for o in (YES, NO)}
    return _interpret(pack, text, options, commands)


def _interpret(
    pack: Pack,
    text: str,
    options: Mapping[str, tuple[str, ...]] | None,
    commands: Iterable[str],
) -> Meaning:
    words = normalise(text)
    phrases = list(_phrases(pack, options, commands))
    meanings, leftover = _match(words, phrases)
    if len(meanings) > 1:
        return NotUnderstood()
    if meanings:
        meaning = meanings.pop()
        if meaning == Answer(YES) and any(w in _negations(pack) for w in leftover):
            return NotUnderstood()
        return meaning
    return NotUnderstood()


def _phrases(
    pack: Pack, options: Mapping[str, tuple[str, ...]] | None, commands: Iterable[str]
) -> Iterable[tuple[tuple[str, ...], Meaning]]:
    for name in commands:
        for phrase in pack.commands[name]:
            yield normalise(phrase), Command(name)
    if options is None:
        return
    for option, phrases in options.items():
        for phrase in phrases:
            yield normalise(phrase), Answer(option)
    for phrase in pack.answers[DONT_KNOW]:
        yield normalise(phrase), Answer(DONT_KNOW)


def _match(
    words: Sequence[str], phrases: list[tuple[tuple[str, ...], Meaning]]
) -> tuple[set[Meaning], list[str]]:
    """Longest phrases first, left to right, without overlaps."""
    phrases.sort(key=lambda item: -len(item[0]))
    meanings: set[Meaning] = set()
    leftover: list[str] = []
    i = 0
    while i < len(words):
        hit = next((p for p in phrases if p[0] and tuple(words[i : i + len(p[0])]) == p[0]), None)
        if hit is None:
            leftover.append(words[i])
            i += 1
        else:
            meanings.add(hit[1])
            i += len(hit[0])
    return meanings, leftover


def _negations(pack: Pack) -> set[str]:
    return {" ".join(normalise(n)) for n in pack.negations}


def _number_meaning(pack: Pack, words: Sequence[str], question: Question) -> Meaning:
    numbers = read_numbers(pack, words)
    if len(numbers) != 1:
        return NotUnderstood()
    low, high = question.number_range
    number = numbers[0]
    return Answer(str(number)) if low <= number <= high else OutOfRange(number)


def read_numbers(pack: Pack, words: Sequence[str]) -> list[int]:
    """Every number in the words: digits, or number words such as "forty two"."""
    numbers: list[int] = []
    current: int | None = None
    for word in words:
        if word.isdecimal() and len(word) <= LONGEST_NUMBER:  # not "²", nor 5,000 digits
            numbers.append(int(word))
            continue
        value = pack.numbers.get(word)
        if value is None:
            if current is not None and word not in {"and", "a"}:
                numbers.append(current)
                current = None
            continue
        current = _combine(current, value, numbers)
    if current is not None:
        numbers.append(current)
    return numbers


def _combine(current: int | None, value: int, numbers: list[int]) -> int:
    """Fold one number word into the number being read ("forty" + "two" = 42)."""
    if current is None:
        return value
    if value == 100:
        return current * 100
    if current >= 100 or (current % 10 == 0 and value < 10 and current >= 20):
        return current + value
    numbers.append(current)
    return value


def interpret_expected(pack: Pack, text: str, expecting: Expectation) -> Meaning:
    """What `text` means given what the dialog is waiting for."""
    if len(text) > LONGEST_ANSWER:
        return NotUnderstood()
    if expecting.yes_no:
        return interpret_yes_no(pack, text, expecting.commands)
    return interpret(pack, text, expecting.question, expecting.commands)


def understood(pack: Pack, text: str, expecting: Expectation) -> Meaning | None:
    """What `text` means, or None when it is not understood (for comparing readings)."""
    meaning = interpret_expected(pack, text, expecting)
    return None if isinstance(meaning, NotUnderstood) else meaning


def is_complete(pack: Pack, text: str, expecting: Expectation) -> bool:
    """True when the words already make an answer or a command (so the turn may end)."""
    return understood(pack, text, expecting) is not None
