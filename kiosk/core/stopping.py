"""Stopping cleanly on SIGTERM (systemctl stop, a restart) or SIGINT (Ctrl-C).

A signal raises `Stopping` in the main thread, wherever it is waiting (for a line, a
word, a key, the end of a line being spoken). The front end that catches it silences
the speaker and hands over what the person had answered as a summary marked
incomplete, as after an unexpected error (`keep_partial`); the command line then lets
a staff alert already on its way finish, for a moment, and exits 0. A second signal
while stopping is ignored, so the summary is not cut short.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopping(BaseException):
    """The kiosk was told to stop (a BaseException: no `except Exception` swallows it)."""


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """While inside, SIGTERM and SIGINT raise `Stopping`; the old handlers come back after."""
    old = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def stop(signum: int, frame: FrameType | None) -> None:
        for sig in SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # finish stopping; do not stop twice
        log.warning("%s: stopping", signal.Signals(signum).name)
        raise Stopping(signal.Signals(signum).name)

    for sig in SIGNALS:
        signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """A stop signal that arrives inside waits until the end of it (then stops as usual):
    for a few steps that must not be cut in half, such as starting a staff alert."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
