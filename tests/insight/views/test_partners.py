"""Find Partners: ranking, own school first, disclosure per viewer, filters, sorting, paging, CSV.

Data: the conftest world (schools A, A2 in authority X; B in Y) plus six well-filled schools from
tests/insight/worlds.py (build_ranked_world). A gets 25 leavers in each of two years; B only 12 in the last year, so B's
lowest and highest 20% groups have 3 leavers each: those figures are withheld from viewers who
are not entitled to B's data, and shown to B's learning partners.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import AuditEvent
from insight.models import BenchmarkRun
from insight.pages.partners import csv_safe
from insight.selectors.partners import SORTS, find_partners
from insight.views import partners as partners_view
from partnerships import services
from partnerships.models import Partnership, Status
from tests.factories import EstablishmentFactory
from tests.insight.worlds import client_for

pytestmark = pytest.mark.django_db

URL = "/insight/find-partners/"


def body_rows(html: str) -> list[str]:
    """The text of each row of the ranking table's body."""
    tbody = html[html.index("<tbody>"):html.index("</tbody>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, flags=re.S)

    def text(fragment: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()

    out = []
    for r in rows:
        # "Name (SEED) rest of the row": the school's name first, whatever the column order.
        name = re.search(r'class="portal-partners__name">(.*?)(?: <strong|</span>)', r, flags=re.S)
        seed = re.search(r"· (\d{7})", r)
        out.append(f"{text(name.group(1))} ({seed.group(1)}) {text(r)}" if name and seed else text(r))
    return out


def row_for(html: str, name: str) -> str:
    return next(r for r in body_rows(html) if name in r)


def test_url_name_resolves() -> None:
    assert reverse("insight:find_partners") == URL


def test_own_school_is_first_and_unranked_then_closest_first(world: Any, ranked: BenchmarkRun) -> None:
    primary: Any = EstablishmentFactory.create(name="Primary Not Listed", type="primary")
    resp = client_for(world.personas["admin_a"]).get(URL)
    assert resp.status_code == 200
    html = resp.content.decode()
    rows = body_rows(html)
    assert rows[0].startswith("Alpha High School") and "Your school" in rows[0]
    listed = list(resp.context["page"].object_list)
    assert [r.rank for r in listed] == list(range(1, len(listed) + 1))
    distances = [r.distance.value for r in listed if r.distance.value is not None]
    assert distances == sorted(distances)  # closest first
    assert resp.context["result"].own.rank is None
    assert primary.name not in html  # partners are schools of the same type
    # Eight other secondary schools, every one ranked.
    assert len(rows) == 1 + 8
    assert "8 schools ranked by performance against the virtual comparator" in re.sub(r"\s+", " ", html)


def test_non_partner_small_numbers_are_withheld_and_a_partner_sees_them(world: Any, ranked: BenchmarkRun) -> None:
    admin_a, admin_b = world.personas["admin_a"], world.personas["admin_b"]
    c = client_for(admin_a)
    before = row_for(c.get(URL + "?tab=performance").content.decode(), "Bravo Secondary")
    closeness_before = row_for(c.get(URL).content.decode(), "Bravo Secondary")
    # B's lowest 20% rests on 3 leavers: the average tariff and the lowest 20% score are withheld,
    # and so is the distance (it would give the withheld score back). The other columns follow the
    # run's shared pattern, whose secondary suppression may withhold them too.
    # The row ends with its four figures: positive, literacy and numeracy 4 and 5, lowest 20% tariff.
    assert re.search(r" (?:[\d.]+%|c) (?:[\d.]+%|c) (?:[\d.]+%|c) c$", before), before
    assert " c " in closeness_before
    # B's own head teacher sees every figure of B.
    own_b = body_rows(client_for(admin_b).get(URL + "?tab=performance").content.decode())[0]
    assert "Bravo Secondary" in own_b and " c " not in own_b + " "

    p = services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=admin_a)
    still = row_for(client_for(admin_a).get(URL + "?tab=performance").content.decode(), "Bravo Secondary")
    assert " c " in still + " "  # a proposal is not a partnership
    services.partnership_accept(partnership=p, by=admin_b, acting_for=world.school_b)

    after = row_for(client_for(admin_a).get(URL + "?tab=performance").content.decode(), "Bravo Secondary")
    assert " c " not in after + " ", after
    assert "Learning partner" in after
    closeness_after = row_for(client_for(admin_a).get(URL).content.decode(), "Bravo Secondary")
    assert " c " not in closeness_after + " "
    # A's staff see it too (the entitlement is the school's), A2 (not a partner) is still withheld.
    staff_row = row_for(client_for(world.personas["staff_a"]).get(URL + "?tab=performance").content.decode(),
                        "Bravo Secondary")
    assert " c " not in staff_row + " "


def test_ending_the_partnership_withholds_the_figures_again(world: Any, ranked: BenchmarkRun) -> None:
    admin_a, admin_b = world.personas["admin_a"], world.personas["admin_b"]
    p = services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=admin_a)
    services.partnership_accept(partnership=p, by=admin_b, acting_for=world.school_b)
    services.partnership_end(partnership=p, by=admin_b, acting_for=world.school_b)
    row = row_for(client_for(admin_a).get(URL + "?tab=performance").content.decode(), "Bravo Secondary")
    assert " c " in row + " "


def test_only_admins_get_the_propose_button_and_live_partnerships_hide_it(world: Any, ranked: BenchmarkRun) -> None:
    admin_a, admin_b = world.personas["admin_a"], world.personas["admin_b"]
    html = client_for(admin_a).get(URL).content.decode()
    propose = reverse("partnerships:propose")
    assert f"{propose}?partner={world.school_b.seed_code}" in html
    staff_html = client_for(world.personas["staff_a"]).get(URL).content.decode()
    assert propose not in staff_html
    assert "Only its Learning Partner Administrator" in staff_html

    services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=admin_a)
    html = client_for(admin_a).get(URL).content.decode()
    assert f"{propose}?partner={world.school_b.seed_code}" not in html
    assert "Proposal sent" in row_for(html, "Bravo Secondary")
    # The other side sees the proposal it received instead of a button.
    html_b = client_for(admin_b).get(URL).content.decode()
    assert f"{propose}?partner={world.school_a.seed_code}" not in html_b
    assert "Proposal received" in row_for(html_b, "Alpha High School")


