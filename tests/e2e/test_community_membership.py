"""Community membership in a real browser (issue 15): the community's creator removes a member with
the *Remove* button beside their name, and a member leaves with *Leave this community*; each then
gets "not found" for the community. axe finds no serious or critical violation on the community
page with the new buttons, and it reflows at 320 CSS px."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from datahub.models import AuditEvent
from partnerships.communities import services
from tests.e2e.checks import NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_removes_a_member_and_a_member_leaves(page: Page, live_server: Any, world: Any) -> None:
    p = world.personas
    community = services.community_create(by=p["dm_x"], name="Senior phase leads")
    for who in ("staff_a", "partner"):
        services.community_member_add(by=p["dm_x"], community=community, email=p[who].email)
    url = f"{live_server.url}/partnerships/communities/{community.pk}/"
    staff_name = p["staff_a"].get_full_name() or p["staff_a"].email

    sign_in(page, live_server, p["dm_x"])
    page.goto(url)
    assert_accessible(page, label="a community, as its admin")
    screenshot(page, "community-members-1280")
    page.get_by_role("button", name=f"Remove {staff_name} from the community").click()
    page.wait_for_url(url)
    # The community's page again, at the same URL (so wait_for_url returns at once): awaited.
    expect(page.locator("body")).to_contain_text(f"{staff_name} is no longer a member")
    expect(page.get_by_role("button", name=f"Remove {staff_name} from the community")).to_have_count(0)
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="a community, as its admin, 320 px")
    sign_out(page, live_server)

    sign_in(page, live_server, p["staff_a"])
    assert page.goto(url).status == 404  # type: ignore[union-attr]
    page.goto(f"{live_server.url}/")
    sign_out(page, live_server)

    sign_in(page, live_server, p["partner"], lands_on="/partnerships/communities/")  # their home
    page.goto(url)
    page.get_by_role("button", name="Leave this community").click()
    expect(page.locator("body")).to_contain_text("You have left Senior phase leads")
    assert page.goto(url).status == 404  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action__in=["community_member_remove", "community_member_leave"]).count() == 2
