#!/usr/bin/env python3
"""Voice benchmark: recognition accuracy, wrong-accepts and latency on espeak-ng speech.

Every answer is spoken by espeak-ng in several voice variants, rates and noise levels
(made in memory at run time), and so are sentences that are not answers (they must be
rejected as unclear). Each is decided on the same audio by the engine the kiosk would
choose for the language, and by baselines:
  kiosk        our grammar per prompt, our end-of-speech rule, our checks
  dictation    free decoding (no grammar) with keyword matching through the pack
  vosk-endp    (Vosk) the same grammar, decided when Vosk's own endpointer fires
  one-speed    (Vosk) the kiosk hearing the speech only as it came, not also slower
               and faster (kiosk.asr.SPEEDS)
Latency runs from the end of the last word (found in the clean clip) to the decision.
  grammar-only (PocketSphinx) the same grammar, its best phrase taken without checks
Prints one table per language, plus model load time and peak memory.

    .venv/bin/python scripts/bench_voice.py [--lang ko] [--voices 6] [--jobs 2]
"""

from __future__ import annotations

import argparse
import array
import json
import math
import resource
import statistics
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.asr import VoskListener  # noqa: E402
from kiosk.audio import CHUNK_BYTES, SAMPLE_RATE, ClipSource  # noqa: E402
from kiosk.dialog import QUESTION_COMMANDS  # noqa: E402
from kiosk.engines import choose_engine  # noqa: E402
from kiosk.errors import KioskError  # noqa: E402
from kiosk.grammar import Expectation, vosk_grammar  # noqa: E402
from kiosk.knowledge import load_knowledge  # noqa: E402
from kiosk.parse import Answer, Command, interpret_expected  # noqa: E402
from kiosk.prompts import load_pack  # noqa: E402
from tests.speech import speak, with_noise  # noqa: E402

VARIANTS = ["", "+m1", "+m3", "+f1", "+f3", "+klatt", "+m5", "+f4"]
RATES = [120, 150, 180]
NOISE = [None, 20, 10, 5]
LEAD_IN = 0.3
CONFIRM_BELOW = 0.9
RED_FLAG = "stroke_signs"
OOG_NOISE = [None, 10]
OUT_OF_GRAMMAR = {
    # Things a person might say instead of an answer. Kept apart from the sentences the
    # PocketSphinx fit thresholds were set on, and from the test suite's.
    "en": [
        "my legs feel heavy",
        "could you call the nurse",
        "I need a glass of water",
        "where are the toilets",
        "it started on Monday",
        "my back is killing me",
        "what is this machine for",
        "I am here with my son",
        "I already told the doctor",
        "how much longer",
        "the pain comes and goes",
        "I forgot my glasses",
        "is it going to rain",
        "please speak to my wife",
        "I took my tablets this morning",
        "I feel a bit sick",
        "my name is John",
        "can I have a blanket",
        "the bus was late today",
        "I have been waiting an hour",
    ],
    "ko": [
        "물 한 잔 주세요",
        "화장실이 어디예요",
        "간호사를 불러 주세요",
        "다리가 너무 아파요",
        "어제부터 그랬어요",
        "이게 뭐하는 기계예요",
        "아들이랑 같이 왔어요",
        "잠깐 앉아도 돼요",
        "의사 선생님 어디 계세요",
        "오늘 날씨가 좋네요",
        "안경을 안 가져왔어요",
        "약은 아침에 먹었어요",
        "얼마나 더 걸려요",
        "배가 고파요",
        "제 이름은 김철수예요",
        "허리가 계속 아파요",
        "집에 가고 싶어요",
        "전화 좀 써도 돼요",
        "머리가 어지러워요",
        "커피 한 잔 마시고 싶어요",
    ],
}


@dataclass(frozen=True)
class Item:
    label: str
    question: str
    text: str
    expected: str


@dataclass(frozen=True)
class Trial:
    item: Item
    voice: str
    rate: int
    snr: int | None


@dataclass(frozen=True)
class Outcome:
    trial: Trial
    method: str
    meaning: str
    confidence: float
    latency: float | None


