"""A head teacher builds a comparator group in a real browser and sees it on the dashboard (issue 15).

Signs in, opens *Comparator groups* from the Dashboard's sub-menu, creates a group by SEED codes,
opens the school's dashboard, chooses the group and reads it beside the virtual comparator; axe (no
serious or critical violation) on the pages, and 320 px reflow.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest

from datahub.models import Role
from insight.selectors.runs import input_rows
from tests.e2e.checks import NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import member
from tests.insight.worlds import build_dash_world

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_head_teacher_builds_a_group_and_sees_it_beside_the_vc(
    page: Page, live_server: Any, reference_data: None
) -> None:
    from django.core.cache import cache

    from insight import selectors

    selectors.forget_computed()
    cache.clear()
    dash = build_dash_world()
    dash.run.input_rows = input_rows(dash.run.years)  # as a run started from the runs page records it
    dash.run.save(update_fields=["input_rows"])
    school = dash.schools["X1"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    members = [dash.schools[k] for k in ("X1", "X2", "Y1", "Y2", "Z1")]

    sign_in(page, live_server, head)
    page.goto(f"{live_server.url}/insight/groups/")
    sub = page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Comparator groups")
    assert sub.get_attribute("aria-current") == "page"
    page.get_by_role("link", name="Create a comparator group").click()
    page.wait_for_url(f"{live_server.url}/insight/groups/new/")
    assert_accessible(page, label="create a comparator group")
    page.get_by_label("Schools by SEED code").fill("\n".join(s.seed_code for s in members))
    page.get_by_label("Name of the group").fill("Five across Scotland")
    page.get_by_role("button", name="Save group").click()
    page.wait_for_url(re.compile(r"/insight/groups/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Five across Scotland"
    assert page.locator("#table-group-figures").is_visible()
    assert_accessible(page, label="a comparator group")
    screenshot(page, "comparator-group-1280")

    page.goto(f"{live_server.url}/insight/establishments/{school.seed_code}/")
    page.get_by_label("Show a comparator group beside the virtual comparator").select_option(
        label="Five across Scotland"
    )
    page.get_by_role("button", name="Show group").click()
    page.wait_for_url(re.compile(r"\?group=\d+"))
    table = page.locator("#table-m-pct-initial-positive")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:3] == ["Year of leaving", school.name, "Virtual comparator"]
    assert headers[4] == "Group: Five across Scotland"  # after the comparator's range over draws
    assert page.locator("#table-leavers thead th").nth(2).inner_text() == "Group: Five across Scotland"
    assert "group=" in page.get_by_label("Link to this view").input_value()
    assert_accessible(page, label="establishment dashboard with a comparator group")
    screenshot(page, "comparator-group-dashboard-1280")
    # Attainment versus deprivation and the groups of leavers by SIMD decile, with the group: the
    # head teacher is entitled to one of its five schools only, so its deciles read "c".
    assert page.locator("#table-deprivation thead th").nth(4).inner_text() == "Group: Five across Scotland"
    page.get_by_label("Group leavers by").select_option(label="SIMD decile")
    page.get_by_role("button", name="Show breakdown").click()
    page.wait_for_url(re.compile(r"breakdown=simd_decile"))
    assert "group=" in page.url
    assert page.locator("#table-breakdown thead th").nth(4).inner_text() == "Group: Five across Scotland"
    assert set(page.locator("#table-breakdown tbody tr td:nth-child(5)").all_inner_texts()) == {"c"}
    trend = page.locator("#table-breakdown-trend tbody th")
    assert "SIMD decile 1 (most deprived 10%): Group: Five across Scotland" in trend.all_inner_texts()
    assert_accessible(page, label="establishment dashboard, SIMD deciles with a comparator group")
    screenshot(page, "comparator-group-deciles-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="establishment dashboard with a comparator group, 320 px")
    screenshot(page, "comparator-group-deciles-320")
    page.goto(f"{live_server.url}/insight/groups/")
    assert_reflows(page, label="comparator groups, 320 px")
