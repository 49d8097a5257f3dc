"""The screen's server without a browser: strict messages, origin, host and token checks."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from kiosk.app.cli import main
from kiosk.core.errors import ConfigError
from kiosk.core.events import Ask, Start, Utterance
from kiosk.core.meaning import Command
from kiosk.dialog.table import RESULT_COMMANDS
from kiosk.frontends.inbox import Posted
from kiosk.frontends.screen.protocol import BadMessage, hello_event, read_message, screen_event
from kiosk.frontends.screen.settings import ScreenSettings
from kiosk.language.pack import Pack, load_pack
from kiosk.language.parse import interpret_expected
from kiosk.language.vocabulary import Expectation
from kiosk.triage.knowledge import Knowledge
from tests.support.browser import ScreenKiosk, serving

TOKEN = "a-long-shared-secret-for-the-tablet"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"type": "answer", "text": "both legs", "question": "sides"}', Posted(Utterance("both legs"), "sides")),
        ('{"type": "command", "text": "go back"}', Posted(Utterance("go back"))),
        ('{"type": "start"}', Posted(Start())),
        ("{not json", "not_json"),
        ("[" * 2000, "not_json"),
        ('["answer"]', "not_object"),
        ('{"type": "shout", "text": "yes"}', "unknown_type"),
        ('{"type": "start", "text": "now"}', "unknown_field"),
        ('{"type": "command", "text": "   "}', "bad_text"),
        ('{"type": "command", "text": 1}', "bad_text"),
        ('{"type": "answer", "text": "yes"}', "bad_question"),
        ('{"type": "answer", "text": "yes", "question": ""}', "bad_question"),
        ('{"type": "command", "text": "' + "a" * 3000 + '"}', "too_large"),
        (b'{"type": "start"}', "not_text"),
    ],
)  # fmt: skip
def test_inbound_messages_are_read_strictly(raw: str | bytes, expected: object) -> None:
    read = read_message(raw)
    if isinstance(expected, Posted):
        assert read == expected
    else:
        assert isinstance(read, BadMessage) and read.code == expected, read
        assert read.event()["event"] == "error" and read.detail


def test_answer_buttons_post_the_words_a_person_would_type(pack: Pack) -> None:
    sides = screen_event(Ask("sides", "choice", ("one_leg", "both_legs"), "Where?"), pack)
    assert sides is not None and sides["words"] == ["one leg", "both legs"]
    confirm = screen_event(Ask("confirm", "yesno", ("yes", "no"), "I heard yes."), pack)
    assert confirm is not None and confirm["words"] == ["yes", "no"]


def test_yes_and_no_buttons_are_in_the_screens_language_at_a_choice_asked_as_yes_or_no(
    knowledge: Knowledge,
) -> None:
    """A choice question asked as yes/no (one option at a time, or walking's follow-up)
    showed the ids "yes" and "no" on a Korean screen, which the kiosk then did not read."""
    korean = load_pack("ko", knowledge)
    for question in ("onset", "function_now"):
        ask = screen_event(Ask(question, "yesno", ("yes", "no"), "?"), korean)
        assert ask is not None and ask["words"] == ["네", "아니요"]


@pytest.fixture
def screen(knowledge: Knowledge, pack: Pack) -> Iterator[ScreenKiosk]:
    with serving(knowledge, pack) as screen:
        yield screen.run_text()


async def _events(
    url: str, origin: str | None, send: list[str], count: int, query: str = ""
) -> list[Any]:
    headers = {"Origin": origin} if origin else {}
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url.replace("http", "ws") + "ws" + query, headers=headers) as ws,
    ):
        for message in send:
            await ws.send_str(message)
        return [json.loads((await ws.receive(timeout=5)).data) for _ in range(count)]


def events(screen: ScreenKiosk, send: list[str], count: int, origin: str = "") -> list[Any]:
    origin = origin or screen.url.rstrip("/")
    return asyncio.run(_events(screen.url, origin, send, count))


async def _status(url: str, headers: dict[str, str] | None = None) -> int:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as reply:
        return reply.status


@pytest.mark.parametrize("private_listening", [False, True])
def test_the_page_gets_its_buttons_from_the_command_table(
    pack: Pack, private_listening: bool
) -> None:
    """Each button posts words the dialog reads as its command; headphones only where
    the kiosk has them; "done" only on the results."""
    hello = hello_event(pack, private_listening)
    buttons = {b["command"]: b for b in hello["buttons"]}  # type: ignore[attr-defined]
    assert ("headphones" in buttons) is private_listening
    assert {"repeat", "back", "help", "stop", "done"} <= set(buttons)
    assert buttons["done"]["results_only"] and not buttons["repeat"]["results_only"]
    assert "emergency" in buttons["repeat"]["rows"] and "emergency" not in buttons["back"]["rows"]
    at_results = Expectation(None, RESULT_COMMANDS)
    for name in buttons:
        words = hello["commands"][name]  # type: ignore[index]
        assert interpret_expected(pack, words, at_results) == Command(name), words
        assert pack.screen[name], f"the {name} button has a label"


def test_a_page_opened_mid_session_catches_up_and_a_new_person_starts_clean(
    screen: ScreenKiosk, pack: Pack
) -> None:
    first = events(screen, ['{"type": "start"}'], 1)
    assert first[0]["event"] == "hello" and first[0]["labels"]["stop"] == pack.screen["stop"]
    screen.wait(lambda: screen.asks(), "the first question")
    caught_up = events(screen, [], 6)
    assert [e["event"] for e in caught_up[:3]] == ["hello", "say", "say"]
    assert any(e["event"] == "ask" for e in caught_up)
    screen.inbox.put(Utterance("stop"))
    screen.wait(lambda: screen.ends() == 1, "the stop")
    after = events(screen, [], 2)
    assert [e["event"] for e in after] == ["hello", "say"], "only the greeting for the next person"
    assert after[1]["text"] == pack.say("idle")


def test_a_websocket_from_another_origin_or_none_is_refused(screen: ScreenKiosk) -> None:
    for origin in ("http://evil.example", None):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            asyncio.run(_events(screen.url, origin, [], 1))
        assert refused.value.status == 403
    assert screen.inbox.take(None) is None


def test_a_page_asked_for_under_another_host_name_is_refused(screen: ScreenKiosk) -> None:
    """DNS rebinding: another site's name pointed at this machine gets nothing."""
    port = screen.server.port
    assert asyncio.run(_status(screen.url)) == 200
    assert asyncio.run(_status(screen.url, {"Host": f"evil.example:{port}"})) == 403


def test_an_oversized_frame_closes_only_that_socket(screen: ScreenKiosk) -> None:
    async def huge() -> aiohttp.WSMsgType:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(
                screen.url.replace("http", "ws") + "ws", headers={"Origin": screen.url[:-1]}
            ) as ws,
        ):
            await ws.send_str("x" * 100_000)
            while (message := await ws.receive(timeout=5)).type is aiohttp.WSMsgType.TEXT:
                pass
            return message.type

    assert asyncio.run(huge()) in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert events(screen, [], 1)[0]["event"] == "hello", "the server still serves"


