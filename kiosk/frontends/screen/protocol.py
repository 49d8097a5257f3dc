"""What the kiosk screen and the kiosk say to each other over the WebSocket.

Out to the page: the JSON-lines events (say, ask, result, end), ask events carrying the
words each answer button posts, a `hello` with the pack's labels, `listening` on and
off, and `error` for a message that could not be used. In from the page: `answer`
(words, tagged with the question on screen), `command` (a command's words) and `start`.
Everything inbound is checked strictly: a bad message is described, never acted on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from kiosk.core.events import Ask, Output, Start, Utterance
from kiosk.frontends.console import jsonl_event
from kiosk.frontends.inbox import Posted
from kiosk.language.commands import on_screen
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import DONT_KNOW

MAX_MESSAGE_BYTES = 2048
"""A whole inbound message; the longest real one (a choice's words) is far shorter."""
MAX_TEXT_CHARS = 200
MAX_QUESTION_CHARS = 64
_FIELDS = {
    "answer": {"type", "text", "question"},
    "command": {"type", "text"},
    "start": {"type"},
}


@dataclass(frozen=True)
class BadMessage:
    """Why an inbound message was not used (sent back as an `error` event)."""

    code: str
    detail: str

    def event(self) -> dict[str, object]:
        return {"event": "error", "code": self.code, "detail": self.detail}


def read_message(raw: str | bytes) -> Posted | BadMessage:
    """One inbound WebSocket message as an inbox entry, or what was wrong with it."""
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > MAX_MESSAGE_BYTES:
        return BadMessage("too_large", f"{size} bytes; at most {MAX_MESSAGE_BYTES}")
    if isinstance(raw, bytes):
        return BadMessage("not_text", "send JSON text, not binary")
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        return BadMessage("not_json", f"not JSON: {exc.msg} at character {exc.pos}")
    except RecursionError:
        return BadMessage("not_json", "JSON nested too deeply")
    if not isinstance(message, dict):
        return BadMessage("not_object", "send a JSON object with a 'type'")
    kind = message.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        return BadMessage("unknown_type", f"'type' must be one of {', '.join(sorted(_FIELDS))}")
    extra = set(message) - _FIELDS[kind]
    if extra:
        return BadMessage("unknown_field", f"'{kind}' takes no {', '.join(sorted(extra))}")
    return _posted(kind, message)


def _posted(kind: str, message: dict[str, object]) -> Posted | BadMessage:
    if kind == "start":
        return Posted(Start())
    text = message.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
        return BadMessage("bad_text", f"'text' must be words, 1 to {MAX_TEXT_CHARS} characters")
    if kind == "command":
        return Posted(Utterance(text))
    question = message.get("question")
    if not isinstance(question, str) or not 0 < len(question) <= MAX_QUESTION_CHARS:
        return BadMessage("bad_question", "'question' must be the id of the question answered")
    return Posted(Utterance(text), question)


def hello_event(pack: Pack, private_listening: bool = False) -> dict[str, object]:
    """What the page needs before anything else: language, labels, command words, and
    the command buttons to show (from the command table; each posts its first phrase)."""
    buttons = on_screen(private_listening)
    return {
        "event": "hello",
        "lang": pack.language,
        "labels": dict(pack.screen),
        "idle": pack.say("idle"),
        "commands": {
            name: pack.commands[name][0] for name in (*(b.name for b in buttons), "start")
        },
        "buttons": [
            {"command": b.name, "rows": list(b.screen), "results_only": "question" not in b.where}
            for b in buttons
        ],
        "dont_know": pack.answers[DONT_KNOW][0],
    }


def screen_event(output: Output, pack: Pack) -> dict[str, object] | None:
    """The JSON-lines event for `output`; ask events also carry each button's words."""
    event = jsonl_event(output)
    if isinstance(output, Ask) and event is not None:
        event["words"] = [_words(pack, output.question, choice) for choice in output.choices]
    return event


def _words(pack: Pack, question: str, choice: str) -> str:
    """What a person would type for this choice: what the kiosk suggests saying for it
    (a choice question's `suggest:`), else its first phrase in the pack."""
    texts = pack.questions.get(question)
    if texts is not None and choice in texts.suggestions:
        return texts.suggestions[choice]
    if texts is not None and choice in texts.phrases:
        return texts.phrases[choice][0]
    # a yes or no, also at a choice question asked as one (its follow-up, one option
    # at a time): the pack's own word, not the id ("yes" on a Korean screen)
    return pack.answers[choice][0] if choice in pack.answers else choice


def listening_event(on: bool) -> dict[str, object]:
    return {"event": "listening", "on": on}
