"""The loop every front end runs, filled in with its own input and its own outputs.

Text, JSON lines, voice and the screen differ in where an answer comes from and where
a line goes; what they need the same way is here: the idle greeting once for each person
(at the start and after each session ends, never twice), one heard event at a time to
the dialog (an error in a session is apologised for and the kiosk is back at idle:
`kiosk.dialog.session.drive`), a limit on sessions, and on a stop signal the person's
answers handed over, marked incomplete, before the stop goes on up. The screen's server
runs its own asyncio loop on another thread, but it only posts to an inbox that this
loop reads on the dialog's thread, so the screen shares this loop too.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.core.events import End, Heard, Output, Start
from kiosk.core.stopping import Stopping
from kiosk.dialog.machine import Dialog
from kiosk.dialog.session import drive, keep_what_was_answered

MakeDialog = Callable[[Callable[[Output], None]], Dialog]
"""Builds the dialog around the callback its outputs go to (`kiosk.app.cli.dialog_factory`)."""
NextHeard = Callable[[], "Heard | None"]
"""The front end's input: the next event, or None when nothing came this time (the loop
then checks whether to go on and asks again). An input that has ended calls `stop`."""


class SessionLoop:
    """One dialog, one person after another; `run` it with the front end's input."""

    def __init__(self, make_dialog: MakeDialog, show: Callable[[Output], None]) -> None:
        self._show = show
        self.finished = 0
        """Sessions that have ended (the dialog said `End`)."""
        self.stopping = False
        """Set (by the input at its end, or from any thread) to stop after this event."""
        self._greeted_for: int | None = None
        """`finished` when the idle greeting was last given: once for each person."""
        self.dialog = make_dialog(self._emit)

    def run(
        self,
        next_heard: NextHeard,
        sessions: int | None = None,
        start_at_once: bool = False,
        on_stop: Callable[[], None] | None = None,
    ) -> int:
        """Run until `sessions` have ended (None: no limit) or `stop`; returns how many
        sessions failed with an error. `start_at_once`: the first session starts without
        the greeting. On `Stopping` (a signal): `on_stop` (fall silent), then hand over
        what the person answered (marked incomplete), and let the stop go on up."""
        failures = 0
        try:
            if start_at_once:
                self._greeted_for = self.finished
                failures += drive(self.dialog, [Start()])
            else:
                self.greet_next_person()
            while self._going_on(sessions):
                heard = next_heard()
                if heard is not None:
                    failures += drive(self.dialog, [heard])
                if self._going_on(sessions):
                    self.greet_next_person()
        except Stopping:
            if on_stop is not None:
                on_stop()
            keep_what_was_answered(self.dialog)
            raise
        return failures

    def stop(self) -> None:
        """End the loop after the event being handled (the input has ended, or a test)."""
        self.stopping = True

    def greet_next_person(self) -> None:
        """At rest, say what the kiosk is for, once for each person."""
        if self.dialog.at_rest and self._greeted_for != self.finished:
            self._greeted_for = self.finished
            self.dialog.greet()

    def _going_on(self, sessions: int | None) -> bool:
        return not self.stopping and (sessions is None or self.finished < sessions)

    def _emit(self, output: Output) -> None:
        self._show(output)
        if isinstance(output, End):
            self.finished += 1
