"""Is someone talking in this chunk? A voice-activity detector beside the recognizer.

The recognizer's words alone cannot tell a finished answer from a person still talking:
"could you call the nurse" settles on the grammar's "too loud" half-way through, and the
words stop changing while the sentence goes on. The WebRTC detector inside the
pocketsphinx package (already a dependency) hears the voice itself. Its most selective
mode marks 98-100% of espeak-ng speech as voice and none of the white noise around it,
down to 5 dB SNR (measured while choosing the mode; modes 0-1 marked over half the noise
at 5 dB as voice).
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

SELECTIVE = 3
"""The detector's most aggressive mode: least noise taken for voice."""


class VoiceActivity:
    """Feeds 16 kHz int16 chunks to the detector in its own frame size."""

    def __init__(self, detector: Any) -> None:
        self.detector = detector
        self._frame = detector.frame_bytes
        self._left = b""

    def voiced(self, chunk: bytes) -> bool:
        """Whether any whole detector frame ending in this chunk holds a voice. Every
        frame goes to the detector, voiced or not: it adapts to the noise and smooths
        its decisions frame by frame, so skipping frames would skew it."""
        audio = self._left + chunk
        cut = len(audio) - len(audio) % self._frame
        self._left = audio[cut:]
        frames = [audio[i : i + self._frame] for i in range(0, cut, self._frame)]
        return any([self.detector.is_speech(frame) for frame in frames])


def voice_activity() -> VoiceActivity | None:
    """A fresh detector for one turn; None (words alone decide) if it cannot be loaded."""
    try:
        from pocketsphinx import Vad

        return VoiceActivity(Vad(SELECTIVE))
    except (ImportError, ValueError, RuntimeError) as exc:
        log.warning("no voice-activity detector (%s): turns end on the words alone", exc)
        return None
