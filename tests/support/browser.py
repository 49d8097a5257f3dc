"""A real headless Chromium on the kiosk screen, and a kiosk serving it in-process.

Debian's chromium and chromium-driver, selenium and axe-core are installed by
`scripts/bootstrap dev`; without them these tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.events import Ask, End, Output, Result
from kiosk.dialog.machine import Dialog
from kiosk.frontends.inbox import Inbox
from kiosk.frontends.screen.run import ScreenSessions, with_screen
from kiosk.frontends.screen.server import ScreenServer
from kiosk.frontends.screen.settings import ScreenSettings
from kiosk.language.pack import Pack
from kiosk.records.report import Summary
from kiosk.triage.knowledge import Knowledge

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"


def browser_missing() -> str | None:
    for tool in ("chromium", "chromedriver"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/test installs it)"
    if importlib.util.find_spec("selenium") is None:
        return "the Python package selenium is not installed (scripts/test installs it)"
    if not AXE.is_file():
        return f"axe-core is not at {AXE} (scripts/test installs it)"
    return None


def require_browser() -> None:
    """Skip with the reason; under CI a missing browser is a failure, not a skip."""
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def start_chromium() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1920,1080",
        "--autoplay-policy=no-user-gesture-required",
    ):
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "chromedriver")
    return webdriver.Chrome(options=options, service=service)


class ScreenKiosk:
    """A kiosk with its screen on a free port, run on a thread as `kiosk --screen` does."""

    def __init__(self, knowledge: Knowledge, pack: Pack) -> None:
        self.pack = pack
        self.inbox = Inbox()
        self.outputs: list[Output] = []
        self.saved: list[Summary] = []
        self.server = ScreenServer(ScreenSettings(port=0), pack, self.inbox)
        self.url = self.server.start()

        def make(emit: Callable[[Output], None]) -> Dialog:
            def record(output: Output) -> None:
                self.outputs.append(output)
                emit(output)

            return Dialog(knowledge, pack, record, self._save)

        self.make = make
        self.sessions: ScreenSessions | None = None
        self.thread: threading.Thread | None = None

    def run_text(self) -> ScreenKiosk:
        """Text mode: the page (through the inbox) is the only input."""
        self.sessions = ScreenSessions(self.make, self.server.show, self.inbox)
        self.thread = threading.Thread(target=self.sessions.run, kwargs={"poll": 0.02})
        self.thread.start()
        return self

    def screen_dialog(self) -> Callable[[Callable[[Output], None]], Dialog]:
        """The dialog factory voice mode gets when the screen is on."""
        return with_screen(self.make, self.server.show)

    def _save(self, summary: Summary) -> bool:
        self.saved.append(summary)
        return True

    def asks(self) -> list[Ask]:
        return [o for o in self.outputs if isinstance(o, Ask)]

    def results(self) -> list[Result]:
        return [o for o in self.outputs if isinstance(o, Result)]

    def ends(self) -> int:
        return sum(isinstance(o, End) for o in self.outputs)

    def wait(self, condition: Callable[[], object], what: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.01)

    def close(self) -> None:
        if self.sessions is not None and self.thread is not None:
            self.sessions.stop()
            self.thread.join(timeout=5)
        self.server.close()


@contextmanager
def serving(knowledge: Knowledge, pack: Pack) -> Iterator[ScreenKiosk]:
    """A screen kiosk for the length of a `with` block."""
    kiosk = ScreenKiosk(knowledge, pack)
    try:
        yield kiosk
    finally:
        kiosk.close()
