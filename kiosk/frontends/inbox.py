"""Answers that arrive without the microphone: keys, and later a touch screen.

Voice mode listens and reads these at the same time. Other inputs put events here from
their own threads; only the thread that owns the dialog takes them out, so the dialog
still sees one event at a time. An answer tagged with the question it was given for is
dropped if the kiosk has moved on (voice got there first), so an answer counts once.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import TextIO

from kiosk.core.events import Heard, Silence, Utterance

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    heard: Heard
    for_question: str | None = None
    """The question id on screen when the answer was given; None: whatever is asked now."""


NUDGE = Posted(Silence(), for_question="\0nudge")
"""Not an answer: wakes the front end so it shows what another thread has added."""


class Inbox:
    """A thread-safe queue of heard events from inputs other than the microphone."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Posted] = queue.Queue()

    def put(self, heard: Heard, for_question: str | None = None) -> None:
        self._queue.put(Posted(heard, for_question))

    def nudge(self) -> None:
        """Stop listening so that a line another thread added (the desk's ack) is said now;
        `take` gives None for it, never an answer."""
        self._queue.put(NUDGE)

    def waiting(self) -> bool:
        """True when an event is ready: the listener stops listening and lets it through."""
        return not self._queue.empty()

    def waiting_for(self, asking: str | None) -> bool:
        """True when an event waits that would count now (not one for an earlier question)."""
        with self._queue.mutex:
            return any(p.for_question in (None, asking) for p in self._queue.queue)

    def take(self, asking: str | None, timeout: float | None = None) -> Heard | None:
        """The next event meant for the question now asked (`asking`), or None if none came."""
        while True:
            try:
                posted = self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait()
            except queue.Empty:
                return None
            if posted is NUDGE:
                return None
            if posted.for_question is None or posted.for_question == asking:
                return posted.heard
            log.info("dropped an answer given for a question no longer asked")


def read_keys(stream: TextIO, inbox: Inbox) -> threading.Thread:
    """Read typed lines (1 yes, 2 no, 3 don't know, or any command) into the inbox.
    An empty line is Enter, which starts a session at idle, as in text mode."""

    def work() -> None:
        for line in stream:
            inbox.put(Utterance(line.strip()))
        log.info("key input closed")

    thread = threading.Thread(target=work, name="keys", daemon=True)
    thread.start()
    return thread
