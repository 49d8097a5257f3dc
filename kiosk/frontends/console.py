"""Text front ends: an interactive terminal session and the JSON-lines protocol.

Both drive the very same dialog as voice mode. Interactive mode waits at idle for
Enter or "start" and runs one person after another; JSON-lines mode runs exactly one
session, starting at once, and ends with an "end" event.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import TextIO

from kiosk.core.events import Ask, End, Heard, Output, Result, Say, Silence, Utterance
from kiosk.frontends.lines import LineReader
from kiosk.frontends.session_loop import MakeDialog, NextHeard, SessionLoop

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
    make_dialog: MakeDialog,
    stdin: TextIO,
    stdout: TextIO,
    idle: float | None = None,
    clear_screen: bool | None = None,
) -> int:
    """One person after another; `idle` seconds without a line count as silence."""
    console = InteractiveConsole(stdin, stdout, idle, clear_screen)
    loop = SessionLoop(make_dialog, console.show)
    loop.run(typed(console.read, loop))
    loop.dialog.hang_up()
    return 0


def run_jsonl(
    make_dialog: MakeDialog,
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
                loop.stop()
        finished = finished or isinstance(output, End)

    loop = SessionLoop(make_dialog, write)
    failures = loop.run(typed(LineReader(stdin, idle).read, loop), sessions=1, start_at_once=True)
    if not finished:
        loop.dialog.hang_up()
    return 1 if failures else 0


def typed(read: Callable[[], str | Silence | None], loop: SessionLoop) -> NextHeard:
    """Lines as heard events (an idle timeout is silence); the end of input ends `loop`."""

    def next_heard() -> Heard | None:
        line = read()
        if line is None:
            loop.stop()
            return None
        return line if isinstance(line, Silence) else Utterance(line)

    return next_heard


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
