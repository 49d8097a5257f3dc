"""What the recognizer may hear at each prompt: the prompt's vocabulary, rendered per engine.

The phrases are the terms of `kiosk.language.vocabulary`, the very ones the text parser reads, so
typed and spoken answers can never drift apart. A phrase with a word the engine cannot
hear (not in its dictionary or model) is left out: said aloud, it is then heard as
nothing the kiosk accepts and asked again, never forced onto another answer.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable

from kiosk.core.meaning import Answer, Meaning, NotUnderstood
from kiosk.language.pack import Pack
from kiosk.language.vocabulary import (
    Expectation,
    Term,
    courtesies,
    fillers,
    normalise,
    takes_courtesy,
    vocabulary,
)
from kiosk.triage.knowledge import Kind

__all__ = ["Expectation", "SoFar", "answer_so_far", "jsgf_grammar", "phrases", "vosk_grammar"]

UNKNOWN = "[unk]"
UNKNOWN_SYMBOLS = (UNKNOWN, "<UNK>", "<unk>")
"""How models spell the unknown word (the small Korean model has only <UNK>)."""

Hearable = Callable[[str], bool]
"""Whether an engine can hear a word (is in its dictionary or model vocabulary)."""


def _everything(word: str) -> bool:
    return True


def phrases(pack: Pack, expecting: Expectation, hearable: Hearable = _everything) -> list[str]:
    """Every phrase that means something here and that the engine can hear, as
    lower-case words, without duplicates (numbers too at a number question)."""
    found = [t.phrase for t in vocabulary(pack, expecting) if all(map(hearable, t.words))]
    question = expecting.question
    if question is not None and question.kind is Kind.NUMBER:
        found += [p for p in number_phrases(pack) if all(map(hearable, p.split()))]
    before, after = _around(pack, expecting, hearable)
    return _unique([*found, *before, *after])


def _around(pack: Pack, expecting: Expectation, hearable: Hearable) -> tuple[list[str], list[str]]:
    """The question's own words said before and after a choice or number here ("in";
    "are weak", "years old"), as the engine can hear them (none at a yes/no check)."""
    question = expecting.question
    if expecting.yes_no or question is None or question.kind is Kind.YESNO:
        return [], []
    text = pack.questions[question.id]

    def heard(said: tuple[str, ...]) -> list[str]:
        return [" ".join(w) for p in said if all(map(hearable, w := normalise(p)))]

    return heard(text.said_before), heard(text.said_after)


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
    from kiosk.language.parse import interpret_expected

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


def vosk_grammar(
    pack: Pack,
    expecting: Expectation,
    unknown: str | None = UNKNOWN,
    hearable: Hearable = _everything,
) -> str:
    """A Vosk grammar: the phrases, the fillers, and the model's unknown-word symbol, so
    anything else can be heard as unknown rather than forced onto an answer. (Vosk lets
    the words of a grammar follow one another freely; `vocabulary.sentence_meaning`
    decides which runs of them are one answer.)

    ensure_ascii=False matters: Vosk silently drops escaped non-ASCII words.
    """
    spare = sorted(w for w in fillers(pack) | courtesies(pack) if hearable(w))
    extra = [unknown] if unknown else []
    return json.dumps([*phrases(pack, expecting, hearable), *spare, *extra], ensure_ascii=False)


def jsgf_grammar(
    pack: Pack,
    expecting: Expectation,
    hearable: Hearable = _everything,
    without: Meaning | None = None,
) -> str:
    """A JSGF grammar (PocketSphinx) of whole spoken sentences: optional fillers, then one
    or two phrases of one meaning ("no" "i don't", a courtesy after a command), then
    optional fillers. `without` leaves one meaning out (to find how well the best other
    meaning fits)."""
    heard = [t for t in terms_heard(pack, expecting, hearable) if t.meaning != without]
    by_meaning: dict[Meaning, list[str]] = {}
    for term in heard:
        by_meaning.setdefault(term.meaning, []).append(term.phrase)
    polite = sorted(w for w in courtesies(pack) if hearable(w))
    rules = [f"<courtesy> = {' | '.join(polite)};"] if polite else []
    before, after = _around(pack, expecting, hearable)
    rules += [f"<before> = {' | '.join(before)};"] if before else []
    rules += [f"<after> = {' | '.join(after)};"] if after else []
    lead, tail = ("[<before>] " if before else ""), (" [<after>]" if after else "")
    question = expecting.question
    choices = set(question.options) if question is not None else set()
    sentences = []
    for n, (meaning, said) in enumerate(by_meaning.items()):
        rules.append(f"<m{n}> = {' | '.join(said)};")
        # A second phrase is a carrier of two or more words ("no" "i don't"): a one-word
        # second phrase makes homophones of other answers ("i don't" "no" sounds just
        # like "i don't know", which then never stood clear of it).
        carriers = [p for p in said if " " in p]
        if carriers:
            rules.append(f"<c{n}> = {' | '.join(carriers)};")
        sentence = f"<m{n}> [<c{n}>]" if carriers else f"<m{n}>"
        if polite and takes_courtesy(meaning):
            sentence = f"{sentence} [<courtesy>]"
        if isinstance(meaning, Answer) and meaning.value in choices:  # "in" both legs
            sentence = f"{lead}{sentence}{tail}"
        sentences.append(sentence)
    numeric = isinstance(without, Answer) and without.value.isdecimal()
    if question is not None and question.kind is Kind.NUMBER and not numeric:
        numbers = [p for p in number_phrases(pack) if all(map(hearable, p.split()))]
        rules.append(f"<number> = {' | '.join(numbers)};")
        sentences.append(f"{lead}<number>{tail}")  # "i'm" forty five "years old"
    spare = sorted(w for w in fillers(pack) if hearable(w))
    if spare:
        rules.append(f"<filler> = {' | '.join(spare)};")
    edge = "[<filler>] " if spare else ""
    tail = " [<filler>]" if spare and pack.fillers_after else ""
    body = " | ".join(sentences)
    return (
        "#JSGF V1.0;\ngrammar prompt;\n"
        + "".join(f"{r}\n" for r in rules)
        + f"public <turn> = {edge}({body}){tail};\n"
    )


def other_meanings(
    pack: Pack, expecting: Expectation, hearable: Hearable, meaning: Meaning
) -> bool:
    """Whether the grammar holds any sentence that does not mean `meaning` (at idle,
    "start" is the only thing to say, and a grammar without it would be empty)."""
    question = expecting.question
    numbers = question is not None and question.kind is Kind.NUMBER
    if numbers and not (isinstance(meaning, Answer) and meaning.value.isdecimal()):
        return True
    return any(t.meaning != meaning for t in terms_heard(pack, expecting, hearable))


def grammar_words(pack: Pack, expectations: Iterable[Expectation]) -> list[str]:
    """Every distinct word any grammar of this pack can contain (to check a model)."""
    words = _unique(w for e in expectations for p in phrases(pack, e) for w in p.split())
    return _unique([*words, *sorted(fillers(pack) | courtesies(pack))])


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def terms_heard(pack: Pack, expecting: Expectation, hearable: Hearable) -> list[Term]:
    """The prompt's terms whose every word the engine can hear."""
    return [t for t in vocabulary(pack, expecting) if all(map(hearable, t.words))]
