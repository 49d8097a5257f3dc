"""espeak-ng's C library, driven directly, synthesising into memory.

pyttsx3 (2.99) cannot hand back the samples it makes: its espeak driver writes every
line to a temporary WAV file and plays it with `aplay`, so what the kiosk says about a
person would reach a file and a line could not be stopped. libespeak-ng itself can: in
synchronous retrieval mode it passes each short buffer of samples to a callback, which
here goes straight to the caller, and the callback's answer can abort the line at once.
Only the few calls the kiosk needs are bound.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable

from kiosk.core.errors import AudioDeviceError

log = logging.getLogger(__name__)

_RETRIEVAL_SYNCHRONOUS = 2
"""AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns when the line is made; samples go to
the callback only (nothing is played by espeak-ng and nothing is written anywhere)."""
_BUFFER_MS = 40
"""Samples reach the callback in buffers of about this length: the first sound of a line
is ready after one buffer, not after the whole line."""
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_RATE, _VOLUME = 1, 2

Chunk = Callable[[bytes], bool]
"""Receives each buffer of 16-bit mono samples; returns False to stop the line there."""


class _Event(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    )


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class Espeak:
    """One espeak-ng for the process (the library holds global state): `synthesize`
    from one thread at a time."""

    _lock = threading.Lock()

    def __init__(self, voice: str | None = None) -> None:
        self._lib = _load()
        rate = self._lib.espeak_Initialize(_RETRIEVAL_SYNCHRONOUS, _BUFFER_MS, None, 0)
        if rate <= 0:
            raise AudioDeviceError("espeak-ng could not start (is espeak-ng-data installed?)")
        self.sample_rate: int = rate
        """Samples per second of everything `synthesize` produces (22050 for espeak-ng)."""
        self._sink: Chunk = lambda chunk: True
        self._callback = _CALLBACK(self._on_samples)  # kept: the library holds a pointer
        self._lib.espeak_SetSynthCallback(self._callback)
        if voice and self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise AudioDeviceError(f"espeak-ng has no voice {voice!r} (espeak-ng --voices)")

    def synthesize(self, text: str, words_per_minute: int, sink: Chunk) -> None:
        """Make `text` at this rate, passing each buffer to `sink` as soon as it exists."""
        with self._lock:
            self._sink = sink
            self._lib.espeak_SetParameter(_RATE, words_per_minute, 0)
            self._lib.espeak_SetParameter(_VOLUME, 100, 0)  # the player sets the volume
            data = text.encode("utf-8") + b"\0"
            status = self._lib.espeak_Synth(
                data, len(data), 0, 1, 0, _CHARS_UTF8 | _ENDPAUSE, None, None
            )
            self._sink = lambda chunk: True
        if status not in (0, 1):  # EE_OK; EE_BUFFER_FULL cannot happen synchronously
            raise AudioDeviceError(f"espeak-ng failed to speak (error {status})")

    def _on_samples(self, wav: ctypes.Array[ctypes.c_short], count: int, events: object) -> int:
        if count <= 0 or not wav:
            return 0
        keep_going = self._sink(ctypes.string_at(wav, count * 2))
        return 0 if keep_going else 1  # 1 aborts the rest of the line


def _load() -> ctypes.CDLL:
    name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise AudioDeviceError(f"no espeak-ng library ({exc}); install espeak-ng") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
        ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]  # fmt: skip
    lib.espeak_Synth.restype = ctypes.c_int
    return lib
