"""Turning what a person typed or said into an answer, a command, or "unclear".

One parser for typed and spoken words, reading the prompt's vocabulary
(`kiosk.language.vocabulary`). It prefers asking again over guessing: two different meanings in
one utterance, an answer next to a negation ("yes, not really", "not on my own"), or a
choice typed inside another choice's longer phrase ("one whole side" holds "one side",
not only "one"), a yes or no resting on a phrase of another sentence ("I have been
waiting an hour"), and a no followed by a "but" are unclear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kiosk.core.meaning import Answer, Command, Meaning, NotUnderstood, OutOfRange
from kiosk.language.pack import Pack
from kiosk.language.vocabulary import (
    Expectation,
    Term,
    answers_nothing_here,
    courtesies,
    fillers,
    normalise,
    sentence_meaning,
    vocabulary,
    within_words_around,
    without_fillers,
)
from kiosk.triage.knowledge import DONT_KNOW, NO, Kind, Question

__all__ = [
    "Answer",
    "Command",
    "Meaning",
    "NotUnderstood",
    "OutOfRange",
    "interpret",
    "interpret_expected",
    "normalise",
    "spoken_meaning",
    "understood",
]

LONGEST_ANSWER = 400
"""Characters; a longer line is no answer (and reading it would only slow the kiosk down)."""
LONGEST_NUMBER = 6
"""Digits; a longer number is not an age or a count anyone means."""


def interpret(pack: Pack, text: str, question: Question | None, commands: Iterable[str]) -> Meaning:
    """What `text` means while the kiosk waits for `question` (None: no question)."""
    return interpret_expected(pack, text, Expectation(question, tuple(commands)))


def interpret_expected(pack: Pack, text: str, expecting: Expectation) -> Meaning:
    """What typed `text` means given what the dialog is waiting for: any phrase of the
    prompt's vocabulary anywhere in it, other words ignored."""
    if len(text) > LONGEST_ANSWER:
        return NotUnderstood()
    terms = vocabulary(pack, expecting)
    words = _without_endings(pack, normalise(text), terms)
    found, leftover = _match(words, terms)
    if expecting.question is not None and _said_with_more(pack, leftover):
        # "the pain does not stop" is no stop, "my back hurts" no going back
        found = [f for f in found if not _one_word_command(f)]
    meanings = {t.meaning for t in found}
    if len(meanings) > 1:  # "yes, slowly": the yes says nothing at "how did it start?"
        idle = {m for m in meanings if answers_nothing_here(pack, expecting.question, m)}
        if Answer(NO) in idle:  # "no better", "no, one leg": the no may turn the choice round
            return NotUnderstood()
        meanings -= idle
    if len(meanings) > 1:
        return NotUnderstood()
    if meanings:
        meaning = meanings.pop()
        if _turned_around(pack, meaning, leftover) or _contradicted(pack, meaning, leftover):
            return NotUnderstood()
        if _carried_only(pack, found, leftover, expecting.question):
            return NotUnderstood()
        if _holds_another_choice(words, found, terms, expecting.question):
            return NotUnderstood()
        if answers_nothing_here(pack, expecting.question, meaning):
            return NotUnderstood()
        question = expecting.question
        if question and question.kind is Kind.NUMBER and read_numbers(pack, leftover):
            return NotUnderstood()  # "45, I don't know": which one?
        return meaning
    return _number_meaning(pack, words, expecting.question)


def spoken_meaning(pack: Pack, text: str, expecting: Expectation) -> Meaning:
    """What a recognizer's words mean: the whole turn must be one spoken sentence
    (`vocabulary.sentence_meaning`), or a number at a number question (the question's
    own words may stand around it: "I'm forty five")."""
    words = normalise(text)
    meaning = sentence_meaning(pack, words, vocabulary(pack, expecting), expecting.question)
    if meaning is not None:
        return meaning
    question = expecting.question
    if question is not None and question.kind is Kind.NUMBER and not expecting.yes_no:
        inside = without_fillers(pack, words)
        for number in within_words_around(pack, question, inside):  # "i'm" 45 "years old"
            if _only_number_words(pack, number):
                return _number_meaning(pack, number, question)
    if not _only_number_words(pack, words):
        return NotUnderstood()
    return _number_meaning(pack, words, question)


