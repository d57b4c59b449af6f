"""An authority analyst reads their schools' Breadth and Depth side by side in a real browser.

Signs in, opens *Local measures* from the menu (their authority's Breadth and Depth), reads the
table, switches the cohort, reads the chart with the keyboard; axe (no serious or critical
violation) and 320 px reflow.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest

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
    return [cell.strip() for cell in table.get_by_role("row", name=re.compile(f"^{row}")).locator("td").all_inner_texts()]


def test_authority_analyst_switches_cohort(page: Page, live_server: Any, reference_data: None) -> None:
    from django.core.cache import cache

    cache.clear()
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    glasgow = example["glasgow"]
    analyst = member(Role.AUTHORITY_ANALYST, authority=glasgow)

    sign_in(page, live_server, analyst)
    page.get_by_role("link", name="Local measures").first.click()
    page.wait_for_url(re.compile(rf"/insight/authorities/{glasgow.code}/breadth-depth/"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Breadth and Depth: {glasgow.name}"
    sub = page.get_by_role("navigation", name="Local measures").get_by_role("link", name="Authority Breadth and Depth")
    assert sub.get_attribute("aria-current") == "true"
    # S4, every award, 5 or more at SCQF level 5 by default: nobody of Kelvinbank's three.
    table = page.get_by_role("table", name=re.compile(f"^Breadth and Depth in {glasgow.name}'s schools: S4"))
    assert _cells(table, "Kelvinbank Academy") == ["3", "0.0%"]
    page.get_by_label("Number of awards", exact=True).select_option(label="1 or more")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"count=1"))
    table = page.get_by_role("table", name=re.compile(f"^Breadth and Depth in {glasgow.name}'s schools: S4"))
    assert _cells(table, "Kelvinbank Academy") == ["3", "66.7%"]
    assert _cells(table, glasgow.name) == ["3", "66.7%"]
    assert_accessible(page, label="Authority Breadth and Depth, S4")
    screenshot(page, "authority-breadth-depth-1280")

    # The leavers: Ben alone, two passes at level 4 or better (N4 English, the NPA).
    page.get_by_label("Cohort", exact=True).select_option(label="Leavers")
    page.get_by_label("SCQF level", exact=True).select_option(label="SCQF level 4 or better")
    page.get_by_label("Number of awards", exact=True).select_option(label="2 or more")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"stage=leavers"))
    table = page.get_by_role("table", name=re.compile(f"^Breadth and Depth in {glasgow.name}'s schools: Leavers"))
    assert _cells(table, "Kelvinbank Academy") == ["1", "100.0%"]

    # The chart reads with the keyboard, figure by figure.
    chart = page.locator("figure.portal-chart").first
    chart.wait_for(state="visible")
    chart.locator(".portal-chart__frame").focus()
    page.keyboard.press("ArrowRight")
    assert re.match(r"Kelvinbank Academy: ", chart.locator("[data-chart-status]").inner_text())
    assert_accessible(page, label="Authority Breadth and Depth, leavers")

    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Authority Breadth and Depth at 320 px")
    screenshot(page, "authority-breadth-depth-320")
