"""The network settings are checked before a kiosk runs: the broker URL, credentials,
TLS and the FHIR server; each problem says what to do instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config.reading import load_config
from kiosk.records.checks import network_problems
from tests.conftest import ROOT

KIOSK = [sys.executable, "-m", "kiosk"]


def problems(tmp_path: Path, text: str, mode: int = 0o600) -> list[str]:
    secret = tmp_path / "password"
    secret.write_text("s3cret\n")
    secret.chmod(mode)
    (tmp_path / "ca.pem").write_text("not checked here")
    path = tmp_path / "kiosk.yaml"
    path.write_text(text)
    return network_problems(load_config(path))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("network: {mqtt: 'http://broker:1883'}", "must start with mqtt:// or mqtts://"),
        ("network: {mqtt: 'mqtt://'}", "names no host"),
        ("network: {mqtt: 'mqtt://kiosk:pw@broker'}", "holds a user name or password"),
        ("network: {mqtt: 'mqtt://broker:99999'}", "out of range"),
        ("network: {mqtt: 'mqtt://10.0.0.5', username: k1, password_file: password}",
         "the password would cross the network to 10.0.0.5 unencrypted: use mqtts://"),
        ("network: {mqtt: 'mqtt://broker.clinic'}", "without TLS or a password"),
        ("network: {mqtt: 'mqtt://127.0.0.1', ca_file: ca.pem}", "use mqtts:// for TLS"),
        ("network: {mqtt: 'mqtts://broker', ca_file: missing.pem}", "ca_file"),
        ("network: {mqtt: 'mqtts://broker', username: k1}", "go together"),
        ("kiosk_id: ward/3\nnetwork: {mqtt: 'mqtt://127.0.0.1'}", "kiosk_id 'ward/3'"),
        ("records: {fhir_url: 'http://records.clinic/r4'}", "use https://"),
        ("records: {fhir_url: 'ftp://records.clinic'}", "must be an https:// URL"),
    ],
)  # fmt: skip
def test_each_unsafe_or_unusable_setting_is_named(tmp_path: Path, text: str, problem: str) -> None:
    found = problems(tmp_path, text)
    assert any(problem in p for p in found), found


def test_a_password_file_others_can_read_is_refused(tmp_path: Path) -> None:
    text = "network: {mqtt: 'mqtts://broker', username: k1, password_file: password}"
    assert problems(tmp_path, text) == []
    assert "chmod 600" in " ".join(problems(tmp_path, text, mode=0o644))


def test_safe_settings_pass(tmp_path: Path) -> None:
    text = (
        "network: {mqtt: 'mqtts://broker.clinic:8883', ca_file: ca.pem, username: k1,"
        " password_file: password}\nrecords: {fhir_url: 'https://records.clinic/r4'}\n"
    )
    assert problems(tmp_path, text) == []
    assert problems(tmp_path, "network: {mqtt: 'mqtt://127.0.0.1:1883'}") == []


def test_check_config_fails_with_the_problem_and_never_shows_the_password(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("s3cret-value\n")
    os.chmod(secret, 0o600)
    path = tmp_path / "kiosk.yaml"
    path.write_text("network: {mqtt: 'mqtt://10.0.0.5', username: k1, password_file: password}\n")
    done = subprocess.run([*KIOSK, "--check-config", str(path)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2
    assert "unencrypted: use mqtts://" in done.stderr
    assert "s3cret-value" not in done.stdout + done.stderr


def test_credentials_on_the_command_line_stop_the_kiosk(tmp_path: Path) -> None:
    done = subprocess.run(
        [*KIOSK, "--text", "--jsonl", "--report-dir", str(tmp_path), "--mqtt", "mqtt://k1:pw@h"],
        capture_output=True, text=True, cwd=ROOT, input="",
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert "holds a user name or password" in done.stderr and "k1:pw" not in done.stderr


def test_an_outbox_folder_that_cannot_be_made_stops_the_kiosk_with_its_name(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    path = tmp_path / "kiosk.yaml"
    path.write_text(f"network: {{mqtt: 'mqtt://127.0.0.1:1', outbox_dir: {blocker}/outbox}}\n")
    done = subprocess.run(
        [*KIOSK, "--text", "--jsonl", "--config", str(path), "--report-dir", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, input="",
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert f"network.outbox_dir {blocker}/outbox: cannot be used" in done.stderr
