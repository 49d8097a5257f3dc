"""Which recognizer listens, and why: Vosk first, Whisper or PocketSphinx for English.

Order unless one is forced with --engine: a Vosk model for the language (models/ or an
installed model package) -> for English, Whisper tiny.en with PocketSphinx finding the
turn (when CTranslate2 and the weights are installed) -> PocketSphinx alone (its model
ships inside the pocketsphinx wheel) -> none, and the kiosk says why and carries on in
text mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from kiosk.core.errors import ModelNotFoundError
from kiosk.core.events import Heard
from kiosk.dialog.table import IDLE_COMMANDS, RESULT_COMMANDS
from kiosk.hearing.audio import AudioSource
from kiosk.hearing.grammar import Expectation, answer_so_far, grammar_words
from kiosk.hearing.models import (
    find_vosk_model,
    find_whisper_model,
    how_to_get,
    how_to_get_whisper,
)
from kiosk.hearing.turn import Endpointing
from kiosk.hearing.turn_loop import DecidingListener
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Knowledge

EngineName = Literal["vosk", "whisper", "pocketsphinx"]
ENGINES: tuple[EngineName, ...] = ("vosk", "whisper", "pocketsphinx")
SPHINX_LANGUAGES = ("en",)


class Listener(Protocol):
    """Hears one turn of a person's speech: what the voice front end listens with."""

    def listen(
        self, source: AudioSource, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        """One turn's event; None as soon as `interrupted()` is true."""
        ...


@dataclass(frozen=True)
class Engine:
    """A ready listener and one sentence saying which engine it is and why."""

    name: EngineName
    listener: DecidingListener
    why: str
    missing_words: tuple[str, ...]
    """Grammar words this engine cannot recognise (named at start-up)."""


def choose_engine(
    pack: Pack,
    knowledge: Knowledge,
    forced: EngineName | None = None,
    vosk_model: Path | None = None,
    endpointing: Endpointing = Endpointing(),  # noqa: B008 (frozen)
) -> Engine:
    """The engine to listen with; ModelNotFoundError says what is missing and how to get it."""
    language = pack.language
    folder = vosk_model or find_vosk_model(language)
    if forced == "vosk" or (forced is None and folder is not None):
        if folder is None:
            raise ModelNotFoundError(f"no Vosk model for '{language}'; {how_to_get(language)}")
        return _vosk(folder, pack, knowledge, endpointing, forced is not None)
    if language not in SPHINX_LANGUAGES:
        if forced in ("pocketsphinx", "whisper"):
            raise ModelNotFoundError(f"{forced} has no model for '{language}' (English only)")
        raise ModelNotFoundError(f"no Vosk model for '{language}'; {how_to_get(language)}")
    if forced == "whisper" or (forced is None and find_whisper_model() is not None):
        return _whisper(pack, knowledge, endpointing, forced is not None)
    return _sphinx(pack, knowledge, endpointing, forced is not None)


def every_grammar_word(pack: Pack, knowledge: Knowledge) -> list[str]:
    commands = (*RESULT_COMMANDS, *IDLE_COMMANDS)
    return grammar_words(pack, [Expectation(q, commands) for q in knowledge.questions.values()])


def _vosk(
    folder: Path, pack: Pack, knowledge: Knowledge, endpointing: Endpointing, forced: bool
) -> Engine:
    from kiosk.hearing.vosk_engine import VoskListener, load_vosk_model, missing_words

    model = load_vosk_model(folder)
    missing = missing_words(model, every_grammar_word(pack, knowledge))
    listener = VoskListener(model, pack, lambda t, e: answer_so_far(pack, t, e), endpointing)
    why = "as asked" if forced else f"a Vosk model for '{pack.language}' is installed"
    return Engine("vosk", listener, f"Vosk with the model at {folder} ({why})", tuple(missing))


def _whisper(pack: Pack, knowledge: Knowledge, endpointing: Endpointing, forced: bool) -> Engine:
    from kiosk.hearing.whisper_engine import WhisperListener
    from kiosk.hearing.whisper_reader import WhisperReader

    folder = find_whisper_model()
    if folder is None:
        raise ModelNotFoundError(f"no Whisper model; {how_to_get_whisper()}")
    reader = WhisperReader(folder)
    streaming, judge, _ = _sphinx_decoders(pack, knowledge)
    listener = WhisperListener(
        streaming, judge, reader, pack, lambda t, e: answer_so_far(pack, t, e), endpointing
    )
    why = "as asked" if forced else f"no Vosk model for '{pack.language}' is installed"
    return Engine("whisper", listener, f"Whisper tiny.en at {folder} ({why})", ())


def _sphinx(pack: Pack, knowledge: Knowledge, endpointing: Endpointing, forced: bool) -> Engine:
    from kiosk.hearing.sphinx_engine import SphinxListener

    streaming, judge, missing = _sphinx_decoders(pack, knowledge)
    listener = SphinxListener(
        streaming, judge, pack, lambda t, e: answer_so_far(pack, t, e), endpointing
    )
    why = (
        "as asked"
        if forced
        else f"no Vosk model for '{pack.language}' is installed; {how_to_get(pack.language)}"
    )
    return Engine(
        "pocketsphinx", listener, f"PocketSphinx, the English fallback ({why})", tuple(missing)
    )


def _sphinx_decoders(pack: Pack, knowledge: Knowledge) -> tuple[Any, Any, list[str]]:
    """PocketSphinx's streaming decoder and judge, taught the pack's spellings, and the
    grammar words it still cannot pronounce."""
    from kiosk.hearing.sphinx_engine import add_spellings, load_sphinx

    streaming, judge = load_sphinx("live"), load_sphinx("batch")
    words = every_grammar_word(pack, knowledge)
    missing = add_spellings(streaming, words)
    add_spellings(judge, words)
    return streaming, judge, missing
