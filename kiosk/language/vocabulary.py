"""One vocabulary of (phrase, meaning) per prompt: typing and every grammar read it.

What the dialog waits for (an `Expectation`) picks the pack's phrases that mean
something there: the commands allowed, the question's answers, "don't know". The typed
parser matches them in any text; the speech grammars are rendered from the same terms,
so what a person may say is exactly what they may type, and the two cannot drift.

A spoken turn is one *sentence*: optional fillers ("um", "well"), then one or two
phrases that mean the same ("no" + "I don't", "yes" + "that's right"), then optional
fillers; a command may also end in a courtesy ("go back please"), and a choice may
stand inside the question's own words ("in both legs", "both legs are weak": the pack's
`around:`).
`sentence_meaning` is that rule; a phrase that holds two different meanings is no
sentence, so it is asked again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from kiosk.core.meaning import Answer, Command, Meaning
from kiosk.language.commands import SPECS
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import DONT_KNOW, NO, YES, Kind, Question

_PUNCTUATION = re.compile(r"[^\w\s']+")
_QUOTE = re.compile(r"['\u2019`]")
BARE_FORMS = 2
"""The pack's first yes and no phrases ("yes", "yeah"; "no", "nope"): at a choice
question they are in the grammar so that they are not forced onto a choice."""
MOST_PHRASES = 2
"""Phrases one spoken answer may take ("no, I don't" is two phrases that mean no)."""


def normalise(text: str) -> tuple[str, ...]:
    """Lower-case words without punctuation; apostrophes dropped so don't == dont."""
    text = _QUOTE.sub("", text.lower()).replace("-", " ")
    return tuple(_PUNCTUATION.sub(" ", text).split())


