"""The standardised vignettes through the real dialog, in-process: the first set
(tests/data/vignettes.yaml) and the second, written later from the sources without
tuning to it (tests/data/vignettes_new.yaml: severity, progression, relapse...).

The full figures come from scripts/bench_triage.py; this guards the safety floor on
both sets: no emergency is missed, and nobody is told less urgent care than the
vignette needs.
"""

from __future__ import annotations

import pytest

from kiosk.dialog.vignettes import Vignette, load_vignettes
from kiosk.language.pack import Pack
from kiosk.triage.knowledge import Knowledge, Triage
from tests.conftest import ROOT, Kiosk

VIGNETTES = load_vignettes(ROOT / "tests/data/vignettes.yaml")
NEW_VIGNETTES = load_vignettes(ROOT / "tests/data/vignettes_new.yaml")
BOTH = VIGNETTES + NEW_VIGNETTES


def run(knowledge: Knowledge, pack: Pack, vignette: Vignette) -> Kiosk:
    kiosk = Kiosk(knowledge, pack)
    kiosk.start()
    for _ in range(100):
        question = kiosk.asking
        if question is None:
            return kiosk
        kiosk.say(vignette.typed_answer(knowledge, pack, question))
    raise AssertionError("the dialog kept asking")


def test_the_vignette_set_is_broad_enough() -> None:
    causes = [v.cause for v in VIGNETTES]
    assert len(VIGNETTES) >= 40
    assert all(causes.count(c) >= 2 for c in set(causes)) and len(set(causes)) == 14
    assert sum(v.triage == "emergency" for v in VIGNETTES) >= 10
    assert sum(list(v.answers.values()).count("dont_know") >= 2 for v in VIGNETTES) >= 5


def test_the_second_set_covers_every_cause_with_severity_and_progression() -> None:
    assert len(NEW_VIGNETTES) >= 20
    assert {v.cause for v in NEW_VIGNETTES} == {v.cause for v in VIGNETTES}
    assert all("function_now" in v.answers for v in NEW_VIGNETTES)
    assert sum(v.answers.get("function_now") != "walks_alone" for v in NEW_VIGNETTES) >= 8
    assert not {v.id for v in NEW_VIGNETTES} & {v.id for v in VIGNETTES}


@pytest.mark.parametrize(
    "vignette", [v for v in BOTH if v.triage == "emergency"], ids=lambda v: v.id
)
def test_no_emergency_vignette_is_missed(
    knowledge: Knowledge, pack: Pack, vignette: Vignette
) -> None:
    kiosk = run(knowledge, pack, vignette)
    assert kiosk.result().triage == "emergency"
    first_result_line = next(s for s in kiosk.said() if s.kind in ("emergency", "result"))
    assert first_result_line.kind == "emergency"


@pytest.mark.parametrize(
    "vignette",
    [v for v in BOTH if v.triage != "emergency"],
    ids=lambda v: v.id,
)
def test_no_vignette_is_under_triaged(knowledge: Knowledge, pack: Pack, vignette: Vignette) -> None:
    kiosk = run(knowledge, pack, vignette)
    got = Triage[kiosk.result().triage.upper()]
    assert got >= Triage[vignette.triage.upper()]


def test_most_vignettes_have_the_right_cause_in_the_top_three(
    knowledge: Knowledge, pack: Pack
) -> None:
    hits = sum(
        v.cause in [c.id for c in run(knowledge, pack, v).result().causes] for v in VIGNETTES
    )
    assert hits / len(VIGNETTES) >= 0.9
