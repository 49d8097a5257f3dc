"""The one command table: every command, where it may be said, whether the screen shows
it, and what it does to the speech.

The words of each command are in the language packs (`commands:`, `spoken:` and the
screen's `screen:` labels, one entry per name here). The dialog's expectations, the
voice levels, the screen's buttons (served to the page in its hello event) and the pack
loader all read this table, so a new command is added here and in each pack, nowhere
else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Where = Literal["idle", "question", "result"]
"""Idle: nobody is using the kiosk. Question: any prompt of a session (a question, "Is
that right?", the read-back). Result: the result or the emergency guidance."""
Screen = Literal["controls", "emergency"]
"""The rows of buttons on the kiosk screen: under the question, and on the emergency page."""


@dataclass(frozen=True)
class VoiceStep:
    """A command that changes the speech by one step, and the message at the limit."""

    level: Literal["rate", "volume"]
    up: bool
    at_limit: str


@dataclass(frozen=True)
class CommandSpec:
    name: str
    where: tuple[Where, ...]
    screen: tuple[Screen, ...] = ()
    voice: VoiceStep | None = None
    device: bool = False
    """Acted on by a front end with the device (the headphones), never reaching the dialog
    there; a front end without it lets the dialog say it is not available."""
    only_says: bool = False
    """Changes nothing, only says something (the question again, help, the welcome): done
    even when heard in doubt (in noise), since doing it wrongly costs no more than asking
    again. Any other command heard in doubt is asked again (`kiosk.hearing.turn.doubted`)."""
    final: bool = False
    """Ends the session, which nothing said after it can take back. Not heard with a
    courtesy after it ("stop please"): through PocketSphinx "back please" came back as
    that at full confidence."""


_SESSION: tuple[Where, ...] = ("question", "result")
_BOTH_ROWS: tuple[Screen, ...] = ("controls", "emergency")

COMMAND_TABLE: tuple[CommandSpec, ...] = (
    CommandSpec("repeat", _SESSION, _BOTH_ROWS, only_says=True),
    CommandSpec("back", _SESSION, ("controls",)),
    CommandSpec("help", _SESSION, ("controls",), only_says=True),
    CommandSpec("slower", _SESSION, _BOTH_ROWS, VoiceStep("rate", False, "slowest")),
    CommandSpec("faster", _SESSION, (), VoiceStep("rate", True, "fastest")),
    CommandSpec("louder", _SESSION, _BOTH_ROWS, VoiceStep("volume", True, "loudest")),
    CommandSpec("quieter", _SESSION, (), VoiceStep("volume", False, "quietest")),
    CommandSpec("headphones", _SESSION, _BOTH_ROWS, device=True),
    CommandSpec("wait", _SESSION),
    CommandSpec("stop", _SESSION, ("controls",), final=True),
    CommandSpec("start", ("idle",), only_says=True),
    CommandSpec("done", ("result",), _BOTH_ROWS, final=True),
)
COMMANDS: tuple[str, ...] = tuple(spec.name for spec in COMMAND_TABLE)
SPECS = {spec.name: spec for spec in COMMAND_TABLE}


def commands_at(where: Where) -> tuple[str, ...]:
    """The commands that may be said there, in the table's order."""
    return tuple(spec.name for spec in COMMAND_TABLE if where in spec.where)


def on_screen(private_listening: bool) -> tuple[CommandSpec, ...]:
    """The commands the screen shows as buttons; a device's (headphones) only where the
    device is fitted."""
    return tuple(
        spec for spec in COMMAND_TABLE if spec.screen and (private_listening or not spec.device)
    )
