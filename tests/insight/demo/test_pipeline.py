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
    # Without a leaving record and not at school now: last session's pupils (their leaving not yet
    # loaded; pathways and offers through that session, for the readiness measures' comparison)
    # and the census-only pupils of the local measures' cohorts (no pathway work).
    not_now = Learner.objects.filter(leaver__isnull=True).exclude(id__in=pupils)
    last_session = not_now.filter(enrolments__year=2025)
    census_only = not_now.exclude(id__in=last_session)
    assert census_only.exists() and not PathwayRecord.objects.filter(learner__in=census_only).exists()
    assert PathwayRecord.objects.filter(learner__in=last_session).exists()
    # This session's enrolment in S4-S6 for every pupil, and only diets already sat.
    now = Counter(Enrolment.objects.filter(learner__in=pupils, year=2026).values_list("stage", flat=True))
    assert sum(now.values()) == n and set(now) == {"S4", "S5", "S6"}
    assert not QualificationResult.objects.filter(learner__in=pupils, year__gt=2026).exists()
    assert QualificationResult.objects.filter(learner__in=pupils).exists()

    records = PathwayRecord.objects.filter(learner__in=pupils, superseded_at__isnull=True)
    assert 0.7 * n < records.count() < n
    assert records.exclude(intended_category="").count() > 0.3 * records.count()
    # History: most records began without a destination and were superseded when it became known.
    earlier = PathwayRecord.objects.filter(learner__in=pupils, superseded_at__isnull=False)
    assert earlier.filter(intended_category="").count() == earlier.count() > 0.1 * n
    assert not PathwayRecord.objects.filter(recorded_at__date__gt=TODAY).exists()
    # Next actions on the current records, some overdue, some done.
    actions = records.exclude(next_action="")
    assert actions.filter(next_action_done=False, next_action_due__lt=TODAY).exists()
    assert actions.filter(next_action_done=True).exists()
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
    counts = (PathwayRecord.objects.count(), Offer.objects.count(), OfferEvent.objects.count())
    generate_demo_data(scale="tiny", seed=5, years=1, today=TODAY, replace=True)
    assert (PathwayRecord.objects.count(), Offer.objects.count(), OfferEvent.objects.count()) == counts
    assert counts[1] > 0


@pytest.mark.django_db
def test_demo_measures_rise_through_the_session_and_compare_with_last_session() -> None:
    from destinations.pathways.measures import current_week, session_counts

    generate_demo_data(scale="tiny", seed=5, years=1, today=TODAY)
    this, last = session_counts(session=2026), session_counts(session=2025)
    e, k, _ = this.total()
    le, lk, la = last.total()
    week = current_week(2026, TODAY) - 1
    assert e[week] > 100 and le[week] > 100
    # Known intended destinations and accepted offers grow through last session, to most by June.
    assert lk[2] / le[2] < lk[30] / le[30] < lk[45] / le[45] and lk[45] / le[45] > 0.6
    assert la[5] / le[5] < 0.05 < la[45] / le[45]
    # This session so far is near last session at the same week (the same simulation).
    assert abs(k[week] / e[week] - lk[week] / le[week]) < 0.15
