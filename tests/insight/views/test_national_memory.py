"""The national view keeps its authorities' and schools' tables in memory (insight.pages.national.TABLES):
what it serves from memory must be, byte for byte, the page built afresh, for every viewer."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from datahub.models import Role
from insight.benchmarking import columns as c
from insight.pages.national import TABLES
from insight.selectors.dashboards import all_leaver_rows
from insight.selectors.pattern import forget_computed
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.worlds import DASH_YEARS as YEARS
from tests.insight.worlds import DashWorld, client_for

pytestmark = pytest.mark.django_db

URL = reverse("insight:national")
QUERIES = [
    "",
    f"?measure={c.PCT_INITIAL_POSITIVE}&schools-sort=y{YEARS[-1]}&schools-dir=desc&authorities-sort=vc",
    f"?measure={c.avg_tariff(c.LOWEST20)}&schools-sort=leavers&authorities-sort=name&authorities-dir=desc",
]


def _page(client: object, query: str) -> str:
    html = client.get(URL + query).content.decode()  # type: ignore[attr-defined]
    # What differs between any two requests: the printed page's time stamp (to the minute), the
    # masked CSRF token and the CSP nonce.
    html = re.sub(r"Printed from Insight Portal by .*? on [^.]*\.", "", html)
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)


def _afresh(client: object, query: str) -> str:
    TABLES.clear()
    forget_computed()
    cache.clear()
    return _page(client, query)


def test_the_national_view_from_memory_is_the_page_built_afresh(dash: DashWorld) -> None:
    national = client_for(member(Role.NATIONAL_ANALYST))
    fresh = {q: _afresh(national, q) for q in QUERIES}
    for q in QUERIES + QUERIES[::-1]:  # each served from memory, after the others were
        assert _page(national, q) == fresh[q]
    la = dash.authorities[100]
    chosen = f"?authority={la.code}"
    assert _page(national, chosen) == _afresh(national, chosen)
    rows = page_table(_page(national, chosen), "schools", drop_trend=True)
    assert {r[1] for r in rows[1:]} == {la.name}  # the chosen authority's own table, not the one kept for all


def test_a_viewer_entitled_to_a_school_is_never_served_the_public_tables(dash: DashWorld) -> None:
    """A national analyst who also leads a school sees that school unsuppressed; one who does not,
    under the public pattern: neither is served the other's tables from memory."""
    public = client_for(member(Role.NATIONAL_ANALYST))
    school = dash.schools["X1"]
    insider = member(Role.NATIONAL_ANALYST)
    member(Role.ESTABLISHMENT_ADMIN, establishment=school, user=insider)
    insider_client = client_for(insider)
    # A threshold above every school's size: the public sees no school figure, the insider their own.
    with override_settings(DISCLOSURE_MIN_COUNT=1000):
        expected = {"public": _afresh(public, ""), "insider": _afresh(insider_client, "")}
        TABLES.clear()
        for who, client in [("public", public), ("insider", insider_client), ("public", public),
                            ("insider", insider_client)]:
            assert _page(client, "") == expected[who], who

    def own_row(html: str) -> list[str]:
        return next(r for r in page_table(html, "schools", drop_trend=True) if r[0] == school.name)

    assert "c" in own_row(expected["public"])
    assert "c" not in own_row(expected["insider"])


def test_a_renamed_school_shows_its_new_name_at_once(dash: DashWorld) -> None:
    national = client_for(member(Role.NATIONAL_ANALYST))
    school = dash.schools["Y1"]
    _page(national, "")  # the tables are now in memory
    old = school.name
    school.name = "Renamed Academy"
    school.save(update_fields=["name"])
    try:
        names = [r[0] for r in page_table(_page(national, ""), "schools", drop_trend=True)]
        assert "Renamed Academy" in names and old not in names
    finally:
        school.name = old
        school.save(update_fields=["name"])


def test_the_rows_the_view_reads_are_every_cohorts_all_leavers_rows(dash: DashWorld) -> None:
    rows = all_leaver_rows(dash.run)
    school = dash.schools["Z1"]
    assert set(rows[(c.COHORT_ESTABLISHMENT, school.pk)]) == {(y, "", "") for y in YEARS}
    assert (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID) in rows
    assert all(dim == "" for subject in rows.values() for (_, dim, _) in subject)
