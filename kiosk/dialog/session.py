"""Feeding heard events to the dialog so that a session survives anything.

The front ends' loop (`kiosk.frontends.session_loop`) feeds each event through `drive`;
the dialog's outputs go wherever the front end sent its callback. An unexpected error
mid-session is apologised for, what the person answered is handed over as a summary
marked incomplete, their data is wiped, and the kiosk is back to idle at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from kiosk.core.events import End, Heard, Say
from kiosk.dialog.machine import Dialog

log = logging.getLogger(__name__)


def drive(dialog: Dialog, heard: Iterable[Heard]) -> int:
    """Feed every event to the dialog; returns how many sessions failed with an error."""
    failures = 0
    for event in heard:
        try:
            dialog.handle(event)
        except Exception:  # the outermost loop: apologise, log, reset
            failures += 1
            log.exception("error in a session; apologising and resetting")
            recover(dialog)
    return failures


def recover(dialog: Dialog) -> None:
    """Apologise, hand over what the person answered (marked incomplete), end the
    session and go back to idle; a second fault is only logged."""
    try:
        dialog.emit_line(Say(dialog.pack.say("sorry_error"), "error"))
    except Exception:
        log.exception("could not apologise after an error")
    try:
        dialog.keep_partial()
    except Exception:
        log.exception("could not keep the answers of the interrupted session")
    try:
        dialog.emit_line(End())
    except Exception:
        log.exception("could not end the interrupted session")
    finally:
        dialog.abandon()


def keep_what_was_answered(dialog: Dialog) -> None:
    """Hand over this person's answers (marked incomplete) and forget them; never raises."""
    try:
        saved = dialog.keep_partial()
        if saved is not None:
            log.info("stopped mid-session; the answers so far were handed over (incomplete)")
    except Exception:
        log.exception("could not keep the answers of the stopped session")
    try:
        dialog.abandon()
    except Exception:
        log.exception("could not wipe the stopped session")
