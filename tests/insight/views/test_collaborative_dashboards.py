"""Regional Improvement Collaboratives on the dashboards: a column between authority and Scotland
(establishment and authority pages, their exports), a table on the national view."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from datahub.models import Collaborative, Role
from insight.benchmarking import columns as c
from insight.models import CohortResult
from insight.selectors.catalogue import year_label
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.worlds import DASH_YEARS, DashWorld, client_for

pytestmark = pytest.mark.django_db


def leavers(dash: DashWorld, cohort: str, cohort_id: int, year: int) -> int:
    return int(CohortResult.objects.filter(run=dash.run, cohort=cohort, cohort_id=cohort_id, year=year,
                                           breakdown="").values_list(c.N_LEAVERS, flat=True).get())


def test_a_school_is_shown_beside_its_authority_its_collaborative_and_scotland(dash: DashWorld) -> None:
    school = dash.schools["X1"]  # Aberdeen City, in the Northern Alliance with Aberdeenshire
    northern = Collaborative.objects.get(code="NA")
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    url = reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code})
    html = client_for(head).get(url).content.decode()
    assert "Regional Improvement Collaborative" in html
    table = page_table(html, "leavers")
    assert table[0] == ["Year of leaving", school.name, "Aberdeen City", "Northern Alliance", "Scotland"]
    # The collaborative's leavers are its authorities' leavers (the world has two of its eight).
    # Shown under the run's public pattern (no role is entitled to a collaborative): this small
    # world withholds the authority, collaborative and Scotland counts of its earlier years.
    aberdeen, shire = dash.authorities[100].pk, dash.authorities[110].pk
    for row, year in zip(table[1:], DASH_YEARS, strict=True):
        expected = leavers(dash, c.COHORT_AUTHORITY, aberdeen, year) + leavers(dash, c.COHORT_AUTHORITY, shire, year)
        assert leavers(dash, c.COHORT_COLLABORATIVE, northern.pk, year) == expected
        assert row[0] == year_label(year) and row[3] in (f"{expected:,}", "c")
    assert table[-1][3] == f"{expected:,}"
    panel = page_table(html, "m-pct-initial-positive")
    assert panel[0][-2:] == ["Northern Alliance", "Scotland"]
    # The export is the table as shown, collaborative column included.
    export = client_for(head).get(url + "export/leavers.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert "Northern Alliance" in rows[0] and rows[1][3] == table[1][3]


def test_an_authority_is_shown_beside_its_collaborative_and_the_national_view_lists_them(dash: DashWorld) -> None:
    analyst = member(Role.NATIONAL_ANALYST)
    html = client_for(analyst).get(reverse("insight:authority_dashboard", kwargs={"code": 260})).content.decode()
    assert page_table(html, "leavers")[0] == ["Year of leaving", "Glasgow City", "West Partnership", "Scotland"]
    assert page_table(html, "m-pct-initial-positive")[0][-2:] == ["West Partnership", "Scotland"]
    national = client_for(analyst).get(reverse("insight:national")).content.decode()
    table = page_table(national, "collaboratives")
    assert [row[0] for row in table[1:]] == ["Northern Alliance", "West Partnership", "Scotland"]


@pytest.mark.parametrize(("pair", "levels"), [("", (4, 5)), ("34", (3, 4)), ("56", (5, 6))])
def test_literacy_and_numeracy_show_the_chosen_pair_of_levels(dash: DashWorld, pair: str, levels: tuple[int, int]) -> None:
    school = dash.schools["X1"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    url = reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code})
    html = client_for(head).get(url, {"litnum": pair} if pair else {}).content.decode()
    shown = sorted(int(level) for level in set(re_levels(html)))
    assert shown == list(levels)
    table = page_table(html, f"m-pct-lit-num-scqf{levels[0]}")
    assert table[0][-3:] == ["Aberdeen City", "Northern Alliance", "Scotland"]
    if pair:  # the export link rebuilds the pair
        assert f"export/m-pct-lit-num-scqf{levels[0]}.csv?litnum={pair}" in html
        export = client_for(head).get(url + f"export/m-pct-lit-num-scqf{levels[0]}.csv", {"litnum": pair})
        assert export.status_code == 200


def re_levels(html: str) -> list[str]:
    import re

    return re.findall(r'id="table-m-pct-lit-num-scqf(\d)"', html)