def understood(pack: Pack, text: str, expecting: Expectation) -> Meaning | None:
    """What typed `text` means, or None when it is not understood (for comparing readings)."""
    meaning = interpret_expected(pack, text, expecting)
    return None if isinstance(meaning, NotUnderstood) else meaning


SHORTEST_STEM = 2
"""Characters a word must keep once its ending is taken off: 네요 and 예요 are not yes."""


def _without_endings(pack: Pack, words: tuple[str, ...], terms: Sequence[Term]) -> tuple[str, ...]:
    """Each word as the vocabulary (or a number word) has it, once polite endings typed
    onto it are taken off (천천히요 -> 천천히); a word already known is left as it is."""
    if not any(w.endswith(pack.endings) for w in words):
        return words  # English, and most typed Korean: nothing to take off
    known = {w for t in terms for w in t.words} | set(pack.numbers)
    endings = sorted(pack.endings, key=len, reverse=True)
    return tuple(_stem(w, endings, known) for w in words)


def _stem(word: str, endings: Sequence[str], known: set[str], depth: int = 2) -> str:
    """`word` without up to `depth` endings (다리만요 -> 다리), if that leaves a known word."""
    if word in known or depth == 0:
        return word
    for ending in endings:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= SHORTEST_STEM:
            shorter = _stem(stem, endings, known, depth - 1)
            if shorter in known:
                return shorter
    return word


def _match(words: Sequence[str], terms: Sequence[Term]) -> tuple[list[Term], list[str]]:
    """The phrases found (longest first, left to right, without overlaps), and the words
    left over."""
    ordered = sorted(terms, key=lambda t: -len(t.words))
    found: list[Term] = []
    leftover: list[str] = []
    i = 0
    while i < len(words):
        hit = next((t for t in ordered if tuple(words[i : i + len(t.words)]) == t.words), None)
        if hit is None:
            leftover.append(words[i])
            i += 1
        else:
            found.append(hit)
            i += len(hit.words)
    return found, leftover


def _said_with_more(pack: Pack, leftover: Sequence[str]) -> bool:
    """Words were typed beside the phrases found that are neither fillers nor courtesies."""
    idle = _idle_words(pack)
    return any(w not in idle for w in leftover)


def _idle_words(pack: Pack) -> set[str]:
    """Fillers and courtesies: words that change nothing beside an answer or command."""
    return set(fillers(pack) | courtesies(pack))


def _one_word_command(term: Term) -> bool:
    """A command of one word ("stop", "back", "end", 다시): typed inside a sentence at a
    question it is a word of that sentence, not a command. (Spoken turns must be whole
    sentences, so there it stands alone anyway.)"""
    return isinstance(term.meaning, Command) and len(term.words) == 1


def _turned_around(pack: Pack, meaning: Meaning, leftover: Sequence[str]) -> bool:
    """An answer that is not itself a refusal, typed beside a negation of its own: "not
    on my own" is not walking alone, "not getting worse" is not worse, "yes, not really"
    is not yes. The negation may belong to the answer or turn it round; asked again."""
    if not isinstance(meaning, Answer) or meaning.value in (NO, DONT_KNOW):
        return False
    return not _negations(pack).isdisjoint(leftover)


def _contradicted(pack: Pack, meaning: Meaning, leftover: Sequence[str]) -> bool:
    """A no or a don't know followed by a "but": "no, but my arm went weak" at a question
    about face, arm or speech is not the no it starts with."""
    if not isinstance(meaning, Answer) or meaning.value not in (NO, DONT_KNOW):
        return False
    return not {" ".join(normalise(c)) for c in pack.contrasts}.isdisjoint(leftover)


PARTICLE = 1
"""Characters a word of the question may carry beyond a typed word and still be it
(당뇨병이 / 당뇨병: a Korean particle)."""