def items(lang: str) -> list[Item]:
    pack = load_pack(lang, load_knowledge())
    found = [
        Item("yes", RED_FLAG, pack.spoken_answers["yes"][0], "answer:yes"),
        Item("no", RED_FLAG, pack.spoken_answers["no"][0], "answer:no"),
        Item("don't know", RED_FLAG, pack.spoken_answers["dont_know"][0], "answer:dont_know"),
    ]
    for option, phrases in pack.questions["sides"].phrases.items():
        found.append(Item(f"choice {option}", "sides", phrases[0], f"answer:{option}"))
    for command in ("repeat", "back", "help"):
        found.append(
            Item(command, RED_FLAG, pack.spoken_commands[command][0], f"command:{command}")
        )
    return found


def out_of_grammar(lang: str) -> list[Item]:
    return [Item("not an answer", RED_FLAG, text, "unclear") for text in OUT_OF_GRAMMAR[lang]]


def last_sound(clip: bytes, frame: float = 0.01, below_peak_db: float = 34.0) -> float:
    """Seconds into a clean clip where the speech ends: espeak-ng adds 0.3-0.6 s of
    silence after the last word, which would otherwise count as the kiosk's speed."""
    samples = array.array("h", clip)
    step = int(SAMPLE_RATE * frame)
    peak = max((abs(s) for s in samples), default=0)
    floor = peak * 10 ** (-below_peak_db / 20)
    end = 0
    for start in range(0, len(samples) - step + 1, step):
        chunk = samples[start : start + step]
        if math.sqrt(sum(s * s for s in chunk) / step) > floor:
            end = start + step
    return end / SAMPLE_RATE


def noise_seed(trial: Trial) -> int:
    """The same noise for a trial in every run (hash() of text changes per process)."""
    return zlib.crc32(repr(trial).encode())


def noisy(samples: bytes, snr: int | None, seed: int) -> bytes:
    """Add white noise at `snr` dB relative to the speech's power (None: clean)."""
    return samples if snr is None else with_noise(samples, snr, seed)


def meaning_of(pack: Any, text: str, expecting: Expectation) -> str:
    meaning = interpret_expected(pack, text, expecting)
    if isinstance(meaning, Answer):
        return f"answer:{meaning.value}"
    if isinstance(meaning, Command):
        return f"command:{meaning.name}"
    return "unclear"


_STATE: dict[str, Any] = {}


def _setup(lang: str) -> None:
    knowledge = load_knowledge()
    pack = load_pack(lang, knowledge)
    engine = choose_engine(pack, knowledge)
    _STATE.update(knowledge=knowledge, pack=pack, engine=engine, lang=lang)
    if isinstance(engine.listener, VoskListener):
        listener = engine.listener
        _STATE["one_speed"] = VoskListener(
            listener.model, pack, listener.so_far, listener.endpointing, speeds=(1.0,)
        )
    if engine.name == "pocketsphinx":
        import pocketsphinx

        _STATE["dictation"] = pocketsphinx.Decoder(
            samprate=SAMPLE_RATE, loglevel="FATAL", remove_noise=False
        )


def run_trial(trial: Trial) -> list[Outcome]:
    knowledge, engine = _STATE["knowledge"], _STATE["engine"]
    expecting = Expectation(
        knowledge.questions[trial.item.question],
        QUESTION_COMMANDS,
        safety_critical=trial.item.question == RED_FLAG,
    )
    voice = f"{_STATE['lang']}{trial.voice}"
    clip = speak(trial.item.text, voice=voice, words_per_minute=trial.rate)
    lead = bytes(int(SAMPLE_RATE * LEAD_IN) * 2)
    audio = noisy(lead + clip + bytes(SAMPLE_RATE * 2 * 3), trial.snr, noise_seed(trial))
    speech_end = LEAD_IN + last_sound(clip)
    # The noise runs through the lead-in as it does in a room: the baselines hear the same
    # audio, and a kiosk fed digital silence before the noise was misjudged on its onset.
    ours = engine.listener.decide(ClipSource([audio], lead_in=0.0), expecting)
    results = [_listened(trial, "kiosk", ours, expecting, speech_end)]
    if engine.name == "pocketsphinx":
        return results + _sphinx_baselines(trial, audio, ours.grammar_text, expecting)
    one = _STATE["one_speed"].decide(ClipSource([audio], lead_in=0.0), expecting)
    results.append(_listened(trial, "one-speed", one, expecting, speech_end))
    return results + _vosk_baselines(trial, audio, speech_end, expecting)


