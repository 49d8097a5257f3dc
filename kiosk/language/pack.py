"""Language packs: every sentence the kiosk says and every answer phrase it accepts.

A pack is loaded strictly against the knowledge file: a question, cause, choice or
message without text is an error naming the file and the entry, as is a key nobody
reads. Typed and spoken answers resolve through the same phrases (see `parse.py`).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from kiosk.core.errors import PromptPackError
from kiosk.core.yamlfields import Entry, load_yaml
from kiosk.language.commands import COMMAND_TABLE, COMMANDS
from kiosk.triage.knowledge import DONT_KNOW, NO, YES, Kind, Knowledge, Question

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parent / "packs"

SCREEN_LABELS = (
    *("title", "start", "listening", "not_listening", "larger_text", "captions", "answers"),
    *("controls", "number_label", "number_ok", "number_clear", "emergency_title"),
    *("results_title", "connecting"),
    *(spec.name for spec in COMMAND_TABLE if spec.screen),
)
"""The words on the kiosk screen's buttons and headings (`screen:` in a pack)."""
CHANGE_QUESTION = "readback_which"
"""Not a question of the knowledge file: "Which one should I change?" after a "no" to
the read-back, answered with the number of the item (by voice, key or touch). The pack
carries an entry for it so that numbers are understood and listened for there."""
MESSAGE_FIELDS: Mapping[str, frozenset[str]] = {
    key: frozenset(fields.split()) if fields else frozenset()
    for key, fields in {
        "idle": "",
        "welcome": "",
        "screening_intro": "",
        "questions_intro": "",
        "unclear_yesno": "",
        "unclear_choice": "choices",
        "unclear_number": "",
        "out_of_range": "number low high",
        "unclear_results": "",
        "unclear_idle": "",
        "noisy_room": "",
        # A message with a "_typed" form is said in it to someone who typed (Dialog._say).
        "unclear_yesno_typed": "",
        "unclear_choice_typed": "choices",
        "unclear_number_typed": "",
        "out_of_range_typed": "number low high",
        "unclear_results_typed": "",
        "silence": "",
        "still_there": "",
        "last_warning": "",
        "more_time": "",
        "timed_out": "",
        "offer_keys": "",
        "offer_choice_keys": "keys",
        "choice_key": "number choice",
        "microphone_lost": "",
        "microphone_back": "",
        "headphones_on": "",
        "headphones_off": "",
        "no_headphones": "",
        "help_yesno": "",
        "help_choice": "choices",
        "help_number": "",
        "help_commands": "",
        "reask_simpler": "",
        "one_at_a_time": "",
        "one_at_a_time_none": "",
        "nothing_to_go_back_to": "",
        "emergency_stays": "",
        "slower": "",
        "faster": "",
        "louder": "",
        "quieter": "",
        "slowest": "",
        "fastest": "",
        "loudest": "",
        "quietest": "",
        "stop_check": "",
        "carry_on": "",
        "stopped": "",
        "emergency": "number",
        "emergency_while_waiting": "",
        "emergency_because": "reasons",
        "urgent": "",
        "urgent_because": "reasons",
        "unsure_red_flags": "items",
        "results_intro": "",
        "results_intro_early": "",
        "cause_with_reasons": "rank cause reasons",
        "cause_without_reasons": "rank cause",
        "reason_for": "reason",
        "reason_against": "reason",
        "confirm": "answer",
        "readback": "items",
        "readback_which": "items",
        "readback_item": "number item",
        "readback_which_unclear": "low high",
        "readback_which_unclear_typed": "low high",
        "readback_unconfirmed": "",
        "again_emergency": "number",
        "unsure_reason": "item",
        "next_steps": "steps",
        "routine": "",
        "self_care": "",
        "disclaimer": "",
        "results_options": "",
        "summary_saved": "",
        "summary_failed": "",
        "staff_on_their_way": "",
        "goodbye": "",
        "sorry_error": "",
        "list_and": "",
        "list_or": "",
    }.items()
}


@dataclass(frozen=True)
class FollowUp:
    """A choice question answered with a bare "no" ("Can you walk on your own?" "No.")
    asked again as a yes/no question between the two options that "no" leaves."""

    ask: str
    yes: str
    """The option a "yes" to `ask` means."""
    no: str
    """The option a "no" to `ask` means."""