def _carried_only(
    pack: Pack, found: Sequence[Term], leftover: Sequence[str], question: Question | None
) -> bool:
    """The answer rests only on carriers (`Pack.carriers`: "i have", "it's not", 있어요)
    and other words were typed beside them that are neither fillers nor the question's
    own: "I have been waiting an hour" answers no question, "I do have diabetes" does."""
    carriers = {normalise(c) for c in pack.carriers}
    if not found or any(f.words not in carriers for f in found):
        return False
    own = _idle_words(pack)
    if question is not None:
        text = pack.questions[question.id]
        own |= set(normalise(text.ask)) | set(normalise(text.simpler or ""))
    return any(not _among(word, own) for word in leftover)


def _among(word: str, known: set[str]) -> bool:
    return word in known or any(
        k.startswith(word) and len(k) - len(word) <= PARTICLE for k in known
    )


def _holds_another_choice(
    words: Sequence[str], found: Sequence[Term], terms: Sequence[Term], question: Question | None
) -> bool:
    """At a choice question: the typed words hold, in order, every word of a phrase of
    another choice that the phrases found do not hold themselves. Typing ignores words it
    does not know, so "one whole side" would be "one" (one leg) and "right arm and right
    leg" "right leg"; both hold a phrase of one side of the body ("one side", "right arm
    and leg") and are asked again. "my left arm and leg" holds "my left leg" too, but
    inside the phrase that was found, so it stays one side of the body."""
    if question is None or question.kind is not Kind.CHOICE:
        return False
    meanings = {f.meaning for f in found}
    return any(
        isinstance(t.meaning, Answer)
        and t.meaning not in meanings
        and t.meaning.value in question.options
        and _in_order(t.words, words)
        and not any(_in_order(t.words, f.words) for f in found)
        for t in terms
    )


def _in_order(phrase: Sequence[str], words: Sequence[str]) -> bool:
    """Every word of `phrase` appears in `words`, in the same order, gaps allowed."""
    rest = iter(words)
    return all(word in rest for word in phrase)


def _negations(pack: Pack) -> set[str]:
    return {" ".join(normalise(n)) for n in pack.negations}


def _only_number_words(pack: Pack, words: Sequence[str]) -> bool:
    """A spoken number is the whole turn, fillers around it: Vosk heard "I'm not sure"
    (잘 모르겠어요) as "어 오 모르겠어 요", and the 오 in it is no age of five."""
    said = without_fillers(pack, words)
    return bool(said) and all(w.isdecimal() or w in pack.numbers for w in said)


def _number_meaning(pack: Pack, words: Sequence[str], question: Question | None) -> Meaning:
    if question is None or question.kind is not Kind.NUMBER:
        return NotUnderstood()
    numbers = read_numbers(pack, words)
    if len(numbers) != 1:
        return NotUnderstood()
    low, high = question.number_range
    number = numbers[0]
    return Answer(str(number)) if low <= number <= high else OutOfRange(number)


def read_numbers(pack: Pack, words: Sequence[str]) -> list[int]:
    """Every number in the words: digits, number words such as "forty two", and ranks
    ("the second one" is 2; its "one" stands for the thing, as in "the last one")."""
    numbers: list[int] = []
    current: int | None = None
    for n, word in enumerate(words):
        digits = _leading_digits(word)
        if digits:
            numbers.append(int(digits))
            continue
        value = pack.numbers.get(word)
        if word in pack.ordinals:
            value = None
            numbers.append(pack.ordinals[word])
        elif word in pack.pronouns and current is None and n > 0 and words[n - 1] not in _COUNTING:
            value = None  # "the last one": a thing, not a count
        if value is None:
            if current is not None and word not in _JOINING:
                numbers.append(current)
                current = None
            continue
        current = _combine(current, value, numbers)
    if current is not None:
        numbers.append(current)
    return numbers


_JOINING = frozenset({"and", "a"})
"""Words inside one number ("a hundred and one")."""
_COUNTING = _JOINING | {"number"}
"""Words after which "one" is still a count ("number one", "a hundred and one")."""
_DIGITS_THEN_UNIT = re.compile(rf"(\d{{1,{LONGEST_NUMBER}}})[^\W\d_]*")


def _leading_digits(word: str) -> str:
    """The digits a word is or begins with, a unit after them: "45", and "45살" or
    "45세" as Korean is typed (not "²", nor 5,000 digits; "" when there are none)."""
    found = _DIGITS_THEN_UNIT.fullmatch(word)
    return found.group(1) if found else ""


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
