#!/usr/bin/env python3
"""Triage benchmark: run every vignette through the real dialog via `kiosk --text --jsonl`.

Prints top-1/top-3 accuracy, triage accuracy per level, emergency sensitivity,
over- and under-triage, and question counts, beside the same figures for a
fixed-order questionnaire that asks every question, in one run. Each vignette set
gets its own table: the first set (tests/data/vignettes.yaml) and the second,
written later from the sources without tuning to it (tests/data/vignettes_new.yaml),
so a change that only fits the first set shows up as a gap between the two.

    .venv/bin/python -m scripts.bench_triage [--vignettes FILE ...] [--misses]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kiosk.dialog.vignettes import Vignette, load_vignettes
from kiosk.language.pack import load_pack
from kiosk.triage.knowledge import Triage, load_knowledge
from kiosk.triage.rules import assess

ROOT = Path(__file__).resolve().parent.parent

LEVELS = [t.label for t in Triage]
VIGNETTE_SETS = ("tests/data/vignettes.yaml", "tests/data/vignettes_new.yaml")
"""The first set, and the second written from the sources without tuning to it."""


@dataclass(frozen=True)
class Outcome:
    ranked: list[str]
    triage: str
    questions: int


def run_dialog(vignette: Vignette, knowledge, pack, report_dir: str) -> Outcome:  # type: ignore[no-untyped-def]
    """Answer the kiosk's questions over JSON lines, exactly as an outside harness would."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "--text", "--jsonl", "--report-dir", report_dir],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdin and proc.stdout
    asked: list[str] = []
    result: dict[str, object] = {}
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "ask":
            asked.append(event["question"])
            proc.stdin.write(vignette.typed_answer(knowledge, pack, event["question"]) + "\n")
            proc.stdin.flush()
        elif event["event"] == "result":
            result = event
            proc.stdin.write("done\n")
            proc.stdin.flush()
        elif event["event"] == "end":
            break
    proc.stdin.close()
    proc.wait(timeout=30)
    causes = [c["id"] for c in result["causes"]]  # type: ignore[index]
    return Outcome(causes, str(result["triage"]), len(set(asked)))


def run_fixed_order(vignette: Vignette, knowledge) -> Outcome:  # type: ignore[no-untyped-def]
    """Every question in the knowledge file's order, then the same scoring."""
    answers = {q: vignette.value_for(knowledge, q) for q in knowledge.questions}
    assessment = assess(knowledge, answers)
    ranked = [c.id for c in assessment.causes[:3]]
    return Outcome(ranked, assessment.triage.label, len(answers))


def summarise(name: str, vignettes: list[Vignette], outcomes: list[Outcome]) -> dict[str, str]:
    n = len(vignettes)
    pairs = list(zip(vignettes, outcomes, strict=True))
    top1 = sum(o.ranked[:1] == [v.cause] for v, o in pairs) / n
    top3 = sum(v.cause in o.ranked[:3] for v, o in pairs) / n
    row = {"method": name, "top-1": f"{top1:.0%}", "top-3": f"{top3:.0%}"}
    for level in LEVELS:
        group = [(v, o) for v, o in pairs if v.triage == level]
        right = sum(o.triage == level for _, o in group)
        row[f"triage {level}"] = f"{right}/{len(group)}"
    emergencies = [(v, o) for v, o in pairs if v.triage == "emergency"]
    row["emergency sensitivity"] = (
        f"{sum(o.triage == 'emergency' for _, o in emergencies) / max(1, len(emergencies)):.0%}"
    )
    rank = {label: i for i, label in enumerate(LEVELS)}
    row["over-triage"] = f"{sum(rank[o.triage] > rank[v.triage] for v, o in pairs) / n:.0%}"
    row["under-triage"] = f"{sum(rank[o.triage] < rank[v.triage] for v, o in pairs) / n:.0%}"
    counts = [o.questions for o in outcomes]
    row["questions median"] = f"{statistics.median(counts):g}"
    row["questions mean"] = f"{statistics.mean(counts):.1f}"
    row["questions max"] = str(max(counts))
    return row


def print_table(rows: list[dict[str, str]]) -> None:
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    print(f"{'':{width}}  " + "  ".join(f"{r['method']:>14}" for r in rows))
    for key in keys[1:]:
        print(f"{key:{width}}  " + "  ".join(f"{r[key]:>14}" for r in rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vignettes", type=Path, nargs="+", default=[ROOT / p for p in VIGNETTE_SETS]
    )
    parser.add_argument("--misses", action="store_true", help="list the vignettes missed")
    args = parser.parse_args()
    knowledge = load_knowledge()
    pack = load_pack("en", knowledge)
    for number, path in enumerate(args.vignettes):
        if number:
            print()
        bench_set(path, knowledge, pack, args.misses)
    return 0


def bench_set(path: Path, knowledge, pack, misses: bool) -> None:  # type: ignore[no-untyped-def]
    """One vignette set: its own table (and its misses)."""
    vignettes = load_vignettes(path)
    with tempfile.TemporaryDirectory() as reports, ThreadPoolExecutor(os.cpu_count()) as pool:
        adaptive = list(pool.map(lambda v: run_dialog(v, knowledge, pack, reports), vignettes))
    fixed = [run_fixed_order(v, knowledge) for v in vignettes]
    print(f"{len(vignettes)} vignettes from {path.name}\n")
    print_table(
        [summarise("adaptive", vignettes, adaptive), summarise("ask everything", vignettes, fixed)]
    )
    if misses:
        print()
        for v, o in zip(vignettes, adaptive, strict=True):
            if o.ranked[:1] != [v.cause] or o.triage != v.triage:
                print(
                    f"{v.id}: want {v.cause}/{v.triage}, got {o.ranked}/{o.triage} "
                    f"after {o.questions} questions"
                )


if __name__ == "__main__":
    raise SystemExit(main())
