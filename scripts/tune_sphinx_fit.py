#!/usr/bin/env python3
"""Where to set PocketSphinx's rejection thresholds (kiosk.hearing.sphinx_engine.Fit):
tuning half only.

Every item of the benchmark corpus's **tuning** half (scripts/voice_corpus.yaml), in each
of its voices and conditions, goes through the kiosk's PocketSphinx listener once; the
judge's reading of each turn (best sentence, fit per frame, frames of speech, lead over
the best sentence of another meaning) is kept. Then a grid of thresholds is applied to
those readings, and the table shows what each would decide: answers right, answers taken
as another answer, and sentences that are not answers taken. The test half is never
read here: its numbers come from scripts/bench_voice.py.

    .venv/bin/python -m scripts.tune_sphinx_fit [--voices 5] [--jobs 2]
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from scripts import bench_voice as bench


@dataclass(frozen=True)
class Reading:
    expected: str
    condition: str
    meaning: str
    whole: bool
    fit: float | None
    lead: float | None
    frames: int


def read_task(task: bench.Task) -> list[Reading]:
    """The judge's reading of one item in one voice, in each condition."""
    from kiosk.hearing.audio import ClipSource

    listener = bench._STATE["engine"].listener
    clip = bench.say(task.item.text, task.voice)
    found = []
    for condition in task.conditions:
        recorder = _Recorder(listener.judge_turn)
        listener.judge_turn = recorder
        expecting = bench._expectation(task.item.question)
        audio = bench.heard_as(task, clip, condition)
        listener.decide(ClipSource([audio], lead_in=0.0), expecting)
        listener.judge_turn = recorder.judge_turn
        j = recorder.judged[0]
        meaning = bench._meaning(j.text, expecting) if j.whole else "unclear"
        found.append(
            Reading(task.item.expected, condition, meaning, j.whole, j.fit, j.lead, j.frames)
        )
    return found


class _Recorder:
    """Stands in for the listener's judge_turn and keeps what it judged."""

    def __init__(self, judge_turn: Any) -> None:
        self.judge_turn = judge_turn
        self.judged: list[Any] = []

    def __call__(self, audio: bytes, expecting: Any) -> Any:
        self.judged.append(self.judge_turn(audio, expecting))
        return self.judged[-1]


def decide(r: Reading, reject_below: float, spread: float, least_lead: float) -> str:
    from kiosk.hearing.sphinx_engine import Fit

    fit = Fit(reject_below=reject_below, spread=spread, least_lead=least_lead)
    if r.fit is None or not r.whole or r.fit < fit.least_fit(r.frames):
        return "unclear"
    if r.lead is not None and r.lead < least_lead:
        return "unclear"
    return r.meaning


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--voices", type=int, default=99)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    corpus = bench.load_corpus("en")
    tasks = [
        bench.Task(
            i, v, bench.NOT_ANSWER_CONDITIONS if i.expected == "unclear" else bench.CONDITIONS
        )
        for i in bench.items(corpus, "tune")
        for v in bench.voices(corpus, "tune")[: args.voices]
    ]
    babbles = {"tune": bench.babble_tracks(corpus, "tune")}
    with ProcessPoolExecutor(
        args.jobs,
        mp_context=get_context("spawn"),
        initializer=bench.setup,
        initargs=("en", str(bench.ROOT), babbles),
    ) as pool:
        readings = [r for batch in pool.map(read_task, tasks) for r in batch]
    answers = [r for r in readings if r.expected != "unclear"]
    others = [r for r in readings if r.expected == "unclear"]
    print(f"{len(answers)} answers, {len(others)} sentences that are not answers (tuning half)")
    print(f"{'reject_below':>12} {'spread':>6} {'lead':>5} {'right':>6} {'wrong':>6} {'taken':>6}")
    grid = itertools.product((-100, -90, -80, -70, -60, -50), (0, 25, 50), (0, 1, 2, 3, 4))
    for reject_below, spread, lead in grid:
        got = [decide(r, reject_below, spread, lead) for r in answers]
        right = sum(g == r.expected for g, r in zip(got, answers, strict=True))
        wrong = sum(g not in ("unclear", r.expected) for g, r in zip(got, answers, strict=True))
        taken = sum(decide(r, reject_below, spread, lead) != "unclear" for r in others)
        print(f"{reject_below:>12} {spread:>6} {lead:>5} {right:>6} {wrong:>6} {taken:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
