"""`kiosk --recognize FILE.wav --question ID`: what the kiosk would decide for one recording.

Staff use it to check a voice or a microphone recording; benchmarks and outside
evaluations use it to score recordings without driving a whole session. It prints one
JSON line. The decision is the one the dialog would get: an answer id, a command,
unclear or silence (a low confidence means a red-flag answer would be confirmed).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from kiosk.core.errors import KioskError
from kiosk.core.events import Heard, Silence, Utterance
from kiosk.dialog.table import CONFIRM_QUESTION, QUESTION_COMMANDS
from kiosk.hearing.audio import ClipSource
from kiosk.hearing.engines import Engine, EngineName, choose_engine
from kiosk.hearing.grammar import Expectation
from kiosk.hearing.level import levelled
from kiosk.hearing.recording import read_wav
from kiosk.language.pack import Pack
from kiosk.language.parse import Answer, Command, interpret_expected
from kiosk.triage.knowledge import Knowledge
from kiosk.triage.rules import guards_emergency


def expectation_for(knowledge: Knowledge, question_id: str) -> Expectation:
    """What the dialog expects while asking `question_id` ("confirm": the yes/no check)."""
    if question_id == CONFIRM_QUESTION:
        return Expectation(None, QUESTION_COMMANDS, yes_no=True, checking=True)
    question = knowledge.questions.get(question_id)
    if question is None:
        known = ", ".join([*knowledge.questions, CONFIRM_QUESTION])
        raise KioskError(f"unknown question '{question_id}'; known questions: {known}")
    return Expectation(question, QUESTION_COMMANDS, False, guards_emergency(knowledge, question))


def recognize(
    path: Path, question_id: str, expecting: Expectation, engine: Engine, pack: Pack
) -> dict[str, object]:
    """The decision for one recording, as the JSON object `--recognize` prints."""
    audio = levelled(read_wav(path))
    started = time.perf_counter()
    decision = engine.listener.decide(ClipSource([audio], lead_in=0.0), expecting)
    seconds = time.perf_counter() - started
    assert decision is not None, "nothing else can answer a recording"
    return {
        "file": str(path),
        "question": question_id,
        "engine": engine.name,
        **describe(decision.heard, pack, expecting),
        "seconds": round(seconds, 3),
    }


def describe(heard: Heard, pack: Pack, expecting: Expectation) -> dict[str, object]:
    """decision (answer, command, unclear or silence), its id, the words and confidence."""
    if isinstance(heard, Silence):
        return {"decision": "silence", "confidence": None}
    if not isinstance(heard, Utterance):
        return {"decision": "unclear", "confidence": None}
    meaning = interpret_expected(pack, heard.text, expecting)
    found: dict[str, object] = {"text": heard.text, "confidence": round(heard.confidence, 3)}
    if isinstance(meaning, Answer):
        return {"decision": "answer", "answer": meaning.value, **found}
    if isinstance(meaning, Command):
        return {"decision": "command", "command": meaning.name, **found}
    return {"decision": "unclear", **found}


def print_recognition(
    paths: list[Path],
    question_id: str,
    knowledge: Knowledge,
    pack: Pack,
    engine_name: EngineName | None,
    vosk_model: Path | None,
) -> int:
    """Print one JSON line per recording, deciding them one after another as turns of a
    session (the engine loads once). A file that cannot be read gets an error line and
    the rest go on; a bad question or engine fails them all. Exit 2 after any error."""
    try:
        expecting = expectation_for(knowledge, question_id)
        engine = choose_engine(pack, knowledge, engine_name, vosk_model)
    except KioskError as exc:
        for path in paths:
            print(json.dumps({"file": str(path), "error": str(exc)}, ensure_ascii=False))
        return 2
    status = 0
    for path in paths:
        try:
            result = recognize(path, question_id, expecting, engine, pack)
        except KioskError as exc:
            result, status = {"file": str(path), "error": str(exc)}, 2
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return status
