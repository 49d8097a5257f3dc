"""What the recognizer may hear at each prompt: one phrase list, rendered per engine.

The phrases come from the language pack through the same tables the text parser
uses, so typed and spoken answers can never drift apart.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.knowledge import DONT_KNOW, NO, YES, Kind, Question
from kiosk.parse import normalise
from kiosk.prompts import Pack

UNKNOWN = "[unk]"
UNKNOWN_SYMBOLS = (UNKNOWN, "<UNK>", "<unk>")
"""How models spell the unknown word (the small Korean model has only <UNK>)."""


@dataclass(frozen=True)
class Expectation:
    """What the dialog waits for: a question's answers (or plain yes/no), and commands."""

    question: Question | None
    commands: tuple[str, ...]
    yes_no: bool = False
    safety_critical: bool = False
    """A mishearing here could hide an emergency: worth a second opinion and a confirmation."""


def phrases(pack: Pack, expecting: Expectation) -> list[str]:
    """Every phrase that means something here, as lower-case words, without duplicates."""
    found: list[str] = []
    for name in expecting.commands:
        found += pack.spoken_commands[name]
    question = expecting.question
    if expecting.yes_no or (question is not None and question.kind is Kind.YESNO):
        found += (*pack.spoken_answers[YES], *pack.spoken_answers[NO])
        found += pack.spoken_answers[DONT_KNOW]
    elif question is not None:
        for option_phrases in pack.questions[question.id].phrases.values():
            found += option_phrases
        found += pack.spoken_answers[DONT_KNOW]
        if question.kind is Kind.NUMBER:
            found += number_phrases(pack)
    return _unique(" ".join(normalise(p)) for p in found)


class SoFar(enum.Enum):
    """How far the words heard so far make an answer; end of speech waits accordingly."""

    INCOMPLETE = "incomplete"
    """Not an answer yet ("over a")."""
    MAY_CHANGE = "may change"
    """An answer that more words would change: "one" may go on "... side of my body"."""
    SETTLED = "settled"
    """An answer or command that no longer phrase here changes."""


def answer_so_far(pack: Pack, text: str, expecting: Expectation) -> SoFar:
    """Whether `text` is an answer yet, and whether more words could still change it."""
    from kiosk.parse import NotUnderstood, interpret_expected

    meaning = interpret_expected(pack, text, expecting)
    if isinstance(meaning, NotUnderstood):
        return SoFar.INCOMPLETE
    so_far = " ".join(normalise(text)) + " "
    for longer in phrases(pack, expecting):
        if longer.startswith(so_far) and interpret_expected(pack, longer, expecting) != meaning:
            return SoFar.MAY_CHANGE
    return SoFar.SETTLED


def number_phrases(pack: Pack) -> list[str]:
    """Number words alone and as tens-and-units pairs ("forty five"), from the pack."""
    words = {w: v for w, v in pack.numbers.items()}
    tens = [w for w, v in words.items() if v >= 20 and v % 10 == 0 and v < 100]
    units = [w for w, v in words.items() if 1 <= v <= 9]
    pairs = [f"{t} {u}" for t in tens for u in units]
    return [*words, *pairs]


def vosk_grammar(pack: Pack, expecting: Expectation, unknown: str | None = UNKNOWN) -> str:
    """A Vosk grammar: the phrases plus the model's unknown-word symbol, so anything
    else can be heard as unknown rather than forced onto an answer.

    ensure_ascii=False matters: Vosk silently drops escaped non-ASCII words.
    """
    extra = [unknown] if unknown else []
    return json.dumps([*phrases(pack, expecting), *extra], ensure_ascii=False)


def jsgf_grammar(pack: Pack, expecting: Expectation) -> str:
    """A JSGF grammar (PocketSphinx): one alternative per phrase, nothing else."""
    alternatives = " | ".join(phrases(pack, expecting))
    return f"#JSGF V1.0;\ngrammar prompt;\npublic <answer> = {alternatives};\n"


def grammar_words(pack: Pack, expectations: Iterable[Expectation]) -> list[str]:
    """Every distinct word any grammar of this pack can contain (to check a model)."""
    return _unique(w for e in expectations for p in phrases(pack, e) for w in p.split())


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