@pytest.mark.parametrize("persona", ["analyst_x", "national", "mcmc_x", "dm_a", "dm_x"])
def test_people_without_a_school_role_get_403(world: Any, persona: str) -> None:
    assert client_for(world.personas[persona]).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in_and_no_role_gets_403(world: Any) -> None:
    assert Client().get(URL).status_code == 302
    assert client_for(world.personas["no_role"]).get(URL).status_code == 403


def test_without_a_benchmark_run_the_page_says_so(world: Any) -> None:
    resp = client_for(world.personas["admin_a"]).get(URL)
    assert resp.status_code == 200
    assert "There are no benchmark results yet" in resp.content.decode()


def test_filters_by_authority_roll_band_and_simd_profile(world: Any, ranked: BenchmarkRun) -> None:
    c = client_for(world.personas["admin_a"])
    rows = body_rows(c.get(URL + "?authority=260").content.decode())
    assert [r.split(" (")[0] for r in rows[1:]] == ["Bravo Secondary"]
    assert rows[0].startswith("Alpha High School")  # own school stays on top
    # Rolls are 350 + 150 i: under 400 is only A (i = 0), which is not ranked against itself.
    html = c.get(URL + "?roll=lt400").content.decode()
    assert len(body_rows(html)) == 2 and "No school matches these filters" in html
    from datahub.models import Establishment

    rows = body_rows(c.get(URL + "?roll=800-1199").content.decode())
    wanted = {e.name for e in Establishment.objects.filter(type="secondary", roll__gte=800, roll__lt=1200)}
    assert {r.split(" (")[0] for r in rows[1:]} == wanted and len(wanted) == 3
    wanted = {e.name for e in Establishment.objects.filter(type="secondary", share_simd_q1__gte=0.25,
                                                            share_simd_q1__lt=0.5).exclude(pk=world.school_a.pk)}
    rows = body_rows(c.get(URL + "?simd=q1-25-49").content.decode())
    assert {r.split(" (")[0] for r in rows[1:]} == wanted and wanted


def test_sorting_by_any_column_with_withheld_values_last(world: Any, ranked: BenchmarkRun) -> None:
    c = client_for(world.personas["admin_a"])
    names = [r.split(" (")[0] for r in body_rows(c.get(URL + "?sort=name").content.decode())[1:]]
    assert names == sorted(names, key=str.lower)
    names_desc = [r.split(" (")[0] for r in body_rows(c.get(URL + "?sort=name&dir=desc").content.decode())[1:]]
    assert names_desc == names[::-1]
    for direction in ("asc", "desc"):
        html = c.get(URL + f"?tab=performance&sort=tariff&dir={direction}").content.decode()
        rows = body_rows(html)[1:]
        assert "Bravo Secondary" in rows[-1] or "Alpha Two Academy" in rows[-1]  # withheld: last either way
        assert 'aria-sort="' + ("ascending" if direction == "asc" else "descending") + '"' in html
    for key in SORTS:
        tab = "performance" if key in ("positive", "litnum4", "litnum5", "tariff") else "closeness"
        basis = "stronger" if key == "gap" else "performance"
        resp = c.get(URL + f"?tab={tab}&basis={basis}&sort={key}&dir=desc")
        assert resp.status_code == 200, key
        if key == "authority":  # shown with the school's name, no column of its own: still sortable by link
            html = resp.content.decode()
            assert "Local authority" not in html[html.index("<thead>"):html.index("</thead>")]
            continue
        assert 'aria-sort="descending"' in resp.content.decode(), key


def test_paging_keeps_the_own_school_on_every_page(world: Any, ranked: BenchmarkRun, monkeypatch: Any) -> None:
    monkeypatch.setattr(partners_view, "PAGE_SIZE", 3)
    c = client_for(world.personas["admin_a"])
    seen = []
    for page in (1, 2, 3):
        html = c.get(URL + f"?page={page}&tab=performance").content.decode()
        rows = body_rows(html)
        assert rows[0].startswith("Alpha High School")
        seen += [r.split(" (")[0] for r in rows[1:]]
        assert f"page {page} of 3" in html
    assert len(seen) == len(set(seen)) == 8
    assert "tab=performance" in c.get(URL + "?page=1&tab=performance").content.decode().split("Pages")[1]


