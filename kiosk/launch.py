"""Choosing and building voice mode, or saying exactly why it is not available."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kiosk.audio import AudioSource, ClipSource, Microphone
from kiosk.dialog import Dialog
from kiosk.engines import EngineName
from kiosk.errors import KioskError
from kiosk.events import Output
from kiosk.inbox import Inbox
from kiosk.knowledge import Knowledge
from kiosk.level import LevelledSource, levelled
from kiosk.prompts import Pack
from kiosk.recording import read_wav
from kiosk.turn import Endpointing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceOptions:
    model: Path | None = None
    """A Vosk model folder; None: look in models/ and in installed model packages."""
    input_device: str | None = None
    """A sounddevice input device (index or name); None: the system default."""
    wav_answers: tuple[Path, ...] = ()
    """Recorded answers to play instead of a microphone, one per question."""
    voice: str | None = None
    """The speech engine's voice; None: the espeak-ng voice named like the pack's language."""
    sessions: int | None = None
    """Stop after this many sessions (None: run until stopped)."""
    no_speech: float = 12.0
    """Seconds without any speech before a turn counts as silence."""
    words_per_minute: int = 150
    """The speech rate each new person starts at."""
    volume: float = 0.7
    """The volume (0-1) each new person starts at."""
    engine: EngineName | None = None
    """Force a recognizer; None: Vosk if a model is there, else PocketSphinx for English."""


def run_voice(
    options: VoiceOptions,
    knowledge: Knowledge,
    pack: Pack,
    make_dialog: Callable[[Callable[[Output], None]], Dialog],
    out: TextIO = sys.stdout,
    keys: TextIO | None = sys.stdin,
    inbox: Inbox | None = None,
    on_listening: Callable[[bool], None] | None = None,
) -> int | None:
    """Run voice mode; None (after saying why, on stderr) when it cannot start.

    Lines typed on `keys` (1 yes, 2 no, 3 don't know, or a command) answer too, in the
    same session, for anyone whose speech the kiosk does not understand. The screen
    passes its own `inbox` (touches answer too) and is told when the kiosk listens."""
    from kiosk.engines import choose_engine
    from kiosk.inbox import read_keys
    from kiosk.tts import Pyttsx3Speaker, VoiceSettings
    from kiosk.voice import VoiceFrontEnd

    try:
        engine = choose_engine(
            pack, knowledge, options.engine, options.model, Endpointing(no_speech=options.no_speech)
        )
        source = _source(options)
    except KioskError as exc:
        _unavailable(str(exc))
        return None
    if engine.missing_words:
        print(f"kiosk: these answer words are not known to {engine.name} and cannot be "
              f"heard: {', '.join(engine.missing_words)}", file=sys.stderr)  # fmt: skip
    print(f"kiosk: voice mode with {engine.why}", file=sys.stderr)
    listener = engine.listener
    speaker = Pyttsx3Speaker(
        VoiceSettings(options.voice or pack.language, options.words_per_minute, options.volume)
    )
    inbox = inbox or Inbox()
    if keys is not None and not options.wav_answers:
        read_keys(keys, inbox)
    front = VoiceFrontEnd(make_dialog, listener, source, speaker, out, inbox, on_listening)
    try:
        return front.run(options.sessions, start_at_once=bool(options.wav_answers))
    finally:
        speaker.close()
        source.close()


def _source(options: VoiceOptions) -> AudioSource:
    if options.wav_answers:
        return ClipSource([levelled(read_wav(p)) for p in options.wav_answers])
    device: int | str | None = options.input_device
    if isinstance(device, str) and device.isdigit():
        device = int(device)
    microphone = Microphone(device)
    microphone.check()
    return LevelledSource(microphone)


def _unavailable(why: str) -> None:
    print(f"kiosk: voice mode is not available: {why}. Continuing in text mode.", file=sys.stderr)