@dataclass(frozen=True)
class QuestionText:
    ask: str
    simpler: str | None
    """A plainer wording, used to re-ask a red flag after "don't know"."""
    phrases: Mapping[str, tuple[str, ...]]
    """option id -> accepted phrases (yes/no questions share the pack's answer words)."""
    because: Mapping[str, str]
    """option id -> how the answer reads after "because you said"."""
    suggestions: Mapping[str, str]
    """Choice questions: option id -> what the kiosk suggests saying for it when it
    asks again (`suggest:` in the pack, else the option's first phrase)."""
    near_opposites: tuple[tuple[str, str], ...] = ()
    """Choice questions: pairs of phrases of two options one short sound apart ("i can
    walk" / "i can't walk"), confirmed like the pack's yes/no `near_opposites`."""
    if_no: FollowUp | None = None
    """Choice questions a person may answer with "no" (`if_no:` in the pack): "no" leads
    to this follow-up. Elsewhere a yes or no at a choice question is asked again."""
    one_at_a_time: Mapping[str, str] = field(default_factory=dict)
    """Choice questions: option id -> a yes/no question asking about that option alone
    ("Did the weakness come on all of a sudden?"), in the order to ask them when the
    choices were not understood twice (`one_at_a_time:`; a yes or no is heard far more
    surely than a choice)."""
    said_before: tuple[str, ...] = ()
    said_after: tuple[str, ...] = ()
    """Choice and number questions: the question's own words people put around an answer
    ("in" both legs, "it came on" slowly; both legs "are weak"; "I'm" forty five "years
    old"), which change nothing (`around:`)."""


@dataclass(frozen=True)
class Pack:
    file: str
    language: str
    name: str
    emergency_number: str
    answers: Mapping[str, tuple[str, ...]]
    negations: frozenset[str]
    commands: Mapping[str, tuple[str, ...]]
    numbers: Mapping[str, int]
    questions: Mapping[str, QuestionText]
    causes: Mapping[str, str]
    next_steps: Mapping[str, str]
    messages: Mapping[str, str]
    screen: Mapping[str, str]
    """Labels on the kiosk screen (see `SCREEN_LABELS`)."""
    spoken_answers: Mapping[str, tuple[str, ...]]
    """The yes / no / don't know phrases the kiosk teaches, first the one it suggests
    (the pack's `spoken:` section, else all of `answers`). The recognizers listen for
    every phrase of `answers` (kiosk.language.vocabulary); these are the plainest to hear."""
    spoken_commands: Mapping[str, tuple[str, ...]]
    """Likewise for the commands."""
    fillers: tuple[str, ...] = ()
    """Words said before or after an answer that mean nothing ("um", "well")."""
    fillers_after: bool = True
    """Whether fillers may also end a spoken turn ("yes, um"); Korean puts them first."""
    courtesies: tuple[str, ...] = ()
    """Words said after a *command* that change nothing ("slower please"); not around
    answers, nor before a command, where "please" begins requests that are none."""
    spellings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """word -> the same sounds in words a speech model knows (모르겠어요 -> 모르겠어 요):
    a recognizer can then hear a natural form its vocabulary lacks."""
    near_opposites: tuple[tuple[str, str], ...] = ()
    """(yes phrase, no phrase) pairs one short sound apart ("i do" / "i don't", 있어요 /
    없어요): a recognizer can swap them, so an answer said only in such phrases is
    confirmed before it counts."""
    ordinals: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """word -> the number it ranks ("second" -> 2): "the second one" at "which one?"."""
    pronouns: frozenset[str] = frozenset()
    """Number words that, after a word of no number, stand for a thing, not a count:
    "the last one", "the diabetes one" name no item 1."""
    endings: tuple[str, ...] = ()
    """Polite endings typed onto a word without a space that change nothing (천천히요,
    며칠이요): the typed parser reads the word without them."""
    carriers: frozenset[str] = frozenset()
    """Answer phrases that hold no yes or no word of their own ("i have", "it's not",
    있어요): typed among other words they may belong to another sentence ("I have been
    waiting an hour", "it's not my face, it's my arm"), so they answer only with nothing
    else beside them but fillers and the question's own words."""
    contrasts: frozenset[str] = frozenset()
    """Words that turn what follows against what came before ("but", 근데): a typed "no,
    but my arm went weak" is no answer to read as no."""

    def say(self, key: str, **fields: object) -> str:
        """A message with its {placeholders} filled in."""
        return self.messages[key].format(**fields)

    def join(self, items: list[str], word: str = "list_and") -> str:
        """ "a, b and c" in this language."""
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.messages[word]} {items[-1]}"

    def choice_labels(self, question: str) -> list[str]:
        """What the kiosk suggests saying for each option of a choice question."""
        return list(self.questions[question].suggestions.values())