def test_other_machines_need_an_explicit_host_and_a_token(knowledge: Knowledge) -> None:
    with pytest.raises(ConfigError, match="--screen-token"):
        ScreenSettings(host="0.0.0.0").check()
    with pytest.raises(ConfigError, match="too short"):
        ScreenSettings(host="0.0.0.0", token="short").check()
    ScreenSettings(host="0.0.0.0", token=TOKEN).check()
    ScreenSettings().check()


def test_the_command_line_refuses_an_open_screen_without_a_token(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--screen", "--no-voice", "--screen-host", "0.0.0.0", "--port", "0"]) == 2
    assert "--screen-token" in capsys.readouterr().err


def test_with_a_token_the_page_and_socket_need_it(knowledge: Knowledge, pack: Pack) -> None:
    from kiosk.frontends.inbox import Inbox
    from kiosk.frontends.screen.server import ScreenServer

    server = ScreenServer(ScreenSettings("127.0.0.1", 0, TOKEN), pack, Inbox())
    url = server.start()
    try:
        assert asyncio.run(_status(url)) == 403
        assert asyncio.run(_status(url + "?token=wrong-but-long-enough-token")) == 403
        assert asyncio.run(_status(f"{url}?token={TOKEN}")) == 200
        with pytest.raises(aiohttp.WSServerHandshakeError):
            asyncio.run(_events(url, url[:-1], [], 1))
        hello = asyncio.run(_events(url, url[:-1], [], 1, query=f"?token={TOKEN}"))
        assert hello[0]["event"] == "hello"
    finally:
        server.close()


def test_kiosk_screen_serves_the_page_and_runs_the_dialog(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "kiosk", "--screen", "--no-voice", "--port", "0"]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    with subprocess.Popen([*command, "--report-dir", str(tmp_path)], text=True, **pipes) as kiosk:
        try:
            assert kiosk.stderr and kiosk.stdin and kiosk.stdout
            lines = [kiosk.stderr.readline() for _ in range(1)]
            while not re.search(r"the screen is at ", lines[-1]) and lines[-1] and len(lines) < 20:
                lines.append(kiosk.stderr.readline())
            address = re.search(r"the screen is at (http://\S+/)", lines[-1])
            assert address, f"it prints the screen's address; it printed {lines}"
            url = address.group(1)
            seen = asyncio.run(_events(url, url[:-1], ['{"type": "start"}'], 6))
            names = [e["event"] for e in seen if e["event"] != "listening"]
            assert names == ["hello", "say", "say", "say", "ask"], "greeting, welcome, question"
            kiosk.stdin.write("stop\n")  # the terminal answers in the same session
            kiosk.stdin.flush()
            said = next((line for line in kiosk.stdout if "Stopping now" in line), None)
            assert said, "the stop typed at the terminal was heard"
        finally:
            kiosk.send_signal(signal.SIGINT)
            assert kiosk.wait(timeout=10) == 0, "Ctrl-C stops the kiosk cleanly"


def test_a_port_in_use_is_named_in_a_clear_error(screen: ScreenKiosk, pack: Pack) -> None:
    from kiosk.frontends.inbox import Inbox
    from kiosk.frontends.screen.server import ScreenServer

    taken = screen.server.port
    with pytest.raises(ConfigError, match=f"cannot serve the screen on 127.0.0.1:{taken}"):
        ScreenServer(ScreenSettings(port=taken), pack, Inbox()).start()
