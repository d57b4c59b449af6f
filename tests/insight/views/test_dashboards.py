"""The benchmarking dashboards: who sees what, suppression on the page, exports, charts, audit."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from datahub.access import Entitlement
from datahub.models import AuditEvent, Role
from insight.benchmarking import columns as c
from insight.models import CohortResult
from insight.selectors.catalogue import year_label
from insight.selectors.dashboards import authority_vcs
from insight.selectors.figures import establishment_cell
from insight.selectors.pattern import public_pattern
from insight.selectors.vocational import vocational_uptake
from partnerships.models import Partnership, Status
from tests.factories import EstablishmentFactory, member
from tests.insight.checks import page_table
from tests.insight.worlds import DASH_YEARS as YEARS
from tests.insight.worlds import DashWorld, client_for

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def small_year(world: DashWorld, key: str, dim: str = c.CARE_EXPERIENCED, value: str = "yes") -> str:
    """A year in which school ``key`` has between 1 and 4 leavers in the group (a primary cell)."""
    years = CohortResult.objects.filter(run=world.run, cohort="establishment", cohort_id=world.schools[key].pk,
                                        breakdown=dim, breakdown_value=value, n_leavers__gte=1, n_leavers__lte=4
                                        ).order_by("year").values_list("year", flat=True)
    assert years, f"{key} has no small {dim}={value} group: change the world's seed"
    return str(years[0])


def est_url(world: DashWorld, key: str, **query: str) -> str:
    url = reverse("insight:establishment_dashboard", kwargs={"seed": world.schools[key].seed_code})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def export(client: Client, page_url: str, table: str, fmt: str) -> TestResponse:
    path, _, query = page_url.partition("?")
    url = path + f"export/{table}.{fmt}" + (f"?{query}" if query else "")
    return client.get(url)


def csv_rows(resp: TestResponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def xlsx_rows(resp: TestResponse) -> list[list[str]]:
    """The XLSX cells as a spreadsheet shows them (numbers through their number format)."""
    ws = load_workbook(io.BytesIO(resp.content))["Table"]
    out = []
    for row in ws.iter_rows():
        cells = []
        for cell in row:
            v = cell.value
            if isinstance(v, int | float):
                cells.append(f"{v:.1f}%" if "%" in cell.number_format else f"{v:,.0f}")
            else:
                cells.append("" if v is None else str(v))
        out.append(cells)
    return out


def table_ids(html: str) -> list[str]:
    return re.findall(r'<table class="ds_table  portal-dashboard-table" id="table-([a-z0-9-]+)"', html)


# --- Who sees what --------------------------------------------------------------------------------


def test_own_staff_see_every_figure_of_their_school_unsuppressed(dash: DashWorld) -> None:
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X1"])
    resp = client_for(head).get(est_url(dash, "X1", breakdown=c.CARE_EXPERIENCED))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "because this is your own school" in html
    # Nothing of the school itself is withheld (its authority's and Scotland's columns may be).
    trend = [cell for row in page_table(html, "breakdown-trend")[1:] for cell in row[1:]]
    assert "c" not in trend
    rows = page_table(html, "breakdown")
    assert rows[1][0] == "Care experienced" and rows[1][1] != "c"


def test_public_viewers_see_small_groups_withheld_with_an_explanation(dash: DashWorld) -> None:
    national = member(Role.NATIONAL_ANALYST)
    resp = client_for(national).get(est_url(dash, "X1", breakdown=c.CARE_EXPERIENCED, year=small_year(dash, "X1")))
    html = resp.content.decode()
    rows = page_table(html, "breakdown")
    counts = {r[0]: r[1] for r in rows[1:]}
    assert counts["Care experienced"] == "c"  # a handful of young people
    # ... and the sibling group too, or "leavers minus the others" would give it away.
    assert counts["Not care experienced"] == "c"
    assert "figure withheld to protect confidentiality" in html
    assert "are withheld and shown as c" in html


def test_authority_staff_see_their_schools_unsuppressed_but_not_other_authorities(dash: DashWorld) -> None:
    analyst = member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100])
    client = client_for(analyst)
    own = page_table(client.get(est_url(dash, "X1", breakdown=c.CARE_EXPERIENCED)).content.decode(), "breakdown")
    assert own[1][1] != "c"
    other = page_table(client.get(est_url(dash, "Y1", breakdown=c.CARE_EXPERIENCED, year=small_year(dash, "Y1")))
                       .content.decode(), "breakdown")
    assert other[1][1] == "c"


def test_a_learning_partner_sees_the_unsuppressed_figures(dash: DashWorld) -> None:
    head_y = member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["Y1"])
    client = client_for(head_y)
    year = small_year(dash, "X1")
    url = est_url(dash, "X1", breakdown=c.CARE_EXPERIENCED, year=year)
    before = page_table(client.get(url).content.decode(), "breakdown")
    assert before[1][1] == "c"
    Partnership.objects.create(proposer=dash.schools["Y1"], partner=dash.schools["X1"], status=Status.PROPOSED)
    assert page_table(client.get(url).content.decode(), "breakdown")[1][1] == "c"  # only an accepted one counts
    Partnership.objects.filter(proposer=dash.schools["Y1"]).update(status=Status.ACTIVE)
    resp = client.get(url)
    after = page_table(resp.content.decode(), "breakdown")
    assert after[1][1] != "c"
    assert "one of your learning partners" in resp.content.decode()
    stored = CohortResult.objects.values_list("n_leavers", flat=True).get(
        run=dash.run, cohort="establishment", cohort_id=dash.schools["X1"].pk, year=int(year),
        breakdown=c.CARE_EXPERIENCED, breakdown_value="yes")
    assert after[1][1] == f"{stored:,}"


def test_viewing_another_school_is_audited_and_your_own_is_not(dash: DashWorld) -> None:
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X1"])
    client = client_for(head)
    client.get(est_url(dash, "X1"))
    assert not AuditEvent.objects.filter(actor=head, action="view_establishment_benchmarks").exists()
    client.get(est_url(dash, "Y2"))
    event = AuditEvent.objects.get(actor=head, action="view_establishment_benchmarks")
    assert event.object_id == dash.schools["Y2"].seed_code
    assert event.detail["entitlement"] == "public"


def test_only_secondary_schools_have_a_dashboard_and_change_establishment_redirects(dash: DashWorld) -> None:
    client = client_for(member(Role.NATIONAL_ANALYST))
    assert client.get(est_url(dash, "XS")).status_code == 404
    assert client.get(reverse("insight:establishment_dashboard", kwargs={"seed": "0000000"})).status_code == 404
    resp = client.get(est_url(dash, "X1", change=dash.schools["Z2"].seed_code))
    assert resp.status_code == 302 and resp["Location"] == est_url(dash, "Z2")
    # The list offers "Name, Authority (SEED)"; a unique name alone also works.
    z2 = dash.schools["Z2"]
    resp = client.get(est_url(dash, "X1", change=f"{z2.name}, {z2.authority.name} ({z2.seed_code})"))
    assert resp.status_code == 302 and resp["Location"] == est_url(dash, "Z2")
    assert client.get(est_url(dash, "X1", change=z2.name.upper()))["Location"] == est_url(dash, "Z2")
    # An unknown or special school in ?change= stays on the page and says why.
    resp = client.get(est_url(dash, "X1", change=dash.schools["XS"].seed_code), follow=True)
    assert resp.redirect_chain[-1][0] == est_url(dash, "X1")
    assert "No secondary school matches" in resp.content.decode()
    # The list is by name, each school once with its authority, the current one left out.
    body = client.get(est_url(dash, "X1")).content.decode()
    assert f'value="{z2.name}, {z2.authority.name} ({z2.seed_code})"' in body
    assert f"({dash.schools['X1'].seed_code})\"" not in body


def test_authority_dashboards_are_for_analysts_and_the_national_view_for_national_analysts(dash: DashWorld) -> None:
    a_url = reverse("insight:authority_dashboard", kwargs={"code": 100})
    n_url = reverse("insight:national")
    staff = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["X1"]))
    assert staff.get(a_url).status_code == 403
    assert staff.get(n_url).status_code == 403
    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[260]))
    assert analyst.get(a_url).status_code == 200  # another authority: suppressed, not hidden
    assert analyst.get(n_url).status_code == 403
    school_dm = client_for(member(Role.DATA_MANAGER, establishment=dash.schools["X1"]))
    assert school_dm.get(a_url).status_code == 403
    national = client_for(member(Role.NATIONAL_ANALYST))
    assert national.get(n_url).status_code == 200
    assert national.get(reverse("insight:authority_dashboard", kwargs={"code": 999})).status_code == 404


# --- Captions, charts, tables -------------------------------------------------------------------------


def test_captions_count_the_years_above_the_comparator_as_the_table_shows_them(dash: DashWorld) -> None:
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X1"])
    resp = client_for(head).get(est_url(dash, "X1"))
    html = resp.content.decode()
    key = c.avg_tariff(c.LOWEST20)
    rows = page_table(html, f"m-{key.replace('_', '-')}")[1:]
    above = sum(1 for r in rows if float(r[1].replace(",", "")) > float(r[2].replace(",", "")))
    below = sum(1 for r in rows if float(r[1].replace(",", "")) < float(r[2].replace(",", "")))
    panel = next(p for _, _, group in resp.context["panels"] for p in group if p.id == f"m-{key.replace('_', '-')}")
    expected = f"was above its virtual comparator in {above if above else 'none'} of {len(YEARS)} years"
    if above == 0 and below:
        expected = f"was below its virtual comparator in all {len(YEARS)} years"
    assert expected in panel.caption
    # The run made several VC draws: the comparator's range is a column and part of the caption.
    assert "Comparator range (5th to 95th percentile of draws)" in page_table(html, f"m-{key.replace('_', '-')}")[0]
    assert "whole range of its comparator's repeated draws" in panel.caption


def test_charts_carry_only_figures_the_table_shows(dash: DashWorld) -> None:
    national = member(Role.NATIONAL_ANALYST)
    resp = client_for(national).get(est_url(dash, "X1", breakdown=c.CARE_EXPERIENCED, measure=c.PCT_INITIAL_POSITIVE,
                                             year=small_year(dash, "X1")))
    html = resp.content.decode()
    found = re.search(r'<script id="breakdown-chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    rows = page_table(html, "breakdown")
    for series in data["series"]:
        col = rows[0].index(series["label"])
        for r, value in zip(rows[1:], series["data"], strict=True):
            if r[col] in ("c", "\u2013"):
                assert value is None
            else:
                assert f"{value:.1f}%" == r[col]
    assert "chartjs/chart.umd.min.js" in html and "js/dashboards.js" in html


def test_breakdowns_are_fixed_choices_and_bad_parameters_fall_back(dash: DashWorld) -> None:
    client = client_for(member(Role.NATIONAL_ANALYST))
    resp = client.get(est_url(dash, "X1", breakdown="postcode", measure="secret", year="1999"))
    assert resp.status_code == 200
    b = resp.context["breakdown"]
    assert (b["dim"], b["measure"], b["year"]) == (c.SEX, c.AVG_TOTAL_TARIFF, YEARS[-1])
    decile = client.get(est_url(dash, "X1", breakdown="simd_decile", measure=c.PCT_INITIAL_POSITIVE)).context["breakdown"]
    assert decile["measure"] == c.AVG_TOTAL_TARIFF  # deciles only have the average tariff
    # For viewers without entitlement, school deciles are withheld altogether (zeros too).
    rows = page_table(client.get(est_url(dash, "X1", breakdown="simd_decile")).content.decode(), "breakdown")
    assert all(r[1] == "c" and r[2] == "c" for r in rows[1:])
    # stage of leaving is one of the fixed breakdowns
    assert c.STAGE in [key for key, _label in b["options"]]
    stage = client.get(est_url(dash, "X1", breakdown=c.STAGE)).context["breakdown"]
    assert stage["dim"] == c.STAGE


def test_vocational_uptake_counts_leavers_with_each_award(dash: DashWorld) -> None:
    from datahub.models import SchoolLeaver

    school = dash.schools["X2"]
    uptake = vocational_uptake(years=YEARS, establishment_ids=[school.pk])
    for year in YEARS:
        leavers = SchoolLeaver.objects.filter(establishment=school, leaver_year=year)
        assert uptake[(school.pk, year)]["n"] == leavers.count()
        for code in ("FA", "NPA", "SFW"):
            expected = leavers.filter(learner__results__award_type=code).distinct().count()
            assert uptake[(school.pk, year)].get(code, 0) == expected
    head = member(Role.ESTABLISHMENT_STAFF, establishment=school)
    rows = page_table(client_for(head).get(est_url(dash, "X2")).content.decode(), "vocational")
    year_row = next(r for r in rows if r[0] == year_label(YEARS[-1]))
    assert year_row[5] == f"{uptake[(school.pk, YEARS[-1])].get('SFW', 0):,}"


def test_an_authority_vc_is_the_union_of_its_schools_comparators(dash: DashWorld) -> None:
    la = dash.authorities[110]
    agg = authority_vcs(dash.run)[(la.pk, YEARS[0], "", "")]
    rows = CohortResult.objects.filter(run=dash.run, cohort="vc", cohort_id__in=[s.pk for s in dash.schools.values()
                                                                                if s.authority_id == la.pk],
                                       year=YEARS[0], breakdown="").values_list("pct_initial_positive", "n_initial_known")
    known = sum(n for _, n in rows)
    weighted = 0.0
    for pct, n in rows:
        assert pct is not None
        weighted += pct * n
    expected = weighted / known
    assert agg[c.PCT_INITIAL_POSITIVE] == pytest.approx(expected)
    assert agg[c.avg_tariff(c.LOWEST20)] is None  # ranks cannot be combined: not made up


def test_sorting_never_orders_by_a_withheld_figure(dash: DashWorld) -> None:
    national = client_for(member(Role.NATIONAL_ANALYST))
    year = YEARS[-1]
    url = reverse("insight:national") + f"?measure={c.avg_tariff(c.LOWEST20)}&schools-sort=y{year}&schools-dir=desc"
    html = national.get(url).content.decode()
    rows = page_table(html, "schools", drop_trend=True)
    col = rows[0].index(year_label(year))
    values = [r[col] for r in rows[1:]]
    shown = [v for v in values if v not in ("c", "\u2013")]
    assert shown == sorted(shown, key=lambda v: -float(v.replace(",", "")))
    assert values[: len(shown)] == shown  # withheld and missing figures come last ...
    tail = [r[0] for r in rows[1:] if r[col] in ("c", "\u2013")]
    assert tail == sorted(tail, key=str.casefold)  # ... in name order, telling nothing about their values
    assert 'aria-sort="descending"' in html


# --- Exports ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["own", "public"])
def test_every_table_exports_as_csv_and_xlsx_matching_the_page_cell_for_cell(dash: DashWorld, persona: str) -> None:
    user = (member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X1"]) if persona == "own"
            else member(Role.NATIONAL_ANALYST))
    client = client_for(user)
    url = est_url(dash, "X1", breakdown=c.CARE_EXPERIENCED, measure=c.PCT_FOLLOWUP_POSITIVE, year=small_year(dash, "X1"))
    html = client.get(url).content.decode()
    ids = table_ids(html)
    assert {"leavers", "deprivation", "breakdown", "breakdown-trend", "vocational"} <= set(ids)
    for table in ids:
        shown = page_table(html, table)
        assert csv_rows(export(client, url, table, "csv")) == shown, table
        assert xlsx_rows(export(client, url, table, "xlsx")) == shown, table
    assert AuditEvent.objects.filter(actor=user, action="export_benchmarks").count() == 2 * len(ids)


def test_overview_tables_export_in_their_sorted_order_without_the_sparklines(dash: DashWorld) -> None:
    analyst = member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100])
    client = client_for(analyst)
    url = reverse("insight:authority_dashboard", kwargs={"code": 100}) + f"?schools-measure={c.PCT_INITIAL_POSITIVE}&schools-sort=leavers&schools-dir=desc"
    html = client.get(url).content.decode()
    shown = page_table(html, "schools", drop_trend=True)
    assert csv_rows(export(client, url, "schools", "csv")) == shown
    assert xlsx_rows(export(client, url, "schools", "xlsx")) == shown
    event = AuditEvent.objects.filter(actor=analyst, action="export_benchmarks").latest("id")
    assert event.detail["table"] == "schools" and event.authority_id == dash.authorities[100].pk


def test_a_spreadsheet_of_demo_data_says_so_in_its_notes(dash: DashWorld) -> None:
    client = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100]))
    url = reverse("insight:authority_dashboard", kwargs={"code": 100})

    def notes() -> str:
        ws = load_workbook(io.BytesIO(export(client, url, "schools", "xlsx").content))["Notes"]
        return " ".join(str(ws.cell(row=i, column=1).value) for i in range(1, ws.max_row + 1))

    assert "Demonstration data" not in notes()
    EstablishmentFactory.create(authority=dash.authorities[100], synthetic=True)
    assert "Demonstration data" in notes()


def test_exports_neutralise_spreadsheet_formulas(dash: DashWorld) -> None:
    evil = EstablishmentFactory.create(name="=HYPERLINK(\"http://x\")", authority=dash.authorities[100])
    client = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100]))
    url = reverse("insight:authority_dashboard", kwargs={"code": 100})
    rows = csv_rows(export(client, url, "schools", "csv"))
    names = [r[0] for r in rows]
    assert "'" + evil.name in names and evil.name not in names
    ws = load_workbook(io.BytesIO(export(client, url, "schools", "xlsx").content))["Table"]
    cells = [ws.cell(row=i, column=1) for i in range(1, ws.max_row + 1)]
    hit = next(cell for cell in cells if str(cell.value).endswith(evil.name))
    assert hit.data_type == "s" and hit.value.startswith("'")


def test_an_unknown_table_or_format_is_not_found(dash: DashWorld) -> None:
    client = client_for(member(Role.NATIONAL_ANALYST))
    url = est_url(dash, "X1")
    assert export(client, url, "no-such-table", "csv").status_code == 404
    assert client.get(url + "export/leavers.pdf").status_code == 404


# --- The home page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "place", "url_name"), [
    (Role.ESTABLISHMENT_STAFF, "X1", "insight:establishment_dashboard"),
    (Role.AUTHORITY_ANALYST, 100, "insight:authority_dashboard"),
    (Role.NATIONAL_ANALYST, None, "insight:national"),
])
def test_the_home_page_leads_into_the_dashboards_of_the_active_membership(dash: DashWorld, role: Role, place: object,
                                                                          url_name: str) -> None:
    if isinstance(place, str):
        user = member(role, establishment=dash.schools[place])
        target = reverse(url_name, kwargs={"seed": dash.schools[place].seed_code})
    elif isinstance(place, int):
        user = member(role, authority=dash.authorities[place])
        target = reverse(url_name, kwargs={"code": place})
    else:
        user = member(role)
        target = reverse(url_name)
    resp = client_for(user).get(reverse("dashboard"))
    assert resp.status_code == 200
    assert f'href="{target}"' in resp.content.decode()
    if role == Role.ESTABLISHMENT_STAFF:
        assert "virtual comparator in" in resp.content.decode()


def test_the_benchmarks_link_opens_the_dashboard_of_the_active_membership(dash: DashWorld) -> None:
    analyst = member(Role.AUTHORITY_ANALYST, authority=dash.authorities[110])
    resp = client_for(analyst).get(reverse("insight:benchmarks"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("insight:authority_dashboard", kwargs={"code": 110})
    primary_staff = member(Role.ESTABLISHMENT_STAFF, establishment=EstablishmentFactory.create(type="primary"))
    assert client_for(primary_staff).get(reverse("insight:benchmarks"))["Location"] == reverse("dashboard")


def test_other_pages_can_withhold_a_school_figure_exactly_as_the_dashboards_do(dash: DashWorld) -> None:
    pattern = public_pattern(dash.run)
    hidden_totals = [k for k in pattern.hidden[c.N_INITIAL_KNOWN] if k[0] == "E" and k[3] == ""]
    for _, est_id, year, _, _ in hidden_totals[:3]:
        row = dict(CohortResult.objects.filter(run=dash.run, cohort="establishment", cohort_id=est_id, year=year,
                                               breakdown="").values().get())
        cell = establishment_cell(dash.run, est_id, year, c.PCT_INITIAL_POSITIVE, row, Entitlement.PUBLIC)
        assert cell.shown == "c"
        assert establishment_cell(dash.run, est_id, year, c.PCT_INITIAL_POSITIVE, row,
                                            Entitlement.PARTNER).shown == row[c.PCT_INITIAL_POSITIVE]