def load_pack(language: str, knowledge: Knowledge, folder: Path = DEFAULT_PROMPTS_DIR) -> Pack:
    """Load kiosk/language/packs/<language>.yaml and check it against the knowledge file."""
    path = folder / f"{language}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise PromptPackError(str(path), "", f"no such language pack (available: {available})")
    top = Entry(load_yaml(path, PromptPackError), str(path), "", PromptPackError)
    top.mapping(
        {
            "language",
            "name",
            "emergency_number",
            "answers",
            "negations",
            "commands",
            "numbers",
            "questions",
            "causes",
            "next_steps",
            "messages",
            "screen",
        },
        frozenset(
            {
                "spoken",
                "fillers",
                "fillers_after",
                "courtesies",
                "spellings",
                "near_opposites",
                "endings",
                "ordinals",
                "pronouns",
                "carriers",
                "contrasts",
            }
        ),
    )
    if top.get("language").text() != language:
        raise top.get("language").fail(f"must be {language!r}, the file's name")
    answers = _phrase_table(top.get("answers"), (YES, NO, DONT_KNOW))
    commands = _phrase_table(top.get("commands"), COMMANDS)
    spoken = top.get("spoken") if top.has("spoken") else None
    if spoken is not None:
        spoken.mapping(set(), frozenset({"answers", "commands"}))
    return Pack(
        file=str(path),
        language=language,
        name=top.get("name").text(),
        emergency_number=top.get("emergency_number").text(),
        answers=answers,
        negations=frozenset(top.get("negations").texts()),
        commands=commands,
        numbers=_numbers(top.get("numbers")),
        questions=_with_change_question(
            _questions(top.get("questions"), knowledge, answers), answers
        ),
        causes=_named(top.get("causes"), set(knowledge.causes)),
        next_steps=_named(top.get("next_steps"), set(knowledge.next_steps)),
        messages=_messages(top.get("messages")),
        screen=_named(top.get("screen"), set(SCREEN_LABELS)),
        spoken_answers=_spoken(spoken, "answers", answers),
        spoken_commands=_spoken(spoken, "commands", commands),
        fillers=top.get("fillers").texts() if top.has("fillers") else (),
        fillers_after=top.get("fillers_after").boolean() if top.has("fillers_after") else True,
        courtesies=top.get("courtesies").texts() if top.has("courtesies") else (),
        spellings=_spellings(top.get("spellings"))
        if top.has("spellings")
        else MappingProxyType({}),
        near_opposites=_near_opposites(top.get("near_opposites"), answers)
        if top.has("near_opposites")
        else (),
        endings=top.get("endings").texts() if top.has("endings") else (),
        ordinals=_numbers(top.get("ordinals")) if top.has("ordinals") else MappingProxyType({}),
        pronouns=frozenset(top.get("pronouns").texts()) if top.has("pronouns") else frozenset(),
        carriers=_carriers(top.get("carriers"), answers) if top.has("carriers") else frozenset(),
        contrasts=frozenset(top.get("contrasts").texts()) if top.has("contrasts") else frozenset(),
    )


