"""Sound that does not come at 16 kHz mono: recordings in other formats, and a sound card
that cannot record at 16 kHz. Both are converted on the way in, and the kiosk decides
the same as it would for 16 kHz audio."""

from __future__ import annotations

import array
import json
import math
import random
import subprocess
import sys
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.hearing.audio import CHUNK_BYTES, SAMPLE_RATE, Microphone
from kiosk.hearing.resample import Resampler, resample
from kiosk.language.pack import load_pack
from kiosk.triage.knowledge import Knowledge
from tests.conftest import ROOT
from tests.support.speech import require_voice_tools, speak

pytestmark = pytest.mark.voice


def _tone(hertz: float, rate: int, seconds: float, amplitude: float = 10000.0) -> list[float]:
    return [
        amplitude * math.sin(2 * math.pi * hertz * i / rate) for i in range(int(rate * seconds))
    ]


def _amplitude_at(samples: Any, hertz: float, rate: int) -> float:
    """The amplitude of one frequency in `samples` (a single-bin Fourier transform)."""
    turn = 2 * math.pi * hertz / rate
    real = sum(v * math.cos(turn * i) for i, v in enumerate(samples))
    imaginary = sum(v * math.sin(turn * i) for i, v in enumerate(samples))
    return 2 * math.hypot(real, imaginary) / len(samples)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_converted_speech_band_keeps_its_pitch_and_loudness(rate: int) -> None:
    converted = resample(_tone(1000, rate, 0.5), rate, SAMPLE_RATE)
    assert len(converted) == SAMPLE_RATE // 2
    middle = converted[1000:7000]
    assert _amplitude_at(middle, 1000, SAMPLE_RATE) == pytest.approx(10000, rel=0.02)


def test_sound_above_8_khz_does_not_fold_back_into_the_speech_band() -> None:
    """Without a low-pass filter an 11 kHz hiss at 48 kHz would land on 5 kHz, in the
    middle of the band the recognizers listen to."""
    converted = resample(_tone(11000, 48000, 0.5), 48000, SAMPLE_RATE)
    assert _amplitude_at(converted[1000:7000], 5000, SAMPLE_RATE) < 10000 / 300  # < -50 dB


def test_a_stream_converted_in_pieces_equals_it_converted_whole() -> None:
    """A microphone delivers blocks of any size; where they break must not be audible."""
    rng = random.Random(7)
    noise = [rng.uniform(-8000, 8000) for _ in range(44100)]
    resampler = Resampler(44100, SAMPLE_RATE)
    pieces: list[int] = []
    at = 0
    while at < len(noise):
        size = rng.randint(1, 3000)
        pieces += resampler.feed(noise[at : at + size])
        at += size
    pieces += resampler.flush()
    assert pieces == list(resample(noise, 44100, SAMPLE_RATE))


def _espeak_wav(text: str, path: Path, voice: str = "en-us") -> Path:
    """espeak-ng's own WAV: 22 050 Hz mono, as a staff member would make one."""
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return path


def _sox(source: Path, target: Path, *options: str) -> Path:
    subprocess.run(["sox", str(source), *options, str(target)], check=True)
    return target


