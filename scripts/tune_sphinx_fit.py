#!/usr/bin/env python3
"""Where to set PocketSphinx's rejection thresholds (kiosk.asr_sphinx.Fit), on a tuning set.

The tuning set is kept apart from the benchmark's (scripts/bench_voice.py) and the test
suite's: other answer phrases, other sentences that are not answers, and espeak-ng voice
variants the benchmark does not use. Each clip is decoded as the kiosk's judge decodes a
turn, and for candidate thresholds on its fit (the grammar path's score per frame of
speech) the table shows what would be taken: answers right and wrong, and sentences that
are not answers. A fit below Fit.least_fit (Fit.reject_below at one second of speech,
moved by Fit.spread for shorter and longer speech) is rejected; a second table varies
both. A third does the same for Fit.least_lead (how far the phrase must lead the best
phrase of another meaning), at the kiosk's fit threshold. Each clip gets the kiosk's
noise floor (kiosk.noise_floor) unless --floor says otherwise (0: none), so the effect
of the floor on the thresholds can be seen.

    .venv/bin/python scripts/tune_sphinx_fit.py [--floor RMS]
"""

from __future__ import annotations

import argparse
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_voice import noisy  # noqa: E402

from kiosk.asr_sphinx import (  # noqa: E402
    DEFAULT_FIT,
    Fit,
    SphinxListener,
    add_spellings,
    load_sphinx,
)
from kiosk.engines import every_grammar_word  # noqa: E402
from kiosk.grammar import answer_so_far  # noqa: E402
from kiosk.knowledge import load_knowledge  # noqa: E402
from kiosk.noise_floor import FLOOR_RMS, with_noise_floor  # noqa: E402
from kiosk.parse import interpret_expected  # noqa: E402
from kiosk.prompts import load_pack  # noqa: E402
from kiosk.recognize import expectation_for  # noqa: E402
from tests.speech import speak  # noqa: E402

VOICES = ["en+m2", "en+f2", "en+m4", "en-us+m6"]
RATES = [130, 170]
NOISE = [None, 10]
ANSWERS = [  # (question, phrase): phrases the benchmark does not speak
    ("stroke_signs", "yeah"),
    ("stroke_signs", "correct"),
    ("stroke_signs", "nope"),
    ("stroke_signs", "not really"),
    ("stroke_signs", "not sure"),
    ("stroke_signs", "no idea"),
    ("stroke_signs", "say again"),
    ("stroke_signs", "previous question"),
    ("stroke_signs", "what can i say"),
    ("stroke_signs", "hold on"),
    ("sides", "both"),
    ("sides", "one side"),
    ("onset", "suddenly"),
    ("onset", "slowly"),
]
NOT_ANSWERS = [
    "is my daughter still outside",
    "I think I left the oven on",
    "the doctor said to come here",
    "this chair is very hard",
    "my knees have been bad for years",
    "I can't read the screen",
    "do I need to take my shoes off",
    "it hurts when I climb the stairs",
    "sorry I was not listening",
    "what time does the clinic close",
    "I had a cold last week",
    "my husband has the same thing",
    "the car park was full",
    "should I stand up",
    "I walk with a stick",
    "there was a lot of traffic",
    "I am a bit deaf",
    "can you say that in Polish",
    "my feet are always cold",
    "I came by taxi",
]

FIT_GRID = [(-85.0, 0.0)] + [
    (f, s) for f in (-75.0, -70.0, -65.0, -60.0) for s in (30.0, 50.0, 70.0)
]
"""(Fit.reject_below, Fit.spread) pairs shown; the first is a threshold that ignores length."""


@dataclass(frozen=True)
class Clip:
    right: bool | None
    """The grammar's phrase means what was said; None for a sentence that is not an answer."""
    kept: bool
    """It came out as a whole phrase; only the thresholds can still reject it."""
    fit: float
    lead: float | None
    """Lead over the best phrase of another meaning; None when there was no rival."""
    snr: int | None
    frames: int
    """Frames of speech on the best path (Fit.least_fit depends on them)."""


