"""Running the kiosk with its screen: the page alongside voice mode, or on its own.

With a recognizer, voice mode runs as usual and the page is one more input posting to
the same inbox (whichever answer arrives first counts). Without one, the page (and any
typed lines) drive the dialog here, one event at a time on this thread.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TextIO

from kiosk.core.events import Heard, Output
from kiosk.dialog.machine import Dialog
from kiosk.frontends.console import InteractiveConsole
from kiosk.frontends.inbox import Inbox, read_keys
from kiosk.frontends.screen.server import ScreenServer
from kiosk.frontends.screen.settings import ScreenSettings
from kiosk.frontends.session_loop import MakeDialog, SessionLoop
from kiosk.language.pack import Pack

log = logging.getLogger(__name__)

RunVoice = Callable[[Inbox, MakeDialog, Callable[[bool], None]], "int | None"]
"""Starts voice mode with this inbox, dialog factory and listening hook; None if it cannot."""


def run_screen(
    settings: ScreenSettings,
    pack: Pack,
    make_dialog: MakeDialog,
    voice: RunVoice | None,
    keys: TextIO | None = sys.stdin,
    out: TextIO = sys.stdout,
    private_listening: bool = False,
) -> int:
    """Serve the page, print its address, and run sessions until stopped;
    `private_listening`: the voice kiosk has headphones (the page shows their button)."""
    inbox = Inbox()
    server = ScreenServer(settings, pack, inbox, private_listening)
    url = server.start()
    suffix = "?token=<the screen token>" if settings.token else ""
    print(f"kiosk: the screen is at {url}{suffix}", file=sys.stderr)
    try:
        if voice is not None:
            code = voice(inbox, with_screen(make_dialog, server.show), server.listening)
            if code is not None:
                return code
        if keys is not None:
            read_keys(keys, inbox)
        return ScreenSessions(make_dialog, server.show, inbox, out).run()
    finally:
        server.close()


def with_screen(make_dialog: MakeDialog, show: Callable[[Output], None]) -> MakeDialog:
    """A dialog factory whose every output also goes to the screen."""

    def make(emit: Callable[[Output], None]) -> Dialog:
        def both(output: Output) -> None:
            show(output)
            emit(output)

        return make_dialog(both)

    return make


class ScreenSessions:
    """Text mode with a screen: events from the inbox, captions on the screen and `out`."""

    def __init__(
        self,
        make_dialog: MakeDialog,
        show: Callable[[Output], None],
        inbox: Inbox,
        out: TextIO | None = None,
    ) -> None:
        self.show = show
        self.inbox = inbox
        self.console = InteractiveConsole(out, out) if out is not None else None
        self.loop = SessionLoop(make_dialog, self._emit)

    @property
    def dialog(self) -> Dialog:
        return self.loop.dialog

    def run(self, sessions: int | None = None, poll: float = 0.2) -> int:
        """Greet, then handle each event as it arrives; `sessions` limits how many."""

        def next_heard() -> Heard | None:  # None after `poll` seconds: `stop` is seen
            return self.inbox.take(self.dialog.asking, timeout=poll)

        return 1 if self.loop.run(next_heard, sessions) else 0

    def stop(self) -> None:
        """Stop after the event being handled (from any thread)."""
        self.loop.stop()

    def _emit(self, output: Output) -> None:
        self.show(output)
        if self.console is not None:
            self.console.show(output)
