#!/usr/bin/env python3
"""Voice benchmark: natural answers, other voices, babble and reverb, in two halves.

The material is scripts/voice_corpus.yaml: answers said the way people say them, in
espeak-ng and festival voices (with pitch and tempo shifts), and sentences that are not
answers. Every item is heard clean, in room reverb, under white noise at 10 dB, and
under babble (three other talkers saying other sentences) at 15 and 10 dB below the
answer's active speech, and at 21 dB: the room of 15 dB with the person half as far
from the microphone, as the kiosk asks when it loses a voice in the room. The corpus
comes in a tuning half and a test half that share no phrasing, voice, babble sentence
or talker: thresholds are chosen on the tuning half only, and the table prints both,
so a gap shows overfitting.

Each utterance is decided by the kiosk's own listener, as one turn, and (with
--previous REV) by the kiosk as it was at git revision REV, on the same audio in the
same run. Yes/no answers and commands are asked at a yes/no question that is not a red
flag (so nothing is confirmed and every wrong answer counts), side choices at `sides`,
sentences that are not answers at a red-flag question.

    .venv/bin/python -m scripts.bench_voice [--lang en] [--previous HEAD~5] [--jobs 2]
        [--half tune] [--voices 2] [--misses]
"""

from __future__ import annotations

import argparse
import importlib
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml

from tests.support.speech import (
    SAMPLE_RATE,
    Voice,
    active_power,
    babble,
    mean_power,
    mixed,
    reverberant,
    say,
    with_noise,
)

ROOT = Path(__file__).resolve().parent.parent

CORPUS = Path(__file__).with_name("voice_corpus.yaml")
HALVES = ("tune", "test")
CONDITIONS = ("clean", "reverb", "white 10", "babble 15", "babble 21", "babble 10")
"""`babble 21` is the room of `babble 15` with the person at half the distance (6 dB
nearer than the talkers): what the kiosk's "come a little closer" can buy."""
NOT_ANSWER_CONDITIONS = ("clean", "reverb", "babble 15")
OTHER_CONDITIONS = ("clean", "reverb", "babble 15")
"""Rooms for the answers to the other questions (`others:` in the corpus)."""
YES_NO_QUESTION = "diabetes"
"""A yes/no question that is not a red flag: nothing heard there is confirmed."""
CHOICE_QUESTION = "sides"
RED_FLAG = "stroke_signs"
AGE_QUESTION = "age"
LEAD_IN = 0.5
TAIL = 3.0
NOISY_TAIL = 9.0
"""A noisy room goes on after the answer for longer than any turn waits: a room that fell
silent part-way through a turn (the clip's end) would hand the kiosk a quiet room to
measure the voice against, which no waiting room does."""
BABBLE_TRACKS = 4
BABBLE_SECONDS = 16.0


@dataclass(frozen=True)
class Item:
    half: str
    text: str
    expected: str
    """"answer:<id>", "command:<name>", or "unclear" for a sentence that is not an answer."""
    question: str
    voice_half: str = ""
    """Said by the other half's voices ("tune" or "test"; "" for its own half's): the
    crossed trials that tell a gap in phrasing from a gap in voices."""


@dataclass(frozen=True)
class Task:
    """One item in one voice, heard in each of `conditions` (the clip is made once)."""

    item: Item
    voice: Voice
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    method: str
    item: Item
    voice: str
    condition: str
    meaning: str
    confidence: float
    latency: float
    cpu: float
    audio_seconds: float
    confirm_any_below: float = 0.0
    """The measured kiosk's own CONFIRM_ANY_BELOW (0 before it had one): an answer heard
    with less confidence is confirmed before it counts."""
    heard: str = ""
    """What the listener handed the dialog: "Utterance", "Unclear" or "Silence"."""
    noisy: bool = False
    """An Unclear that said the voice was lost in the room (the person is told to come
    closer; kiosks from before that never say so)."""
    checks_doubtful_dont_know: bool = False
    """The measured kiosk confirms a "don't know" heard in doubt (kiosks before stop 34
    took it unchecked)."""
    in_grammar: bool | None = None
    """The phrase is one whole spoken sentence of the measured kiosk's vocabulary (None:
    a kiosk from before sentences)."""


