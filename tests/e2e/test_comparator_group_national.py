"""A national analyst builds a comparator group that follows a filter and picks it on the national
view, in a real browser (issue 15): the group's page says it follows the filter, the national view
shows the group's measures beside Scotland, the choice is in *Copy link*; axe (no serious or
critical violation) and 320 px reflow."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from datahub.models import Role
from insight.groups.models import ComparatorGroup
from insight.selectors.runs import input_rows
from tests.e2e.checks import NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import member
from tests.insight.worlds import build_dash_world

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_national_analyst_picks_a_filter_group_on_the_national_view(
    page: Page, live_server: Any, reference_data: None
) -> None:
    from django.core.cache import cache

    from insight import selectors

    selectors.forget_computed()
    cache.clear()
    dash = build_dash_world()
    dash.run.input_rows = input_rows(dash.run.years)  # as a run started from the runs page records it
    dash.run.save(update_fields=["input_rows"])
    authority = dash.schools["X1"].authority
    analyst = member(Role.NATIONAL_ANALYST)

    sign_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/insight/groups/new/")
    page.get_by_label("Local authority").select_option(label=authority.name)
    page.get_by_role("button", name="Find schools").click()
    page.wait_for_url(re.compile(rf"/insight/groups/new/\?.*authority={authority.code}"))
    expect(page.get_by_label(re.compile("^Follow the filter"))).to_be_checked()
    page.get_by_label("Name of the group").fill("Secondaries of one authority")
    assert_accessible(page, label="a filter group, before saving")
    page.get_by_role("button", name="Save group").click()
    page.wait_for_url(re.compile(r"/insight/groups/\d+/$"))
    assert "Follow the filter at each benchmark run" in page.locator(".ds_page-header").inner_text()
    group = ComparatorGroup.objects.get(name="Secondaries of one authority")
    assert group.follows_filter and group.members.count() == 4

    page.goto(f"{live_server.url}/insight/national/")
    page.get_by_label("Show a comparator group beside Scotland").select_option(label=group.name)
    page.get_by_role("button", name="Show group").click()
    page.wait_for_url(re.compile(rf"\?group={group.pk}"))
    table = page.locator("#table-group-figures")
    assert table.is_visible()
    assert table.locator("thead th").all_inner_texts()[:2] == ["Year of leaving", "Leavers"]
    assert f"group={group.pk}" in page.get_by_label("Link to this view").input_value()
    assert_accessible(page, label="national view with a comparator group")
    screenshot(page, "comparator-group-national-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="national view with a comparator group, 320 px")
    screenshot(page, "comparator-group-national-320")
