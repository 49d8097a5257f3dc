"""Property-based tests: whatever arrives, the kiosk answers sensibly or refuses clearly.

Arbitrary text (control characters, huge lines, undecodable bytes) goes into the
interactive and JSON-lines front ends: no exception ever reaches the session loop's
apology, and the JSON-lines output stays valid protocol. Arbitrary YAML goes into the
pack and knowledge loaders: they load or raise a `DataFileError` naming the file.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.core.errors import DataFileError
from kiosk.core.events import Output
from kiosk.dialog.machine import Dialog
from kiosk.frontends.console import run_interactive, run_jsonl
from kiosk.hearing.grammar import Expectation
from kiosk.language.pack import DEFAULT_PROMPTS_DIR, Pack, load_pack
from kiosk.language.parse import LONGEST_NUMBER, Answer, OutOfRange, interpret_expected
from kiosk.triage.knowledge import (
    DEFAULT_KNOWLEDGE,
    DONT_KNOW,
    NO,
    Kind,
    Knowledge,
    load_knowledge,
)

FAST = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

WORDS = st.sampled_from(
    ["", "yes", "no", "1", "2", "3", "go back", "repeat", "stop", "done", "help", "louder",
     "42", "٤٢", "²", "9" * 5000, "both legs", "I don't know", "start", "slower"]
)  # fmt: skip
"""Real answers and known-awkward ones, mixed into the noise so sessions get deep."""
NOISE = st.text(st.characters(codec="utf-8"), max_size=200)
CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=31), max_size=20)
HUGE = st.builds(lambda word, n: (word + " ") * n, WORDS, st.integers(100, 5000))
QUESTIONS = sorted(load_knowledge().questions)
LINE = st.one_of(WORDS, WORDS, WORDS, NOISE, CONTROL, HUGE, st.binary(max_size=12))
SESSION = st.builds(
    lambda depth, lines: ["", *["no"] * depth, *lines],
    st.integers(0, 14),
    st.lists(LINE, max_size=40),
)
"""Enter, some plain answers to get deep into the questions, then anything at all."""


def _lines_as_bytes(lines: list[str | bytes]) -> bytes:
    """The lines as a terminal would send them; bytes lines may be undecodable."""
    return b"".join(
        (line if isinstance(line, bytes) else line.encode("utf-8")).replace(b"\n", b" ") + b"\n"
        for line in lines
    )


def _stdin(raw: bytes) -> io.TextIOWrapper:
    """Standard input decoded as the kiosk decodes it (see `reconfigure_stdio`)."""
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace")


def _factory(knowledge: Knowledge, pack: Pack) -> Callable[[Callable[[Output], None]], Dialog]:
    return lambda emit: Dialog(knowledge, pack, emit, lambda summary: True)


@FAST
@given(lines=SESSION)
def test_any_typed_text_gets_an_answer_never_an_apology(
    knowledge: Knowledge, pack: Pack, lines: list[str | bytes]
) -> None:
    stdout = io.StringIO()
    code = run_interactive(_factory(knowledge, pack), _stdin(_lines_as_bytes(lines)), stdout)
    assert code == 0
    assert pack.say("sorry_error") not in stdout.getvalue(), "an exception reached the session loop"


@FAST
@given(lines=SESSION)
def test_any_text_on_json_lines_keeps_the_protocol(
    knowledge: Knowledge, pack: Pack, lines: list[str | bytes]
) -> None:
    stdout = io.StringIO()
    code = run_jsonl(_factory(knowledge, pack), _stdin(_lines_as_bytes(lines[1:])), stdout)
    events = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert code == 0, "an exception reached the session loop"
    assert events[-1] == {"event": "end"}
    assert {e["event"] for e in events} <= {"say", "ask", "result", "end"}
    assert all(e.get("kind") != "error" or e["text"] != pack.say("sorry_error") for e in events)


# -- loaders -----------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def _real(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _replace_somewhere(data: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """The real file with one entry, somewhere down a random path, replaced or deleted."""
    if not isinstance(data, dict | list) or not data or draw(st.integers(0, 3)) == 0:
        return draw(VALUES)
    keys = list(data) if isinstance(data, dict) else list(range(len(data)))
    key = draw(st.sampled_from(keys))
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    if draw(st.integers(0, 5)) == 0:
        del copy[key]
    else:
        copy[key] = _replace_somewhere(data[key], draw)
    return copy


def _document(draw: Callable[[st.SearchStrategy[Any]], Any], real: Any) -> bytes:
    choice = draw(st.integers(0, 4))
    if choice == 0:
        return draw(st.binary(max_size=300))
    if choice == 1:
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    if choice == 2:
        return yaml.safe_dump(draw(VALUES), allow_unicode=True).encode("utf-8")
    return yaml.safe_dump(_replace_somewhere(real, draw), allow_unicode=True).encode("utf-8")


REAL_PACK = _real(DEFAULT_PROMPTS_DIR / "en.yaml")
REAL_KNOWLEDGE = _real(DEFAULT_KNOWLEDGE)


@FAST
@given(data=st.data())
def test_any_pack_file_loads_or_is_refused_by_name(
    knowledge: Knowledge, tmp_path_factory: Any, data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("prompts")
    (folder / "en.yaml").write_bytes(_document(data.draw, REAL_PACK))
    try:
        load_pack("en", knowledge, folder)
    except DataFileError as exc:
        assert str(folder / "en.yaml") in str(exc) and exc.problem


@FAST
@given(data=st.data())
def test_any_knowledge_file_loads_or_is_refused_by_name(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("knowledge") / "knowledge.yaml"
    path.write_bytes(_document(data.draw, REAL_KNOWLEDGE))
    try:
        load_knowledge(path)
    except DataFileError as exc:
        assert str(path) in str(exc) and exc.problem


def test_a_pack_of_undecodable_bytes_is_refused_by_name(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    (tmp_path / "en.yaml").write_bytes(b"language: en\nname: \xff\xfe\n")
    try:
        load_pack("en", knowledge, tmp_path)
    except DataFileError as exc:
        assert "not UTF-8" in str(exc) and str(tmp_path / "en.yaml") in str(exc)
    else:
        raise AssertionError("a pack that is not UTF-8 was accepted")


def test_a_knowledge_file_that_refers_to_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "knowledge.yaml"
    path.write_text("causes: &loop\n  - *loop\n", encoding="utf-8")
    try:
        load_knowledge(path)
    except DataFileError as exc:
        assert str(path) in str(exc)
    else:
        raise AssertionError("a self-referring knowledge file was accepted")


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(NOISE, CONTROL, HUGE, WORDS), question=st.sampled_from(QUESTIONS))
@example(text="nope", question="function_now")  # followed up: with support, or not at all?
@example(text="yes", question="onset")  # says nothing there
def test_any_text_at_any_question_means_an_allowed_answer_or_nothing(
    knowledge: Knowledge, pack: Pack, text: str, question: str
) -> None:
    asked = knowledge.questions[question]
    meaning = interpret_expected(pack, text, Expectation(asked, ("repeat",)))
    follows_up = meaning == Answer(NO) and pack.questions[question].if_no is not None
    if isinstance(meaning, Answer) and meaning.value != DONT_KNOW and not follows_up:
        assert asked.option_of(meaning.value) is not None, (text[:200], meaning)
    if isinstance(meaning, OutOfRange):
        assert asked.kind is Kind.NUMBER and len(str(meaning.number)) <= LONGEST_NUMBER
