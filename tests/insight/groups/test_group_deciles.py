"""Comparator groups in the dashboards' last two sections (issue 15 item 3): the run computes a
group's figures by SIMD decile from its members' leavers (recomputed here with plain pandas); a
viewer not entitled to one member sees "c" for every decile figure of the group; the breakdown
table (SIMD decile), the trend table and the deprivation table show the group, and the page, its
CSV and XLSX exports and its Copy link agree."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from datahub.models import Role, User
from insight import loaders
from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table
from insight.exports import NO_DATA
from insight.groups import services
from insight.groups.figures import group_figures
from insight.groups.models import ComparatorGroupResult
from insight.models import BenchmarkRun
from insight.selectors.catalogue import BREAKDOWNS, DECILE
from insight.selectors.figures import Viewer
from partnerships.models import Partnership, Status
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.groups.worlds import GroupWorld, build_group_world
from tests.insight.worlds import RUN_YEARS, client_for

pytestmark = pytest.mark.django_db

DECILES = [v for v, _ in BREAKDOWNS[DECILE].values]


@pytest.fixture
def gw(reference_data: None) -> GroupWorld:
    from insight import selectors

    selectors.forget_computed()
    return build_group_world()


def deciles_by_hand(run: BenchmarkRun, school_ids: list[int], year: int) -> dict[str, tuple[int, float | None]]:
    """Decile -> (leavers, average total tariff or None) of the schools' leavers, with plain pandas."""
    data = loaders.load_engine_input([year], tariff_scale_id=run.tariff_scale_id)
    t = leaver_table(data.leavers, data.results)
    t = t[t[c.ESTABLISHMENT_ID].isin(school_ids)]
    out: dict[str, tuple[int, float | None]] = {d: (0, None) for d in DECILES}
    for decile, part in t.groupby(c.SIMD_DECILE):
        out[str(decile)] = (len(part), float(part[c.TOTAL_TARIFF].mean()))
    return out


def test_the_run_computes_a_groups_deciles_from_its_members_leavers(gw: GroupWorld) -> None:
    group = services.group_create(owner=gw.owner, name="Twelve", members=gw.schools)
    run = gw.run()
    ids = [s.pk for s in gw.schools]
    for year in RUN_YEARS:
        want = deciles_by_hand(run, ids, year)
        assert sum(n for n, _ in want.values()) == 12 * 25
        stored = {r.breakdown_value: r for r in ComparatorGroupResult.objects.filter(
            run=run, group=group, year=year, breakdown=DECILE)}
        assert set(stored) == set(DECILES), year
        for d, (n, avg) in want.items():
            row = stored[d]
            assert sorted(row.members) == sorted(ids)
            assert getattr(row, c.N_LEAVERS) == n, (year, d)
            if avg is None:
                assert getattr(row, c.AVG_TOTAL_TARIFF) is None
            else:
                assert getattr(row, c.AVG_TOTAL_TARIFF) == pytest.approx(avg), (year, d)


def _page(client: Client, school: Any, query: str) -> str:
    url = reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code})
    resp: Any = client.get(url + query)
    assert resp.status_code == 200
    return str(resp.content.decode())


def _decile_column(html: str, name: str) -> list[str]:
    table = page_table(html, "breakdown")
    assert table[0][4] == f"Group: {name}"
    return [row[4] for row in table[1:]]


def test_a_viewer_not_entitled_to_one_member_sees_c_for_the_groups_deciles(gw: GroupWorld) -> None:
    """The owner is staff of schools[0], the group is schools[0] and schools[1]: not entitled to
    schools[1], every decile of the group is "c" (even where schools[1]'s other figures are shown);
    once the two schools are learning partners, the owner is entitled to both and sees them."""
    group = services.group_create(owner=gw.owner, name="Pair", members=gw.schools[:2])
    run = gw.run()
    year = RUN_YEARS[-1]
    q = f"?group={group.pk}&breakdown={DECILE}&measure={c.AVG_TOTAL_TARIFF}&year={year}"
    gf = group_figures(run, group, Viewer(gw.owner))
    assert not gf.entitled_to_all(year)
    assert all(gf.cell(y, m, DECILE, d).suppressed for y in RUN_YEARS for d in DECILES
               for m in (c.N_LEAVERS, c.AVG_TOTAL_TARIFF))
    html = _page(client_for(gw.owner), gw.schools[0], q)
    assert _decile_column(html, "Pair") == ["c"] * 10
    trend = page_table(html, "breakdown-trend")
    group_rows = [r for r in trend[1:] if r[0].endswith(": Group: Pair")]
    assert len(group_rows) == 10 and all(r[1:] == ["c"] * len(RUN_YEARS) for r in group_rows)

    Partnership.objects.create(proposer=gw.schools[0], partner=gw.schools[1], status=Status.ACTIVE)
    from insight import selectors

    selectors.forget_computed()
    stored = {r.breakdown_value: getattr(r, c.AVG_TOTAL_TARIFF) for r in ComparatorGroupResult.objects.filter(
        run=run, group=group, year=year, breakdown=DECILE)}
    assert group_figures(run, group, Viewer(gw.owner)).entitled_to_all(year)
    html = _page(client_for(gw.owner), gw.schools[0], q)
    assert _decile_column(html, "Pair") == [NO_DATA if stored[d] is None else f"{stored[d]:,.0f}" for d in DECILES]


