"""Voice mode: the same dialog, with a listener for ears and a speaker for a mouth.

Every line is captioned on screen and spoken; the kiosk listens only after it has
finished speaking, with the grammar of whatever the dialog now expects. Keys (and any
other input posting to the inbox) are read at the same time: whichever answers first
counts, and listening stops at once. A key, a touch, or (with a `BargeIn` detector) the
person's voice while the kiosk is still talking silences the line at once and skips the
rest of its talking, so the kiosk listens straight away; the first emergency guidance of
a session is the exception, always heard in full (EN 301 549 5.1.3.5).

When the microphone stops working the kiosk says so, goes on with keys only, and
tries to open the device again every few seconds; once it is back it says so and
listens again. The session carries on throughout: nothing answered is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TextIO

from kiosk.core.errors import AudioDeviceError
from kiosk.core.events import Ask, End, Heard, Output, Say, SayKind, Utterance, Voice
from kiosk.core.meaning import Command
from kiosk.dialog.machine import Dialog
from kiosk.frontends.console import InteractiveConsole
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.session_loop import MakeDialog, SessionLoop
from kiosk.hearing.audio import AudioSource
from kiosk.hearing.engines import Listener
from kiosk.language.vocabulary import normalise
from kiosk.speaking.barge_in import BargeIn
from kiosk.speaking.tts import Speaker

log = logging.getLogger(__name__)

POLL_SECONDS = 0.01
"""How often a line being spoken checks for a key, a touch or a voice."""
HEADPHONES_KEY = "h"
"""Typed on the kiosk's keys: private listening on or off."""
HEADPHONES = "headphones"
"""The command (the command table's) that does the same by voice, word or touch."""
ECHO_TAIL = 0.25
"""Seconds the microphone stays shut after the kiosk's last sound has left the
loudspeaker: the room (or a sound server's loopback) brings the end of a line or of the
listening tone back that much later, and a recognizer without an unknown word
(PocketSphinx) fits such a tail onto an answer. A person rarely starts this soon."""
WATCHDOG_BASE, WATCHDOG_PER_CHARACTER = 5.0, 0.2
"""A line still playing after this long (seconds, plus per character) is stopped: a
stuck sound device must not hold the kiosk up (150 words a minute is ~0.07 s a
character, the slowest rate about twice that)."""


