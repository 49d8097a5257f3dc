"""The clinician summary as HL7 FHIR R4 records, built as plain JSON.

A `Questionnaire` is made from the language pack (question texts, the pack's question
ids as `linkId`, the answer options as codings) for a clinic to load into its record
system once. Each summary becomes a `QuestionnaireResponse` pointing at it and a
`RiskAssessment` (triage, then the ranked causes with their probabilities and the
reasons), together in a `collection` Bundle; the same entries as a `transaction`
Bundle are what a FHIR server is sent. No patient identity is invented: the response
has no subject, and the assessment's required subject is only "not identified".
The JSON is written by hand (no FHIR library at run time); the tests validate it
against the R4 models of `fhir.resources`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from kiosk.language.pack import Pack
from kiosk.records.report import Summary
from kiosk.triage.knowledge import DONT_KNOW, Kind, Knowledge, Question

BASE = "urn:leg-kiosk"
ANSWERS = f"{BASE}:answer"
"""The code system of every coded answer: yes, no, dont_know and the choice ids."""
CAUSES = f"{BASE}:cause"
TRIAGE = f"{BASE}:triage"
RISK = "http://terminology.hl7.org/CodeSystem/risk-probability"
RISK_OF_TRIAGE = {"emergency": "high", "urgent": "moderate", "routine": "low"}
NOT_IDENTIFIED = "Not identified (anonymous kiosk session)"
Json = dict[str, Any]


def questionnaire_url(pack: Pack) -> str:
    return f"{BASE}:questionnaire:leg-weakness:{pack.language}"


def questionnaire_version(knowledge: Knowledge, pack: Pack) -> str:
    """Changes whenever a question, its options or its words change."""
    words = json.dumps(questionnaire_items(knowledge, pack), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(words.encode()).hexdigest()[:12]


def questionnaire(knowledge: Knowledge, pack: Pack) -> Json:
    """The pack's questions as a FHIR R4 Questionnaire (what --export-questionnaire prints)."""
    return {
        "resourceType": "Questionnaire",
        "id": f"leg-weakness-{pack.language}",
        "language": pack.language,
        "url": questionnaire_url(pack),
        "version": questionnaire_version(knowledge, pack),
        "name": "LegWeaknessKiosk",
        "title": pack.screen["title"],
        "status": "active",
        "subjectType": ["Patient"],
        "item": questionnaire_items(knowledge, pack),
    }


def questionnaire_items(knowledge: Knowledge, pack: Pack) -> list[Json]:
    return [_item(q, pack) for q in knowledge.questions.values()]


def _item(question: Question, pack: Pack) -> Json:
    text = pack.questions[question.id].ask
    if question.kind is Kind.NUMBER:
        return {"linkId": question.id, "text": text, "type": "integer"}
    options = [*question.options, DONT_KNOW]
    return {
        "linkId": question.id,
        "text": text,
        "type": "choice",
        "answerOption": [{"valueCoding": _coding(question, o, pack)} for o in options],
    }


def _coding(question: Question, option: str, pack: Pack) -> Json:
    return {"system": ANSWERS, "code": option, "display": _display(question, option, pack)}


def _display(question: Question, option: str, pack: Pack) -> str:
    if question.kind is Kind.CHOICE and option in question.options:
        return pack.questions[question.id].suggestions[option]
    return pack.answers[option][0]


def bundle(summary: Summary, knowledge: Knowledge, pack: Pack) -> Json:
    """The summary as a `collection` Bundle: QuestionnaireResponse + RiskAssessment."""
    response_id, assessment_id = str(uuid.uuid4()), str(uuid.uuid4())
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": summary.created,
        "entry": [
            _entry(response_id, response(summary, knowledge, pack, response_id)),
            _entry(assessment_id, risk_assessment(summary, assessment_id, response_id)),
        ],
    }


def as_transaction(collection: Json) -> Json:
    """The same entries, to be created by a FHIR server in one transaction."""
    entries = [
        {**e, "request": {"method": "POST", "url": e["resource"]["resourceType"]}}
        for e in collection["entry"]
    ]
    return {**collection, "type": "transaction", "entry": entries}


def _entry(resource_id: str, resource: Json) -> Json:
    return {"fullUrl": f"urn:uuid:{resource_id}", "resource": resource}


def response(summary: Summary, knowledge: Knowledge, pack: Pack, resource_id: str) -> Json:
    """The answers, with the question texts the person heard; no subject."""
    items = []
    for answer in summary.answers:
        question = knowledge.questions[answer.question]
        item: Json = {"linkId": answer.question, "text": answer.asked}
        value = _answer(question, answer.answer, pack)
        if value is not None:
            item["answer"] = [value]
        items.append(item)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id,
        "language": summary.language,
        "questionnaire": f"{questionnaire_url(pack)}|{questionnaire_version(knowledge, pack)}",
        "status": "completed" if summary.complete else "stopped",
        "authored": summary.created,
        "item": items,
    }


def _answer(question: Question, value: str, pack: Pack) -> Json | None:
    if question.kind is Kind.NUMBER:
        return None if value == DONT_KNOW else {"valueInteger": int(value)}
    return {"valueCoding": _coding(question, value, pack)}


def risk_assessment(summary: Summary, resource_id: str, response_id: str) -> Json:
    """The triage, then each shown cause with its probability and reasons."""
    triage: Json = {
        "outcome": {"coding": [{"system": TRIAGE, "code": summary.triage}]},
    }
    if summary.triage in RISK_OF_TRIAGE:
        risk = RISK_OF_TRIAGE[summary.triage]
        triage["qualitativeRisk"] = {"coding": [{"system": RISK, "code": risk}]}
    if summary.red_flags:
        triage["rationale"] = "red flags: " + ", ".join(summary.red_flags)
    causes = [
        {
            "outcome": {
                "coding": [{"system": CAUSES, "code": c.id, "display": c.name}],
                "text": c.name,
            },
            "probabilityDecimal": c.probability,
            **({"rationale": "; ".join(c.reasons)} if c.reasons else {}),
        }
        for c in summary.causes
    ]
    return {
        "resourceType": "RiskAssessment",
        "id": resource_id,
        "status": "final" if summary.complete else "preliminary",
        "subject": {"display": NOT_IDENTIFIED},
        "occurrenceDateTime": summary.created,
        "basis": [{"reference": f"urn:uuid:{response_id}"}],
        "prediction": [triage, *causes],
    }
