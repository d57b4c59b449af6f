"""Shareable views: the *Copy link* of every dashboard and of Find Partners reproduces the view.

Each test renders a page for one user with choices away from the defaults, takes the link the
page offers (the read-only field of templates/includes/_share_link.html), opens it as a second
user with the same entitlement and compares every table cell for cell; then opens it as a less
entitled user, who sees the same view with their own suppression (``c`` where the first user saw
a number) or is refused the page (403/404), never more than they may see.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import Role
from insight.benchmarking import columns as c
from insight.models import BenchmarkRun, RankingBasis
from insight.selectors.catalogue import BREAKDOWNS, TABLE_MEASURES
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.views.test_dashboards import est_url, small_year, table_ids
from tests.insight.worlds import DashWorld, client_for

pytestmark = pytest.mark.django_db


def offered_link(client: Client, url: str) -> str:
    """The link a page offers in its Copy link control (after any redirect)."""
    resp = client.get(url)
    assert resp.status_code == 200, url
    found = re.search(r'<input class="ds_input  portal-share__field" type="text" id="share-url" name="share-url" '
                      r'value="([^"]+)" readonly', resp.content.decode())
    assert found, f"{url} offers no Copy link"
    link = html_lib.unescape(found.group(1))
    assert link.startswith("http://testserver/")
    return link


def query_of(link: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}


def tables(client: Client, link: str) -> dict[str, list[list[str]]]:
    """Every dashboard table of the page at ``link``, as a sighted user reads it."""
    resp = client.get(link)
    assert resp.status_code == 200, link
    html = resp.content.decode()
    ids = table_ids(html)
    assert ids, "no tables on the page"
    return {t: page_table(html, t) for t in ids}


def numbers_hidden(seen: dict[str, list[list[str]]], other: dict[str, list[list[str]]]) -> int:
    """How many cells ``seen`` shows as a figure and ``other`` withholds as c (same tables, same
    rows: in order of their first cell, since a sort never orders by a withheld figure)."""
    assert seen.keys() == other.keys()
    n = 0
    for t, rows in seen.items():
        assert len(rows) == len(other[t]), t
        by_name = sorted(rows[1:]), sorted(other[t][1:])
        assert [r[0] for r in by_name[0]] == [r[0] for r in by_name[1]], t
        for a_row, b_row in zip([rows[0], *by_name[0]], [other[t][0], *by_name[1]], strict=True):
            for a, b in zip(a_row, b_row, strict=True):
                if b == "c" and a != "c":
                    assert re.search(r"\d", a) or a == "level", (t, a)  # a figure, a range or a gap
                    n += 1
                elif b != "c":
                    assert a == b, (t, a, b)  # nothing else differs
    return n


# --- The establishment dashboard -------------------------------------------------------------------


def test_a_shared_school_dashboard_link_reproduces_the_view_and_applies_the_openers_suppression(
        dash: DashWorld) -> None:
    year = small_year(dash, "X1")
    measures = BREAKDOWNS[c.CARE_EXPERIENCED].measures
    measure = next(m for m in measures if m != c.AVG_TOTAL_TARIFF)
    head = client_for(member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X1"]))
    # Chosen through "Change establishment" from another school's page: the link names X1.
    start = head.get(est_url(dash, "Y1", change=dash.schools["X1"].seed_code))
    assert start.status_code == 302
    link = offered_link(head, start["Location"] + f"?breakdown={c.CARE_EXPERIENCED}&measure={measure}&year={year}")
    assert urlparse(link).path == est_url(dash, "X1")
    assert query_of(link) == {"breakdown": c.CARE_EXPERIENCED, "measure": measure, "year": year}

    seen = tables(head, link)
    colleague = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["X1"]))
    assert tables(colleague, link) == seen  # the same view, cell for cell
    assert seen["breakdown"][1][0] == "Care experienced" and seen["breakdown"][1][1] != "c"

    outsider = client_for(member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["Z1"]))
    public = tables(outsider, link)
    assert public["breakdown"][0] == seen["breakdown"][0]  # same breakdown, measure and year
    assert public["breakdown"][1][1] == "c"  # the handful of care-experienced leavers
    assert numbers_hidden(seen, public) >= 2


def test_the_link_states_the_defaults_it_resolved_so_it_keeps_showing_the_same_year(dash: DashWorld) -> None:
    head = client_for(member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X2"]))
    link = offered_link(head, est_url(dash, "X2"))
    q = query_of(link)
    assert q.keys() == {"breakdown", "measure", "year"}
    assert q["measure"] == c.AVG_TOTAL_TARIFF and q["year"] == str(dash.run.years[-1])
    # Unknown choices fall back, and the link says what was shown instead.
    odd = offered_link(head, est_url(dash, "X2", breakdown="shoe_size", year="1999"))
    assert query_of(odd) == query_of(link)


# --- The authority dashboard and the national view ------------------------------------------------------


def test_a_shared_authority_dashboard_link_keeps_measure_sort_and_breakdown(dash: DashWorld) -> None:
    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100]))
    measure = TABLE_MEASURES[-1]
    last = dash.run.years[-1]
    url = (f"/insight/authorities/100/?schools-measure={measure}&schools-sort=y{last}&schools-dir=desc"
           f"&breakdown={c.CARE_EXPERIENCED}&year={small_year(dash, 'X1')}")
    link = offered_link(analyst, url)
    q = query_of(link)
    assert q["schools-measure"] == measure and q["schools-sort"] == f"y{last}" and q["schools-dir"] == "desc"
    assert q["breakdown"] == c.CARE_EXPERIENCED and q["measure"] == c.AVG_TOTAL_TARIFF

    seen = tables(analyst, link)
    assert tables(client_for(member(Role.MCMC_OFFICER, authority=dash.authorities[100])), link) == seen
    elsewhere = tables(client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[260])), link)
    assert elsewhere["schools"][0] == seen["schools"][0]  # the same measure and columns
    assert numbers_hidden(seen, elsewhere) >= 1
    # Someone who may not open authority dashboards at all is refused, not shown less.
    staff = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["X1"]))
    assert staff.get(link).status_code == 403


def test_a_shared_national_view_link_keeps_authority_measure_and_sorts(dash: DashWorld) -> None:
    national = client_for(member(Role.NATIONAL_ANALYST))
    measure = TABLE_MEASURES[1]
    link = offered_link(national, f"/insight/national/?measure={measure}&authority=110&authorities-sort=leavers"
                                  "&authorities-dir=desc&schools-sort=name&schools-dir=desc")
    assert query_of(link) == {"authority": "110", "measure": measure, "authorities-sort": "leavers",
                              "authorities-dir": "desc", "schools-sort": "name", "schools-dir": "desc"}
    seen = tables(national, link)
    names = [r[0] for r in seen["schools"][1:]]
    assert names == sorted(names, reverse=True) and all("Aberdeenshire" in n for n in names)
    assert tables(client_for(member(Role.DATA_MANAGER)), link) == seen
    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[110]))
    assert analyst.get(link).status_code == 403


# --- Find Partners ----------------------------------------------------------------------------------


def partner_rows(client: Client, link: str) -> list[list[str]]:
    """The ranking table's cells as read, less the Propose button (only for admins of the school one
    works as)."""
    resp = client.get(link)
    assert resp.status_code == 200, link
    rows = page_table(resp.content.decode().replace('id="partners-table"', 'id="table-partners"'), "partners")
    return [[cell.replace(" Propose Partnership", "") for cell in row] for row in rows]


def test_a_shared_find_partners_link_names_the_school_and_every_choice(world: Any, ranked: BenchmarkRun) -> None:
    admin_a = client_for(world.personas["admin_a"])
    url = (f"/insight/find-partners/?tab=performance&basis={RankingBasis.CONTEXT.value}"
           f"&authority={world.school_a.authority.code}&sort=name&dir=desc")
    link = offered_link(admin_a, url)
    assert query_of(link) == {"school": world.school_a.seed_code, "tab": "performance",
                              "basis": RankingBasis.CONTEXT.value, "authority": str(world.school_a.authority.code),
                              "sort": "name", "dir": "desc"}
    seen = partner_rows(admin_a, link)
    assert len(seen) >= 2
    assert partner_rows(client_for(world.personas["staff_a"]), link) == seen
    # School B's staff hold no role at A: its list is not theirs to open.
    assert client_for(world.personas["admin_b"]).get(link).status_code == 404
    # Analysts never use Find Partners.
    assert client_for(world.personas["analyst_x"]).get(link).status_code == 403


def test_find_partners_from_a_link_follows_the_link_not_viewing_as(world: Any, ranked: BenchmarkRun) -> None:
    """A user of two schools, working as A2, opens a link to A's list: A's list, said so, no proposing."""
    both = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a, user=both)
    client = client_for(both)
    # Working as A2, chosen with the switcher (which membership comes first otherwise is not the point).
    as_a2 = both.memberships.get(establishment=world.school_a2)
    assert client.post(reverse("switch_context"), {"membership": as_a2.pk, "next": "/"}).status_code == 302
    mine = client.get("/insight/find-partners/")
    assert mine.context["school"] == world.school_a2
    link = offered_link(client_for(world.personas["admin_a"]), "/insight/find-partners/?sort=name")
    resp = client.get(link)
    assert resp.context["school"] == world.school_a
    body = resp.content.decode()
    assert "opened from a link; you are working as" in body
    assert "Propose Partnership" not in body  # a proposal goes from the school one works as
    # Links within the list keep the school; CSV too.
    assert f"school={world.school_a.seed_code}" in resp.context["csv_url"]
    assert all(f"school={world.school_a.seed_code}" in col["url"] for col in resp.context["columns"])
    # The same schools in the same order (figures may differ: this user also works for A2, so A2's
    # own figures are theirs to see unsuppressed).
    def order(c: Client) -> list[tuple[object, str]]:
        return [(r.rank, r.establishment.seed_code) for r in c.get(link).context["page"].object_list]

    assert order(client) == order(client_for(world.personas["admin_a"]))