def load_corpus(lang: str) -> dict[str, Any]:
    corpus: dict[str, Any] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))[lang]
    return corpus


def items(corpus: dict[str, Any], half: str) -> list[Item]:
    found = []
    for key, phrases in corpus[half]["answers"].items():
        expected = key if key.startswith("command:") else f"answer:{key}"
        choice = key not in ("yes", "no", "dont_know") and not key.startswith("command:")
        question = CHOICE_QUESTION if choice else YES_NO_QUESTION
        found += [Item(half, str(p), expected, question) for p in phrases]
    found += [Item(half, str(p), "unclear", RED_FLAG) for p in corpus[half]["not_answers"]]
    for key, phrases in corpus[half].get("others", {}).items():
        question, answer = key.split(":")
        found += [Item(half, str(p), f"answer:{answer}", question) for p in phrases]
    return found


def elsewhere(item: Item) -> bool:
    """An answer to one of the other questions (onset, progression, walking, age)."""
    return item.question not in (YES_NO_QUESTION, CHOICE_QUESTION, RED_FLAG)


def voices(corpus: dict[str, Any], half: str, key: str = "voices") -> list[Voice]:
    return [Voice(**v) for v in corpus[half][key]]


def babble_tracks(corpus: dict[str, Any], half: str) -> list[bytes]:
    """A few tracks of three other talkers each, from this half's talkers and sentences."""
    talkers, sentences = voices(corpus, half, "babble_talkers"), corpus[half]["babble"]
    tracks = []
    for n in range(BABBLE_TRACKS):
        chosen = [talkers[(n + k) % len(talkers)] for k in range(3)]
        parts = [(v, sentences[k::3]) for k, v in enumerate(chosen)]
        tracks.append(babble(parts, BABBLE_SECONDS, seed=n))
    return tracks


# --- in each worker process ------------------------------------------------------------

_STATE: dict[str, Any] = {}
RENAMED = {"pack": "prompts", "vosk_engine": "asr", "sphinx_engine": "asr_sphinx"}
"""Modules whose flat name, before the layer subpackages (issue 19), was another word."""


