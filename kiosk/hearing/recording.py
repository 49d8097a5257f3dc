"""A recorded answer from a WAV file, in whatever format the recorder chose.

`kiosk --recognize` and `--wav-answers` take recordings from phones, sound cards and
speech synthesisers: 22 050 Hz from espeak-ng, 44 100 or 48 000 Hz stereo from most
recorders, 24-bit or floating point from audio editors (often in the "extensible" WAV
layout that Python's wave module cannot read). All of these are read here and converted
once to the recognizers' 16 kHz mono int16, in memory. Anything else is refused with a
message that names the format and the sox command that converts it.
"""

from __future__ import annotations

import array
import logging
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core.errors import AudioDeviceError
from kiosk.hearing.audio import SAMPLE_RATE
from kiosk.hearing.resample import resample

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE
NAMES = {2: "ADPCM", 6: "A-law", 7: "mu-law", 0x55: "MP3"}
CONVERT = "convert it with: sox IN.wav -r 16000 -c 1 -b 16 OUT.wav"
LONGEST_SECONDS = 60
"""A turn never listens longer than 25 s (kiosk.hearing.turn.Endpointing), so the rest of a long
recording would never be heard; it is not converted either."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Format:
    tag: int
    """PCM or FLOAT (an extensible file's sub-format)."""
    channels: int
    rate: int
    bits: int


def read_wav(path: Path) -> bytes:
    """The recording as 16 kHz mono int16 samples; a clear error when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AudioDeviceError(f"{path}: not a readable WAV file ({exc})") from exc
    try:
        shape, samples = _parse(data)
    except ValueError as exc:
        raise AudioDeviceError(f"{path}: {exc}; {CONVERT}") from exc
    longest = LONGEST_SECONDS * shape.rate * shape.channels * shape.bits // 8
    if len(samples) > longest:
        log.warning("%s: only its first %d seconds are heard", path, LONGEST_SECONDS)
        samples = samples[:longest]
    mono = _mono(_decode(samples, shape), shape.channels)
    return resample(mono, shape.rate, SAMPLE_RATE).tobytes()


def _parse(data: bytes) -> tuple[_Format, bytes]:
    """The format and the sample bytes of a RIFF WAVE file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file (no RIFF/WAVE header)")
    shape: _Format | None = None
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = data[at + 8 : at + 8 + size]
        if kind == b"fmt ":
            shape = _format(body)
        elif kind == b"data":
            if shape is None:
                raise ValueError("its sound data comes before its format")
            # Recorders that were cut off leave the size unset or too large: take what is there.
            return shape, body[: len(body) - len(body) % (shape.channels * shape.bits // 8)]
        at += 8 + size + size % 2
    raise ValueError("no format or no sound data in the file")


def _format(body: bytes) -> _Format:
    if len(body) < 16:
        raise ValueError("its format chunk is cut short")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
    if tag == EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack_from("<H", body, 24)[0]  # the sub-format GUID starts with it
    if tag not in (PCM, FLOAT):
        raise ValueError(f"{NAMES.get(tag, f'format {tag}')} audio is not supported")
    if (tag, bits) not in ((PCM, 8), (PCM, 16), (PCM, 24), (PCM, 32), (FLOAT, 32), (FLOAT, 64)):
        kind = "floating-point" if tag == FLOAT else "integer"
        raise ValueError(f"{bits}-bit {kind} samples are not supported")
    if channels < 1 or not 4000 <= rate <= 384000:
        raise ValueError(f"{channels} channel(s) at {rate} Hz is not a recording it can use")
    return _Format(tag, channels, rate, bits)


def _decode(raw: bytes, shape: _Format) -> list[float]:
    """Interleaved samples on the int16 scale."""
    if shape.tag == FLOAT:
        floats = array.array("f" if shape.bits == 32 else "d", raw)
        _little_endian(floats)
        return [s * 32768.0 for s in floats]
    if shape.bits == 8:
        return [(s - 128) * 256.0 for s in raw]  # 8-bit WAV is unsigned
    if shape.bits == 24:
        return [
            int.from_bytes(raw[i : i + 3], "little", signed=True) / 256.0
            for i in range(0, len(raw), 3)
        ]
    ints = array.array("h" if shape.bits == 16 else "i", raw)
    _little_endian(ints)
    scale = 1.0 if shape.bits == 16 else 1 / 65536
    return [s * scale for s in ints]


def _little_endian(samples: array.array[Any]) -> None:
    """WAV samples are little-endian; swap them on a big-endian machine."""
    if sys.byteorder == "big":
        samples.byteswap()


def _mono(samples: list[float], channels: int) -> list[float]:
    """The mean of the channels: a stereo recorder's two microphones hear the same voice."""
    if channels == 1:
        return samples
    columns = [samples[c::channels] for c in range(channels)]
    return [sum(frame) / channels for frame in zip(*columns, strict=True)]
