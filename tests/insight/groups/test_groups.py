"""Comparator groups: figures computed by the run from the members' leavers (recomputed here by
hand), the disclosure rule that defeats differencing, a group saved after the run, and who sees
a group (owner, sharers, a learning partnership's staff; 404 for anyone else)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from insight import loaders
from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table
from insight.groups import services
from insight.groups.figures import RANKED, group_figures
from insight.groups.models import ComparatorGroup, ComparatorGroupResult
from insight.groups.tables import GROUP_MEASURES
from insight.models import BenchmarkRun
from insight.selectors.figures import Figures, Subject, Viewer
from partnerships.models import Partnership, Status
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.groups.worlds import GroupWorld, build_group_world
from tests.insight.worlds import RUN_YEARS, add_leavers, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def gw(reference_data: None) -> GroupWorld:
    from insight import selectors

    selectors.forget_computed()
    return build_group_world()


def by_hand(run: BenchmarkRun, school_ids: list[int], year: int) -> dict[str, float]:
    """The group's measures from its leavers with plain pandas (not the engine's grouping)."""
    data = loaders.load_engine_input([year], tariff_scale_id=run.tariff_scale_id)
    t = leaver_table(data.leavers, data.results)
    t = t[t[c.ESTABLISHMENT_ID].isin(school_ids)].sort_values([c.TOTAL_TARIFF, c.LEAVER_ID])
    n = len(t)
    low = math.ceil(n / 5)
    both4 = (t[c.LITERACY_LEVEL] >= 4) & (t[c.NUMERACY_LEVEL] >= 4)
    known = t[c.INITIAL_POSITIVE].dropna()
    return {c.N_LEAVERS: n, c.AVG_TOTAL_TARIFF: float(t[c.TOTAL_TARIFF].mean()),
            c.avg_tariff(c.LOWEST20): float(t[c.TOTAL_TARIFF].iloc[:low].mean()),
            c.pct_lit_num(4): 100 * float(both4.mean()),
            c.PCT_INITIAL_POSITIVE: 100 * float(known.mean()) if len(known) else float("nan")}


def test_the_run_computes_a_group_of_twelve_from_its_leavers(gw: GroupWorld) -> None:
    group = services.group_create(owner=gw.owner, name="Twelve", members=gw.schools)
    run = gw.run()
    ids = [s.pk for s in gw.schools]
    rows = {r.year: r for r in ComparatorGroupResult.objects.filter(run=run, group=group, breakdown="")}
    assert sorted(rows) == list(RUN_YEARS)
    for year, row in rows.items():
        assert sorted(row.members) == sorted(ids)
        want = by_hand(run, ids, year)
        assert getattr(row, c.N_LEAVERS) == want[c.N_LEAVERS] == 12 * 25
        for key in (c.AVG_TOTAL_TARIFF, c.avg_tariff(c.LOWEST20), c.pct_lit_num(4), c.PCT_INITIAL_POSITIVE):
            assert getattr(row, key) == pytest.approx(want[key]), key
    assert run.timings["rows"]["comparator_groups"] == ComparatorGroupResult.objects.filter(run=run).count()


def test_the_group_appears_on_the_establishment_dashboard_beside_the_vc(gw: GroupWorld) -> None:
    group = services.group_create(owner=gw.owner, name="Twelve", members=gw.schools)
    run = gw.run()
    year = run.years[-1]
    row: dict[str, Any] = dict(ComparatorGroupResult.objects.filter(run=run, group=group, year=year, breakdown="")
                               .values().get())
    url = reverse("insight:establishment_dashboard", kwargs={"seed": gw.schools[0].seed_code})
    # An analyst of the members' four authorities is entitled to every member: every figure is shown.
    analyst = None
    for la in {s.authority for s in gw.schools}:
        analyst = member(Role.AUTHORITY_ANALYST, authority=la, user=analyst)
    assert analyst is not None
    group.shared_with.add(analyst)
    resp = client_for(analyst).get(url + f"?group={group.pk}")
    assert resp.status_code == 200
    html = resp.content.decode()
    leavers = page_table(html, "leavers")
    assert leavers[0][2] == "Group: Twelve" and leavers[-1][2] == f"{row[c.N_LEAVERS]:,}"
    # The table's caption names the chosen group beside the authority, collaborative and Scotland.
    assert f"Leavers from {gw.schools[0].name}, Group: Twelve, " in html
    dest = page_table(html, "m-pct-initial-positive")
    assert dest[0][:4] == ["Year of leaving", gw.schools[0].name, "Virtual comparator", "Group: Twelve"]
    assert dest[-1][3] == f"{row[c.PCT_INITIAL_POSITIVE]:.1f}%"
    assert page_table(html, "m-avg-tariff-lowest20")[-1][3] == f"{row[c.avg_tariff(c.LOWEST20)]:,.0f}"
    # The authority dashboard shows it too, between the authority's comparator and Scotland.
    la = gw.schools[0].authority
    auth = client_for(analyst).get(reverse("insight:authority_dashboard", kwargs={"code": la.code}) + f"?group={group.pk}")
    assert page_table(auth.content.decode(), "m-pct-initial-positive")[-1][3] == f"{row[c.PCT_INITIAL_POSITIVE]:.1f}%"
    assert page_table(auth.content.decode(), "leavers")[0][2] == "Group: Twelve"
    assert "and Scotland beside Group: Twelve by year of leaving" in auth.content.decode()
    # The owner (staff of one member) is not entitled to the others: the lowest 20% ranks every
    # member's leavers together, so it is withheld; the rest as the rule says.
    mine = client_for(gw.owner).get(url + f"?group={group.pk}")
    assert page_table(mine.content.decode(), "m-avg-tariff-lowest20")[-1][3] == "c"
    gf = group_figures(run, group, Viewer(gw.owner))
    want = "c" if gf.cell(year, c.PCT_INITIAL_POSITIVE).suppressed else f"{row[c.PCT_INITIAL_POSITIVE]:.1f}%"
    assert page_table(mine.content.decode(), "m-pct-initial-positive")[-1][3] == want
    # The choice is part of the Copy link; someone the group is not shared with gets the view without it.
    assert f"group={group.pk}" in resp.context["share_url"]
    other = client_for(gw.outsider).get(url + f"?group={group.pk}")
    assert other.status_code == 200
    assert "Group: Twelve" not in other.content.decode() and "group=" not in other.context["share_url"]


NOT_RANKED = [m for m in GROUP_MEASURES if m not in RANKED]


def _member_hidden(f: Figures, subject: Subject, year: int, measure: str) -> bool:
    return f.cell(subject, year, c.N_LEAVERS).suppressed or (
        measure != c.N_LEAVERS and f.cell(subject, year, measure).suppressed)


def test_two_groups_differing_by_one_school_never_give_away_its_withheld_figures(gw: GroupWorld) -> None:
    """G2 = schools whose own figures an outsider is shown, G1 = G2 and the small school: whatever
    the outsider is shown of both, subtracting never gives a figure of the small school."""
    run = gw.run()
    # The outsider's school and its learning partner: two schools whose figures the outsider sees
    # whatever the pattern (how many others it shows in full depends on the database's numbering).
    Partnership.objects.create(proposer=gw.schools[1], partner=gw.schools[2], status=Status.ACTIVE)
    viewer = Viewer(gw.outsider)
    f = Figures(run)
    probe = services.group_create(owner=gw.outsider, name="Probe", members=gw.schools)
    subjects = group_figures(run, probe, viewer, f).members
    shown = [s for s in gw.schools if not any(_member_hidden(f, subjects[s.pk], y, m)
                                             for y in RUN_YEARS for m in NOT_RANKED)]
    assert {gw.schools[1], gw.schools[2]} <= set(shown)
    g1 = services.group_create(owner=gw.outsider, name="Shown and the small one", members=[*shown, gw.small])
    g2 = services.group_create(owner=gw.outsider, name="Shown", members=shown)
    f1, f2 = group_figures(run, g1, viewer), group_figures(run, g2, viewer)
    small = f1.members[gw.small.pk]
    entitled_to_all = set(shown) == {gw.schools[1], gw.schools[2]}
    for year in RUN_YEARS:
        for m in GROUP_MEASURES:
            # 3 leavers a year: every figure of the small school is withheld from the outsider ...
            assert _member_hidden(f1.figures, small, year, m)
            # ... so every figure of the group holding it is too, while the group without it shows
            # its figures: no pair of shown figures differs by the small school's contribution.
            assert f1.cell(year, m).suppressed, (year, m)
            # (the ranked measures need entitlement to every member: given when G2 is only the
            # outsider's school and its partner)
            assert f2.cell(year, m).suppressed == (m in RANKED and not entitled_to_all), (year, m)
    # The rendered figures say the same: the API's "c" for G1 everywhere, numbers for G2.
    api = client_for(gw.outsider)
    data = api.get(reverse("api:comparator-group-detail", kwargs={"pk": g1.pk})).json()
    assert all(row[m] == "c" for row in data["figures"] for m in GROUP_MEASURES)
    data2 = api.get(reverse("api:comparator-group-detail", kwargs={"pk": g2.pk})).json()
    assert all(isinstance(row[c.N_LEAVERS], int) for row in data2["figures"])
    # Someone on the staff of both the small school and the outsider's school is entitled to both,
    # and shown the other members' figures as the outsider is: to them G1 shows every figure but
    # the ranked ones, which need entitlement to every member (the rule does not simply hide everything).
    insider = member(Role.ESTABLISHMENT_STAFF, establishment=gw.small,
                     user=member(Role.ESTABLISHMENT_STAFF, establishment=gw.schools[1]))
    g1.shared_with.add(insider)
    mine = group_figures(run, g1, Viewer(insider))
    for year in RUN_YEARS:
        assert [m for m in GROUP_MEASURES if mine.cell(year, m).suppressed] == [
            m for m in GROUP_MEASURES if m in RANKED and not entitled_to_all]


def test_a_group_saved_after_the_run_is_computed_while_the_data_are_unchanged(gw: GroupWorld) -> None:
    run = gw.run()
    late = services.group_create(owner=gw.owner, name="Late", members=gw.schools[:4])
    assert ComparatorGroupResult.objects.filter(run=run, group=late, breakdown="").count() == len(RUN_YEARS)
    add_leavers(gw.schools[5], 2, seed=99)  # the data change: the run no longer describes them
    later = services.group_create(owner=gw.owner, name="Later", members=gw.schools[:4])
    assert not ComparatorGroupResult.objects.filter(group=later).exists()
    resp = client_for(gw.owner).get(reverse("insight:group_detail", kwargs={"pk": later.pk}))
    assert "not worked out yet" in resp.content.decode()
    # Changing a group recomputes it (while unchanged data allow) and its old rows no longer show.
    services.group_update(group=late, by=gw.owner, name="Late", members=gw.schools[:3])
    assert not group_figures(run, late, Viewer(gw.owner)).rows


def test_only_the_owner_and_those_it_is_shared_with_see_a_group(gw: GroupWorld) -> None:
    gw.run()
    group = services.group_create(owner=gw.owner, name="Mine", members=gw.schools[:3])
    detail = reverse("insight:group_detail", kwargs={"pk": group.pk})
    api = reverse("api:comparator-group-detail", kwargs={"pk": group.pk})
    stranger = gw.outsider
    assert client_for(stranger).get(detail).status_code == 404
    assert client_for(stranger).get(api).status_code == 404
    assert "Mine" not in client_for(stranger).get(reverse("insight:groups")).content.decode()
    assert client_for(stranger).post(reverse("insight:group_delete", kwargs={"pk": group.pk})).status_code == 404
    assert client_for(gw.owner).get(detail).status_code == 200
    # Shared with a colleague by e-mail: they read it, only the owner changes it.
    resp = client_for(gw.owner).post(reverse("insight:group_share", kwargs={"pk": group.pk}),
                                     {"emails": stranger.email})
    assert resp.status_code == 302
    assert client_for(stranger).get(detail).status_code == 200
    assert client_for(stranger).get(api).json()["owned"] is False
    assert client_for(stranger).post(reverse("insight:group_delete", kwargs={"pk": group.pk})).status_code == 403
    # Shared with a learning partnership: the partner school's staff see it while it is active.
    partner_staff = member(Role.ESTABLISHMENT_STAFF, establishment=gw.schools[8])
    p = Partnership.objects.create(proposer=gw.schools[0], partner=gw.schools[8], status=Status.ACTIVE)
    services.group_share(group=group, by=gw.owner, users=[], partnership=p)
    assert client_for(partner_staff).get(detail).status_code == 200
    assert client_for(stranger).get(detail).status_code == 404  # no longer shared by e-mail
    Partnership.objects.filter(pk=p.pk).update(status=Status.ENDED)
    assert client_for(partner_staff).get(detail).status_code == 404
    actions = list(AuditEvent.objects.filter(object_type="comparator_group", object_id=str(group.pk))
                   .values_list("action", flat=True))
    assert sorted(actions) == ["comparator_group_create", "comparator_group_share", "comparator_group_share"]
    assert client_for(gw.owner).post(reverse("insight:group_delete", kwargs={"pk": group.pk})).status_code == 302
    assert not ComparatorGroup.objects.filter(pk=group.pk).exists()
    assert AuditEvent.objects.filter(action="comparator_group_delete", object_id=str(group.pk)).exists()


def test_a_group_is_built_by_a_filter_or_as_statistical_neighbours(gw: GroupWorld) -> None:
    urban = services.filter_schools({"urban_rural": "1"})
    assert {s.pk for s in urban} == {s.pk for s in [*gw.schools, gw.small] if s.urban_rural_6 == 1}
    band = services.filter_schools({"simd_q1": "25-49"})
    assert all(0.25 <= (s.share_simd_q1 or -1) < 0.5 for s in band) and band.exists()
    with pytest.raises(services.GroupError) as err:
        services.filter_schools({"simd_q1": "99"})
    assert err.value.field == "simd_q1"
    # Statistical neighbours: the 11 nearest by standardised context, worked out here by hand.
    pool = [*gw.schools, gw.small]
    x = np.array([[s.roll, s.share_simd_q1, s.share_fsm, s.share_asn, s.urban_rural_6] for s in pool], dtype=float)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    d = pd.Series(np.sqrt(((z - z[0]) ** 2).sum(axis=1)), index=[s.pk for s in pool]).drop(pool[0].pk)
    near = services.statistical_neighbours(pool[0])
    assert [s.pk for s in near] == list(d.sort_values(kind="stable").index[:11])


def test_bad_input_gets_a_400_naming_the_field(gw: GroupWorld) -> None:
    client = client_for(gw.owner)
    resp = client.post(reverse("insight:group_new"), {"name": "", "seeds": gw.schools[0].seed_code})
    assert resp.status_code == 400 and "Give the group a name" in resp.content.decode()
    resp = client.post(reverse("insight:group_new"), {"name": "X", "seeds": "1234567\n" + gw.schools[0].seed_code})
    assert resp.status_code == 400 and "SEED code 1234567" in resp.content.decode()
    api = reverse("api:comparator-group-list")
    resp = client.post(api, {"name": "X", "members": ["12"]}, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["errors"].keys() == {"members"}
    resp = client.post(api, {"name": "X", "filter": {"colour": "red"}}, content_type="application/json")
    assert resp.status_code == 400 and "filter" in resp.json()["detail"]
    made = client.post(api, {"name": "Urban", "filter": {"urban_rural": "1"}}, content_type="application/json")
    assert made.status_code == 201 and len(made.json()["members"]) == 5
    assert client.get(api).json()["results"][0]["name"] == "Urban"


def test_the_group_pages_render_for_the_owner(gw: GroupWorld) -> None:
    gw.run()
    client = client_for(gw.owner)
    resp: Any = client.get(reverse("insight:group_new") + "?urban_rural=2")
    assert resp.status_code == 200 and 'name="member"' in resp.content.decode()
    resp = client.post(reverse("insight:group_new"), {"name": "Picked", "member": [s.seed_code for s in gw.schools[:3]]})
    assert resp.status_code == 302
    group = ComparatorGroup.objects.get(name="Picked")
    page = client.get(reverse("insight:group_detail", kwargs={"pk": group.pk})).content.decode()
    assert page_table(page, "group-figures")[0][:2] == ["Year of leaving", "Leavers"]
    assert "Picked" in client.get(reverse("insight:groups")).content.decode()


def test_the_api_schema_documents_the_comparator_groups(gw: GroupWorld) -> None:
    resp = client_for(gw.owner).get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    if resp["Content-Type"].startswith("application/json"):
        paths = resp.json()["paths"]
    else:
        import yaml  # drf-spectacular depends on PyYAML

        paths = yaml.safe_load(resp.content)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/comparator-groups/"])
    assert "404" in paths["/api/v1/comparator-groups/{id}/"]["get"]["responses"]