def decode_tuning_set(floor: float) -> list[Clip]:
    knowledge = load_knowledge()
    pack = load_pack("en", knowledge)
    judge = load_sphinx("batch")
    add_spellings(judge, every_grammar_word(pack, knowledge))
    listener = SphinxListener(judge, judge, pack, lambda t, e: answer_so_far(pack, t, e))
    said = [(q, p, True) for q, p in ANSWERS] + [("stroke_signs", s, False) for s in NOT_ANSWERS]
    clips = []
    for question, text, is_answer in said:
        expecting = expectation_for(knowledge, question)
        meant = interpret_expected(pack, text, expecting)
        judge.activate_search(listener.search_for(expecting))
        for voice in VOICES:
            for rate in RATES:
                clean = bytes(9600) + speak(text, voice, rate) + bytes(16000)
                for snr in NOISE:
                    audio = noisy(clean, snr, zlib.crc32(f"{text}{voice}{rate}".encode()))
                    audio = b"".join(with_noise_floor([audio], floor))
                    judged = listener.judge_turn(audio, expecting)
                    right = interpret_expected(pack, judged.text, expecting) == meant
                    kept = judged.whole
                    answer = right if is_answer else None
                    clips.append(
                        Clip(answer, kept, judged.fit or 0.0, judged.lead, snr, judged.frames)
                    )
    return clips


def print_tables(clips: list[Clip]) -> None:
    answers = sum(c.right is not None for c in clips)
    clean = sum(c.right is None and c.snr is None for c in clips)
    loud = sum(c.right is None and c.snr == 10 for c in clips)
    print(f"{answers} answers and {clean} + {loud} sentences that are not answers (clean +")
    print("10 dB). Taken: came out as a whole phrase with a fit at least the threshold.\n")
    print_rows(
        clips,
        "fit >=",
        [
            (f"{fit:.0f}", lambda c, fit=fit: c.fit >= fit)
            for fit in (-65.0, -75.0, -85.0, -95.0, -105.0, -120.0, -150.0)
        ],
    )
    print("\nThe threshold moved with the length of the speech (Fit.spread): at one second")
    print("of speech it is the first number, and at n frames it is lower by the second")
    print("times sqrt(100 / n) - 1. Also leading the best phrase of another meaning by")
    print(f"{DEFAULT_FIT.least_lead:g}:\n")
    print_rows(
        clips,
        "at 1 s, spread",
        [
            (
                f"{fit:.0f}, {spread:.0f}",
                lambda c, fit=fit, spread=spread: (
                    c.fit >= Fit(fit, spread).least_fit(c.frames)
                    and (c.lead is None or c.lead >= DEFAULT_FIT.least_lead)
                ),
            )
            for fit, spread in FIT_GRID
        ],
    )
    at = DEFAULT_FIT
    print(f"\nAt the kiosk's fit ({at.reject_below:.0f} at 1 s, spread {at.spread:.0f}), also")
    print("leading the best phrase of another meaning by:\n")
    print_rows(
        clips,
        "lead >=",
        [
            (
                f"{lead:g}",
                lambda c, lead=lead: (
                    c.fit >= at.least_fit(c.frames) and (c.lead is None or c.lead >= lead)
                ),
            )
            for lead in (0.0, 1.0, 2.5, 4.0, 6.0, 10.0)
        ],
    )


def print_rows(
    clips: list[Clip], name: str, rules: list[tuple[str, Callable[[Clip], bool]]]
) -> None:
    header = [name, "right clean", "right 10 dB", "wrong", "non-ans clean", "non-ans 10 dB"]
    print("  ".join(f"{h:>13}" for h in header))
    for label, rule in rules:
        taken = [c for c in clips if c.kept and rule(c)]
        row = [
            label,
            str(sum(c.right is True and c.snr is None for c in taken)),
            str(sum(c.right is True and c.snr == 10 for c in taken)),
            str(sum(c.right is False for c in taken)),
            str(sum(c.right is None and c.snr is None for c in taken)),
            str(sum(c.right is None and c.snr == 10 for c in taken)),
        ]
        print("  ".join(f"{v:>13}" for v in row))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--floor", type=float, default=FLOOR_RMS, help="noise floor added to each clip (RMS)"
    )
    print_tables(decode_tuning_set(parser.parse_args().floor))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
