"""The menu (insight/nav.py): every persona is offered exactly the pages it may open; the current
entry is the closest match; the header counts what waits; 403 pages say why and where to go."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from datahub.models import Role
from insight.nav import NAV, build_menu
from partnerships import services
from tests.factories import UserFactory, member
from tests.worlds import client_for

pytestmark = pytest.mark.django_db

PERSONAS = ["admin_a", "staff_a", "mcmc_x", "analyst_x", "national", "dm_a", "dm_x", "ua_x", "ua_national"]


def menu_urls(user: Any) -> list[str]:
    items = build_menu("/", user)
    return [u for i in items for u in (i.url, *(k.url for k in i.children))]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_menu_entry_opens_for_the_persona(world: Any, persona: str) -> None:
    user = world.personas[persona]
    urls = menu_urls(user)
    assert urls, persona
    c = client_for(user)
    for url in dict.fromkeys(urls):
        status = c.get(url).status_code
        assert status in (200, 302), (persona, url, status)  # the admin and users' home redirect


def test_every_entry_refused_by_its_rule_is_refused_by_its_page(world: Any) -> None:
    """The other half: what a persona is not offered, its page refuses (the rule is the view's)."""
    for persona in PERSONAS:
        user = world.personas[persona]
        offered = set(menu_urls(user))
        c = client_for(user)
        for e in NAV:
            url = reverse(e.url_name)
            if url in offered or e.url_name.startswith("admin:"):
                continue
            assert c.get(url).status_code in (403, 404), (persona, url)


@pytest.mark.parametrize("persona", ["mcmc_x", "analyst_x", "national", "dm_a", "dm_x"])
def test_roles_without_a_school_role_see_no_learning_partnerships(world: Any, persona: str) -> None:
    labels = {i.label for i in build_menu("/", world.personas[persona])}
    assert "Learning Partnerships" not in labels


def test_the_caseload_is_in_the_mcmc_officers_menu_and_current_on_a_journey(world: Any) -> None:
    items = build_menu("/destinations/young-people/5/", world.personas["mcmc_x"])
    active = [i.label for i in items if i.active]
    assert active == ["Caseload"]


def test_the_propose_form_belongs_to_find_partners(world: Any) -> None:
    items = build_menu("/partnerships/propose/", world.personas["admin_a"])
    (lp,) = [i for i in items if i.label == "Learning Partnerships"]
    assert lp.active and [k.label for k in lp.children if k.active] == ["Find Partners"]


def test_propose_a_group_is_an_admins_child_of_learning_partnerships(world: Any) -> None:
    def children(persona: str, path: str = "/") -> list[Any]:
        (lp,) = [i for i in build_menu(path, world.personas[persona]) if i.label == "Learning Partnerships"]
        return lp.children

    assert "Propose a group" in [k.label for k in children("admin_a")]
    assert "Propose a group" not in [k.label for k in children("staff_a")]  # staff cannot propose (403)
    active = [k.label for k in children("admin_a", "/partnerships/groups/propose/") if k.active]
    assert active == ["Propose a group"]
    # A group's own page belongs to View Partnerships, where groups are listed.
    assert [k.label for k in children("admin_a", "/partnerships/groups/7/") if k.active] == ["View Partnerships"]


def test_a_group_invitation_waits_in_the_header_until_answered(world: Any) -> None:
    from datahub.models import LocalAuthority
    from partnerships.groups import services as group_services
    from tests.factories import EstablishmentFactory

    head_b = world.personas["admin_b"]
    c = EstablishmentFactory.create(name="Charlie", authority=LocalAuthority.objects.get(code=260))

    def count() -> int:
        m = re.search(r'portal-waiting__count">(\d+)<', client_for(head_b).get("/").content.decode())
        return int(m.group(1)) if m else 0

    g = group_services.group_propose(founder=world.school_a, invited=[world.school_b, c], name="G", purpose="P",
                                     by=world.personas["admin_a"])
    assert count() == 1
    group_services.group_decline(group=g, by=head_b, acting_for=world.school_b)
    assert count() == 0


def test_a_schools_local_measure_page_belongs_to_local_measures(world: Any) -> None:
    items = build_menu("/insight/establishments/5551234/breadth-depth/", world.personas["admin_a"])
    (local,) = [i for i in items if i.label == "Local measures"]
    assert local.active and [k.label for k in local.children if k.active] == ["Breadth and Depth"]
    # One segment only: a deeper path with another page's name does not belong.
    items = build_menu("/insight/establishments/5551234/x/breadth-depth/", world.personas["admin_a"])
    assert not [i for i in items if i.label == "Local measures" and i.active]
    items = build_menu("/insight/establishments/5551234/curricular-areas/", world.personas["admin_a"])
    (local,) = [i for i in items if i.label == "Local measures"]
    assert local.active and [k.label for k in local.children if k.active] == ["Curricular areas"]


def test_the_dashboard_settings_live_under_account_settings_not_in_the_menu(world: Any) -> None:
    user = world.personas["staff_a"]
    url = reverse("dashboard_settings")
    assert url not in menu_urls(user)  # no menu entry, top-level or child
    assert not [i for i in build_menu(url, user) if i.active]
    html = client_for(user).get(reverse("dashboard_settings")).content.decode()
    nav = html.split('aria-label="Account settings"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{url}" aria-current="page"' in nav  # the account settings' own navigation
    assert 'href="/accounts/password/change/">Account settings</a>' in html  # the header's way in


def test_the_superuser_has_a_home_with_the_admin(world: Any) -> None:
    su = UserFactory.create(is_superuser=True, is_staff=True)
    body = client_for(su).get("/").content.decode()
    assert 'href="/admin/"' in body and "Site administration" in body


def test_a_403_says_why_and_where_to_go_never_back_to_itself(world: Any) -> None:
    resp = client_for(world.personas["analyst_x"]).get(reverse("partnerships:list"))
    body = resp.content.decode()
    assert resp.status_code == 403
    assert "Why:" in body and "Establishment admin" in body
    main = body[body.index('id="main-content"'):]
    assert 'href="/partnerships/"' not in main and 'href="/"' in main
    no_role = client_for(world.personas["no_role"]).get("/").content.decode()
    assert "does not hold any role" in no_role and 'href="/"' not in no_role[no_role.index('id="main-content"'):]


def test_viewing_as_shows_only_with_several_roles(world: Any) -> None:
    from tests.factories import member

    assert "Viewing as" not in client_for(world.personas["admin_a"]).get("/").content.decode()
    both = world.personas["staff_b"]
    member(Role.ESTABLISHMENT_STAFF, establishment=world.school_a, user=both)
    assert "Viewing as" in client_for(both).get("/").content.decode()


def test_the_waiting_count_rises_with_a_proposal_and_clears_when_answered(world: Any) -> None:
    head_b = world.personas["admin_b"]

    def count() -> int:
        m = re.search(r'portal-waiting__count">(\d+)<', client_for(head_b).get("/").content.decode())
        return int(m.group(1)) if m else 0

    assert count() == 0
    p = services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    assert count() == 1
    services.partnership_accept(partnership=p, by=head_b, acting_for=world.school_b)
    assert count() == 0
    # A is told of the acceptance: one notice waiting until read.
    body = client_for(world.personas["admin_a"]).get("/").content.decode()
    assert re.search(r'portal-waiting__count">1<', body)


@pytest.mark.parametrize("persona", [*PERSONAS, "national_dm"])
def test_every_link_of_the_first_visit_guide_opens_for_the_persona(world: Any, persona: str) -> None:
    user = member(Role.DATA_MANAGER) if persona == "national_dm" else world.personas[persona]
    c = client_for(user)
    home = c.get("/", follow=True).content.decode()
    guide = re.search(r'<section class="portal-guide".*?</section>', home, re.S)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', guide.group(0)) if guide else []
    for url, label in links:
        assert c.get(url).status_code == 200, (persona, label, url)
    labels = {label for _, label in links}
    if persona == "national_dm":
        assert {"Benchmark runs", "Reference data"} <= labels
    elif persona == "dm_x":
        assert "Benchmark runs" in labels and "Reference data" not in labels


def test_communities_are_in_the_menu_of_their_members_and_creators_only(world: Any) -> None:
    """A partner organisation member sees Communities and nothing else (their home, empty until a
    community admin adds them); a school's staff see it once they are members; authority data
    managers always (they create them)."""
    from partnerships.communities import services as communities

    def labels(persona: str) -> set[str]:
        return {x.label for i in build_menu("/", world.personas[persona]) for x in (i, *i.children)}

    assert labels("partner") == {"Communities"} and "Communities" not in labels("staff_a")
    assert "Communities" in labels("dm_x") and "Communities" not in labels("dm_a")
    c = communities.community_create(by=world.personas["dm_x"], name="Leads")
    for who in ("partner", "staff_a"):
        communities.community_member_add(by=world.personas["dm_x"], community=c, email=world.personas[who].email)
    assert labels("partner") == {"Communities"}
    # Under Learning Partnerships for a school's people (their header stays on one line at 1280 px).
    lp = next(i for i in build_menu("/partnerships/communities/", world.personas["staff_a"])
              if i.label == "Learning Partnerships")
    assert "Communities" in [k.label for k in lp.children] and lp.active
    page = client_for(world.personas["partner"]).get(reverse("partnerships:communities")).content.decode()
    assert "Leads" in page and reverse("datahub:index") not in page
