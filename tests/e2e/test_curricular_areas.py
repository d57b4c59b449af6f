"""A head teacher reads their school's curricular areas in a real browser (issue 12).

Signs in, opens *Local measures > Curricular areas* from the menu, reads the area x level grid,
switches the cohort and the grade filter, reads the comparison table and its chart with the
keyboard; axe (no serious or critical violation) and 320 px reflow.

The world sets the subjects' areas itself (tests/insight/local/worlds.py): this test's database
is flushed between tests, so what the data migration assigned is gone.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from datahub.models import Role
from insight.services import run_create, run_execute_in_process
from tests.e2e.checks import NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import member
from tests.insight.local.worlds import build_example
from tests.insight.worlds import publish

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _cells(table: Locator, row: str) -> list[str]:
    return [
        cell.strip() for cell in table.get_by_role("row", name=re.compile(f"^{row}")).locator("td").all_inner_texts()
    ]


def test_head_teacher_reads_curricular_areas_and_switches_cohort(
    page: Page, live_server: Any, reference_data: None
) -> None:
    from django.core.cache import cache

    cache.clear()
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    school = example["schools"]["K"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)

    sign_in(page, live_server, head)
    page.get_by_role("link", name="Local measures").first.click()
    page.get_by_role("navigation", name="Local measures").get_by_role("link", name="Curricular areas").click()
    page.wait_for_url(re.compile(rf"/insight/establishments/{school.seed_code}/curricular-areas/"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Curricular areas: {school.name}"
    sub = page.get_by_role("navigation", name="Local measures").get_by_role("link", name="Curricular areas")
    assert sub.get_attribute("aria-current") == "true"
    grid = page.get_by_role("table", name=re.compile("^Curricular areas: Kelvinbank Academy, S4"))
    assert _cells(grid, "Languages") == ["100.0%", "100.0%", "66.7%", "0.0%", "0.0%"]
    assert _cells(grid, "Mathematics") == ["100.0%", "66.7%", "66.7%", "0.0%", "0.0%"]
    assert_accessible(page, label="Curricular areas, S4")
    screenshot(page, "curricular-areas-1280")

    # The leavers (Ben), A only: his awards are passes, none an A.
    page.get_by_label("Cohort", exact=True).select_option(label="Leavers")
    page.get_by_label("Grades", exact=True).select_option(label="A only")
    page.get_by_label("Level compared with the virtual comparator, authority and Scotland", exact=True).select_option(
        label="SCQF level 4 or better"
    )
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"stage=leavers"))
    comparison = page.get_by_role("table", name=re.compile("percentage of the Leavers cohort"))
    assert _cells(comparison, "Technologies")[0] == "0.0%"
    # A to D: his Cyber Security NPA at level 4 counts.
    page.get_by_label("Grades", exact=True).select_option(label="A to D (every award)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"grade=AD"))
    comparison = page.get_by_role("table", name=re.compile("percentage of the Leavers cohort"))
    assert _cells(comparison, "Technologies")[0] == "100.0%"
    assert _cells(comparison, "Languages")[0] == "100.0%"

    # The chart reads with the keyboard, area by area.
    chart = page.locator("figure.portal-chart").first
    chart.wait_for(state="visible")
    chart.locator(".portal-chart__frame").focus()
    page.keyboard.press("ArrowRight")
    expect(chart.locator("[data-chart-status]")).to_have_text(re.compile(r"^Expressive arts: "), use_inner_text=True)
    assert_accessible(page, label="Curricular areas, leavers, A-D")

    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Curricular areas at 320 px")
    screenshot(page, "curricular-areas-320")
