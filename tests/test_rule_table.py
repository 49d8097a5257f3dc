"""The clinician's rule table (`kiosk --explain-rules`): every rule, prior and weight,
with its wording, effect and source; a rule without a source cannot get in."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from kiosk.language.pack import Pack
from kiosk.records.rule_table import render, rule_table
from kiosk.triage.knowledge import DEFAULT_KNOWLEDGE, Knowledge
from tests.conftest import ROOT, Kiosk

KIOSK = [sys.executable, "-m", "kiosk"]
REPUTABLE = ("ncbi.nlm.nih.gov", "nhs.uk", "ninds.nih.gov", "mayoclinic.org", "mayo-clinic")


def explain(*extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KIOSK, "--explain-rules", *extra], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_every_rule_prior_and_weight_is_listed_with_a_reputable_source(
    knowledge: Knowledge,
) -> None:
    done = explain("--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    ids = {(r["kind"], r["id"]) for r in rows}
    for rule in knowledge.rules:
        kind = "red flag" if rule.id in knowledge.red_flag_questions else "triage rule"
        assert (kind, rule.id) in ids
    for cause in knowledge.causes:
        assert ("cause prior", cause) in ids and ("cause triage", cause) in ids
    weights = [r for r in rows if r["kind"] == "weight"]
    assert len(weights) == sum(len(q.citations) for q in knowledge.questions.values()) > 150
    for row in rows:
        assert row["wording"] and row["effect"], row
        assert "http" in row["sources"], f"{row['kind']} {row['id']} has no source"
        assert any(host in row["sources"] for host in REPUTABLE), row


def test_the_markdown_table_explains_the_severity_rule(knowledge: Knowledge, pack: Pack) -> None:
    done = explain()
    assert done.returncode == 0 and done.stdout.startswith("| kind | id | wording |")
    row = next(line for line in done.stdout.splitlines() if "`sudden_cannot_walk`" in line)
    assert "function_now = with_help or cannot" in row and "emergency" in row
    assert "mayo-clinic-health-information" in row and "nhs.uk/conditions/stroke" in row
    assert done.stdout == render(rule_table(knowledge, pack), "md")


def test_a_rule_without_a_source_stops_the_table_naming_the_rule(tmp_path: Path) -> None:
    text = DEFAULT_KNOWLEDGE.read_text(encoding="utf-8")
    cited = "    source: [mayo_muscle_weakness, nhs_stroke]\n"
    assert cited in text
    broken = tmp_path / "knowledge.yaml"
    broken.write_text(text.replace(cited, "", 1), encoding="utf-8")
    done = explain("--knowledge", str(broken))
    assert done.returncode == 2 and not done.stdout
    assert "rules." in done.stderr and "source" in done.stderr


def test_the_rules_a_summary_names_are_in_the_table(knowledge: Knowledge, pack: Pack) -> None:
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    kiosk.answer_all({"onset": "over a few days", "sides": "both legs", "progression": "worse"})
    fired = kiosk.result().red_flags
    assert "worsening_over_days" in fired
    table = {r.id for r in rule_table(knowledge, pack)}
    assert set(fired) <= table
