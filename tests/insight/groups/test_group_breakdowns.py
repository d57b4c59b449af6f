"""Comparator groups in the groups of leavers (issue 15): the run computes a group's figures per
breakdown from its members' leavers (recomputed here by hand), the dashboards' breakdown tables,
exports and Copy link show them, the disclosure rule holds cell by cell (two groups that differ by
one school give none of its withheld figures away), and a national analyst picks a group on the
national view."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import Role
from insight import loaders
from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table
from insight.exports import NO_DATA
from insight.groups import services
from insight.groups.figures import RANKED, group_figures
from insight.groups.models import ComparatorGroupResult
from insight.groups.tables import GROUP_MEASURES
from insight.models import BenchmarkRun
from insight.selectors.catalogue import BREAKDOWNS, year_label
from insight.selectors.figures import Figures, Subject, Viewer
from partnerships.models import Partnership, Status
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.groups.worlds import GroupWorld, build_group_world
from tests.insight.worlds import RUN_YEARS, client_for

pytestmark = pytest.mark.django_db

DIMS = [d for d in c.BREAKDOWN_DIMENSIONS if d != c.STAGE]  # stage: not in the test world's leavers


@pytest.fixture
def gw(reference_data: None) -> GroupWorld:
    from insight import selectors

    selectors.forget_computed()
    return build_group_world()


def by_hand(run: BenchmarkRun, school_ids: list[int], year: int, dim: str) -> dict[str, dict[str, float]]:
    """Per value of ``dim``: the group's leavers, average total tariff and % with literacy and
    numeracy at SCQF 4, with plain pandas."""
    data = loaders.load_engine_input([year], tariff_scale_id=run.tariff_scale_id)
    t = leaver_table(data.leavers, data.results)
    t = t[t[c.ESTABLISHMENT_ID].isin(school_ids)]
    out = {}
    for value, part in t.groupby(dim, observed=True):
        key = {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)
        both4 = (part[c.LITERACY_LEVEL] >= 4) & (part[c.NUMERACY_LEVEL] >= 4)
        out[key] = {c.N_LEAVERS: len(part), c.AVG_TOTAL_TARIFF: float(part[c.TOTAL_TARIFF].mean()),
                    c.pct_lit_num(4): 100 * float(both4.mean())}
    return out


def test_the_run_computes_a_groups_figures_for_each_group_of_leavers(gw: GroupWorld) -> None:
    group = services.group_create(owner=gw.owner, name="Twelve", members=gw.schools)
    run = gw.run()
    ids = [s.pk for s in gw.schools]
    for dim in DIMS:
        for year in RUN_YEARS:
            want = by_hand(run, ids, year, dim)
            stored = {r.breakdown_value: r for r in ComparatorGroupResult.objects.filter(
                run=run, group=group, year=year, breakdown=dim)}
            assert set(stored) == set(want) and want, (dim, year)
            for value, row in stored.items():
                assert sorted(row.members) == sorted(ids)
                for key, expected in want[value].items():
                    assert getattr(row, key) == pytest.approx(expected), (dim, year, value, key)


def _member_hidden(f: Figures, subject: Subject, year: int, measure: str, dim: str, value: str) -> bool:
    return f.cell(subject, year, c.N_LEAVERS, dim, value).suppressed or (
        measure != c.N_LEAVERS and f.cell(subject, year, measure, dim, value).suppressed)


def test_two_groups_differing_by_one_school_give_none_of_its_withheld_breakdown_figures_away(gw: GroupWorld) -> None:
    """As for all leavers (test_groups), cell by cell in every group of leavers: G1 = G2 and the
    small school; wherever the small school has leavers in a cell, its figure there is withheld
    from the outsider, and so is G1's; so no two figures shown differ by its contribution."""
    run = gw.run()
    Partnership.objects.create(proposer=gw.schools[1], partner=gw.schools[2], status=Status.ACTIVE)
    viewer = Viewer(gw.outsider)
    g2 = services.group_create(owner=gw.outsider, name="Shown", members=[gw.schools[1], gw.schools[2]])
    g1 = services.group_create(owner=gw.outsider, name="Shown and the small one",
                               members=[gw.schools[1], gw.schools[2], gw.small])
    f1, f2 = group_figures(run, g1, viewer), group_figures(run, g2, viewer)
    small = f1.members[gw.small.pk]
    checked = 0
    for dim in DIMS:
        for value, _ in BREAKDOWNS[dim].values:
            for year in RUN_YEARS:
                if not small.rows.get((year, dim, value)):
                    continue  # the small school has nobody in this cell: it adds nothing to subtract
                for m in GROUP_MEASURES:
                    assert _member_hidden(f1.figures, small, year, m, dim, value)
                    assert f1.cell(year, m, dim, value).suppressed, (dim, value, year, m)
                    # The outsider is entitled to both members of G2: every figure shown.
                    assert not f2.cell(year, m, dim, value).suppressed, (dim, value, year, m)
                    checked += 1
    assert checked > 0
    # The page says the same: G1's column in the breakdown table is all "c" where the small school
    # has leavers; G2's shows numbers.
    url = reverse("insight:establishment_dashboard", kwargs={"seed": gw.schools[1].seed_code})
    year = RUN_YEARS[-1]
    for g, withheld in ((g1, True), (g2, False)):
        html = client_for(gw.outsider).get(url + f"?group={g.pk}&breakdown={c.SEX}&measure={c.AVG_TOTAL_TARIFF}"
                                           f"&year={year}").content.decode()
        table = page_table(html, "breakdown")
        assert table[0][4] == f"Group: {g.name}"
        for (value, _), row in zip(BREAKDOWNS[c.SEX].values, table[1:], strict=True):
            if small.rows.get((year, c.SEX, value)):
                assert (row[4] == "c") is withheld, (g.name, value, row)


