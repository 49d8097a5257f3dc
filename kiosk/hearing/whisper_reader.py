"""Whisper tiny.en, read straight through CTranslate2: a turn's audio in, its words out.

Whisper writes what it hears in free text, which is why it keeps its head in a room of
other voices where a grammar decoder forces the babble onto the nearest answer. Only
CTranslate2 (and numpy) is needed: the log-Mel front end and the token table below are
Whisper's own, written out here instead of pulling in faster-whisper, whose audio
decoding (PyAV) and voice detector (onnxruntime) the kiosk does not use (about 230 MB).

The weights are Systran's faster-whisper-tiny.en (MIT), CTranslate2 int8
(`kiosk.hearing.models.find_whisper_model` says where they are looked for).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.core.errors import ModelNotFoundError
from kiosk.hearing.audio import SAMPLE_RATE

WINDOW = 400
HOP = 160
MELS = 80
FRAMES = 3000
"""Whisper hears 30 s at a time; a turn is padded with silence to that length."""
LEAD_SILENCE = 0.2
"""Seconds of silence put before a turn: Whisper often leaves out a first word said at
the very start of its audio ("No, I don't" written "I don't" when the turn began with the
voice, after a barge-in or in a recording)."""


@dataclass(frozen=True)
class Transcript:
    """What Whisper wrote for a turn, and how sure it was."""

    text: str
    mean_log_probability: float
    """The mean log-probability of its tokens (0 is certain; under about -1 it is
    mostly guessing)."""
    no_speech_probability: float
    """Its own estimate that the audio held no speech at all."""


class WhisperReader:
    """Writes down a turn's speech (English only: the only weights to be had here)."""

    def __init__(self, folder: Path, threads: int = 2) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise ModelNotFoundError(f"the ctranslate2 package is not installed ({exc})") from exc
        try:
            self.model: Any = ctranslate2.models.Whisper(
                str(folder), device="cpu", compute_type="int8", intra_threads=threads
            )
        except (RuntimeError, ValueError) as exc:
            raise ModelNotFoundError(f"Whisper could not load {folder} ({exc})") from exc
        self._storage = ctranslate2.StorageView
        self.tokens = (folder / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
        index = {t: i for i, t in enumerate(self.tokens)}
        self.end = index["<|endoftext|>"]
        self.prompt = [index["<|startoftranscript|>"], index["<|notimestamps|>"]]

    def read(self, audio: bytes) -> Transcript:
        """Whisper's words for 16 kHz 16-bit mono audio (at most 30 s)."""
        samples = np.frombuffer(audio, dtype=np.int16).astype(np.float32) / 32768
        samples = np.concatenate([np.zeros(int(LEAD_SILENCE * SAMPLE_RATE), np.float32), samples])
        features = self._storage.from_array(log_mel(samples)[np.newaxis])
        result = self.model.generate(
            features,
            [self.prompt],
            beam_size=5,
            max_length=64,
            return_scores=True,
            return_no_speech_prob=True,
        )[0]
        ids = [t for t in result.sequences_ids[0] if t < self.end]
        # return_scores gives the sum of log-probabilities divided by the length
        return Transcript(self.text(ids), float(result.scores[0]), float(result.no_speech_prob))

    def text(self, ids: list[int]) -> str:
        """Token ids back to text (byte-level BPE, as in GPT-2)."""
        byte_of = _bytes_of_characters()
        raw = bytes(byte_of[c] for t in ids for c in self.tokens[t] if c in byte_of)
        return raw.decode("utf-8", errors="replace").strip()


def log_mel(samples: np.ndarray) -> np.ndarray:
    """Whisper's 80-band log-Mel spectrogram of up to 30 s of 16 kHz audio, padded with
    silence to 30 s (as Whisper was trained): shape (80, 3000)."""
    padded = np.zeros(FRAMES * HOP, dtype=np.float32)
    padded[: min(len(samples), len(padded))] = samples[: len(padded)]
    centred = np.pad(padded, WINDOW // 2, mode="reflect")
    framed = np.lib.stride_tricks.sliding_window_view(centred, WINDOW)[::HOP][:FRAMES]
    window = np.hanning(WINDOW + 1)[:-1].astype(np.float32)
    power = np.abs(np.fft.rfft(framed * window, axis=1)) ** 2
    mel = _mel_filters() @ power.T
    log = np.log10(np.maximum(mel, 1e-10))
    log = np.maximum(log, log.max() - 8.0)
    scaled: np.ndarray = ((log + 4.0) / 4.0).astype(np.float32)
    return scaled


@cache
def _mel_filters() -> np.ndarray:
    """Slaney-style Mel filters (as librosa makes them for Whisper): shape (80, 201)."""
    bins = np.fft.rfftfreq(WINDOW, 1 / SAMPLE_RATE)
    mels = np.linspace(0.0, _mel(SAMPLE_RATE / 2), MELS + 2)
    edges = np.array([_hertz(m) for m in mels])
    ramps = edges[:, np.newaxis] - bins[np.newaxis, :]
    lower = -ramps[:-2] / np.diff(edges)[:-1, np.newaxis]
    upper = ramps[2:] / np.diff(edges)[1:, np.newaxis]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    scaled: np.ndarray = weights * (2.0 / (edges[2:] - edges[:-2]))[:, np.newaxis]
    return scaled.astype(np.float32)


_LINEAR_STEP = 200.0 / 3
_LOG_FROM = 1000.0
_LOG_STEP = math.log(6.4) / 27.0


def _mel(hertz: float) -> float:
    if hertz < _LOG_FROM:
        return hertz / _LINEAR_STEP
    return _LOG_FROM / _LINEAR_STEP + math.log(hertz / _LOG_FROM) / _LOG_STEP


def _hertz(mel: float) -> float:
    start = _LOG_FROM / _LINEAR_STEP
    if mel < start:
        return mel * _LINEAR_STEP
    return _LOG_FROM * math.exp(_LOG_STEP * (mel - start))


@cache
def _bytes_of_characters() -> dict[str, int]:
    """GPT-2's printable stand-in character for each byte, reversed."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    characters = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            characters.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, characters, strict=True)}
