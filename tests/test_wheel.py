"""The kiosk as a clinic would install it: a wheel, in a clean virtualenv, outside the
repository. Its language packs and knowledge must travel inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kiosk command of a virtualenv that has only the built wheel (and its needs)."""
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"  # built from a copy: the build leaves nothing in the repository
    shutil.copytree(ROOT / "kiosk", source / "kiosk", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [wheel] = folder.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"kiosk/language/packs/en.yaml", "kiosk/language/packs/ko.yaml"} <= set(names), names
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return venv / "bin" / "kiosk"


def kiosk(command: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(command), *args], input=stdin, capture_output=True, text=True, timeout=120,
        cwd=command.parent,  # far from the repository: nothing can come from there
    )  # fmt: skip


def test_the_installed_wheel_lists_its_questions_in_both_languages(installed: Path) -> None:
    english = kiosk(installed, "--list-questions")
    korean = kiosk(installed, "--lang", "ko", "--list-questions")
    assert english.returncode == 0 and "diabetes" in english.stdout, english.stderr
    assert korean.returncode == 0 and "당뇨" in korean.stdout, korean.stderr


def test_the_installed_wheel_runs_a_text_session(installed: Path) -> None:
    done = kiosk(installed, "--text", "--sessions", "1", stdin="\n" + "yes\n" * 3)
    assert "Has your face suddenly drooped" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
