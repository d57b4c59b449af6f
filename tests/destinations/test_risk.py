"""The risk rules (destinations.pathways.risk): each reason on its own, combined, and the bands.

A "safe" pupil (accepted offer, leaving in S6 for a positive destination, no characteristic that
the rules weigh, enough awards) has no reason at all; each test changes one fact.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from destinations.pathways.risk import WEIGHTS, PupilFacts, band_for, offer_date, rate

SAFE = PupilFacts(leaving_year=2026, has_accepted_offer=True, intended_stage="S6", intended_positive=True,
                  care_experienced=False, asn=False, simd_decile=6, awards_level4_plus=5)
BEFORE = dt.date(2026, 2, 28)
AFTER = dt.date(2026, 3, 1)


def test_a_safe_pupil_has_no_reason_and_a_low_rating() -> None:
    rating = rate(SAFE, today=AFTER)
    assert (rating.score, rating.band, rating.reasons) == (0, "low", ())
    assert not rating.at_risk


@pytest.mark.parametrize(
    ("change", "today", "key", "text"),
    [
        ({"has_accepted_offer": False}, AFTER, "no_offer_late", "No accepted offer by 1 March 2026"),
        ({"has_accepted_offer": False}, BEFORE, "no_offer_yet", "No accepted offer yet"),
        ({"intended_stage": "S4"}, AFTER, "leaving_s4", "Intends to leave in S4"),
        ({"intended_stage": "S5"}, AFTER, "leaving_s5", "Intends to leave in S5"),
        ({"intended_positive": None}, AFTER, "no_intended_destination", "No intended destination recorded"),
        ({"intended_positive": False}, AFTER, "no_intended_destination", "Intended destination is not a positive one"),
        ({"care_experienced": True}, AFTER, "care_experienced", "Care experienced"),
        ({"asn": True}, AFTER, "asn", "Additional support needs"),
        ({"simd_decile": 2}, AFTER, "simd", "Lives in SIMD decile 2 (most deprived 20%)"),
        ({"awards_level4_plus": 2}, AFTER, "attainment",
         "2 awards at SCQF level 4 or better so far (fewer than 3)"),
    ],
)
def test_each_reason_on_its_own(change: dict, today: dt.date, key: str, text: str) -> None:
    rating = rate(dataclasses.replace(SAFE, **change), today=today)
    assert [(r.key, r.text, r.weight) for r in rating.reasons] == [(key, text, WEIGHTS[key])]
    assert rating.score == WEIGHTS[key]
    assert rating.band == band_for(WEIGHTS[key])


def test_attainment_counts_only_once_an_exam_diet_has_been_sat() -> None:
    assert rate(dataclasses.replace(SAFE, awards_level4_plus=0, stage="S4"), today=AFTER).reasons == ()
    assert [r.key for r in rate(dataclasses.replace(SAFE, awards_level4_plus=0, stage="S5"), today=AFTER).reasons] == [
        "attainment"]


def test_boundaries_of_the_characteristic_rules_do_not_fire() -> None:
    facts = dataclasses.replace(SAFE, simd_decile=3, awards_level4_plus=3, intended_stage="")
    assert rate(facts, today=AFTER).reasons == ()


def test_the_offer_date_is_1_march_of_the_leaving_year() -> None:
    assert offer_date(2026) == dt.date(2026, 3, 1)
    late = dataclasses.replace(SAFE, has_accepted_offer=False)
    assert rate(late, today=dt.date(2026, 2, 28)).reasons[0].key == "no_offer_yet"
    assert rate(late, today=dt.date(2026, 3, 1)).reasons[0].key == "no_offer_late"


def test_reasons_combine_strongest_first_and_add_up() -> None:
    facts = PupilFacts(leaving_year=2026, has_accepted_offer=False, intended_stage="S4", intended_positive=None,
                       care_experienced=True, asn=True, simd_decile=1, awards_level4_plus=0)
    rating = rate(facts, today=AFTER)
    assert [r.key for r in rating.reasons] == [
        "no_offer_late", "leaving_s4", "care_experienced", "attainment", "no_intended_destination", "asn", "simd",
    ]
    assert rating.score == 3 + 2 + 2 + 2 + 1 + 1 + 1
    assert rating.band == "high" and rating.at_risk
    assert rating.reason_texts[0] == "No accepted offer by 1 March 2026"


def test_an_accepted_offer_takes_a_pupil_off_the_at_risk_list() -> None:
    facts = dataclasses.replace(SAFE, has_accepted_offer=False, care_experienced=True)
    assert rate(facts, today=AFTER).band == "high"  # 3 + 2
    accepted = rate(dataclasses.replace(facts, has_accepted_offer=True), today=AFTER)
    assert (accepted.band, [r.key for r in accepted.reasons]) == ("medium", ["care_experienced"])


@pytest.mark.parametrize(("score", "band"), [(0, "low"), (1, "low"), (2, "medium"), (3, "medium"), (4, "high"),
                                             (12, "high")])
def test_bands(score: int, band: str) -> None:
    assert band_for(score) == band


def test_weights_can_be_given_and_a_zero_weight_drops_the_reason() -> None:
    facts = dataclasses.replace(SAFE, asn=True, care_experienced=True)
    rating = rate(facts, today=AFTER, weights={**WEIGHTS, "asn": 0, "care_experienced": 5})
    assert [(r.key, r.weight) for r in rating.reasons] == [("care_experienced", 5)]
    assert rating.score == 5
