#!/usr/bin/env python3
"""Fetch a speech model for voice mode, checked against a known size and SHA-256 before unpacking.

    .venv/bin/python scripts/fetch_model.py en [--dest models] [--url URL]

The model lands in DEST/<model folder> (default: this repository's models/ folder). It is
downloaded to a temporary file in DEST, verified, unpacked into a temporary folder in DEST and
only then renamed into place, so an interrupted or refused fetch leaves nothing half-written.
Nothing here runs while the kiosk runs: fetching a model is always an explicit step.

Exit codes: 0 the model is in place (fetched now or already there); 1 refused or failed
(size or hash mismatch, unsafe or broken zip, HTTP error, disk error); 2 bad arguments;
3 the download source could not be reached or the connection was lost (the kiosk still works
without the model, so a caller such as scripts/run can carry on); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import shutil
import signal
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import BinaryIO

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
TIMEOUT = 30.0  # seconds without progress before giving up on the server
CHUNK = 64 * 1024

OK, FAILED, OFFLINE, INTERRUPTED = 0, 1, 3, 130
WITHOUT_IT = (
    "the kiosk works without it: English voice uses Whisper or PocketSphinx, and text mode "
    "always works"
)


@dataclass(frozen=True)
class ModelSpec:
    """One downloadable model: where it comes from, what the zip must be, where it unpacks."""

    name: str
    url: str
    size: int  # bytes of the zip
    sha256: str  # of the zip, lowercase hex
    folder: str  # the single top-level folder inside the zip, kept as the final folder name


# Size and SHA-256 were recorded from a public mirror of the zip; confirm them against the
# official listing (https://alphacephei.com/vosk/models) before relying on them, and record
# any model added here the same way.
MODELS: dict[str, ModelSpec] = {
    "en": ModelSpec(
        name="Vosk small English (US) 0.15",
        url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
        size=41_205_931,
        sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
        folder="vosk-model-small-en-us-0.15",
    ),
}


class FetchError(Exception):
    """A fetch that did not end with the model in place; `code` is the exit code to use."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    print(f"fetch_model: {message}", file=sys.stderr, flush=True)


def report_progress(received: int, total: int | None) -> None:
    """Say how far the download is; called only at each tenth (or each 10 MB when unsized)."""
    share = f" ({100 * received // total}%)" if total else ""
    say(f"  {received:,} bytes{share}")


def _milestone(received: int, total: int | None) -> int:
    return received * 10 // total if total else received // (10 * 1024 * 1024)


def fetch(spec: ModelSpec, dest: Path, url: str | None = None, *, timeout: float = TIMEOUT) -> Path:
    """Put `spec`'s model in `dest` unless it is already there, and return its folder.

    Raises FetchError, leaving no temporary file or folder behind, on any failure.
    """
    url = url or spec.url
    final = dest / spec.folder
    if final.exists():
        say(f"{spec.name} is already in {final}; nothing to do")
        return final
    try:
        dest.mkdir(parents=True, exist_ok=True)
        fd, part_name = tempfile.mkstemp(dir=dest, prefix=f".{spec.folder}.", suffix=".zip.part")
    except OSError as error:
        raise FetchError(f"cannot write to {dest}: {error}") from error
    part = Path(part_name)
    unpacking: Path | None = None
    try:
        with os.fdopen(fd, "wb") as out:
            say(f"downloading {spec.name} from {url}")
            sha256 = _download(spec, url, out, timeout)
        _verify(spec, url, part, sha256)
        unpacking = Path(tempfile.mkdtemp(dir=dest, prefix=f".{spec.folder}.", suffix=".unpack"))
        _unpack(spec, part, unpacking)
        (unpacking / spec.folder).rename(final)
    except OSError as error:
        raise FetchError(f"could not put the model in {dest}: {error}") from error
    finally:
        part.unlink(missing_ok=True)
        if unpacking is not None:
            shutil.rmtree(unpacking, ignore_errors=True)
    say(f"{spec.name} is ready in {final}")
    return final


