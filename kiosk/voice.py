"""Voice mode: the same dialog, with a listener for ears and a speaker for a mouth.

Every line is captioned on screen and spoken; the kiosk listens only after it has
finished speaking, with the grammar of whatever the dialog now expects. Keys (and any
other input posting to the inbox) are read at the same time: whichever answers first
counts, and listening stops at once. An answer given while the kiosk is still talking
cuts the rest of its talking short (emergency advice excepted).

When the microphone stops working the kiosk says so, goes on with keys only, and
tries to open the device again every few seconds; once it is back it says so and
listens again. The session carries on throughout: nothing answered is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, TextIO

from kiosk.audio import AudioSource
from kiosk.console import InteractiveConsole
from kiosk.dialog import Dialog
from kiosk.errors import AudioDeviceError
from kiosk.events import Ask, End, Heard, Output, Say, Start, Voice
from kiosk.grammar import Expectation
from kiosk.inbox import Inbox
from kiosk.session import drive
from kiosk.tts import Speaker

log = logging.getLogger(__name__)


class Listener(Protocol):
    def listen(
        self, source: AudioSource, expecting: Expectation, interrupted: Callable[[], bool]
    ) -> Heard | None:
        """One turn's event; None as soon as `interrupted()` is true."""
        ...


class VoiceFrontEnd:
    """Runs sessions by voice; `sessions` limits how many (None: until stopped)."""

    def __init__(
        self,
        make_dialog: Callable[[Callable[[Output], None]], Dialog],
        listener: Listener,
        source: AudioSource,
        speaker: Speaker,
        captions: TextIO,
        inbox: Inbox | None = None,
        on_listening: Callable[[bool], None] | None = None,
        reopen_every: float = 3.0,
    ) -> None:
        self.listener = listener
        self.source = source
        self.speaker = speaker
        self.captions = InteractiveConsole(captions, captions)
        self.inbox = inbox or Inbox()
        self.on_listening = on_listening or (lambda on: None)
        """Told when the microphone opens and closes (the screen shows it)."""
        self.pending: list[Output] = []
        self.finished_sessions = 0
        self.reopen_every = reopen_every
        """Seconds between tries to open the microphone again after it failed."""
        self.microphone_lost = False
        self._greeted_at = 0
        """Sessions finished when the idle greeting was last given (once per person)."""
        self.dialog = make_dialog(self.pending.append)

    def run(self, sessions: int | None = None, start_at_once: bool = False) -> int:
        if start_at_once:
            drive(self.dialog, [Start()])
        else:
            self.dialog.greet()
        self._flush()
        failures = 0
        while sessions is None or self.finished_sessions < sessions:
            self._flush()  # lines another thread added meanwhile (the desk's ack; Inbox.nudge)
            heard = self._next_heard()
            if heard is None:
                continue
            log.info("heard %s", type(heard).__name__)  # never the words: they are private
            failures += drive(self.dialog, [heard])
            self._flush()
            if self.dialog.at_rest and (sessions is None or self.finished_sessions < sessions):
                self._greet_next_person()
        return 1 if failures else 0

    def _greet_next_person(self) -> None:
        """After a session ends the kiosk says what it is for again, for the next person."""
        if self._greeted_at != self.finished_sessions:
            self._greeted_at = self.finished_sessions
            self.dialog.greet()
            self._flush()

    def _next_heard(self) -> Heard | None:
        """A key or touch already waiting, else the microphone until one arrives."""
        asking = self.dialog.asking
        heard = self.inbox.take(asking)
        if heard is not None:
            return heard
        if self.microphone_lost:
            return self._keys_only(asking)
        self.on_listening(True)
        try:
            heard = self.listener.listen(self.source, self.dialog.expecting, self.inbox.waiting)
        except AudioDeviceError as exc:
            self._lose_microphone(exc)
            return None
        finally:
            self.on_listening(False)
        return heard if heard is not None else self.inbox.take(asking)

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

    def _tell(self, message: str) -> None:
        """Say what happened to the microphone, then the question again."""
        self.dialog.emit_line(Say(self.dialog.pack.say(message), "error"))
        self.dialog.prompt_again()
        self._flush()

    def _flush(self) -> None:
        while self.pending:
            output = self.pending.pop(0)
            self.captions.show(output)
            if isinstance(output, Say | Ask) and not self._answered_already(output):
                self.speaker.say(output.text)
            elif isinstance(output, Voice):
                self.speaker.set_voice(output.rate, output.volume)
            elif isinstance(output, End):
                self.finished_sessions += 1

    def _answered_already(self, output: Say | Ask) -> bool:
        """An answer is waiting (a key or a touch): stop speaking, except emergency advice,
        which is always spoken in full. The lines stay on screen as captions."""
        emergency = isinstance(output, Say) and output.kind == "emergency"
        return not emergency and self.inbox.waiting_for(self.dialog.asking)