def _carriers(entry: Entry, answers: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """Each carrier is a phrase of `answers`."""
    known = {p for phrases in answers.values() for p in phrases}
    texts = entry.texts()
    for i, text in enumerate(texts):
        if text not in known:
            raise entry.child(i, text).fail("is not a phrase of answers.yes, .no or .dont_know")
    return frozenset(texts)


def _spellings(entry: Entry) -> Mapping[str, str]:
    found = {word: spelled.text() for word, spelled in entry.items()}
    for word, spelled in found.items():
        if len(word.split()) != 1 or len(spelled.split()) < 2:
            raise entry.get(word).fail("spells one word as two or more words")
    return MappingProxyType(found)


def _near_opposites(
    entry: Entry, answers: Mapping[str, tuple[str, ...]]
) -> tuple[tuple[str, str], ...]:
    """Each pair is a yes phrase and a no phrase of `answers`, in that order."""

    def valid(yes: str, no: str) -> bool:
        return yes in answers[YES] and no in answers[NO]

    return _phrase_pairs(entry, valid, "[a phrase of answers.yes, a phrase of answers.no]")


def _phrase_pairs(
    entry: Entry, valid: Callable[[str, str], bool], what: str
) -> tuple[tuple[str, str], ...]:
    """A non-empty list of phrase pairs, each `valid`."""
    if not isinstance(entry.value, list) or not entry.value:
        raise entry.fail(f"must be a non-empty list of pairs, each {what}")
    pairs = []
    for i, value in enumerate(entry.value):
        pair = entry.child(i, value)
        texts = pair.texts()
        if len(texts) != 2 or not valid(texts[0], texts[1]):
            raise pair.fail(f"must be {what}")
        pairs.append((texts[0], texts[1]))
    return tuple(pairs)


def _spoken(
    spoken: Entry | None, table: str, typed: Mapping[str, tuple[str, ...]]
) -> Mapping[str, tuple[str, ...]]:
    """The phrases to listen for: a subset of what may be typed, never a new word."""
    if spoken is None or not spoken.has(table):
        return typed
    entry = spoken.get(table)
    entry.mapping(set(), frozenset(typed))
    chosen = dict(typed)
    for key, phrases in entry.items():
        listed = phrases.texts()
        strays = [p for p in listed if p not in typed[key]]
        if strays or not listed:
            problem = f"not among its typed phrases: {strays}" if strays else "is empty"
            raise phrases.fail(problem)
        chosen[key] = listed
    return MappingProxyType(chosen)


def _phrase_table(entry: Entry, keys: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    entry.mapping(set(keys))
    return MappingProxyType({key: entry.get(key).texts() for key in keys})


def _numbers(entry: Entry) -> Mapping[str, int]:
    return MappingProxyType({word: value.integer(0, 1000) for word, value in entry.items()})


def _named(entry: Entry, ids: set[str]) -> Mapping[str, str]:
    entry.mapping(ids)
    return MappingProxyType({key: entry.get(key).text() for key in sorted(ids)})


def _messages(entry: Entry) -> Mapping[str, str]:
    entry.mapping(set(MESSAGE_FIELDS))
    messages = {}
    for key, fields in MESSAGE_FIELDS.items():
        text = entry.get(key).text()
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        if used != fields:
            expected = ", ".join("{" + f + "}" for f in sorted(fields)) or "no placeholders"
            raise entry.get(key).fail(f"must use {expected}, it uses {sorted(used) or 'none'}")
        messages[key] = text
    return MappingProxyType(messages)


def _questions(
    entry: Entry, knowledge: Knowledge, answers: Mapping[str, tuple[str, ...]]
) -> Mapping[str, QuestionText]:
    entry.mapping(set(knowledge.questions))
    return MappingProxyType(
        {qid: _question(entry.get(qid), q, answers) for qid, q in knowledge.questions.items()}
    )


def _with_change_question(
    questions: Mapping[str, QuestionText], answers: Mapping[str, tuple[str, ...]]
) -> Mapping[str, QuestionText]:
    """The questions and "which one should I change?", answered by a number, or by a
    "no" ("none", "no, it's fine"): nothing to change after all."""
    empty: Mapping[str, str] = MappingProxyType({})
    nothing = MappingProxyType({NO: answers[NO]})
    change = QuestionText("", None, nothing, empty, empty)
    return MappingProxyType({**questions, CHANGE_QUESTION: change})


def _question(
    entry: Entry, question: Question, answers: Mapping[str, tuple[str, ...]]
) -> QuestionText:
    simpler = frozenset({"simpler"}) if question.red_flag else frozenset()
    opposites: tuple[tuple[str, str], ...] = ()
    follow_up = None
    one_by_one: dict[str, str] = {}
    if question.kind is Kind.CHOICE:
        optional = {"near_opposites", "if_no", "around", "one_at_a_time"}
        entry.mapping({"ask", "choices"}, simpler | optional)
        choices = entry.get("choices").mapping(set(question.options))
        read = {o: _choice(choices.get(o)) for o in question.options}
        phrases = {o: said for o, (said, _, _) in read.items()}
        because = {o: reason for o, (_, reason, _) in read.items()}
        suggestions = {o: suggested for o, (_, _, suggested) in read.items()}
        if entry.has("near_opposites"):
            opposites = _choice_opposites(entry.get("near_opposites"), phrases)
        if entry.has("if_no"):
            follow_up = _follow_up(entry.get("if_no"), question)
        if entry.has("one_at_a_time"):
            alone = entry.get("one_at_a_time").mapping(set(), frozenset(question.options))
            one_by_one = {option: said.text() for option, said in alone.items()}
    else:
        numeric = frozenset({"around"}) if question.kind is Kind.NUMBER else frozenset()
        entry.mapping({"ask", "because"}, simpler | numeric)
        entry.get("because").mapping(set(question.options))
        because = {o: entry.get("because").get(o).text() for o in question.options}
        phrases = {o: answers[o] for o in question.options} if question.kind is Kind.YESNO else {}
        suggestions = {}
    before, after = _words_around(entry.get("around")) if entry.has("around") else ((), ())
    if question.red_flag and not entry.has("simpler"):
        raise entry.fail("a red-flag question needs a simpler wording (simpler:) for re-asking")
    return QuestionText(
        ask=entry.get("ask").text(),
        simpler=entry.get("simpler").text() if question.red_flag else None,
        phrases=MappingProxyType(phrases),
        because=MappingProxyType(because),
        suggestions=MappingProxyType(suggestions),
        near_opposites=opposites,
        if_no=follow_up,
        one_at_a_time=MappingProxyType(one_by_one),
        said_before=before,
        said_after=after,
    )


def _words_around(entry: Entry) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`around:`: the words said before and after an answer (either may be left out)."""
    entry.mapping(set(), frozenset({"before", "after"}))

    def said(side: str) -> tuple[str, ...]:
        return entry.get(side).texts() if entry.has(side) else ()

    return said("before"), said("after")


def _follow_up(entry: Entry, question: Question) -> FollowUp:
    """`if_no:`: the yes/no question asked after a bare "no", and the options its answers
    mean."""
    entry.mapping({"ask", YES, NO})
    meant = {answer: _option(entry.get(answer), question) for answer in (YES, NO)}
    if meant[YES] == meant[NO]:
        raise entry.fail('"yes" and "no" must mean two different choices')
    return FollowUp(entry.get("ask").text(), meant[YES], meant[NO])


def _option(entry: Entry, question: Question) -> str:
    option = entry.text()
    if option not in question.options:
        allowed = ", ".join(question.options)
        raise entry.fail(f"must be one of this question's choices ({allowed})")
    return option


def _choice_opposites(
    entry: Entry, phrases: Mapping[str, tuple[str, ...]]
) -> tuple[tuple[str, str], ...]:
    """Each pair is two phrases of this question that mean different options."""
    option_of = {p: o for o, said in phrases.items() for p in said}

    def valid(one: str, other: str) -> bool:
        options = (option_of.get(one), option_of.get(other))
        return None not in options and options[0] != options[1]

    return _phrase_pairs(entry, valid, "two phrases of this question's choices, of two options")


def _choice(entry: Entry) -> tuple[tuple[str, ...], str, str]:
    """An option's phrases, its "because" wording and what the kiosk suggests saying."""
    entry.mapping({"say", "because"}, frozenset({"suggest"}))
    said = entry.get("say").texts()
    suggested = entry.get("suggest").text() if entry.has("suggest") else said[0]
    return said, entry.get("because").text(), suggested