def _entitled_to_all(gw: GroupWorld) -> User:
    analyst = None
    for la in {s.authority for s in gw.schools}:
        analyst = member(Role.AUTHORITY_ANALYST, authority=la, user=analyst)
    assert analyst is not None
    return analyst


def test_page_exports_and_copy_link_show_the_groups_deciles_trend_and_deprivation(gw: GroupWorld) -> None:
    group = services.group_create(owner=gw.owner, name="Twelve", members=gw.schools)
    run = gw.run()
    year = RUN_YEARS[-1]
    analyst = _entitled_to_all(gw)
    group.shared_with.add(analyst)
    client = client_for(analyst)
    school = gw.schools[0]
    q = f"?group={group.pk}&breakdown={DECILE}&measure={c.AVG_TOTAL_TARIFF}&year={year}"
    stored = {(r.year, r.breakdown_value): getattr(r, c.AVG_TOTAL_TARIFF)
              for r in ComparatorGroupResult.objects.filter(run=run, group=group, breakdown=DECILE)}

    def shown(y: int, d: str) -> str:
        v = stored[(y, d)]
        return NO_DATA if v is None else f"{v:,.0f}"

    resp: Any = client.get(reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code}) + q)
    html = resp.content.decode()
    assert _decile_column(html, "Twelve") == [shown(year, d) for d in DECILES]
    assert any(v != NO_DATA for v in _decile_column(html, "Twelve"))
    # The trend table: under each decile of the school, the group's row over the years.
    trend = page_table(html, "breakdown-trend")
    group_rows = {r[0]: r[1:] for r in trend[1:] if r[0].endswith(": Group: Twelve")}
    assert list(group_rows) == [f"{label}: Group: Twelve" for _, label in BREAKDOWNS[DECILE].values]
    for d, (_, label) in zip(DECILES, BREAKDOWNS[DECILE].values, strict=True):
        assert group_rows[f"{label}: Group: Twelve"] == [shown(y, d) for y in RUN_YEARS]
    # The deprivation table (SIMD quintiles, latest year): the group beside the virtual comparator.
    quintiles = {r.breakdown_value: getattr(r, c.AVG_TOTAL_TARIFF) for r in ComparatorGroupResult.objects.filter(
        run=run, group=group, year=year, breakdown=c.SIMD_QUINTILE)}
    dep = page_table(html, "deprivation")
    assert dep[0][4] == "Group: Twelve"
    assert [r[4] for r in dep[1:]] == [NO_DATA if quintiles.get(str(v)) is None else f"{quintiles[str(v)]:,.0f}"
                                      for v in range(1, 6)]
    # Copy link keeps the group and the decile breakdown.
    assert f"group={group.pk}" in resp.context["share_url"] and f"breakdown={DECILE}" in resp.context["share_url"]
    shared = page_table(client.get(resp.context["share_url"]).content.decode(), "breakdown-trend")
    assert shared == trend
    # The authority dashboard's decile table shows the same figures for the group.
    authority_html = client.get(reverse("insight:authority_dashboard", kwargs={"code": school.authority.code}) + q)
    assert _decile_column(authority_html.content.decode(), "Twelve") == [shown(year, d) for d in DECILES]
    # CSV and XLSX of the three tables match the page.
    for table_id in ("breakdown", "breakdown-trend", "deprivation"):
        on_page = page_table(html, table_id)
        base = reverse("insight:establishment_export", kwargs={"seed": school.seed_code, "table": table_id,
                                                              "fmt": "csv"})
        assert base + "?" in html
        got = client.get(base + q)
        assert got.status_code == 200
        exported = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
        assert exported == on_page, table_id
        xurl = reverse("insight:establishment_export", kwargs={"seed": school.seed_code, "table": table_id,
                                                              "fmt": "xlsx"})
        book = load_workbook(io.BytesIO(client.get(xurl + q).content), data_only=True)
        sheet = [list(r) for r in book["Table"].iter_rows(values_only=True)]
        assert [str(v) for v in sheet[0]] == on_page[0], table_id
        for xrow, prow in zip(sheet[1:], on_page[1:], strict=True):
            assert [f"{v:,.0f}" if isinstance(v, int | float) else str(v) for v in xrow] == prow, table_id
