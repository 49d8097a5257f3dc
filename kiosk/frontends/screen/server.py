"""The kiosk screen's server: one local page and one WebSocket, on a thread of its own.

The dialog's thread calls `show` and `listening`; the server's asyncio loop sends the
events to every open page, each through its own queue so order is kept. Answers from
the page go into the same inbox voice mode reads, tagged with the question they were
given for. The current session's events are kept in memory only, so a page opened (or
reloaded) mid-session catches up, and they are forgotten when the session ends.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
from collections.abc import Callable
from functools import partial
from importlib import resources

from aiohttp import WSMsgType, web

from kiosk.core.errors import ConfigError
from kiosk.core.events import End, Output
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.screen.protocol import (
    BadMessage,
    hello_event,
    listening_event,
    read_message,
    screen_event,
)
from kiosk.frontends.screen.settings import ScreenSettings
from kiosk.language.pack import Pack

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 64 * 1024
"""Frames above this close the socket (the page reconnects); smaller bad ones get an error."""
PAGE_FILES = {
    "/": ("index.html", "text/html"),
    "/screen.css": ("screen.css", "text/css"),
    "/screen.js": ("screen.js", "text/javascript"),
}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_dumps = partial(json.dumps, ensure_ascii=False)

Event = dict[str, object]


class ScreenServer:
    """Serves the page; `start` returns its address once it is listening."""

    def __init__(
        self, settings: ScreenSettings, pack: Pack, inbox: Inbox, private_listening: bool = False
    ) -> None:
        """`private_listening`: headphones are fitted, so the page shows their button."""
        settings.check()
        self.settings = settings
        self.pack = pack
        self.private_listening = private_listening
        self.inbox = inbox
        self.port = settings.port
        self._pages = {path: _page(name) for path, (name, _) in PAGE_FILES.items()}
        self._clients: set[asyncio.Queue[Event | None]] = set()
        self._session: list[Event] = []
        self._listening = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: str | None = None
        self._thread = threading.Thread(target=self._run, name="screen", daemon=True)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.settings.host in ("0.0.0.0", "::") else self.settings.host
        return f"http://{host}:{self.port}/"

    def start(self) -> str:
        self._thread.start()
        if not self._ready.wait(timeout=15) or self._failure:
            where = f"{self.settings.host}:{self.settings.port}"
            raise ConfigError(f"cannot serve the screen on {where}: {self._failure or 'timeout'}")
        return self.url

    def show(self, output: Output) -> None:
        """Send one dialog output to every page (any thread)."""
        event = screen_event(output, self.pack)
        if event is not None:
            self._call(self._publish, event, isinstance(output, End))

    def listening(self, on: bool) -> None:
        """The microphone is open (True) or closed: the page shows it and plays an earcon."""
        self._call(self._set_listening, on)

    def close(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout=10)

    def _call(self, function: Callable[..., None], *args: object) -> None:
        """Run `function` on the server's loop (dropped once the server has stopped)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(function, *args)

    def _publish(self, event: Event, end: bool) -> None:
        self._session = [] if end else [*self._session, event]
        for queue in self._clients:
            queue.put_nowait(event)

    def _set_listening(self, on: bool) -> None:
        self._listening = on
        for queue in self._clients:
            queue.put_nowait(listening_event(on))

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_get("/ws", self._socket)
        for path in PAGE_FILES:
            app.router.add_get(path, self._file)
        app.on_shutdown.append(self._close_clients)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.settings.host, self.settings.port).start()
        except OSError as exc:
            self._failure = exc.strerror or str(exc)
            self._ready.set()
            await runner.cleanup()
            return
        self.port = runner.addresses[0][1]
        self._stopping = asyncio.Event()
        self._ready.set()
        log.info("screen served on port %s", self.port)
        await self._stopping.wait()
        await runner.cleanup()

    async def _close_clients(self, app: web.Application) -> None:
        for queue in self._clients:
            queue.put_nowait(None)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        content_type = PAGE_FILES[request.path][1]
        if request.path == "/":
            self._check(request, page=True)
        body = self._pages[request.path]
        return web.Response(body=body, content_type=content_type, headers=HEADERS)

    def _check(self, request: web.Request, page: bool = False) -> None:
        """Refuse other hosts' pages (DNS rebinding), other origins, and a wrong token."""
        token = self.settings.token
        if token is not None and not hmac.compare_digest(request.query.get("token", ""), token):
            raise web.HTTPForbidden(text="this kiosk screen needs its token: ?token=...")
        allowed = self._hosts() if token is None else {request.host}
        if request.host not in allowed:
            raise web.HTTPForbidden(text=f"open the screen at {self.url}")
        origin = request.headers.get("Origin")
        if not page and origin not in {f"http://{host}" for host in allowed}:
            log.warning("refused a screen connection from another origin")
            raise web.HTTPForbidden(text="the screen's WebSocket only serves its own page")

    def _hosts(self) -> set[str]:
        return {f"{name}:{self.port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        self._check(request)
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES)
        await ws.prepare(request)
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        for event in (
            hello_event(self.pack, self.private_listening),
            *self._session,
            listening_event(self._listening),
        ):
            queue.put_nowait(event)
        self._clients.add(queue)
        writer = asyncio.ensure_future(_write(ws, queue))
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    self._receive(message.data, queue)
        finally:
            self._clients.discard(queue)
            queue.put_nowait(None)
            await writer
        return ws

    def _receive(self, data: str | bytes, queue: asyncio.Queue[Event | None]) -> None:
        posted = read_message(data)
        if isinstance(posted, BadMessage):
            log.warning("screen message refused: %s", posted.code)
            queue.put_nowait(posted.event())
        else:
            self.inbox.put(posted.heard, posted.for_question)


async def _write(ws: web.WebSocketResponse, queue: asyncio.Queue[Event | None]) -> None:
    """Send one page its events in order until told to stop (None) or it goes away."""
    while (event := await queue.get()) is not None:
        try:
            await ws.send_json(event, dumps=_dumps)
        except (ConnectionError, RuntimeError):
            break
    if not ws.closed:
        await ws.close()


def _page(name: str) -> bytes:
    return (resources.files("kiosk.frontends.screen") / "page" / name).read_bytes()
