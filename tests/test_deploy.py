"""Deployment: the install script's dry run changes nothing and shows every step; the
systemd units verify, run unprivileged and hardened, and start the kiosk validly."""

from __future__ import annotations

import configparser
import hashlib
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.app.cli import parse_args
from kiosk.config.reading import load_config
from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "install-kiosk.sh"
UNIT = ROOT / "deploy" / "leg-kiosk.service"
SCREEN_UNIT = ROOT / "deploy" / "leg-kiosk-screen.service"
WATCHED = [Path("/opt/leg-kiosk"), Path("/etc/leg-kiosk"), Path("/var/lib/leg-kiosk"),
           Path("/etc/systemd/system/leg-kiosk.service"),
           Path("/etc/systemd/system/leg-kiosk-screen.service")]  # fmt: skip


def machine_state() -> tuple[object, ...]:
    """What an install would change: users, and the files and folders it writes."""
    users = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    groups = hashlib.sha256(Path("/etc/group").read_bytes()).hexdigest()
    return users, groups, *(p.exists() for p in WATCHED)


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_a_dry_run_shows_every_step_and_changes_nothing() -> None:
    before = machine_state()
    done = subprocess.run(["bash", str(SCRIPT), "--dry-run", "--with-screen"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert machine_state() == before
    out = done.stdout
    assert "useradd --system" in out or "user kiosk exists" in out
    assert "--groups audio" in out or "usermod -aG audio" in out or "user kiosk exists" in out
    assert "/opt/leg-kiosk/scripts/bootstrap" in out
    assert "kiosk.example.yaml /etc/leg-kiosk/config.yaml" in out or "keeping" in out
    assert "ReadWritePaths=/var/lib/leg-kiosk /var/lib/leg-kiosk/reports" in out
    assert "systemctl enable leg-kiosk.service leg-kiosk-screen.service" in out
    assert "chromium --kiosk --app=http://127.0.0.1:8765/" in out
    assert (
        "ExecStart=/opt/leg-kiosk/.venv/bin/kiosk --config /etc/leg-kiosk/config.yaml --screen"
        in out
    )
    assert "nothing was changed" in out


def test_an_unknown_option_is_refused() -> None:
    done = subprocess.run(["bash", str(SCRIPT), "--dry-rn"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option --dry-rn" in done.stderr


def test_the_service_runs_unprivileged_hardened_and_restarts_on_failure() -> None:
    service = unit(UNIT)["Service"]
    assert service["User"] == "kiosk" and service["SupplementaryGroups"] == "audio"
    assert service["Restart"] == "on-failure"
    assert service["NoNewPrivileges"] == "yes" and service["PrivateTmp"] == "yes"
    assert service["ProtectSystem"] == "strict"
    writable = [Path(p) for p in service["ReadWritePaths"].split()]
    example = load_config(ROOT / "config" / "kiosk.example.yaml")
    assert example.alert.file is not None
    for needed in (example.report_dir, example.alert.file.parent, example.network.outbox_dir):
        assert any(needed.is_relative_to(folder) for folder in writable), needed


def test_the_service_command_lines_are_valid_kiosk_options() -> None:
    service = unit(UNIT)["Service"]
    for key in ("ExecStart", "ExecStartPre"):
        program, *arguments = shlex.split(service[key])
        assert program == "/opt/leg-kiosk/.venv/bin/kiosk"
        parse_args(arguments)  # exits (fails the test) on an option the kiosk lacks
    assert "--voice-only" in service["ExecStart"]


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (it comes with systemd)")
    kiosk = ROOT / ".venv" / "bin" / "kiosk"
    for source in (UNIT, SCREEN_UNIT):
        text = source.read_text().replace("/opt/leg-kiosk/.venv/bin/kiosk", str(kiosk))
        for program in ("/usr/bin/cage", "/usr/bin/chromium"):
            if not Path(program).exists():  # the screen's programs: installed with --with-screen
                text = text.replace(program, "/bin/true")
        (tmp_path / source.name).write_text(text)
    done = subprocess.run([analyze, "verify", *(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    ours = [line for line in done.stderr.splitlines() if "leg-kiosk" in line]
    assert done.returncode == 0 and ours == [], done.stderr


def test_voice_only_exits_for_the_service_manager_to_retry(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "kiosk", "--voice-only", "--model",
                           str(tmp_path / "no-model"), "--report-dir", str(tmp_path)],
                          input="", capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "voice mode is not available" in done.stderr and "not falling back" in done.stderr
    assert done.stdout == "", "no text-mode session was started"