def _listened(
    trial: Trial, method: str, decision: Any, expecting: Expectation, speech_end: float
) -> Outcome:
    """The outcome of a kiosk listener's `decide` on the trial's audio."""
    assert decision is not None, "nothing else can answer in the benchmark"
    text = getattr(decision.heard, "text", "")
    confidence = float(getattr(decision.heard, "confidence", 0.0))
    meaning = meaning_of(_STATE["pack"], text, expecting)
    return Outcome(trial, method, meaning, confidence, decision.decided_at - speech_end)


def _sphinx_baselines(
    trial: Trial, audio: bytes, grammar_text: str, expecting: Expectation
) -> list[Outcome]:
    pack, dictation = _STATE["pack"], _STATE["dictation"]
    dictation.start_utt()
    dictation.process_raw(audio, full_utt=True)
    dictation.end_utt()
    dictated = dictation.hyp().hypstr if dictation.hyp() else ""
    return [
        Outcome(trial, "grammar-only", meaning_of(pack, grammar_text, expecting), 1.0, None),
        Outcome(trial, "dictation", meaning_of(pack, dictated, expecting), 1.0, None),
    ]


def _vosk_baselines(
    trial: Trial, audio: bytes, speech_end: float, expecting: Expectation
) -> list[Outcome]:
    import vosk

    pack, listener = _STATE["pack"], _STATE["engine"].listener
    assert isinstance(listener, VoskListener)
    model = listener.model
    grammar = vosk.KaldiRecognizer(
        model, SAMPLE_RATE, vosk_grammar(pack, expecting, listener.unknown)
    )
    free = vosk.KaldiRecognizer(model, SAMPLE_RATE)
    endpoint: tuple[str, float] | None = None
    for start in range(0, len(audio), CHUNK_BYTES):
        chunk = audio[start : start + CHUNK_BYTES]
        free.AcceptWaveform(chunk)
        if endpoint is None and grammar.AcceptWaveform(chunk):
            said = json.loads(grammar.Result()).get("text", "")
            if said:
                endpoint = (said, (start + len(chunk)) / 2 / SAMPLE_RATE)
    if endpoint is None:
        endpoint = (json.loads(grammar.FinalResult()).get("text", ""), None)  # type: ignore[assignment]
    said, at = endpoint
    dictated = json.loads(free.FinalResult()).get("text", "")
    return [
        Outcome(trial, "vosk-endp", meaning_of(pack, said, expecting), 1.0,
                None if at is None else at - speech_end),
        Outcome(trial, "dictation", meaning_of(pack, dictated, expecting), 1.0, None),
    ]  # fmt: skip


CONFIRMING = ("kiosk", "one-speed")
"""Methods that run the kiosk's own listener, whose doubtful red-flag answers are confirmed."""


def _confirmed(outcome: Outcome) -> bool:
    """The dialog asks "Is that right?" before a doubtful red-flag answer counts."""
    return outcome.trial.item.question == RED_FLAG and outcome.confidence < CONFIRM_BELOW


