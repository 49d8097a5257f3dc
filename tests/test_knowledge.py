"""The knowledge file loads, covers what PRODUCT.md promises, and rejects broken data by name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kiosk.core.errors import KnowledgeError
from kiosk.triage.knowledge import DEFAULT_KNOWLEDGE, Knowledge, Triage, load_knowledge

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


def test_every_weight_prior_and_rule_names_a_reputable_source(knowledge: Knowledge) -> None:
    citations = [c.prior_citation for c in knowledge.causes.values()]
    citations += [c.triage_citation for c in knowledge.causes.values()]
    citations += [c for q in knowledge.questions.values() for c in q.citations.values()]
    citations += [r.citation for r in knowledge.rules]
    assert len(citations) > 200
    for citation in citations:
        urls = [knowledge.sources[s] for s in citation.sources]
        assert any(host in url for url in urls for host in REPUTABLE), citation


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
        ("unknown key", "    prior:  ", "    prio: 1\n    prior:  ", "multiple_sclerosis"),
        ("unknown source", "sources: [nhs_ms, sp_ms]", "sources: [nhs_ms, wikipedia]", "causes.multiple_sclerosis.sources.1"),
        ("probability above 1", "{p: 0.7, source: nhs_stroke", "{p: 1.7, source: nhs_stroke", "questions.stroke_signs.yes.stroke_tia.p"),
        ("unknown cause", "      stroke_tia:            {p: 0.7", "      strokee:               {p: 0.7", "questions.stroke_signs.yes.strokee"),
        ("row not adding to 1", "{p: [0.9, 0.08, 0.02]", "{p: [0.9, 0.5, 0.02]", "questions.onset.likelihood.stroke_tia"),
        ("weight without a source", "{p: 0.7, source: nhs_stroke, note: ", "{p: 0.7, note: ", "questions.stroke_signs.yes.stroke_tia"),
        ("weight as a bare number", "{p: 0.7, source: nhs_stroke, note: \"face, arm and speech (FAST) are the main signs\"}", "0.7", "questions.stroke_signs.yes.stroke_tia"),
        ("weight from an unknown source", "{p: 0.7, source: nhs_stroke", "{p: 0.7, source: a_blog", "questions.stroke_signs.yes.stroke_tia.source"),
        ("rule without a source", "    source: [nhs_stroke]\n    note: \"FAST", "    note: \"FAST", "rules.0"),
        ("rule with no sources", "    source: [nhs_stroke]\n    note: \"FAST", "    source: []\n    note: \"FAST", "rules.0.source"),
        ("rule on unknown question", "when: {stroke_signs: \"yes\"}", "when: {stroke_sign: \"yes\"}", "rules.0.when.stroke_sign"),
        ("rule on unknown answer", "when: {onset: sudden, sides: one_side_body}", "when: {onset: sudden, sides: left}", "rules.8.when.sides.0"),
        ("red flag without rule", "    when: {cold_pale_leg: \"yes\"}", "    when: {cold_pale_leg: \"yes\", onset: sudden}", "questions.cold_pale_leg"),
        ("emergency as a cause level", "{level: self_care", "{level: emergency", "causes.overexertion.triage"),
        ("core question unknown", "core_questions: [onset, sides,", "core_questions: [onset, side,", "policy.core_questions.1"),
        ("core question a red flag", "core_questions: [onset,", "core_questions: [stroke_signs,", "policy.core_questions.0"),
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