@dataclass(frozen=True)
class Expectation:
    """What the dialog waits for: a question's answers (or plain yes/no), and commands."""

    question: Question | None
    commands: tuple[str, ...]
    yes_no: bool = False
    safety_critical: bool = False
    """A mishearing here could hide an emergency: worth a second opinion and a confirmation."""
    checking: bool = False
    """The kiosk is checking what it understood ("Is that right?", the read-back): no
    check follows this answer, so one that may be its own opposite is asked again."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    meaning: Meaning

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


def vocabulary(pack: Pack, expecting: Expectation) -> tuple[Term, ...]:
    """Every (phrase, meaning) that counts here, commands first, without duplicates.
    Number words are not terms: numbers are read by `parse.read_numbers`."""
    question = expecting.question
    key = (id(pack), question.id if question else None, expecting.commands, expecting.yes_no)
    cached = _CACHE.get(key)
    if cached is None or cached[0] is not pack:
        cached = _CACHE[key] = (pack, _terms(pack, expecting))
    return cached[1]


_CACHE: dict[tuple[int, str | None, tuple[str, ...], bool], tuple[Pack, tuple[Term, ...]]] = {}
"""Vocabularies by pack and prompt: the parser and the grammars ask for them every turn."""


def _terms(pack: Pack, expecting: Expectation) -> tuple[Term, ...]:
    terms: list[Term] = []
    for name in expecting.commands:
        terms += [Term(normalise(p), Command(name)) for p in pack.commands[name]]
    question = expecting.question
    options: Mapping[str, tuple[str, ...]] = {}
    if expecting.yes_no:
        options = {o: pack.answers[o] for o in (YES, NO)}
    elif question is not None:
        options = pack.questions[question.id].phrases
    for option, phrases in options.items():
        terms += [Term(normalise(p), Answer(option)) for p in phrases]
    if not expecting.yes_no and question is not None and question.kind is Kind.CHOICE:
        # A yes or no at a choice question: "no" followed up where the pack says how
        # (`if_no`), else asked again. Left out of the grammar, a bare "no" was forced onto
        # "don't know" and "yes" onto "slowly"; every form in it, the choices' own phrases
        # were heard less often (docs/decisions/0001-natural-speech.md).
        follow_up = pack.questions[question.id].if_no is not None
        terms += [Term(normalise(p), Answer(YES)) for p in pack.answers[YES][:BARE_FORMS]]
        noes = pack.answers[NO] if follow_up else pack.answers[NO][:BARE_FORMS]
        terms += [Term(normalise(p), Answer(NO)) for p in noes]
    if expecting.yes_no or question is not None:
        terms += [Term(normalise(p), Answer(DONT_KNOW)) for p in pack.answers[DONT_KNOW]]
    terms += [s for t in terms if (s := _spelled(t, pack.spellings)) is not None]
    first: dict[tuple[str, ...], Term] = {}
    for term in terms:
        if term.words:
            first.setdefault(term.words, term)
    return tuple(first.values())


def answers_nothing_here(pack: Pack, question: Question | None, meaning: Meaning) -> bool:
    """A yes or no at a choice question that gives it no meaning there (a "no" means
    something only with an `if_no` follow-up): in the vocabulary only so that no
    recognizer forces it onto a choice."""
    if question is None or question.kind is not Kind.CHOICE or not isinstance(meaning, Answer):
        return False
    if meaning.value == NO:
        return pack.questions[question.id].if_no is None
    return meaning.value == YES


def _spelled(term: Term, spellings: Mapping[str, str]) -> Term | None:
    """The term in the words a speech model knows (`Pack.spellings`), if any differ."""
    if not any(w in spellings for w in term.words):
        return None
    words = tuple(part for w in term.words for part in spellings.get(w, w).split())
    return Term(words, term.meaning)


def fillers(pack: Pack) -> frozenset[str]:
    """Words that carry no meaning before or after an answer ("um", "well")."""
    return frozenset(w for f in pack.fillers for w in normalise(f))


def trailing_fillers(pack: Pack) -> frozenset[str]:
    """The fillers that may end a spoken turn: none in Korean, where Vosk heard 몰라요
    ("I don't know") as "네 어" (yes, then a filler) at 0.86."""
    return fillers(pack) if pack.fillers_after else frozenset()


def courtesies(pack: Pack) -> frozenset[str]:
    """Words that change nothing after a command ("please")."""
    return frozenset(w for c in pack.courtesies for w in normalise(c))


def sentence_meaning(
    pack: Pack, words: Sequence[str], terms: Sequence[Term], question: Question | None = None
) -> Meaning | None:
    """The meaning of a whole spoken turn under the sentence rule; None when the words
    are not one sentence of the grammar (part of a phrase, two meanings, stray words).
    `question`: the choice question asked, whose own words may stand around a choice."""
    split = sentence_terms(pack, words, terms, question)
    return None if split is None else split[0].meaning


def sentence_terms(
    pack: Pack, words: Sequence[str], terms: Sequence[Term], question: Question | None = None
) -> list[Term] | None:
    """The phrases of a whole spoken turn under the sentence rule (one or two of one
    meaning, fillers around, courtesies after a command, the question's own words around
    a choice); None when the words are not one such sentence."""
    by_words = {t.words: t for t in terms}
    spare, after = fillers(pack), trailing_fillers(pack)
    inside = _inside(words, spare, after)
    split = _one_meaning(inside, by_words)
    if split is not None:
        return split  # "yes please" and "wait please" are phrases of their own
    polite = _one_meaning(_inside(words, spare, after | courtesies(pack)), by_words)
    if polite is not None and takes_courtesy(polite[0].meaning):
        return polite
    if question is not None and question.kind is Kind.CHOICE:
        for choice in within_words_around(pack, question, inside):
            found = _one_meaning(choice, by_words)
            if found is not None and found[0].meaning in _choices(question):
                return found
    return None


def within_words_around(
    pack: Pack, question: Question, words: Sequence[str]
) -> Iterator[Sequence[str]]:
    """`words` without the question's own words said before and after an answer ("in"
    both legs; both legs "are weak"; "i'm" forty five), each way they can be taken off."""
    text = pack.questions[question.id]
    before = [normalise(b) for b in text.said_before]
    after = [normalise(a) for a in text.said_after]
    for lead in [(), *(b for b in before if tuple(words[: len(b)]) == b)]:
        rest = words[len(lead) :]
        for tail in [(), *(a for a in after if len(rest) > len(a) and tuple(rest[-len(a) :]) == a)]:
            if lead or tail:
                yield rest[: len(rest) - len(tail)]


def _choices(question: Question) -> frozenset[Meaning]:
    return frozenset(Answer(option) for option in question.options)


def takes_courtesy(meaning: Meaning) -> bool:
    """Whether "please" may follow this meaning: a command that does not end the session."""
    return isinstance(meaning, Command) and not SPECS[meaning.name].final


def without_fillers(pack: Pack, words: Sequence[str]) -> Sequence[str]:
    """The words without the fillers said before and after them ("um sixty five")."""
    return _inside(words, fillers(pack), trailing_fillers(pack))


def _inside(words: Sequence[str], before: frozenset[str], after: frozenset[str]) -> Sequence[str]:
    """The words without any run of `before` at the start or of `after` at the end."""
    start, end = 0, len(words)
    while start < end and words[start] in before:
        start += 1
    while end > start and words[end - 1] in after:
        end -= 1
    return words[start:end]


def _one_meaning(words: Sequence[str], by_words: dict[tuple[str, ...], Term]) -> list[Term] | None:
    """One or two whole phrases of one meaning that make up `words`, or None."""
    split = _fewest_terms(words, by_words)
    if split is None or not 1 <= len(split) <= MOST_PHRASES:
        return None
    return split if len({t.meaning for t in split}) == 1 else None


def near_opposite_words(pack: Pack) -> frozenset[tuple[str, ...]]:
    """The words of every phrase one short sound from an answer of the opposite meaning
    (`Pack.near_opposites`, and a choice question's own), as written and as spelled for
    a speech model."""
    pairs = [*pack.near_opposites, *(p for q in pack.questions.values() for p in q.near_opposites)]
    found = {normalise(p) for pair in pairs for p in pair}
    spelled = (_spelled(Term(words, Answer(YES)), pack.spellings) for words in found)
    return frozenset(found | {t.words for t in spelled if t is not None})


def rests_on_near_opposites(
    pack: Pack,
    words: Sequence[str],
    terms: Sequence[Term],
    swappable: frozenset[tuple[str, ...]] | None = None,
) -> bool:
    """An answer said only in phrases a recognizer can swap for another answer ("i do"
    for "i don't", "i can walk" for "i can't walk"): nothing else in the turn confirms
    which was meant. `swappable`: `near_opposite_words(pack)`, when the caller keeps it."""
    split = sentence_terms(pack, words, terms)
    if split is None or not isinstance(split[0].meaning, Answer):
        return False
    if swappable is None:
        swappable = near_opposite_words(pack)
    return all(t.words in swappable for t in split)


def _fewest_terms(words: Sequence[str], by_words: dict[tuple[str, ...], Term]) -> list[Term] | None:
    """`words` cut into as few whole terms as possible (None: they cannot be)."""
    if not words:
        return None
    best: list[list[Term] | None] = [[]] + [None] * len(words)
    for end in range(1, len(words) + 1):
        for start in range(end):
            before, term = best[start], by_words.get(tuple(words[start:end]))
            if before is None or term is None:
                continue
            known = best[end]
            if known is None or len(before) + 1 < len(known):
                best[end] = [*before, term]
    return best[len(words)]