def _download(spec: ModelSpec, url: str, out: BinaryIO, timeout: float) -> str:
    """Stream `url` into `out`, hashing as it goes; return the hex SHA-256.

    Stops early once more than `spec.size` bytes arrive, so a wrong file cannot fill the disk.
    """
    request = urllib.request.Request(url, headers={"User-Agent": "clinic-kiosk-fetch-model"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        error.close()
        raise FetchError(f"{url} answered HTTP {error.code} {error.reason}") from error
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"could not reach {url} ({reason}); {WITHOUT_IT}", OFFLINE) from error
    with response:
        declared = _content_length(response.headers.get("Content-Length"))
        if declared is not None and declared != spec.size:
            raise FetchError(_size_mismatch(url, declared, spec.size))
        digest = hashlib.sha256()
        received = milestone = 0
        while True:
            try:
                chunk = response.read(CHUNK)
            except (OSError, http.client.HTTPException) as error:
                raise FetchError(_lost(url, received, declared, error), OFFLINE) from error
            if not chunk:
                break
            received += len(chunk)
            if received > spec.size:
                raise FetchError(_size_mismatch(url, received, spec.size, at_least=True))
            digest.update(chunk)
            out.write(chunk)
            if _milestone(received, declared) != milestone:
                milestone = _milestone(received, declared)
                report_progress(received, declared)
    if declared is not None and received < declared:
        closed = "the server closed the connection"
        raise FetchError(_lost(url, received, declared, closed), OFFLINE)
    if received != spec.size:
        raise FetchError(_size_mismatch(url, received, spec.size))
    return digest.hexdigest()


def _content_length(header: str | None) -> int | None:
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None


def _size_mismatch(url: str, actual: int, expected: int, at_least: bool = False) -> str:
    more = "at least " if at_least else ""
    return (
        f"refusing {url}: it is {more}{actual:,} bytes but {expected:,} bytes were expected; "
        "nothing was unpacked"
    )


def _lost(url: str, received: int, declared: int | None, why: object) -> str:
    of = f" of {declared:,}" if declared is not None else ""
    return (
        f"the download from {url} stopped after {received:,}{of} bytes ({why}); "
        f"nothing was kept, and {WITHOUT_IT}"
    )


def _verify(spec: ModelSpec, url: str, part: Path, sha256: str) -> None:
    """Refuse anything but the exact recorded file; the size was already checked while reading."""
    if sha256 != spec.sha256.lower():
        raise FetchError(
            f"refusing {url}: SHA-256 mismatch: expected {spec.sha256}, got {sha256} "
            f"(size {part.stat().st_size:,} bytes as expected); the file is corrupt or not the "
            "recorded one, so nothing was unpacked"
        )


def _unpack(spec: ModelSpec, archive: Path, into: Path) -> None:
    """Unpack only after every entry is checked to stay inside the model's own folder."""
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not _inside(info.filename, spec.folder):
                    raise FetchError(
                        f"refusing the zip: entry {info.filename!r} is not inside "
                        f"{spec.folder}/ (absolute paths and '..' are never unpacked)"
                    )
            zf.extractall(into)
    except zipfile.BadZipFile as error:
        raise FetchError(f"refusing the zip: it cannot be read ({error})") from error
    if not (into / spec.folder).is_dir():
        raise FetchError(f"refusing the zip: it has no {spec.folder}/ folder")


def _inside(name: str, folder: str) -> bool:
    """Whether a zip entry name is a plain relative path under `folder`."""
    name = name.replace("\\", "/")
    parts = PurePosixPath(name).parts
    return (
        not name.startswith("/")
        and ":" not in name
        and ".." not in parts
        and bool(parts)
        and parts[0] == folder
    )


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Turn a polite kill into an exception so the temporaries are cleaned up as for Ctrl-C."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("language", choices=sorted(MODELS), help="which model to fetch")
    parser.add_argument(
        "--dest", type=Path, default=MODELS_DIR, help="models folder (default: %(default)s)"
    )
    parser.add_argument("--url", help="download from here instead (e.g. a local mirror)")
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        path = fetch(MODELS[args.language], args.dest, args.url)
    except FetchError as error:
        say(str(error))
        return error.code
    except KeyboardInterrupt:
        say("interrupted; nothing was kept")
        return INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(path)
    return OK


if __name__ == "__main__":
    raise SystemExit(main())