class VoiceFrontEnd:
    """Runs sessions by voice; `sessions` limits how many (None: until stopped)."""

    def __init__(
        self,
        make_dialog: MakeDialog,
        listener: Listener,
        source: AudioSource,
        speaker: Speaker,
        captions: TextIO,
        inbox: Inbox | None = None,
        on_listening: Callable[[bool], None] | None = None,
        reopen_every: float = 3.0,
        barge_in: BargeIn | None = None,
        private: bool = False,
    ) -> None:
        self.listener = listener
        self.source = source
        self.speaker = speaker
        self.captions = InteractiveConsole(captions, captions)
        self.inbox = inbox or Inbox()
        self.on_listening = on_listening or (lambda on: None)
        """Told when the microphone opens and closes (the screen shows it)."""
        self.pending: list[Output] = []
        self.reopen_every = reopen_every
        """Seconds between tries to open the microphone again after it failed."""
        self.microphone_lost = False
        self.barge_in = barge_in
        """Listens while the kiosk talks for a voice that is not its own echo."""
        self.voice_interrupted = False
        """A voice cut the kiosk short: skip its talking until the microphone opens."""
        self.guidance_given = False
        """This session's first emergency guidance has been heard in full."""
        self.private_default = private
        self.private = private
        """Speaking through the headphones (set back to `private_default` for each person)."""
        self.loop = SessionLoop(make_dialog, self.pending.append)
        self._headphones_words = {normalise(p) for p in self.dialog.pack.commands[HEADPHONES]}

    @property
    def dialog(self) -> Dialog:
        return self.loop.dialog

    def run(self, sessions: int | None = None, start_at_once: bool = False) -> int:
        """Sessions until `sessions` have ended; on `Stopping` (a signal), silence, hand
        over what the person answered (marked incomplete), and let it go on up."""
        failures = self.loop.run(self._next_heard, sessions, start_at_once, self._fall_silent)
        self._flush()  # the last goodbye
        return 1 if failures else 0

    def _fall_silent(self) -> None:
        self.speaker.stop()
        if self.barge_in is not None:
            self.barge_in.end()

    def _next_heard(self) -> Heard | None:
        """Say what is waiting, then take a key or touch already waiting, else listen
        until one arrives; None when nothing came or it was the headphones."""
        self._flush()  # and lines another thread added meanwhile (the desk's ack; Inbox.nudge)
        heard = self._take_or_listen()
        if heard is None or self._headphones(heard):
            return None
        log.info("heard %s", type(heard).__name__)  # never the words: they are private
        return heard

    def _take_or_listen(self) -> Heard | None:
        """A key or touch already waiting, else the microphone until one arrives."""
        asking = self.dialog.asking
        heard = self.inbox.take(asking)
        if heard is not None:
            return heard
        if self.microphone_lost:
            return self._keys_only(asking)
        self._listening(True)
        try:
            heard = self.listener.listen(self.source, self.dialog.expecting, self.inbox.waiting)
        except AudioDeviceError as exc:
            self._lose_microphone(exc)
            return None
        finally:
            self._listening(False)
        return heard if heard is not None else self.inbox.take(asking)

    def _headphones(self, heard: Heard) -> bool:
        """The headphones key, the screen's headphones button or the spoken command
        switches between private listening and the room; the dialog never hears it."""
        if not (isinstance(heard, Utterance) and self._asks_for_headphones(heard)):
            return False
        private = not self.private
        if self.speaker.set_private(private):
            self.private = private
            self._tell("headphones_on" if private else "headphones_off", "info")
        else:
            self._tell("no_headphones")
        return True

    def _asks_for_headphones(self, heard: Utterance) -> bool:
        if heard.meaning is not None:  # heard by the recognizer, already understood
            return heard.meaning == Command(HEADPHONES)
        words = normalise(heard.text)
        return words == (HEADPHONES_KEY,) or words in self._headphones_words

    def _listening(self, on: bool) -> None:
        """Tell the screen, and sound the earcon (the opening one before the microphone
        opens, so the listener does not hear it)."""
        self.guidance_given = self.guidance_given or self._said_emergency
        self.voice_interrupted = False
        self.speaker.earcon("listening" if on else "done")
        if on:
            self.speaker.wait(1.0)
            self._let_echo_die()
        self.on_listening(on)

    def _let_echo_die(self) -> None:
        """Keep the microphone shut for ECHO_TAIL after a loudspeaker played sound."""
        played = getattr(self.speaker, "played", None)  # only a real loudspeaker has it
        if played is None:
            return
        sounded = [at for at, level in played(time.monotonic() - 1.0) if level > 0]
        if sounded:
            time.sleep(max(0.0, sounded[-1] + ECHO_TAIL - time.monotonic()))

    def _keys_only(self, asking: str | None) -> Heard | None:
        """Wait for a key; between waits, try the microphone again."""
        heard = self.inbox.take(asking, timeout=self.reopen_every)
        if heard is None:
            self._try_microphone()
        return heard

    def _lose_microphone(self, error: AudioDeviceError) -> None:
        log.error("microphone lost (%s); keys only until it is back", error)
        self.microphone_lost = True
        self._tell("microphone_lost")

    def _try_microphone(self) -> None:
        try:
            self.source.reopen()
        except AudioDeviceError as exc:
            log.info("microphone still unavailable: %s", exc)
            return
        self.microphone_lost = False
        self._tell("microphone_back")

    def _tell(self, message: str, kind: SayKind = "error") -> None:
        """Say what happened to a device, then the question again."""
        self.dialog.emit_line(Say(self.dialog.pack.say(message), kind))
        self.dialog.prompt_again()
        self._flush()

    def _flush(self) -> None:
        while self.pending:
            output = self.pending.pop(0)
            self.captions.show(output)
            if isinstance(output, Say | Ask) and not self._answered_already(output):
                self._speak(output)
            elif isinstance(output, Voice):
                self.speaker.set_voice(output.rate, output.volume)
            elif isinstance(output, End):
                self._next_person()

    def _next_person(self) -> None:
        """A session has been said to its end: the next person starts on the default output."""
        self.guidance_given = self._said_emergency = False
        if self.private != self.private_default and self.speaker.set_private(self.private_default):
            self.private = self.private_default

    _said_emergency = False
    """Emergency guidance has been spoken this session (it is given once the kiosk listens)."""

    def _speak(self, output: Say | Ask) -> None:
        """Speak a line, cut short by a key, a touch or a voice unless it is protected."""
        protected = self._protected(output)
        self._said_emergency = self._said_emergency or protected
        deadline = time.monotonic() + WATCHDOG_BASE + WATCHDOG_PER_CHARACTER * len(output.text)
        self.speaker.start(output.text)
        if self.barge_in is not None and not protected:
            self.barge_in.begin()
        try:
            while not self.speaker.wait(POLL_SECONDS):
                if not protected and self._interrupted():
                    self.speaker.stop()
                    return
                if time.monotonic() > deadline:
                    log.error("a line took too long to speak; stopped (captions go on)")
                    self.speaker.stop()
                    return
        finally:
            if self.barge_in is not None:
                self.barge_in.end()

    def _interrupted(self) -> bool:
        """A key or touch that counts now, or a voice that is not the kiosk's own."""
        if self.barge_in is not None and self.barge_in.heard():
            log.info("barge-in by voice")
            self.voice_interrupted = True
        return self.voice_interrupted or self.inbox.waiting_for(self.dialog.asking)

    def _protected(self, output: Say | Ask) -> bool:
        """The first emergency guidance of a session is heard in full."""
        return isinstance(output, Say) and output.kind == "emergency" and not self.guidance_given

    def _answered_already(self, output: Say | Ask) -> bool:
        """An answer is waiting (a key or a touch) or a voice interrupted: stop speaking,
        except the first emergency guidance. The lines stay on screen as captions."""
        if self._protected(output):
            return False
        return self.voice_interrupted or self.inbox.waiting_for(self.dialog.asking)