@pytest.mark.parametrize("basis", ["performance", "context", "stronger"])
def test_each_basis_ranks_and_explains(world: Any, ranked: BenchmarkRun, basis: str) -> None:
    html = client_for(world.personas["admin_a"]).get(URL + f"?basis={basis}").content.decode()
    rows = body_rows(html)
    assert rows[0].startswith("Alpha High School")
    assert len(rows) > 1
    assert "Ranked 1 of" in html
    if basis == "context":
        assert "context distance" in html and "Roll " in html
    elif basis == "stronger":
        assert "Lowest 20% advantage" in html and "stronger than yours" in html
    else:
        assert "Euclidean distance" in html


def test_unknown_parameters_fall_back_to_defaults(world: Any, ranked: BenchmarkRun) -> None:
    resp = client_for(world.personas["admin_a"]).get(URL + "?basis=evil&tab=x&sort=nope&dir=up&page=999&authority=x")
    assert resp.status_code == 200
    assert "performance against the virtual comparator" in resp.content.decode()


def test_csv_export_is_audited_neutralised_and_respects_disclosure(world: Any, ranked: BenchmarkRun) -> None:
    from datahub.models import Establishment

    Establishment.objects.filter(pk=world.school_a2.pk).update(name="=HYPERLINK(\"http://x\")")
    resp = client_for(world.personas["admin_a"]).get(URL + "?format=csv&sort=name")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("text/csv")
    assert "attachment;" in resp["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header, own, *rest = rows
    assert header[0] == "Ranking order" and "Why it ranks here" in header
    assert own[0] == "Your school" and own[1] == "Alpha High School"
    by_name = {r[1]: r for r in rest if len(r) > 1}
    assert "'=HYPERLINK(\"http://x\")" in by_name  # a formula is neutralised
    b = by_name["Bravo Secondary"]
    assert b[header.index("Lowest 20% average total tariff (2024)")] == "c"
    assert len(by_name) == 8
    event = AuditEvent.objects.get(action="export_find_partners")
    assert event.actor == world.personas["admin_a"] and event.establishment == world.school_a
    assert event.detail["rows"] == 9
    # No learner's name is ever in the export.
    text = resp.content.decode("utf-8-sig")
    assert not any(name in text for name in world.canaries.values())


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    for bad in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\tx"):
        assert csv_safe(bad) == "'" + bad
    assert csv_safe("Alpha") == "Alpha"
    assert csv_safe(-0.25) == -0.25  # our own numbers stay numbers


def test_change_establishment_links_every_school(world: Any, ranked: BenchmarkRun) -> None:
    html = client_for(world.personas["staff_a"]).get(URL).content.decode()
    assert reverse("insight:establishment_dashboard", kwargs={"seed": world.school_b.seed_code}) in html
    assert html.count("Change Establishment") >= 8


def test_partnership_states_do_not_leak_other_schools_partnerships(world: Any, ranked: BenchmarkRun) -> None:
    """B's partnership with A2 is none of A's business: A's page shows no state for either."""
    services.partnership_propose(proposer=world.school_b, partner=world.school_a2, by=world.personas["admin_b"])
    Partnership.objects.filter(status=Status.PROPOSED).update(status=Status.ACTIVE)
    html = client_for(world.personas["admin_a"]).get(URL).content.decode()
    for name in ("Bravo Secondary", "Alpha Two Academy"):
        row = row_for(html, name)
        assert "Learning partner" not in row and "Proposal" not in row


def test_find_partners_withholds_every_figure_the_dashboards_withhold(world: Any, ranked: BenchmarkRun) -> None:
    """One suppression pattern for every page: a figure withheld on another school's dashboard is
    withheld in Find Partners too, so the two pages cannot be differenced against each other."""
    from insight.benchmarking import columns as c
    from insight.models import CohortResult
    from insight.selectors.figures import establishment_cell

    viewer = world.personas["admin_a"]
    result = find_partners(viewer, world.school_a)
    year = result.year
    assert year is not None
    measures = {"positive": c.PCT_INITIAL_POSITIVE, "lit_num4": c.pct_lit_num(4), "lit_num5": c.pct_lit_num(5),
                "tariff_lowest20": c.avg_tariff(c.LOWEST20)}
    checked = 0
    for row in result.rows:
        ent = row.entitlement
        stored = CohortResult.objects.filter(run=ranked, cohort=c.COHORT_ESTABLISHMENT, cohort_id=row.establishment.pk,
                                             year=year, breakdown="").values().first()
        if stored is None:
            continue
        for attr, measure in measures.items():
            dashboard = establishment_cell(ranked, row.establishment.pk, year, measure, dict(stored), ent)
            if dashboard.suppressed:
                assert getattr(row, attr).suppressed, (row.establishment, measure)
            checked += 1
    assert checked
