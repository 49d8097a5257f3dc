"""Choosing and building voice mode, or saying exactly why it is not available."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kiosk.config.speech import Device, SpeechSettings, device
from kiosk.core.errors import KioskError
from kiosk.core.events import Output
from kiosk.dialog.machine import Dialog
from kiosk.frontends.inbox import Inbox
from kiosk.hearing.audio import AudioSource, ClipSource, Microphone
from kiosk.hearing.engines import EngineName
from kiosk.hearing.level import LevelledSource, levelled
from kiosk.hearing.recording import read_wav
from kiosk.hearing.turn import Endpointing
from kiosk.language.pack import Pack
from kiosk.speaking.barge_in import BargeIn, PrimedSource
from kiosk.triage.knowledge import Knowledge

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceOptions:
    """What voice mode needs beyond the dialog: how it speaks, and what it listens to."""

    speech: SpeechSettings = field(default_factory=SpeechSettings)
    """How the kiosk speaks (`Settings.speech`)."""
    model: Path | None = None
    """A Vosk model folder; None: look in models/ and in installed model packages."""
    input_device: Device = None
    """A sounddevice input device (index or name); None: the system default."""
    wav_answers: tuple[Path, ...] = ()
    """Recorded answers to play instead of a microphone, one per question."""
    sessions: int | None = None
    """Stop after this many sessions (None: run until stopped)."""
    no_speech: float = 12.0
    """Seconds without any speech before a turn counts as silence."""
    engine: EngineName | None = None
    """Force a recognizer; None: Vosk if a model is there, else PocketSphinx for English."""
    barge_in: bool = True
    """A person's voice (not the kiosk's own echo) stops the kiosk talking."""


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
    from kiosk.frontends.inbox import read_keys
    from kiosk.frontends.voice import VoiceFrontEnd
    from kiosk.hearing.engines import choose_engine
    from kiosk.speaking.speaker import open_speaker

    try:
        engine = choose_engine(
            pack, knowledge, options.engine, options.model, Endpointing(no_speech=options.no_speech)
        )
        source, microphone = _source(options)
    except KioskError as exc:
        _unavailable(str(exc))
        return None
    if engine.missing_words:
        print(f"kiosk: these answer words are not known to {engine.name} and cannot be "
              f"heard: {', '.join(engine.missing_words)}", file=sys.stderr)  # fmt: skip
    print(f"kiosk: voice mode with {engine.why}", file=sys.stderr)
    listener = engine.listener
    speech = options.speech
    speaker = open_speaker(speech)
    barge_in = (
        BargeIn(microphone, speaker.played, sound=speaker.played_sound)
        if microphone and options.barge_in
        else None
    )
    inbox = inbox or Inbox()
    if keys is not None and not options.wav_answers:
        read_keys(keys, inbox)
    front = VoiceFrontEnd(
        make_dialog, listener, source, speaker, out, inbox, on_listening,
        barge_in=barge_in, private=speaker.set_private(speech.private) and speech.private,
    )  # fmt: skip
    try:
        return front.run(options.sessions, start_at_once=bool(options.wav_answers))
    finally:
        speaker.close()
        source.close()


def _source(options: VoiceOptions) -> tuple[AudioSource, PrimedSource | None]:
    """What the listener hears, and the microphone a barge-in reads (None for clips)."""
    if options.wav_answers:
        return ClipSource([levelled(read_wav(p)) for p in options.wav_answers]), None
    microphone = Microphone(device(options.input_device))
    microphone.check()
    primed = PrimedSource(microphone)
    return LevelledSource(primed), primed


def _unavailable(why: str) -> None:
    print(f"kiosk: voice mode is not available: {why}. Continuing in text mode.", file=sys.stderr)