def _recognize(
    lang: str, engine: str, recordings: list[Path]
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """`kiosk --recognize` on the recordings at a red-flag question, and its JSON lines."""
    finished = subprocess.run(
        [sys.executable, "-m", "kiosk", "--lang", lang, "--engine", engine,
         "--recognize", *map(str, recordings), "--question", "stroke_signs"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    return finished, [json.loads(line) for line in finished.stdout.splitlines()]


def test_recognize_takes_recordings_as_recorders_make_them(tmp_path: Path) -> None:
    """`kiosk --recognize` decides espeak-ng's 22 kHz WAV, a 48 kHz stereo 24-bit
    recording and a 44.1 kHz floating-point one alike; a file it cannot read gets a
    line that names the problem and how to convert it, and the others are still decided."""
    require_voice_tools()
    spoken = _espeak_wav("yes", tmp_path / "espeak.wav")
    recordings = [
        spoken,
        _sox(spoken, tmp_path / "stereo.wav", "-r", "48000", "-c", "2", "-b", "24"),
        _sox(spoken, tmp_path / "float.wav", "-r", "44100", "-e", "floating-point", "-b", "32"),
        _sox(spoken, tmp_path / "phone.wav", "-r", "8000", "-e", "u-law"),
        tmp_path / "absent.wav",
    ]
    finished, lines = _recognize("en", "pocketsphinx", recordings)
    assert [line["file"] for line in lines] == list(map(str, recordings))
    decided = [(line.get("decision"), line.get("answer")) for line in lines[:3]]
    assert decided == [("answer", "yes")] * 3, lines
    assert "mu-law" in lines[3]["error"] and "sox" in lines[3]["error"]
    assert "not a readable WAV" in lines[4]["error"]
    assert finished.returncode == 2


def test_recognize_hears_quiet_recordings_as_it_hears_loud_ones(tmp_path: Path) -> None:
    """A quiet voice or a microphone set low must not change what is understood: the
    Korean model normalises nothing itself, and heard espeak-ng's answers 20 dB down
    mostly as something else before the kiosk set each recording's level."""
    require_voice_tools()
    said = {"네": "yes", "아니요": "no"}
    recordings, expected = [], []
    for number, (words, answer) in enumerate(said.items()):
        spoken = _espeak_wav(words, tmp_path / f"{number}.wav", voice="ko")
        for volume in ("1", "0.1", "0.03", "2"):
            recording = tmp_path / f"{number}-{volume}.wav"
            subprocess.run(["sox", str(spoken), str(recording), "vol", volume], check=True)
            recordings.append(recording)
            expected.append(("answer", answer))
    _, lines = _recognize("ko", "vosk", recordings)
    assert [(line.get("decision"), line.get("answer")) for line in lines] == expected, lines


def test_a_quiet_voice_at_the_microphone_is_understood_from_the_next_answer_on(
    knowledge: Knowledge,
) -> None:
    """A live answer is decided while it is heard, so the kiosk sets the microphone's gain
    from the voice of the turns before: someone speaking 20 dB quieter than usual (a weak
    voice, or standing back) is understood once they have said something."""
    from kiosk.app.recognize import describe, expectation_for
    from kiosk.hearing.audio import ClipSource
    from kiosk.hearing.engines import choose_engine
    from kiosk.hearing.level import LevelledSource
    from kiosk.hearing.turn import Endpointing

    require_voice_tools()
    pack = load_pack("ko", knowledge)
    quick = Endpointing(no_speech=3.0)  # a turn heard as silence ends sooner
    listener = choose_engine(pack, knowledge, "vosk", endpointing=quick).listener
    expecting = expectation_for(knowledge, "stroke_signs")
    said = {"아니요": "no", "네": "yes", "몰라": "dont_know"}
    turns = ["아니요", "네", "몰라"]
    quiet = [
        array.array("h", (s // 10 for s in array.array("h", speak(w)))).tobytes() for w in turns
    ]

    def heard(source: Any) -> list[object]:
        answers = []
        for _ in turns:
            decision = listener.decide(source, expecting)
            assert decision is not None
            answers.append(describe(decision.heard, pack, expecting).get("answer"))
        return answers[1:]

    meant = [said[w] for w in turns[1:]]
    assert heard(LevelledSource(ClipSource(quiet))) == meant
    assert heard(ClipSource(quiet)) != meant, "the test speech must be quiet enough to matter"


class _CardAt48k:
    """A stand-in for the sounddevice module: a sound card that records only at 48 kHz,
    playing `clip` (48 kHz int16) into the stream's callback and then silence."""

    def __init__(self, clip: bytes) -> None:
        self.clip = clip
        self.opened_at: list[int] = []

    def query_devices(self, device: Any, kind: str) -> dict[str, Any]:
        return {"default_samplerate": 48000.0, "max_input_channels": 1}

    def RawInputStream(self, samplerate: int, blocksize: int, callback: Callable[..., None],
                       **_: Any) -> Any:  # fmt: skip
        if samplerate != 48000:
            raise ValueError("Invalid sample rate [PaErrorCode -9997]")
        self.opened_at.append(samplerate)
        return _Stream(self.clip, blocksize, callback)


class _Stream:
    def __init__(self, clip: bytes, blocksize: int, callback: Callable[..., None]) -> None:
        self.clip, self.blocksize, self.callback = clip, blocksize, callback
        self.stopped = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._play, daemon=True).start()

    def _play(self) -> None:
        block = self.blocksize * 2
        audio = self.clip + bytes(48000 * 2 * 4)
        for at in range(0, len(audio), block):
            if self.stopped.wait(0.01):  # ten times faster than real time
                return
            self.callback(audio[at : at + block].ljust(block, b"\0"), self.blocksize, None, None)

    def stop(self) -> None:
        self.stopped.set()

    def close(self) -> None:
        self.stopped.set()


def _at_48k(clip: bytes) -> bytes:
    return resample(array.array("h", clip), SAMPLE_RATE, 48000).tobytes()


def test_a_microphone_that_cannot_record_at_16_khz_is_still_understood(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many sound cards without PulseAudio record only at 44.1 or 48 kHz: the kiosk
    records at the card's rate and converts, instead of giving up on voice."""
    from kiosk.app.recognize import expectation_for
    from kiosk.hearing.engines import choose_engine

    require_voice_tools()
    card = _CardAt48k(_at_48k(bytes(SAMPLE_RATE) + speak("both legs", "en-us")))
    monkeypatch.setitem(sys.modules, "sounddevice", types.SimpleNamespace(**{
        "query_devices": card.query_devices, "RawInputStream": card.RawInputStream,
    }))  # fmt: skip
    microphone = Microphone()
    try:
        turn: Iterator[bytes] = microphone.open_turn()
        first = next(turn)
        assert len(first) == CHUNK_BYTES, "16 kHz chunks, as from a 16 kHz microphone"
        listener = choose_engine(load_pack("en", knowledge), knowledge, "pocketsphinx").listener
        decision = listener.decide(_Replay(first, turn), expectation_for(knowledge, "sides"))
    finally:
        microphone.close()
    assert card.opened_at == [48000]
    assert decision is not None and getattr(decision.heard, "text", None) == "both legs"


class _Replay:
    """The microphone's turn, with the chunk the test already read put back in front."""

    def __init__(self, first: bytes, rest: Iterator[bytes]) -> None:
        self.first, self.rest = first, rest

    def open_turn(self) -> Iterator[bytes]:
        yield self.first
        yield from self.rest

    def reopen(self) -> None:
        pass
