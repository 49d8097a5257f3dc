"""Reading one line at a time from a terminal or a pipe, with an optional idle limit.

An unattended text kiosk must notice that nobody has typed anything for a while, as
the voice listener notices silence. With a limit, the stream's file descriptor is
read directly (select, then os.read) so that lines buffered inside Python can never
hide from select; without one, or when the stream has no descriptor (a StringIO),
lines are read the ordinary way and never time out.
"""

from __future__ import annotations

import io
import os
import select
import time
from typing import TextIO

from kiosk.core.events import Silence


class LineReader:
    """`read` gives a line, `Silence()` after `idle` seconds without one, or None at the end."""

    def __init__(self, stream: TextIO, idle: float | None = None) -> None:
        self.stream = stream
        self.idle = idle
        self.fd = _descriptor(stream) if idle is not None else None
        self._buffer = b""
        self._ended = False

    def read(self) -> str | Silence | None:
        if self.fd is None or self.idle is None:
            line = self.stream.readline()
            return line.rstrip("\r\n") if line else None
        deadline = time.monotonic() + self.idle
        while b"\n" not in self._buffer:
            if self._ended:
                return self._rest()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                return Silence()
            chunk = os.read(self.fd, 4096)
            self._buffer += chunk
            self._ended = not chunk
        raw, _, self._buffer = self._buffer.partition(b"\n")
        return _text(raw)

    def _rest(self) -> str | None:
        """The last line when the input ended without a newline, then None."""
        rest, self._buffer = self._buffer, b""
        return _text(rest) if rest else None


def _descriptor(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _text(line: bytes) -> str:
    return line.decode("utf-8", errors="replace").rstrip("\r")