def table(outcomes: list[Outcome], method: str) -> dict[str, str]:
    everything = [o for o in outcomes if o.method == method]
    mine = [o for o in everything if o.trial.item.expected != "unclear"]
    row = {"method": method}
    for snr in NOISE:
        group = [o for o in mine if o.trial.snr == snr]
        right = sum(o.meaning == o.trial.item.expected for o in group)
        row["clean" if snr is None else f"{snr} dB"] = f"{right / max(1, len(group)):.0%}"
    wrong = [o for o in mine if o.meaning not in ("unclear", o.trial.item.expected)]
    accepted = [o for o in wrong if not (method in CONFIRMING and _confirmed(o))]
    row["wrong-accept"] = f"{len(accepted) / max(1, len(mine)):.1%}"
    red = [
        o for o in accepted if o.trial.item.question == RED_FLAG and o.meaning.startswith("answer")
    ]
    row["red-flag wrong-accept"] = str(len(red))
    for snr in OOG_NOISE:
        others = [
            o for o in everything if o.trial.item.expected == "unclear" and o.trial.snr == snr
        ]
        rejected = [o for o in others if o.meaning == "unclear"]
        label = "not-answers rejected" + (" clean" if snr is None else f" {snr} dB")
        row[label] = f"{len(rejected) / max(1, len(others)):.0%}"
    taken = [
        o
        for o in everything
        if o.trial.item.expected == "unclear"
        and o.meaning.startswith("answer")
        and not (method in CONFIRMING and _confirmed(o))
    ]
    row["not-answers taken as red-flag answers"] = str(len(taken))
    latencies = [o.latency for o in mine if o.latency is not None]
    if latencies:
        row["latency median"] = f"{statistics.median(latencies):.2f} s"
        row["latency p95"] = f"{sorted(latencies)[int(0.95 * (len(latencies) - 1))]:.2f} s"
    else:
        row["latency median"] = row["latency p95"] = "-"
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", help="languages (default: all with a model)")
    parser.add_argument("--voices", type=int, default=6, help="espeak-ng voice variants (1-8)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--misses", action="store_true", help="list wrong kiosk decisions")
    args = parser.parse_args()
    languages = args.lang or ["ko", "en"]
    for lang in languages:
        knowledge = load_knowledge()
        started = time.perf_counter()
        try:
            engine = choose_engine(load_pack(lang, knowledge), knowledge)
        except KioskError as exc:
            print(f"[{lang}] no recognizer here: skipped ({exc})\n")
            continue
        load_seconds = time.perf_counter() - started
        trials = [
            Trial(item, voice, rate, snr)
            for item in items(lang)
            for voice in VARIANTS[: args.voices]
            for rate in RATES
            for snr in NOISE
        ]
        trials += [
            Trial(item, voice, rate, snr)
            for item in out_of_grammar(lang)
            for voice in VARIANTS[: args.voices]
            for rate in RATES
            for snr in OOG_NOISE
        ]
        started = time.perf_counter()
        with ProcessPoolExecutor(args.jobs, initializer=_setup, initargs=(lang,)) as pool:
            outcomes = [o for batch in pool.map(run_trial, trials, chunksize=4) for o in batch]
        took = time.perf_counter() - started
        baselines = ("grammar-only", "dictation") if engine.name == "pocketsphinx" else (
            "one-speed", "dictation", "vosk-endp")  # fmt: skip
        rows = [table(outcomes, m) for m in ("kiosk", *baselines)]
        print(f"[{lang}] {engine.name}, {len(trials)} utterances ({len(items(lang))} answers x "
              f"{args.voices} voices x {len(RATES)} rates x {len(NOISE)} noise levels, and "
              f"{len(out_of_grammar(lang))} sentences that are not answers x "
              f"{len(OOG_NOISE)} noise levels), {took:.0f} s with {args.jobs} jobs")  # fmt: skip
        keys = list(rows[0])
        width = max(len(k) for k in keys)
        for key in keys:
            print(f"  {key:{width}}  " + "  ".join(f"{r.get(key, '-'):>12}" for r in rows))
        for which, counted in (
            ("on answers (as in the table)", lambda o: o.trial.item.expected != "unclear"),
            ("on everything, sentences that are not answers too", lambda o: True),
        ):
            kiosk, vosk_end = (
                [o.latency for o in outcomes
                 if o.method == method and o.latency is not None and counted(o)]
                for method in ("kiosk", "vosk-endp")
            )  # fmt: skip
            if kiosk and vosk_end:
                ratio = statistics.median(vosk_end) / max(0.01, statistics.median(kiosk))
                print(f"  Vosk's own endpointing is {ratio:.1f}x slower (median) {which}")
        print(f"  engine start (model load) {load_seconds:.2f} s; peak memory (one engine) "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB\n")  # fmt: skip
        if args.misses:
            for o in outcomes:
                if o.method == "kiosk" and o.meaning != o.trial.item.expected:
                    t = o.trial
                    print(
                        f"  miss: {t.item.label} ({t.item.text}) {t.voice or 'default'} "
                        f"{t.rate} wpm {t.snr or 'clean'} -> {o.meaning} {o.confidence:.2f}"
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