def kiosk_module(name: str) -> Any:
    """A kiosk module by its name now ("kiosk.hearing.nbest"), or by its flat name in a
    previous revision from before the subpackages ("kiosk.nbest")."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        flat = name.rsplit(".", 1)[1]
        if name == "kiosk.dialog.table":
            flat = "dialog_table"
        return importlib.import_module("kiosk." + RENAMED.get(flat, flat))


def setup(
    lang: str,
    kiosk_root: str,
    babble_by_half: dict[str, list[bytes]],
    settings: tuple[str, ...] = (),
) -> None:
    """Load the kiosk found at `kiosk_root` (this checkout, or an older revision's), with
    `settings` ("kiosk.hearing.nbest.MIN_AGREED=0.5") changed, to try a threshold on the
    tuning half."""
    sys.path.insert(0, kiosk_root)
    for setting in settings:
        name, value = setting.split("=")
        module, constant = name.rsplit(".", 1)
        setattr(
            kiosk_module(module), constant, type(getattr(kiosk_module(module), constant))(value)
        )
    choose_engine = kiosk_module("kiosk.hearing.engines").choose_engine
    load_pack = kiosk_module("kiosk.language.pack").load_pack
    load_knowledge = kiosk_module("kiosk.triage.knowledge").load_knowledge

    knowledge = load_knowledge()
    pack = load_pack(lang, knowledge)
    _STATE.update(
        knowledge=knowledge,
        pack=pack,
        engine=choose_engine(pack, knowledge),
        babble=babble_by_half,
        reverb={h: load_corpus(lang)[h]["reverb"] for h in ("tune", "test")},
    )


def run_task(task: Task) -> list[Outcome]:
    clip = say(task.item.text, task.voice)
    return [_decide(task, clip, condition) for condition in task.conditions]


def heard_as(task: Task, clip: bytes, condition: str) -> bytes:
    """The audio of one trial: a lead-in, the answer and a tail, in the room (a noisy
    room goes on past the end of any turn)."""
    lead = bytes(int(SAMPLE_RATE * LEAD_IN) * 2)
    quiet = condition in ("clean", "reverb")
    tail = bytes(int(SAMPLE_RATE * (TAIL if quiet else NOISY_TAIL)) * 2)
    seed = zlib.crc32(repr((task, condition)).encode())
    half = task.item.half
    if condition == "reverb":
        return lead + reverberant(clip, **_STATE["reverb"][half]) + tail
    audio = lead + clip + tail
    if condition == "white 10":
        # the room is noisy before and after the answer too (as the tail once meant to be)
        return with_noise(audio, 10, seed, mean_power(clip))
    if condition.startswith("babble"):
        tracks = _STATE["babble"][half]
        track = tracks[seed % len(tracks)]
        start = (seed // 7) % max(1, len(track) - len(audio))
        start -= start % 2
        snr = float(condition.split()[1])
        return mixed(audio, track[start:], snr, active_power(clip))
    return audio


def _decide(task: Task, clip: bytes, condition: str) -> Outcome:
    ClipSource = kiosk_module("kiosk.hearing.audio").ClipSource
    table = kiosk_module("kiosk.dialog.table")

    audio = heard_as(task, clip, condition)
    expecting = _expectation(task.item.question)
    started = time.process_time()
    decision = _STATE["engine"].listener.decide(ClipSource([audio], lead_in=0.0), expecting)
    cpu = time.process_time() - started
    text = getattr(decision.heard, "text", "")
    meaning = _meaning(text, expecting) if text else "unclear"
    speech_end = LEAD_IN + len(clip) / 2 / SAMPLE_RATE
    return Outcome(
        "",
        task.item,
        task.voice.label,
        condition,
        meaning,
        float(getattr(decision.heard, "confidence", 0.0)),
        decision.decided_at - speech_end,
        cpu,
        decision.decided_at,
        getattr(table, "CONFIRM_ANY_BELOW", 0.0),
        type(decision.heard).__name__,
        bool(getattr(decision.heard, "noisy", False)),
        getattr(table, "CONFIRM_DONT_KNOW_IN_DOUBT", False),
        _in_grammar(task.item.text, expecting),
    )


def _in_grammar(text: str, expecting: Any) -> bool | None:
    vocabulary = kiosk_module("kiosk.language.vocabulary")
    if not hasattr(vocabulary, "sentence_meaning"):
        return None
    terms = vocabulary.vocabulary(_STATE["pack"], expecting)
    words = vocabulary.normalise(text)
    try:  # the question's own words around a choice count from stop 35 on
        meant = vocabulary.sentence_meaning(_STATE["pack"], words, terms, expecting.question)
    except TypeError:
        meant = vocabulary.sentence_meaning(_STATE["pack"], words, terms)
    parse = kiosk_module("kiosk.language.parse")
    if (
        meant is None
        and expecting.question.kind.name == "NUMBER"
        and hasattr(parse, "spoken_meaning")
    ):
        meant = parse.spoken_meaning(_STATE["pack"], text, expecting)  # "I'm seventy two"
        meant = None if type(meant).__name__ == "NotUnderstood" else meant
    return meant is not None


def _expectation(question_id: str) -> Any:
    QUESTION_COMMANDS = kiosk_module("kiosk.dialog.table").QUESTION_COMMANDS
    Expectation = kiosk_module("kiosk.hearing.grammar").Expectation
    guards_emergency = kiosk_module("kiosk.triage.rules").guards_emergency

    question = _STATE["knowledge"].questions[question_id]
    guarded = guards_emergency(_STATE["knowledge"], question)
    return Expectation(question, QUESTION_COMMANDS, False, guarded)


def _meaning(text: str, expecting: Any) -> str:
    parse = kiosk_module("kiosk.language.parse")
    Answer, Command, interpret_expected = parse.Answer, parse.Command, parse.interpret_expected

    meaning = interpret_expected(_STATE["pack"], text, expecting)
    if isinstance(meaning, Answer):
        return f"answer:{meaning.value}"
    if isinstance(meaning, Command):
        return f"command:{meaning.name}"
    return "unclear"


# --- the table ---------------------------------------------------------------------------

CONFIRM_BELOW = 0.9


def confirmed(o: Outcome) -> bool:
    """The dialog asks "Is that right?" before a doubtful red-flag answer counts, and
    before any answer heard in noise counts (kiosks from before that: red flags only),
    each kiosk by its own rule. It never checks a command, however unsure (the listener
    asks again instead when one would change something), so a command never counts as
    confirmed here; nor a "don't know", except one heard in doubt by a kiosk that checks
    those (CONFIRM_DONT_KNOW_IN_DOUBT)."""
    if not o.meaning.startswith("answer:"):
        return False
    if o.item.question == AGE_QUESTION:
        return True  # a spoken age is always checked ("I heard 49. Is that right?")
    if o.meaning == "answer:dont_know":
        return o.checks_doubtful_dont_know and o.confidence < o.confirm_any_below
    return (o.item.question == RED_FLAG and o.confidence < CONFIRM_BELOW) or (
        o.confidence < o.confirm_any_below
    )


def taken_wrongly(outcomes: list[Outcome]) -> list[Outcome]:
    """Answers heard as another meaning and counted without "Is that right?"."""
    return [
        o
        for o in outcomes
        if o.item.expected != "unclear"
        and o.meaning not in ("unclear", o.item.expected)
        and not confirmed(o)
    ]


def rows(outcomes: list[Outcome]) -> Iterator[tuple[str, str]]:
    answers = [o for o in outcomes if o.item.expected != "unclear"]
    for condition in CONDITIONS:
        group = [o for o in answers if o.condition == condition]
        right = sum(o.meaning == o.item.expected for o in group)
        yield f"answers right, {condition}", _share(right, len(group))
    for kind in ("yes/no", "choice", "command"):
        for condition in ("clean", "babble 15"):
            group = [o for o in answers if o.condition == condition and _kind(o.item) == kind]
            right = sum(o.meaning == o.item.expected for o in group)
            yield f"  ... {kind}, {condition}", _share(right, len(group))
    heard_right = [o for o in answers if o.meaning == o.item.expected]
    yield (
        "right answers confirmed first",
        _share(sum(map(confirmed, heard_right)), len(heard_right)),
    )
    taken = taken_wrongly(answers)
    yield "answer taken as another (all)", _share(len(taken), len(answers), 1)
    for condition in ("clean", "babble 15", "babble 21", "babble 10"):
        group = [o for o in answers if o.condition == condition]
        bad = [o for o in taken if o.condition == condition]
        yield f"  ... {condition}", _share(len(bad), len(group), 1)
    swaps = {("answer:yes", "answer:no"), ("answer:no", "answer:yes")}
    yield "yes<->no swaps", str(sum((o.item.expected, o.meaning) in swaps for o in taken))
    yield (
        "no taken as don't know",
        str(sum(o.item.expected == "answer:no" and o.meaning == "answer:dont_know" for o in taken)),
    )
    yield (
        "don't know taken as yes/no",
        str(
            sum(
                o.item.expected == "answer:dont_know" and o.meaning in ("answer:yes", "answer:no")
                for o in taken
            )
        ),
    )
    for condition in ("clean", "babble 15", "babble 10"):
        # asked again: told "it is noisy, come closer" (wrongly so in a quiet room), or
        # taken for silence ("take your time") though the person spoke
        again = [o for o in answers if o.condition == condition and o.meaning == "unclear"]
        closer = sum(o.noisy for o in again)
        silent = sum(o.heard == "Silence" for o in again)
        told = f"{_share(closer, len(again))} / {100 * silent / max(1, len(again)):.0f}%"
        yield f"asked again, {condition}: come closer / silence", told
    others = [o for o in outcomes if o.item.expected == "unclear"]
    for condition in NOT_ANSWER_CONDITIONS:
        group = [o for o in others if o.condition == condition]
        kept = sum(o.meaning == "unclear" for o in group)
        yield f"not-answers rejected, {condition}", _share(kept, len(group))
    latencies = [o.latency for o in answers if o.meaning == o.item.expected]
    yield "end of speech to decision, median", _seconds(latencies, 0.5)
    yield "  ... p95", _seconds(latencies, 0.95)
    cpu, audio = sum(o.cpu for o in outcomes), sum(o.audio_seconds for o in outcomes)
    yield "real-time factor (cpu s / audio s)", f"{cpu / max(audio, 1e-9):.3f}"


def _kind(item: Item) -> str:
    """What was said: a yes, no or don't know, a choice, or a command (the kiosk asks a
    choice it cannot make out one option at a time, as yes/no questions)."""
    if item.expected.startswith("command:"):
        return "command"
    yes_no = ("answer:yes", "answer:no", "answer:dont_know")
    return "yes/no" if item.expected in yes_no else "choice"


def other_rows(outcomes: list[Outcome]) -> Iterator[tuple[str, str]]:
    """Each other question, answers right in each room, and heard as another answer."""
    for question in dict.fromkeys(o.item.question for o in outcomes):
        asked = [o for o in outcomes if o.item.question == question]
        for condition in OTHER_CONDITIONS:
            group = [o for o in asked if o.condition == condition]
            right = sum(o.meaning == o.item.expected for o in group)
            yield f"{question}, {condition}", _share(right, len(group))
    wrong = [o for o in outcomes if o.meaning not in ("unclear", o.item.expected)]
    yield "heard as another answer (checked or not)", _share(len(wrong), len(outcomes), 1)


def _conditions(item: Item) -> tuple[str, ...]:
    if item.expected == "unclear":
        return NOT_ANSWER_CONDITIONS
    return OTHER_CONDITIONS if elsewhere(item) else CONDITIONS


def gap_rows(outcomes: list[Outcome]) -> Iterator[tuple[str, str]]:
    """Answers right in a clean room, each half's phrases in each half's voices: whether
    a gap between the halves lies in the phrasing or in the voices."""
    clean = [
        o
        for o in outcomes
        if o.condition == "clean" and o.item.expected != "unclear" and not elsewhere(o.item)
    ]
    for phrases in HALVES:
        for voiced in HALVES:
            group = [
                o
                for o in clean
                if o.item.half == phrases and (o.item.voice_half or o.item.half) == voiced
            ]
            right = sum(o.meaning == o.item.expected for o in group)
            yield f"{phrases} phrases, {voiced} voices", _share(right, len(group))
    for phrases in HALVES:
        said = {o.item.text: o.in_grammar for o in clean if o.item.half == phrases}
        outside = sum(inside is False for inside in said.values())
        yield f"{phrases} phrases not one spoken sentence", f"{outside} of {len(said)}"


def _share(count: int, total: int, digits: int = 0) -> str:
    return f"{100 * count / max(1, total):.{digits}f}% ({count}/{total})"


def _seconds(values: list[float], q: float) -> str:
    if not values:
        return "-"
    return f"{sorted(values)[int(q * (len(values) - 1))]:.2f} s"


def print_table(
    columns: dict[str, list[Outcome]],
    table: Callable[[list[Outcome]], Iterator[tuple[str, str]]] = rows,
) -> None:
    tables = {name: dict(table(found)) for name, found in columns.items()}
    keys = list(next(iter(tables.values())))
    width = max(len(k) for k in keys)
    print(f"  {'':{width}}  " + "  ".join(f"{name:>16}" for name in tables))
    for key in keys:
        print(f"  {key:{width}}  " + "  ".join(f"{t[key]:>16}" for t in tables.values()))


def print_misses(outcomes: list[Outcome]) -> None:
    misses = Counter(
        (o.item.text, o.item.expected, o.meaning)
        for o in outcomes
        if o.meaning != o.item.expected and not (o.item.expected == "unclear" and confirmed(o))
    )
    trials = Counter(o.item.text for o in outcomes)
    for (text, expected, meaning), count in sorted(misses.items(), key=lambda kv: -kv[1]):
        print(f"  miss {count}/{trials[text]}: {text!r} ({expected}) -> {meaning}")
    for o in taken_wrongly(outcomes):  # the most dangerous misses: no "Is that right?" stopped them
        print(
            f"  taken without confirming: {o.item.text!r} ({o.item.expected}) -> {o.meaning},"
            f" {o.voice}, {o.condition}, confidence {o.confidence:.2f}"
        )


# --- main ----------------------------------------------------------------------------


def checkout(revision: str) -> str:
    """A throw-away work tree of `revision` (the previous kiosk), removed at exit."""
    folder = tempfile.mkdtemp(prefix="kiosk-previous-")
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", folder, revision],
        check=True, capture_output=True,
    )  # fmt: skip
    return folder


def measure(
    lang: str,
    kiosk_root: str,
    tasks: list[Task],
    jobs: int,
    babbles: dict[str, list[bytes]],
    settings: tuple[str, ...] = (),
) -> list[Outcome]:
    context = get_context("spawn")  # each kiosk imported fresh, from its own folder
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=setup, initargs=(lang, kiosk_root, babbles, settings)
    ) as pool:
        return [o for batch in pool.map(run_task, tasks, chunksize=2) for o in batch]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lang", action="append", help="languages (default: en and ko)")
    parser.add_argument("--half", choices=("tune", "test"), action="append")
    parser.add_argument("--voices", type=int, default=99, help="voices per half (fewer: faster)")
    parser.add_argument("--previous", metavar="REV", help="also measure the kiosk at REV")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--misses", action="store_true", help="list wrong decisions per phrase")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="MODULE.NAME=VALUE",
        help="change a constant of this kiosk (to try a threshold on the tuning half)",
    )
    args = parser.parse_args()
    previous = checkout(args.previous) if args.previous else None
    try:
        for lang in args.lang or ["en", "ko"]:
            bench_language(lang, args, previous)
    finally:
        if previous:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "-f", previous])
    return 0


def bench_language(lang: str, args: argparse.Namespace, previous: str | None) -> None:
    corpus = load_corpus(lang)
    halves = args.half or ["tune", "test"]
    babbles = {h: babble_tracks(corpus, h) for h in halves}
    tasks = [
        Task(item, voice, _conditions(item))
        for half in halves
        for item in items(corpus, half)
        for voice in voices(corpus, half)[: args.voices]
    ]
    if len(halves) == 2:  # each half's answers in the other half's voices, clean
        tasks += [
            Task(replace(item, voice_half=other), voice, ("clean",))
            for half, other in zip(halves, reversed(halves), strict=True)
            for item in items(corpus, half)
            if item.expected != "unclear" and not elsewhere(item)
            for voice in voices(corpus, other)[: args.voices]
        ]
    kiosks = {"kiosk": str(ROOT)} | ({f"previous ({args.previous})": previous} if previous else {})
    results: dict[str, list[Outcome]] = {}
    for name, root in kiosks.items():
        started = time.perf_counter()
        settings = tuple(args.set) if root == str(ROOT) else ()
        found = measure(lang, root, tasks, args.jobs, babbles, settings)
        results[name] = [replace(o, method=name) for o in found]
        print(f"[{lang}] {name}: {len(found)} utterances in {time.perf_counter() - started:.0f} s")
    for half in halves:
        print(f"\n[{lang}] {half} half")
        own = {
            name: [
                o
                for o in found
                if o.item.half == half and not o.item.voice_half and not elsewhere(o.item)
            ]
            for name, found in results.items()
        }
        print_table(own)
        if args.misses:
            print_misses(own["kiosk"])
        others = {
            name: [o for o in found if o.item.half == half and elsewhere(o.item)]
            for name, found in results.items()
        }
        if any(others.values()):
            print(f"\n[{lang}] {half} half, the other questions: answers right")
            print_table(others, other_rows)
            if args.misses:
                print_misses(others["kiosk"])
    if len(halves) == 2:
        print(f"\n[{lang}] the gap between the halves, taken apart: answers right, clean")
        print_table(results, gap_rows)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\n  peak memory of one worker: {peak:.0f} MB\n")


if __name__ == "__main__":
    raise SystemExit(main())
