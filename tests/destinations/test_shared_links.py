"""Shareable views of the destinations pages: the *Copy link* names the place (school, authority
or Scotland) and every choice, so it opens the same view whatever the opener's "Viewing as"; the
opener's own access rules and suppression apply.

The dashboards' world (tests/insight/worlds.py) has destination records for every leaver and
small care-experienced groups, so suppression has work to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import Role
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.views.test_shared_links import offered_link, query_of
from tests.insight.worlds import DASH_YEARS, DashWorld, client_for, dash_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def dash(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DashWorld]:
    yield from dash_world(django_db_blocker)


def tables(client: Client, link: str, ids: tuple[str, ...]) -> dict[str, list[list[str]]]:
    resp = client.get(link)
    assert resp.status_code == 200, link
    html = resp.content.decode().replace('<table class="ds_table" id="', '<table class="ds_table" id="table-')
    out = {t: page_table(html, t) for t in ids}
    assert all(out.values()), out
    return out


def care(tables: dict[str, list[list[str]]]) -> list[str]:
    """The care-experienced row of the breakdown table (the school's columns first)."""
    return next(r for r in tables["breakdown"][2:] if r[0] == "Care experienced")


def test_a_shared_school_destinations_link_keeps_year_and_breakdown(dash: DashWorld) -> None:
    seed = dash.schools["X1"].seed_code
    url = reverse("destinations:school", kwargs={"seed": seed}) + f"?year={DASH_YEARS[0]}&breakdown=care_experienced"
    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100]))
    link = offered_link(analyst, url)
    assert query_of(link) == {"year": str(DASH_YEARS[0]), "breakdown": "care_experienced"}
    seen = tables(analyst, link, ("years", "breakdown"))
    assert care(seen)[1] != "c"
    officer = client_for(member(Role.MCMC_OFFICER, authority=dash.authorities[100]))
    assert tables(officer, link, ("years", "breakdown")) == seen
    # A national analyst covers the school but is not entitled to its small groups: c.
    national = tables(client_for(member(Role.NATIONAL_ANALYST)), link, ("years", "breakdown"))
    assert national["breakdown"][:2] == seen["breakdown"][:2]
    assert care(national)[1] == "c"
    # Staff of a school in another authority do not reach this page at all.
    other = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=dash.schools["Z1"]))
    assert other.get(link).status_code == 404


def test_a_shared_destinations_index_link_names_the_school_whatever_the_openers_active_place(
        dash: DashWorld) -> None:
    head = client_for(member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["X1"]))
    link = offered_link(head, reverse("destinations:index"))
    assert query_of(link) == {"school": dash.schools["X1"].seed_code}
    seen = tables(head, link, ("years",))
    # The authority's analyst would open on the authority's page; the link opens the school's.
    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100]))
    assert tables(analyst, link, ("years",)) == seen
    assert client_for(member(Role.ESTABLISHMENT_ADMIN, establishment=dash.schools["Y1"])).get(link).status_code == 404


def test_a_shared_destinations_authority_link_keeps_the_year(dash: DashWorld) -> None:
    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[110]))
    link = offered_link(analyst, reverse("destinations:index") + f"?year={DASH_YEARS[1]}")
    assert query_of(link) == {"authority": "110", "year": str(DASH_YEARS[1])}
    seen = tables(analyst, link, ("schools",))
    assert len(seen["schools"]) == 1 + 3 + 2  # header, three schools, the authority and Scotland
    assert tables(client_for(member(Role.MCMC_OFFICER, authority=dash.authorities[110])), link, ("schools",)) == seen
    assert tables(client_for(member(Role.NATIONAL_ANALYST)), link, ("schools",))["schools"][0] == seen["schools"][0]
    # An analyst of another authority is not covered by it: not found.
    assert client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[260])).get(link).status_code == 404


def test_a_shared_destinations_scotland_link_is_for_national_roles(dash: DashWorld) -> None:
    national = client_for(member(Role.NATIONAL_ANALYST))
    link = offered_link(national, reverse("destinations:index") + f"?year={DASH_YEARS[0]}")
    assert query_of(link) == {"scope": "scotland", "year": str(DASH_YEARS[0])}
    seen = tables(national, link, ("authorities",))
    assert tables(client_for(member(Role.DATA_MANAGER)), link, ("authorities",)) == seen
    # Someone working as an authority, holding no national role, is refused rather than shown Scotland.
    assert client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100])).get(link).status_code == 403
    # Their own page (no place named) still opens on their authority.
    assert client_for(member(Role.AUTHORITY_ANALYST, authority=dash.authorities[100])).get(
        reverse("destinations:index")).context["scope_kind"] == "authority"