def _csv(client: Client, url: str) -> list[list[str]]:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def test_the_breakdown_tables_exports_and_copy_link_show_the_group(gw: GroupWorld) -> None:
    group = services.group_create(owner=gw.owner, name="Twelve", members=gw.schools)
    run = gw.run()
    year = RUN_YEARS[-1]
    analyst = None  # entitled to every member: every figure shown
    for la in {s.authority for s in gw.schools}:
        analyst = member(Role.AUTHORITY_ANALYST, authority=la, user=analyst)
    assert analyst is not None
    group.shared_with.add(analyst)
    client = client_for(analyst)
    q = f"?group={group.pk}&breakdown={c.SIMD_QUINTILE}&measure={c.AVG_TOTAL_TARIFF}&year={year}"
    stored = {r.breakdown_value: getattr(r, c.AVG_TOTAL_TARIFF) for r in ComparatorGroupResult.objects.filter(
        run=run, group=group, year=year, breakdown=c.SIMD_QUINTILE)}
    school = gw.schools[0]
    pages = [
        (reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code}),
         reverse("insight:establishment_export", kwargs={"seed": school.seed_code, "table": "breakdown", "fmt": "csv"})),
        (reverse("insight:authority_dashboard", kwargs={"code": school.authority.code}),
         reverse("insight:authority_export", kwargs={"code": str(school.authority.code), "table": "breakdown",
                                                     "fmt": "csv"})),
    ]
    for page_url, export_url in pages:
        resp: Any = client.get(page_url + q)
        table = page_table(resp.content.decode(), "breakdown")
        assert table[0][4] == "Group: Twelve", page_url
        for (value, _), row in zip(BREAKDOWNS[c.SIMD_QUINTILE].values, table[1:], strict=True):
            want = stored.get(value)
            assert row[4] == (NO_DATA if want is None else f"{want:,.0f}"), (page_url, value, row)
        assert f"group={group.pk}" in resp.context["share_url"] and "breakdown=simd_quintile" in resp.context["share_url"]
        assert export_url + "?" in resp.content.decode() and f"group={group.pk}" in resp.content.decode()
        exported = _csv(client, export_url + q)
        assert exported[0][4] == "Group: Twelve"
        assert [r[4] for r in exported[1:]] == [r[4] for r in table[1:]], page_url


def test_a_national_analyst_picks_one_of_their_groups_on_the_national_view(gw: GroupWorld) -> None:
    national = member(Role.NATIONAL_ANALYST)
    mine = services.group_create(owner=national, name="My twelve", members=gw.schools)
    theirs = services.group_create(owner=gw.owner, name="Not yours", members=gw.schools[:3])
    run = gw.run()
    client = client_for(national)
    url = reverse("insight:national")
    page: Any = client.get(url)
    assert 'id="group-choice"' in page.content.decode() and "My twelve" in page.content.decode()
    assert "Not yours" not in page.content.decode()
    chosen: Any = client.get(url + f"?group={mine.pk}")
    html = chosen.content.decode()
    table = page_table(html, "group-figures")
    assert table[0][:2] == ["Year of leaving", "Leavers"]
    rows = {r.year: r for r in ComparatorGroupResult.objects.filter(run=run, group=mine, breakdown="")}
    # Entitled to none of the members: a figure is shown where each member's own is, never the ranked ones.
    gf = group_figures(run, mine, Viewer(national))
    for y, row in zip(RUN_YEARS, table[1:], strict=True):
        assert row[0] == year_label(y)
        want = "c" if gf.cell(y, c.N_LEAVERS).suppressed else f"{getattr(rows[y], c.N_LEAVERS):,}"
        assert row[1] == want
    assert all(gf.cell(y, m).suppressed for y in RUN_YEARS for m in RANKED if m in GROUP_MEASURES)
    assert f"group={mine.pk}" in chosen.context["share_url"]
    # Someone else's group id: the view without a group, as if none were asked for.
    other: Any = client.get(url + f"?group={theirs.pk}")
    assert other.status_code == 200 and "Not yours" not in other.content.decode()
    assert 'id="table-group-figures"' not in other.content.decode()
