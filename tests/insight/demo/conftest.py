"""Readers of what the demo generator wrote, for the tests of ``insight.demo``."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import pytest

from datahub.models import Enrolment, Establishment, Learner, QualificationResult, SchoolLeaver
from datahub.reference import default_tariff_entries
from destinations.models import DestinationRecord, ParticipationSpell


def _fingerprint() -> str:
    """A hash over every generated row, by natural keys (ids depend on the database's sequences)."""
    h = hashlib.sha256()
    parts = [
        Establishment.objects.order_by("seed_code").values_list("seed_code", "name", "type", "roll",
                                                                "authority__code"),
        Learner.objects.order_by("scn").values_list(
            "scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone", "simd_decile", "asn",
            "care_experienced", "fsm", "establishment__seed_code"),
        Enrolment.objects.order_by("learner__scn", "year").values_list(
            "learner__scn", "year", "stage", "establishment__seed_code"),
        SchoolLeaver.objects.order_by("learner__scn").values_list(
            "learner__scn", "leaver_year", "stage", "leaving_date", "establishment__seed_code"),
        QualificationResult.objects.order_by("learner__scn", "year", "subject__code", "award_type").values_list(
            "learner__scn", "subject__code", "award_type", "scqf_level", "scqf_credits", "grade", "year",
            "establishment__seed_code"),
        DestinationRecord.objects.order_by("leaver__learner__scn", "kind", "recorded_at").values_list(
            "leaver__learner__scn", "kind", "category", "survey_date", "recorded_at", "superseded_at"),
        ParticipationSpell.objects.order_by("learner__scn", "start_date").values_list(
            "learner__scn", "status", "start_date", "end_date"),
    ]
    for qs in parts:
        for row in qs.iterator(chunk_size=5000):
            h.update(repr(row).encode())
    return h.hexdigest()


def _total_tariff() -> dict[int, Decimal]:
    """Each leaver's total tariff with the default scale: latest and best per subject."""
    table = {(r["award_type"], r["scqf_level"], r["grade"]): r for r in default_tariff_entries()}
    best: dict[tuple[int, int], Decimal] = {}
    for learner, subject, award, level, credits, grade in QualificationResult.objects.values_list(
        "learner_id", "subject_id", "award_type", "scqf_level", "scqf_credits", "grade"
    ):
        entry = table[(award, level, grade)]
        pts = entry["points"] * credits if entry["per_credit"] else entry["points"]
        key = (learner, subject)
        best[key] = max(best.get(key, Decimal(0)), pts)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for (learner, _subject), pts in best.items():
        totals[learner] += pts
    return totals


@pytest.fixture
def demo_fingerprint() -> Callable[[], str]:
    """Call it after a generation: a hash over every generated row, by natural keys."""
    return _fingerprint


@pytest.fixture
def leaver_tariffs() -> Callable[[], dict[int, Decimal]]:
    """Call it after a generation: each learner's total tariff (default scale, latest and best)."""
    return _total_tariff
