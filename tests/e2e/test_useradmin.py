"""A user administrator invites a person, grants a role and revokes one, in a real browser.

axe (no serious or critical violations) on every page on the way, and 320 CSS px reflow; the
invited person's e-mail carries an absolute link.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from datahub.models import Membership, Role, User
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, "useradmin-" + re.sub(r"[^a-z0-9]+", "-", label.lower()))
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    page.set_viewport_size(DESKTOP)


def test_user_administrator_invites_grants_and_revokes(page: Page, live_server: Any, world: Any, settings: Any) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    admin = world.personas["ua_x"]
    a = world.school_a
    school_a = f"{a.name} ({a.seed_code}, {a.authority.name})"
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email", exact=True).fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/users/")  # a user administrator's home is the Users page
    check_page(page, "Users")
    assert world.personas["staff_b"].email not in page.content()  # another authority's people

    page.get_by_role("link", name="Invite a person").click()
    page.wait_for_url(f"{live_server.url}/users/invite/")
    check_page(page, "Invite a person")
    page.get_by_label("First name").fill("Niamh")
    page.get_by_label("Last name").fill("Docherty")
    page.get_by_label("E-mail address").fill("niamh.docherty@example.org")
    page.get_by_label("Role", exact=True).select_option(Role.ESTABLISHMENT_STAFF.value)
    page.get_by_label("Where", exact=True).select_option(label=school_a)
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(re.compile(r"/users/\d+/$"))
    assert "Invitation sent to niamh.docherty@example.org" in page.content()
    check_page(page, "Person")
    invited = User.objects.get(email="niamh.docherty@example.org")
    assert Membership.objects.filter(user=invited, role=Role.ESTABLISHMENT_STAFF, establishment=world.school_a).exists()
    (invitation,) = [m for m in mail.outbox if m.to == [invited.email]]
    assert f"{live_server.url}/accounts/password/reset/key/" in str(invitation.body)

    # A refused grant says why and changes nothing.
    page.get_by_label("Role", exact=True).select_option(Role.MCMC_OFFICER.value)
    page.get_by_label("Where", exact=True).select_option(label=school_a)
    page.get_by_role("button", name="Grant role").click()
    expect(page.get_by_role("alert").get_by_text("needs a local authority")).to_have_count(1)
    check_page(page, "Person with an error")
    assert not Membership.objects.filter(user=invited, role=Role.MCMC_OFFICER).exists()

    page.get_by_role("link", name=re.compile("^Revoke")).first.click()
    page.wait_for_url(re.compile(r"/users/roles/\d+/revoke/$"))
    check_page(page, "Revoke a role")
    page.get_by_label("Why is this role being revoked?").fill("Invited to the wrong school")
    page.get_by_role("button", name="Revoke role").click()
    page.wait_for_url(f"{live_server.url}/users/")
    assert not Membership.objects.filter(user=invited).exists()
