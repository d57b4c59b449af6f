"""A partnership group in a real browser: three head teachers form a group (one proposes, two
accept), one writes the aims and adds an action, another sees it. axe finds no serious or critical
violation on the pages, and they reflow at 320 CSS px."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest

from datahub.models import LocalAuthority, Role
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.factories import EstablishmentFactory, member

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    page.set_viewport_size(DESKTOP)


def test_three_head_teachers_form_a_group_and_share_its_plan(page: Page, live_server: Any, world: Any) -> None:
    head_a, head_b = world.personas["admin_a"], world.personas["admin_b"]
    c = EstablishmentFactory.create(name="Charlie Academy", authority=LocalAuthority.objects.get(code=260))
    head_c = member(Role.ESTABLISHMENT_ADMIN, establishment=c)

    # --- A's head teacher proposes the group, inviting B and C ----------------------------------
    sign_in(page, live_server, head_a)
    page.goto(f"{live_server.url}/partnerships/")
    page.get_by_role("navigation", name="Learning Partnerships").get_by_role("link", name="Propose a group").click()
    page.wait_for_url(f"{live_server.url}/partnerships/groups/propose/")
    check_page(page, "Propose a partnership group")
    page.get_by_label("Name of the group").fill("West senior phase")
    page.get_by_label("Purpose").fill("Raise attainment of the lowest 20% together")
    page.get_by_label("Schools to invite").fill(f"{world.school_b.seed_code}\n12345")
    page.get_by_role("button", name="Propose group").click()
    # A bad SEED code: the error names the field, the form keeps what was typed.
    assert "is not a SEED code" in page.locator(".ds_error-summary").inner_text()
    check_page(page, "Propose a group, with an error")
    page.get_by_label("Schools to invite").fill(f"{world.school_b.seed_code}\n{c.seed_code}")
    page.get_by_role("button", name="Propose group").click()
    page.wait_for_url(re.compile(r"/partnerships/groups/\d+/$"))
    assert page.locator("#group-status").inner_text() == "Forming"
    group_url = page.url
    sign_out(page, live_server)

    # --- B's and C's head teachers accept: the group becomes active --------------------------------
    for head, name in ((head_b, "Bravo Secondary"), (head_c, "Charlie Academy")):
        sign_in(page, live_server, head)
        page.goto(f"{live_server.url}/partnerships/")
        groups = page.get_by_role("table", name=re.compile("Partnership groups"))
        assert "Invited: waiting for your answer" in groups.inner_text()
        groups.get_by_role("link", name="West senior phase").click()
        page.wait_for_url(group_url)
        if name == "Bravo Secondary":
            check_page(page, "Partnership group, invited")
        page.get_by_role("button", name=f"Accept for {name}").click()
        page.wait_for_url(group_url)
        sign_out(page, live_server)
    sign_in(page, live_server, head_c)
    page.goto(group_url)
    assert page.locator("#group-status").inner_text() == "Active"

    # --- C writes the aims and adds an action ----------------------------------------------------------
    page.get_by_label("Agreed aims").fill("Close the gap in S4 literacy by June.")
    page.get_by_role("button", name="Save aims").click()
    page.wait_for_url(group_url)
    page.get_by_label("Action", exact=True).fill("Share S4 literacy tracking")
    page.get_by_label("Owner").select_option(label=f"{head_b.get_full_name() or head_b.email} (Bravo Secondary)")
    page.get_by_label("Due by").fill("2027-03-01")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(f"{group_url}#plan")
    check_page(page, "Partnership group, active with a plan")
    sign_out(page, live_server)

    # --- A sees them ---------------------------------------------------------------------------------------
    sign_in(page, live_server, head_a)
    page.goto(group_url)
    assert "Close the gap in S4 literacy by June." in page.locator("#group-aims").inner_text()
    plan = page.get_by_role("table", name=re.compile("shared action plan"))
    assert "Share S4 literacy tracking" in plan.inner_text() and "Bravo Secondary" in plan.inner_text()
    members = page.get_by_role("table", name=re.compile("schools invited"))
    assert members.inner_text().count("Joined") == 3
