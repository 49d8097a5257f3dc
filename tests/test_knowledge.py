"""The knowledge file loads, covers what PRODUCT.md promises, and rejects broken data by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kiosk.errors import KnowledgeError
from kiosk.knowledge import DEFAULT_KNOWLEDGE, Knowledge, Triage, load_knowledge

CAUSES = {
    "multiple_sclerosis", "stroke_tia", "peripheral_neuropathy", "als", "guillain_barre",
    "spinal_stenosis", "herniated_disc", "sciatica", "low_potassium", "b12_deficiency",
    "peripheral_artery_disease", "myasthenia_gravis", "cauda_equina", "overexertion",
}  # fmt: skip
REPUTABLE = ("ncbi.nlm.nih.gov", "nhs.uk", "ninds.nih.gov", "mayoclinic.org")


def test_covers_the_fourteen_causes_of_the_product(knowledge: Knowledge) -> None:
    assert set(knowledge.causes) == CAUSES


def test_every_cause_cites_a_reputable_source(knowledge: Knowledge) -> None:
    for cause in knowledge.causes.values():
        urls = [knowledge.sources[s] for s in cause.sources]
        assert any(host in url for url in urls for host in REPUTABLE), cause.id


def test_every_weight_line_names_a_source_in_a_comment() -> None:
    text = DEFAULT_KNOWLEDGE.read_text(encoding="utf-8")
    knowledge = load_knowledge()
    weight = re.compile(r"^\s+(\w+):\s+(\[[\d.,\s]+\]|0?\.\d+|\d\.\d+)\s*(#.*)?$")
    cited = 0
    for line in text.splitlines():
        match = weight.match(line)
        if match and match.group(1) in knowledge.causes:
            comment = match.group(3) or ""
            assert any(s in comment for s in knowledge.sources), f"uncited weight: {line.strip()}"
            cited += 1
    assert cited > 150


def test_red_flags_are_yes_no_questions_with_an_emergency_rule(knowledge: Knowledge) -> None:
    assert len(knowledge.red_flag_questions) >= 8
    for question in knowledge.red_flag_questions:
        assert any(
            rule.level is Triage.EMERGENCY and [c.question for c in rule.when] == [question]
            for rule in knowledge.rules
        )


def _broken(tmp_path: Path, change: str, old: str, new: str) -> KnowledgeError:
    text = DEFAULT_KNOWLEDGE.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in the knowledge file ({change})"
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(path)
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("change", "old", "new", "names"),
    [
        ("unknown key", "    prior: 0.04          # sp_ms", "    prior: 0.04\n    prio: 1  #", "multiple_sclerosis"),
        ("unknown source", "sources: [nhs_ms, sp_ms]", "sources: [nhs_ms, wikipedia]", "causes.multiple_sclerosis.sources.1"),
        ("probability above 1", "stroke_tia: 0.7 ", "stroke_tia: 1.7 ", "questions.stroke_signs.yes.stroke_tia"),
        ("unknown cause", "      stroke_tia: 0.7 ", "      strokee: 0.7 ", "questions.stroke_signs.yes.strokee"),
        ("row not adding to 1", "[0.9, 0.08, 0.02]   # nhs_stroke", "[0.9, 0.5, 0.02]   #", "questions.onset.likelihood.stroke_tia"),
        ("rule on unknown question", "when: {stroke_signs: \"yes\"}", "when: {stroke_sign: \"yes\"}", "rules.0.when.stroke_sign"),
        ("rule on unknown answer", "when: {onset: sudden, sides: one_side_body}", "when: {onset: sudden, sides: left}", "rules.8.when.sides.0"),
        ("red flag without rule", "    when: {cold_pale_leg: \"yes\"}", "    when: {cold_pale_leg: \"yes\", onset: sudden}", "questions.cold_pale_leg"),
        ("emergency as a cause level", "triage: self_care", "triage: emergency", "causes.overexertion.triage"),
        ("not YAML", "causes:\n", "causes: [\n", "line"),
    ],
)  # fmt: skip
def test_a_broken_knowledge_file_names_the_entry(
    tmp_path: Path, change: str, old: str, new: str, names: str
) -> None:
    error = _broken(tmp_path, change, old, new)
    assert names in str(error), f"{change}: {error}"


def test_a_missing_knowledge_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="cannot be read"):
        load_knowledge(tmp_path / "absent.yaml")


def test_yes_and_no_stay_words_not_booleans() -> None:
    raw = yaml.safe_load(DEFAULT_KNOWLEDGE.read_text(encoding="utf-8"))
    assert True in raw["questions"]["stroke_signs"], "PyYAML 1.1 reads yes as True"
    knowledge = load_knowledge()
    assert knowledge.questions["stroke_signs"].options == ("yes", "no")
