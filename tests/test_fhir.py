"""FHIR R4 records: the pack's Questionnaire and each session's Bundle validate against
the R4 models of fhir.resources, point at each other, and a broken value is caught."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.riskassessment import RiskAssessment

from kiosk.language.pack import Pack, load_pack
from kiosk.records import fhir
from kiosk.records.report import Summary
from kiosk.triage.knowledge import Knowledge
from tests.conftest import ROOT, Kiosk

KIOSK = [sys.executable, "-m", "kiosk"]


def session_summary(knowledge: Knowledge, pack: Pack, answers: dict[str, str]) -> Summary:
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    kiosk.answer_all(answers)
    kiosk.say("done")
    [summary] = kiosk.saved
    return summary


def resources(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_questionnaire_is_valid_fhir_with_the_packs_ids_and_words(
    knowledge: Knowledge, language: str
) -> None:
    pack = load_pack(language, knowledge)
    document = fhir.questionnaire(knowledge, pack)
    Questionnaire.model_validate(document)
    assert [i["linkId"] for i in document["item"]] == list(knowledge.questions)
    assert [i["text"] for i in document["item"]] == [
        pack.questions[q].ask for q in knowledge.questions
    ]
    assert document["language"] == language


def test_a_real_sessions_bundle_is_valid_and_points_at_the_questionnaire(
    knowledge: Knowledge, pack: Pack
) -> None:
    summary = session_summary(knowledge, pack, {"diabetes": "yes", "numbness": "yes"})
    bundle = fhir.bundle(summary, knowledge, pack)
    assert Bundle.model_validate(bundle).type == "collection"
    found = resources(bundle)
    response = QuestionnaireResponse.model_validate(found["QuestionnaireResponse"])
    assessment = RiskAssessment.model_validate(found["RiskAssessment"])
    questionnaire = fhir.questionnaire(knowledge, pack)
    assert response.questionnaire == f"{questionnaire['url']}|{questionnaire['version']}"
    assert response.subject is None  # no identity is invented
    options = {i["linkId"]: i.get("answerOption") for i in questionnaire["item"]}
    for item, answer in zip(found["QuestionnaireResponse"]["item"], summary.answers, strict=True):
        assert item["linkId"] == answer.question and item["text"] == answer.asked
        if options[item["linkId"]] is not None:
            assert {"valueCoding": item["answer"][0]["valueCoding"]} in options[item["linkId"]]
    triage, *causes = assessment.prediction or []
    assert triage.outcome is not None and triage.outcome.coding is not None
    assert triage.outcome.coding[0].code == summary.triage
    assert [(c.outcome.coding[0].code, float(c.probabilityDecimal)) for c in causes] == [  # type: ignore[union-attr,index,arg-type]
        (c.id, c.probability) for c in summary.causes
    ]
    assert found["RiskAssessment"]["basis"][0]["reference"] == bundle["entry"][0]["fullUrl"]


def test_an_emergency_and_an_interrupted_session_are_valid_too(
    knowledge: Knowledge, pack: Pack
) -> None:
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    kiosk.say("yes")
    kiosk.say("done")
    emergency = kiosk.saved[0]
    interrupted = Summary.build(knowledge, pack, None, {"age": "70"}, complete=False)
    for summary in (emergency, interrupted):
        bundle = fhir.bundle(summary, knowledge, pack)
        Bundle.model_validate(bundle)
        Bundle.model_validate(fhir.as_transaction(bundle))
    found = resources(fhir.bundle(interrupted, knowledge, pack))
    assert found["QuestionnaireResponse"]["status"] == "stopped"
    assert found["QuestionnaireResponse"]["item"][0]["answer"] == [{"valueInteger": 70}]


def test_a_broken_value_is_caught_by_the_validation(knowledge: Knowledge, pack: Pack) -> None:
    summary = session_summary(knowledge, pack, {})
    bundle = fhir.bundle(summary, knowledge, pack)
    found = resources(bundle)
    found["RiskAssessment"]["prediction"][1]["probabilityDecimal"] = "very likely"
    with pytest.raises(pydantic.ValidationError):
        RiskAssessment.model_validate(found["RiskAssessment"])
    del found["QuestionnaireResponse"]["status"]  # required in R4
    with pytest.raises(pydantic.ValidationError):
        QuestionnaireResponse.model_validate(found["QuestionnaireResponse"])
    with pytest.raises(pydantic.ValidationError):
        Bundle.model_validate(bundle)  # and so is the Bundle that holds them


def test_export_questionnaire_prints_it_in_the_language_asked(knowledge: Knowledge) -> None:
    done = subprocess.run(
        [*KIOSK, "--export-questionnaire", "--lang", "ko"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    document = json.loads(done.stdout)
    Questionnaire.model_validate(document)
    assert document == fhir.questionnaire(knowledge, load_pack("ko", knowledge))


def test_the_kiosk_writes_the_bundle_beside_each_summary(tmp_path: Path) -> None:
    subprocess.run(
        [*KIOSK, "--text", "--jsonl", "--report-dir", str(tmp_path)],
        input="yes\ndone\n", capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    [written] = tmp_path.glob("*.fhir")
    bundle = json.loads(written.read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    summary = json.loads(written.with_suffix(".json").read_text(encoding="utf-8"))
    assert (
        resources(bundle)["RiskAssessment"]["prediction"][0]["outcome"]["coding"][0]["code"]
        == summary["triage"]
        == "emergency"
    )
