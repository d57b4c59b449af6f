"""The demo's pupils before they leave: this session's S4-S6 pupils with pathways and offers."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from datahub.models import Enrolment, Learner, QualificationResult, User
from destinations.models import Offer, OfferEvent, PathwayRecord
from destinations.pathways.selectors import BoardFilters, board_rows
from insight.demo import generate_demo_data

TODAY = dt.date(2026, 12, 5)  # session 2026/27


@pytest.mark.django_db
def test_demo_pupils_have_realistic_pathways_and_offers() -> None:
    generate_demo_data(scale="tiny", seed=5, years=1, today=TODAY)
    # This session's pupils; the other pupils without a leaving record come from the census only
    # (cohorts before and after the leaver years, and pupils who left the roll): no pathway work.
    pupils = Learner.objects.filter(leaver__isnull=True, enrolments__year=2026)
    n = pupils.count()
    assert n > 200
    census_only = Learner.objects.filter(leaver__isnull=True).exclude(id__in=pupils)
    assert census_only.exists() and not PathwayRecord.objects.filter(learner__in=census_only).exists()
    # This session's enrolment in S4-S6 for every pupil, and only diets already sat.
    now = Counter(Enrolment.objects.filter(learner__in=pupils, year=2026).values_list("stage", flat=True))
    assert sum(now.values()) == n and set(now) == {"S4", "S5", "S6"}
    assert not QualificationResult.objects.filter(learner__in=pupils, year__gt=2026).exists()
    assert QualificationResult.objects.filter(learner__in=pupils).exists()

    records = PathwayRecord.objects.filter(learner__in=pupils)
    assert 0.7 * n < records.count() < n
    assert records.exclude(intended_category="").count() > 0.5 * records.count()
    offers = Offer.objects.filter(learner__in=pupils)
    statuses = Counter(offers.values_list("status", flat=True))
    assert set(statuses) == {"applied", "offered", "accepted", "declined", "withdrawn"}
    assert not offers.filter(status_date__gt=TODAY).exists()
    for offer in offers.prefetch_related("events")[:200]:
        events = list(offer.events.all())
        assert events[0].status == "applied" and events[-1].status == offer.status
        assert [e.status_date for e in events] == sorted(e.status_date for e in events)
    assert OfferEvent.objects.count() >= offers.count()

    # The demo MCMC officer's board: rated pupils, some at risk, some with an accepted offer.
    officer = User.objects.get(email="mcmc@demo.insight")
    rows = board_rows(officer, BoardFilters(), today=TODAY)
    assert rows and any(r.rating.at_risk for r in rows) and any(r.accepted for r in rows)
    assert all(r.rating.reasons or r.rating.score == 0 for r in rows)
    assert any(r.key_worker is not None for r in rows)


@pytest.mark.django_db
def test_replace_deletes_the_demo_pathways_and_offers() -> None:
    generate_demo_data(scale="tiny", seed=5, years=1, today=TODAY)
    generate_demo_data(scale="tiny", seed=5, years=1, today=TODAY, replace=True)
    pupils = Learner.objects.filter(leaver__isnull=True)
    assert PathwayRecord.objects.exclude(learner__in=pupils).count() == 0
    assert Offer.objects.count() == Offer.objects.filter(learner__in=pupils).count() > 0
