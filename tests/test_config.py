"""The config file: the example loads, every mistake names the file and the key,
the command line overrides it, and --check-config says what the kiosk would use."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.app.cli import main
from kiosk.config.reading import describe, load_config
from kiosk.config.settings import Settings
from kiosk.core.errors import ConfigFileError
from tests.conftest import ROOT

EXAMPLE = ROOT / "config" / "kiosk.example.yaml"
KIOSK = [sys.executable, "-m", "kiosk"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_loads_with_the_values_it_shows() -> None:
    settings = load_config(EXAMPLE)
    assert settings.kiosk_id == "clinic-kiosk-1"
    assert settings.report_dir == Path("/var/lib/leg-kiosk/reports")
    assert settings.emergency_number == "999" and settings.retention_days == 30
    assert settings.timeouts.no_speech == 12 and settings.timeouts.jsonl_idle is None
    assert settings.alert.file == Path("/var/lib/leg-kiosk/alerts.jsonl")
    assert settings.alert.command is None


def test_the_example_shows_every_setting_there_is() -> None:
    shown = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    every = yaml.safe_load(describe(Settings()))
    developer_only = {"prompts_dir", "knowledge_file"}
    assert set(shown) == set(every) - developer_only
    for section, fields in every.items():
        if isinstance(fields, dict):
            assert set(shown[section]) == set(fields), section


def test_a_full_config_sets_every_section(tmp_path: Path) -> None:
    path = write(tmp_path, """
kiosk_id: ward-3
language: ko
report_dir: summaries
retention_days:
voice: {input_device: 2, name: ko, words_per_minute: 120, volume: 0.5}
timeouts: {no_speech: 20, warnings: 3, turns_after_wait: 4, text_idle: 90, jsonl_idle: 30}
alert: {command: [/usr/local/bin/page-staff, --ward, "3"], file: alerts/alerts.jsonl, timeout: 2}
""")  # fmt: skip
    settings = load_config(path)
    assert settings.language == "ko" and settings.kiosk_id == "ward-3"
    assert settings.report_dir == tmp_path / "summaries", "relative to the config file"
    assert settings.retention_days is None, "nothing: keep for ever"
    assert settings.voice.input_device == 2 and settings.voice.words_per_minute == 120
    assert dataclasses.astuple(settings.timeouts) == (20.0, 3, 4, 90.0, 30.0)
    assert settings.alert.command == ("/usr/local/bin/page-staff", "--ward", "3")
    assert settings.alert.file == tmp_path / "alerts" / "alerts.jsonl"


def test_how_the_kiosk_speaks_is_gathered_from_the_voice_and_audio_sections(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, """
language: ko
voice: {words_per_minute: 120, volume: 0.5}
audio: {output: "3", private_output: headphones, private: true, earcons: false}
""")  # fmt: skip
    speech = load_config(path).speech
    assert (speech.voice, speech.words_per_minute, speech.volume) == ("ko", 120, 0.5)
    assert (speech.output_device, speech.private_output) == (3, "headphones"), (
        "an index is a number"
    )
    assert speech.private and not speech.earcons
    assert Settings().speech.voice == "en", "no voice named: the language's"


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "# nothing set yet\n")) == Settings()


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("langauge: en\n", "(top level)", "unknown key(s) langauge"),
        ("timeouts: {no_speach: 3}\n", "timeouts", "unknown key(s) no_speach"),
        ("retention_days: thirty\n", "retention_days", "must be a whole number"),
        ("retention_days: 0\n", "retention_days", "between 1 and 3650"),
        ("voice: {volume: 3}\n", "voice.volume", "between 0.1 and 1.0"),
        ("timeouts: {no_speech: 1}\n", "timeouts.no_speech", "between 3.0 and 120.0"),
        ("timeouts: {warnings: 2.5}\n", "timeouts.warnings", "whole number"),
        ("emergency_number: 112\n", "emergency_number", "put it in quotes"),
        ("alert: {command: /bin/page-staff}\n", "alert.command", "must be a non-empty list"),
        ("alert: {command: [page, 3]}\n", "alert.command.1", "must be non-empty text"),
        ("alert: [command]\n", "alert", "must be a mapping"),
        ("voice: {input_device: 1.5}\n", "voice.input_device", "must be a whole number or text"),
        ("kiosk_id:\n", "kiosk_id", "must be non-empty text, got nothing"),
        ("- just a list\n", "(top level)", "must be a mapping"),
        (
            "timeouts: {warnings: 1, no_speech: 15}\n",
            "timeouts",
            "at least 20 s after the first warning",
        ),
        ("language: [en\n", "line", "not valid YAML"),
    ],
)
def test_a_mistake_names_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigFileError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {key}")
    assert problem in str(caught.value)


def test_check_config_prints_the_effective_settings(tmp_path: Path) -> None:
    path = write(tmp_path, "kiosk_id: ward-3\nlanguage: ko\n")
    done = subprocess.run([*KIOSK, "--check-config", str(path), "--lang", "en"],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = yaml.safe_load(done.stdout)
    assert shown["kiosk_id"] == "ward-3"
    assert shown["language"] == "en", "the command line overrides the file"
    assert str(path) in done.stdout.splitlines()[0]


def test_check_config_fails_with_status_2_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "timeouts:\n  no_speach: 3\n")
    done = subprocess.run([*KIOSK, "--check-config", str(path)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert f"{path}: timeouts: unknown key(s) no_speach" in done.stderr


def test_check_config_also_checks_what_the_settings_name(tmp_path: Path) -> None:
    path = write(tmp_path, "language: fr\n")
    done = subprocess.run([*KIOSK, "--check-config", str(path)],
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2 and "fr.yaml: no such language pack" in done.stderr


def test_the_default_file_is_read_when_present(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default = write(tmp_path, "kiosk_id: from-etc\n")
    assert main(["--check-config"], default_config=default) == 0
    assert yaml.safe_load(capsys.readouterr().out)["kiosk_id"] == "from-etc"
    assert main(["--check-config"], default_config=tmp_path / "absent.yaml") == 0
    assert yaml.safe_load(capsys.readouterr().out)["kiosk_id"] == "kiosk"


def test_a_bad_config_stops_the_kiosk_before_any_session(tmp_path: Path) -> None:
    path = write(tmp_path, "retention_days: -1\n")
    done = subprocess.run([*KIOSK, "--config", str(path), "--text", "--jsonl"], input="yes\n",
                          capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert f"{path}: retention_days: must be between 1 and 3650" in done.stderr


def test_a_session_uses_the_configured_folder_and_number(tmp_path: Path) -> None:
    path = write(tmp_path, 'report_dir: out\nemergency_number: "112"\n')
    done = subprocess.run([*KIOSK, "--config", str(path), "--text", "--jsonl"],
                          input="yes\ndone\n", capture_output=True, text=True, cwd=ROOT,
                          check=True)  # fmt: skip
    events = [json.loads(line) for line in done.stdout.splitlines()]
    emergency = next(e for e in events if e.get("kind") == "emergency")
    assert "112" in emergency["text"]
    assert len(list((tmp_path / "out").glob("*.json"))) == 1
