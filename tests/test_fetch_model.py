"""scripts/fetch_model.py against a local HTTP server: only a verified, safe zip is ever unpacked.

Everything runs on 127.0.0.1; the internet is never contacted.
"""

from __future__ import annotations

import hashlib
import io
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from scripts import fetch_model as fm
from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "fetch_model.py"
"""Run by its path, as scripts/run and install-kiosk.sh do."""

MODEL = {
    "vosk-model-x/am/final.mdl": b"acoustic model " * 200,
    "vosk-model-x/conf/model.conf": b"--sample-frequency=16000\n",
    "vosk-model-x/graph/words.txt": b"legs 1\nweak 2\n",
}


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def spec_for(data: bytes, url: str) -> Any:
    """A model spec recording `data`'s real size and hash, as the table does for real models."""
    return fm.ModelSpec(
        name="test model",
        url=url,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        folder="vosk-model-x",
    )


@dataclass
class Route:
    body: bytes
    length: int | None  # the Content-Length to announce; None announces none


@dataclass
class Server:
    """A one-thread HTTP server on 127.0.0.1 that serves fixed routes and counts requests."""

    port: int
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def url(self, path: str = "/model.zip") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, data: bytes, length: int | None = -1, path: str = "/model.zip") -> str:
        self.routes[path] = Route(data, len(data) if length == -1 else length)
        return self.url(path)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            self.send_response(200)
            if route.length is not None:
                self.send_header("Content-Length", str(route.length))
            self.end_headers()
            self.wfile.write(route.body)  # then the connection closes (HTTP/1.0)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "models"


def leftovers(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


def refusal(spec: Any, dest: Path, url: str | None = None) -> Any:
    with pytest.raises(fm.FetchError) as caught:
        fm.fetch(spec, dest, url)
    return caught.value


def test_a_good_model_is_verified_and_unpacked_with_no_temporaries_left(
    server: Server, dest: Path
) -> None:
    data = make_zip(MODEL)
    spec = spec_for(data, server.serve(data))
    path = fm.fetch(spec, dest)
    assert path == dest / "vosk-model-x"
    assert (path / "am" / "final.mdl").read_bytes() == MODEL["vosk-model-x/am/final.mdl"]
    assert (path / "graph" / "words.txt").is_file()
    assert leftovers(dest) == ["vosk-model-x"]


def test_a_corrupt_download_of_the_right_size_is_refused_naming_both_hashes(
    server: Server, dest: Path
) -> None:
    data = make_zip(MODEL)
    corrupt = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
    spec = spec_for(data, server.serve(corrupt))
    error = refusal(spec, dest)
    assert error.code == 1
    assert "SHA-256 mismatch" in str(error)
    assert spec.sha256 in str(error)
    assert hashlib.sha256(corrupt).hexdigest() in str(error)
    assert leftovers(dest) == []


@pytest.mark.parametrize(
    ("extra", "announced"),
    [(-10, True), (+10, True), (+10, False), (-10, False)],
    ids=["shorter", "longer", "longer-unannounced", "shorter-unannounced"],
)
def test_a_download_of_the_wrong_size_is_refused_naming_both_sizes(
    server: Server, dest: Path, extra: int, announced: bool
) -> None:
    data = make_zip(MODEL)
    served = data[:extra] if extra < 0 else data + b"\0" * extra
    spec = spec_for(data, server.serve(served, len(served) if announced else None))
    error = refusal(spec, dest)
    assert error.code == 1
    assert f"{len(data):,} bytes were expected" in str(error)
    assert f"{len(served):,} bytes" in str(error)
    assert leftovers(dest) == []


def test_an_interrupted_download_is_dropped_and_counts_as_offline(
    server: Server, dest: Path
) -> None:
    data = make_zip(MODEL)
    half = data[: len(data) // 2]
    spec = spec_for(data, server.serve(half, length=len(data)))
    error = refusal(spec, dest)
    assert error.code == 3
    assert f"stopped after {len(half):,} of {len(data):,} bytes" in str(error)
    assert leftovers(dest) == []


def test_ctrl_c_mid_download_leaves_nothing_behind(
    server: Server, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = make_zip(MODEL)
    spec = spec_for(data, server.serve(data))

    def press_ctrl_c(received: int, total: int | None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fm, "report_progress", press_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        fm.fetch(spec, dest)
    assert leftovers(dest) == []


def test_an_unreachable_server_exits_3_so_the_kiosk_can_carry_on(dest: Path) -> None:
    with socket.socket() as bound_not_listening:
        bound_not_listening.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound_not_listening.getsockname()[1]}/model.zip"
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "en", "--dest", str(dest), "--url", url],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert f"could not reach {url}" in done.stderr
    assert "the kiosk works without it" in done.stderr
    assert done.stdout == ""
    assert leftovers(dest) == []


def test_a_model_already_in_place_is_not_downloaded_again(
    server: Server, dest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    final = dest / fm.MODELS["en"].folder
    final.mkdir(parents=True)
    url = server.serve(b"never fetched")
    assert fm.main(["en", "--dest", str(dest), "--url", url]) == 0
    assert server.requests == []
    out, err = capsys.readouterr()
    assert "already in" in err
    assert out.strip() == str(final)


@pytest.mark.parametrize(
    "evil",
    ["vosk-model-x/../../escaped.txt", "/tmp/escaped.txt", "../escaped.txt", "elsewhere/x.txt"],
)
def test_a_zip_with_an_entry_outside_the_model_folder_is_refused_before_unpacking(
    server: Server, dest: Path, evil: str
) -> None:
    data = make_zip({**MODEL, evil: b"gotcha"})
    spec = spec_for(data, server.serve(data))
    error = refusal(spec, dest)
    assert error.code == 1
    assert repr(evil) in str(error)
    assert leftovers(dest) == []
    assert not list(dest.parent.rglob("escaped.txt"))


def test_a_verified_file_that_is_not_a_zip_is_refused(server: Server, dest: Path) -> None:
    data = b"<html>captive portal</html>"
    spec = spec_for(data, server.serve(data))
    error = refusal(spec, dest)
    assert "cannot be read" in str(error)
    assert leftovers(dest) == []


def test_an_http_error_is_reported_not_taken_for_offline(server: Server, dest: Path) -> None:
    spec = spec_for(b"x", server.url("/missing.zip"))
    error = refusal(spec, dest)
    assert error.code == 1
    assert "HTTP 404" in str(error)
    assert leftovers(dest) == []


def test_the_english_model_is_pinned_to_the_recorded_zip() -> None:
    en = fm.MODELS["en"]
    assert en.url == "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip"
    assert (en.size, en.folder) == (41_205_931, "vosk-model-small-en-us-0.15")
    assert en.sha256 == "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
