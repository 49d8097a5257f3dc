#!/usr/bin/env python3
"""Sample-rate conversion benchmark: processor time per second of audio, and what it
does to the speech band (a 1 kHz tone kept, an 11 kHz tone not folded back).

A kiosk whose sound card records only at 44.1 or 48 kHz converts every chunk on the way
in, next to the recognizers, so this must stay a small share of one core.

    .venv/bin/python -m scripts.bench_resample [--seconds 5]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from kiosk.hearing.audio import SAMPLE_RATE
from kiosk.hearing.resample import Resampler

RATES = [8000, 22050, 32000, 44100, 48000, 96000]


def tone(hertz: float, rate: int, seconds: float) -> list[float]:
    return [10000 * math.sin(2 * math.pi * hertz * i / rate) for i in range(int(rate * seconds))]


def level_db(samples: list[int], hertz: float) -> float:
    """The level of one frequency against the 10 000 amplitude of the input tone."""
    turn = 2 * math.pi * hertz / SAMPLE_RATE
    real = sum(v * math.cos(turn * i) for i, v in enumerate(samples))
    imaginary = sum(v * math.sin(turn * i) for i, v in enumerate(samples))
    amplitude = 2 * math.hypot(real, imaginary) / len(samples)
    return 20 * math.log10(max(amplitude, 1e-9) / 10000)


def converted(samples: list[float], rate: int, block: int) -> tuple[list[int], float]:
    """The output and the processor seconds, fed in microphone-sized blocks."""
    resampler = Resampler(rate, SAMPLE_RATE)
    started = time.process_time()
    out: list[int] = []
    for at in range(0, len(samples), block):
        out += resampler.feed(samples[at : at + block])
    out += resampler.flush()
    return out, time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="audio per rate")
    args = parser.parse_args()
    print(f"{'rate in (Hz)':>12} | {'cpu s per s of audio':>20} | {'1 kHz kept':>10} | "
          f"{'11 kHz folded back':>18}")  # fmt: skip
    print("-" * 70)
    for rate in RATES:
        speech, seconds = converted(tone(1000, rate, args.seconds), rate, rate // 10)
        middle = speech[SAMPLE_RATE // 10 : -SAMPLE_RATE // 10]
        kept = f"{level_db(middle, 1000):+.1f} dB"
        folded = "(no fold)"
        if rate > 2 * 11000:
            # Unfiltered, an 11 kHz tone sampled at 16 kHz would appear at 16 - 11 = 5 kHz.
            hiss, _ = converted(tone(11000, rate, 1.0), rate, rate // 10)
            folded = f"{level_db(hiss[1600:-1600], SAMPLE_RATE - 11000):+.1f} dB"
        print(f"{rate:>12} | {seconds / args.seconds:>20.3f} | {kept:>10} | {folded:>18}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
