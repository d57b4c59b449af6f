"""Readiness measures week by week (destinations.pathways.measures): a small world counted by hand.

Session 2024/25 starts on Thursday 1 August 2024: week 1 is 1-7 August and its figures are as at
local midnight starting 8 August; week k ends at midnight starting 1 August + 7k days. Histories
are written with the times they were recorded at (the services stamp "now"; these rows stand for
records made earlier in the session).

School A, session 2024 (authority X):
- P1 (S6), no pathway record: expected every week (an S6 pupil with nothing recorded), destination
  never known. Offer accepted on 5 November (week 14), declined on 20 November (week 16).
- P2 (S6): a record without a destination made at 23:59 on 7 August (week 1); a new one naming
  higher education made at exactly midnight starting 15 August, the end of week 2, so it counts
  from week 3. Offer applied 1 September, offered 1 October, accepted 20 October (week 12).
- P3 (S5): nothing until 10 September (week 6), then intends to leave in S5 for further education:
  expected and known from week 6.
- P4 (S4): intends to leave in S6: never expected this session.
School A, session 2023: Q1 (S6) whose destination was recorded on 20 August 2023 (week 3).
School B (authority Y), session 2024: one S6 pupil with nothing recorded.

By hand, school A 2024:  weeks 1-2: expected 2, known 0; weeks 3-5: 2, 1; from week 6: 3, 2.
Accepted: weeks 1-11: 0; 12-13: 1 (P2); 14-15: 2 (P1, P2); from 16: 1 (P2).
School A 2023: expected 1 every week; known 0 in weeks 1-2, 1 from week 3.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from datahub.models import AuditEvent, Enrolment
from destinations.models import Offer, OfferEvent, PathwayRecord
from destinations.pathways.measures import SESSION_WEEKS, current_week, session_counts, week_boundaries
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


def enrol(school, given: str, stage: str, year: int):
    learner = LearnerFactory.create(establishment=school, given_name=given, family_name="Measure")
    Enrolment.objects.create(learner=learner, establishment=school, year=year, stage=stage)
    return learner


def record(learner, when: dt.datetime, until: dt.datetime | None = None, **fields) -> PathwayRecord:
    return PathwayRecord.objects.create(learner=learner, recorded_at=when, superseded_at=until, source="demo",
                                        **fields)


def offer(learner, provider: str, trail: list[tuple[str, dt.datetime]]) -> Offer:
    last_status, last_at = trail[-1]
    o = Offer.objects.create(learner=learner, kind="college", provider=provider, status=last_status,
                             applied_on=trail[0][1].date(), status_date=last_at.date(), source="demo")
    for status, when in trail:
        OfferEvent.objects.create(offer=o, status=status, status_date=when.date(), recorded_at=when)
    return o


@pytest.fixture
def small(world):
    a, b = world.school_a, world.school_b
    p1 = enrol(a, "Pia", "S6", 2024)
    p2 = enrol(a, "Pat", "S6", 2024)
    p3 = enrol(a, "Pez", "S5", 2024)
    p4 = enrol(a, "Pod", "S4", 2024)
    q1 = enrol(a, "Quin", "S6", 2023)
    enrol(b, "Bea", "S6", 2024)
    midnight_15_aug = dt.datetime(2024, 8, 15, 0, 0, tzinfo=TZ)
    record(p2, at(2024, 8, 7, 23, 59), until=midnight_15_aug, aspiration="Not sure yet")
    record(p2, midnight_15_aug, aspiration="Law", intended_category="HE")
    record(p3, at(2024, 9, 10), intended_stage="S5", intended_category="FE")
    record(p4, at(2024, 8, 20), intended_stage="S6", intended_category="FE")
    record(q1, at(2023, 8, 20), intended_category="EMPLOYMENT")
    offer(p1, "Fife College", [("applied", at(2024, 10, 1)), ("offered", at(2024, 10, 20)),
                               ("accepted", at(2024, 11, 5)), ("declined", at(2024, 11, 20))])
    offer(p2, "Edinburgh College", [("applied", at(2024, 9, 1)), ("offered", at(2024, 10, 1)),
                                    ("accepted", at(2024, 10, 20))])
    return world


def expect(weeks: int, spans: list[tuple[int, int, int]]) -> list[int]:
    """A weekly list from (first week, last week, value) spans (weeks 1-based, inclusive)."""
    out = [0] * weeks
    for first, last, value in spans:
        for w in range(first, last + 1):
            out[w - 1] = value
    return out


def test_week_boundaries_are_local_midnights_seven_days_apart_from_1_august() -> None:
    bounds = week_boundaries(2024, 3)
    assert [dt.datetime.fromtimestamp(b, TZ) for b in bounds] == [
        dt.datetime(2024, 8, 8, tzinfo=TZ), dt.datetime(2024, 8, 15, tzinfo=TZ), dt.datetime(2024, 8, 22, tzinfo=TZ)]
    # Across the change to winter time (27 October 2024) a week end is still local midnight.
    late = week_boundaries(2024, 14)[13]
    assert dt.datetime.fromtimestamp(late, TZ) == dt.datetime(2024, 11, 7, tzinfo=TZ)


def test_school_counts_week_by_week_as_worked_by_hand(small) -> None:
    c = session_counts(session=2024, establishment_ids=[small.school_a.pk])
    assert c.school_ids == [small.school_a.pk]
    assert list(c.expected[0]) == expect(SESSION_WEEKS, [(1, 5, 2), (6, SESSION_WEEKS, 3)])
    assert list(c.known[0]) == expect(SESSION_WEEKS, [(3, 5, 1), (6, SESSION_WEEKS, 2)])
    assert list(c.accepted[0]) == expect(SESSION_WEEKS, [(12, 13, 1), (14, 15, 2), (16, SESSION_WEEKS, 1)])


def test_a_record_made_at_the_stroke_of_midnight_counts_from_the_next_week(small) -> None:
    c = session_counts(session=2024, establishment_ids=[small.school_a.pk], weeks=3)
    assert list(c.known[0]) == [0, 0, 1]  # made at the end of week 2: week 3's


def test_last_session_is_read_back_the_same_way_at_the_same_week(small) -> None:
    last = session_counts(session=2023, establishment_ids=[small.school_a.pk])
    assert list(last.expected[0]) == [1] * SESSION_WEEKS  # this session's S5 P2 was not expected last session
    assert list(last.known[0]) == expect(SESSION_WEEKS, [(3, SESSION_WEEKS, 1)])
    assert not last.accepted.any()


def test_an_authority_is_the_sum_of_its_schools_and_another_authority_is_apart(small) -> None:
    x = session_counts(session=2024, authority_ids=[small.authority_x.pk])
    assert x.school_ids == [small.school_a.pk]  # A2 has no pupils in this world
    y = session_counts(session=2024, authority_ids=[small.authority_y.pk])
    assert y.school_ids == [small.school_b.pk]
    assert list(y.expected[0]) == [1] * SESSION_WEEKS and not y.known.any()
    everyone = session_counts(session=2024)
    e, k, a = everyone.total()
    assert list(e) == list(np.array(x.expected[0]) + 1)
    assert list(k) == list(x.known[0]) and list(a) == list(x.accepted[0])


def test_current_week_of_a_session() -> None:
    assert current_week(2024, dt.date(2024, 8, 1)) == 1
    assert current_week(2024, dt.date(2024, 8, 8)) == 2
    assert current_week(2024, dt.date(2025, 7, 31)) == SESSION_WEEKS
    assert current_week(2023, dt.date(2024, 9, 1)) == SESSION_WEEKS  # a past session: all of it


# --- The page and its CSV ---------------------------------------------------------------------


def client(world, persona: str) -> Client:
    c = Client()
    c.force_login(world.personas[persona])
    return c


def page(world, persona: str, query: str = ""):
    return client(world, persona).get(reverse("destinations:readiness_measures") + query)


def test_school_staff_see_their_school_against_last_session(small, settings) -> None:
    resp = page(small, "staff_a", "?week=3")
    assert resp.status_code == 200
    p = resp.context["page"]
    assert p.kind == "establishment" and p.name == small.school_a.name
    # Today's session has no census in this world: the latest one held (2024/25) is shown, whole.
    assert p.session == 2024 and p.this_weeks == SESSION_WEEKS
    week3 = resp.context["weekly"][2]
    assert week3["this"]["expected"].shown == 2 and week3["this"]["known"].shown == 50.0
    assert week3["last"]["known"].shown == 100.0
    body = resp.content.decode()
    assert "Pia" not in body and "Measure" not in body  # aggregates only, never a pupil


def test_page_figures_for_a_past_session_match_the_hand_count(small) -> None:
    from datahub.access import Entitlement
    from destinations.pathways.measures_page import establishment_page

    p = establishment_page(small.school_a, Entitlement.OWN, session=2024, today=dt.date(2024, 11, 20))
    assert p.this_weeks == 16 and p.week == 16
    rows = p.weekly_rows()
    assert rows[2]["this"]["expected"].shown == 2 and rows[2]["this"]["known"].shown == 50.0
    assert rows[2]["last"]["known"].shown == 100.0  # Q1's destination known from week 3 of 2023/24
    assert rows[1]["last"]["known"].shown == 0.0
    assert rows[13]["this"]["accepted"].shown == pytest.approx(66.7)
    assert rows[16]["this"]["expected"] is None  # week 17 not reached yet
    chart = p.chart("known")
    assert chart["series"][0]["data"][:3] == [0.0, 0.0, 50.0] and chart["series"][0]["data"][16] is None


def test_a_viewer_not_entitled_gets_c_for_a_small_school(small) -> None:
    from datahub.access import Entitlement
    from destinations.pathways.measures_page import establishment_page

    p = establishment_page(small.school_a, Entitlement.PUBLIC, session=2024, today=dt.date(2024, 11, 20))
    row = p.weekly_rows()[5]
    assert row["this"]["expected"].shown == "c" and row["this"]["known"].shown == "c"
    assert p.chart("known")["series"][0]["data"][5] is None  # never in the chart's JSON either


@pytest.mark.parametrize("persona,kind", [("analyst_x", "authority"), ("mcmc_x", "authority"),
                                          ("national", "national"), ("dm_a", "establishment")])
def test_analysts_and_others_get_aggregates_of_their_place(small, persona: str, kind: str) -> None:
    resp = page(small, persona)
    assert resp.status_code == 200
    assert resp.context["page"].kind == kind
    body = resp.content.decode()
    assert "Pia" not in body and "Bea" not in body


def test_analysts_still_never_reach_the_board_or_a_pupil(small) -> None:
    for persona in ("analyst_x", "national"):
        c = client(small, persona)
        assert c.get(reverse("destinations:readiness")).status_code == 403
        assert c.get(reverse("destinations:readiness_export")).status_code == 403


def test_places_named_in_the_query_open_only_for_those_who_cover_them(small) -> None:
    b_seed = small.school_b.seed_code
    assert page(small, "analyst_x", f"?school={b_seed}").status_code == 404
    assert page(small, "analyst_x", f"?authority={small.authority_y.code}").status_code == 404
    assert page(small, "analyst_x", "?scope=scotland").status_code == 403
    assert page(small, "national", f"?school={b_seed}").status_code == 200
    assert page(small, "national", "?scope=scotland").status_code == 200
    assert page(small, "staff_a", f"?school={b_seed}").status_code == 404
    assert page(small, "ua_x").status_code == 403


def test_national_analysts_see_a_small_authoritys_schools_withheld(small) -> None:
    resp = page(small, "national", f"?authority={small.authority_x.code}")
    assert resp.status_code == 200
    units = resp.context["units"]
    assert [u["name"] for u in units] == [small.school_a.name]
    assert units[0]["this"]["expected"].shown == "c" and units[0]["this"]["known"].shown == "c"
    own = page(small, "analyst_x", f"?authority={small.authority_x.code}")
    assert own.context["page"].ent.unsuppressed


def test_csv_export_is_audited_and_formula_safe(small) -> None:
    resp = client(small, "analyst_x").get(reverse("destinations:readiness_measures_export"))
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Place", "Session", "Week"]
    assert {r[0] for r in rows[1:]} >= {small.authority_x.name}
    assert AuditEvent.objects.filter(action="readiness_measures_export").count() == 1
