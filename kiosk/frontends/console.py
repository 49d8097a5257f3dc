"""Text front ends: an interactive terminal session and the JSON-lines protocol.

Both drive the very same dialog as voice mode. Interactive mode waits at idle for
Enter or "start" and runs one person after another; JSON-lines mode runs exactly one
session, starting at once, and ends with an "end" event.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from typing import TextIO

from kiosk.core.events import Ask, End, Heard, Output, Result, Say, Silence, Start, Utterance
from kiosk.core.stopping import Stopping
from kiosk.dialog.machine import Dialog
from kiosk.dialog.session import drive, keep_what_was_answered
from kiosk.frontends.lines import LineReader

MARKS = {"emergency": "!!! ", "error": "  ? ", "result": "  ", "info": "", "question": ""}
CLEAR_SCREEN = "\033[H\033[2J\033[3J"
"""Home, clear the screen, clear the scrollback: the next person sees nothing of the last."""


class InteractiveConsole:
    """Prints every line the kiosk says, reads one answer per line."""

    def __init__(
        self,
        stdin: TextIO,
        stdout: TextIO,
        idle: float | None = None,
        clear_screen: bool | None = None,
    ) -> None:
        self.lines = LineReader(stdin, idle)
        self.stdout = stdout
        self.at_idle = True
        """True until the idle greeting has been shown for the next person."""
        self._prompted = False
        if clear_screen is None:  # some writers (caption sinks) have no isatty
            clear_screen = bool(getattr(stdout, "isatty", lambda: False)())
        self.clear_screen = clear_screen
        """Wipe the terminal when a session ends (None: when it is a terminal)."""

    def show(self, output: Output) -> None:
        self._prompted = False
        if isinstance(output, Say):
            self._print(MARKS[output.kind] + output.text)
        elif isinstance(output, Ask):
            self._print("\n" + output.text)
        elif isinstance(output, End):
            self._print(CLEAR_SCREEN if self.clear_screen else "")
            self.at_idle = True
        # Result and Voice: already said in words; a terminal has no voice to change.

    def read(self) -> str | Silence | None:
        """One line after a prompt; Silence when the idle time passed; None at the end."""
        if not self._prompted:  # after a quiet timeout the prompt is still on screen
            self.stdout.write("> ")
            self.stdout.flush()
            self._prompted = True
        line = self.lines.read()
        if not isinstance(line, Silence):
            self._prompted = False
        return line

    def _print(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()


def run_interactive(
    make_dialog: Callable[[Callable[[Output], None]], Dialog],
    stdin: TextIO,
    stdout: TextIO,
    idle: float | None = None,
    clear_screen: bool | None = None,
) -> int:
    """One person after another; `idle` seconds without a line count as silence."""
    console = InteractiveConsole(stdin, stdout, idle, clear_screen)
    dialog = make_dialog(console.show)

    def heard() -> Iterator[Heard]:
        while True:
            if console.at_idle:
                console.at_idle = False
                dialog.greet()
            line = console.read()
            if line is None:
                return
            yield line if isinstance(line, Silence) else Utterance(line)

    try:
        drive(dialog, heard())
    except Stopping:
        keep_what_was_answered(dialog)
        raise
    dialog.hang_up()
    return 0


def run_jsonl(
    make_dialog: Callable[[Callable[[Output], None]], Dialog],
    stdin: TextIO,
    stdout: TextIO,
    idle: float | None = None,
) -> int:
    """Exactly one session; `idle` seconds without a line count as silence (None: never)."""
    finished = False

    def write(output: Output) -> None:
        nonlocal finished
        event = jsonl_event(output)
        if event is not None and not finished:
            try:
                stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
                stdout.flush()
            except BrokenPipeError:  # the other program has gone: nobody to talk to
                finished = True
        finished = finished or isinstance(output, End)

    dialog = make_dialog(write)
    lines = LineReader(stdin, idle)

    def heard() -> Iterator[Heard]:
        yield Start()
        while not finished:
            line = lines.read()
            if line is None:
                return
            yield line if isinstance(line, Silence) else Utterance(line)

    try:
        failures = drive(dialog, heard())
    except Stopping:
        keep_what_was_answered(dialog)
        raise
    if not finished:
        dialog.hang_up()
    return 1 if failures else 0


def jsonl_event(output: Output) -> dict[str, object] | None:
    """The PRODUCT.md protocol: say, ask, result and end events (voice changes are local)."""
    if isinstance(output, Say):
        return {"event": "say", "text": output.text, "kind": output.kind}
    if isinstance(output, Ask):
        return {
            "event": "ask",
            "question": output.question,
            "type": output.type,
            "choices": list(output.choices),
            "text": output.text,
        }
    if isinstance(output, Result):
        return {
            "event": "result",
            "triage": output.triage,
            "red_flags": list(output.red_flags),
            "causes": [asdict(c) | {"reasons": list(c.reasons)} for c in output.causes],
            "answers": dict(output.answers),
        }
    if isinstance(output, End):
        return {"event": "end"}
    return None


def reconfigure_stdio() -> None:
    """Undecodable bytes become replacement characters instead of a crash."""
    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
