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
from tests.e2e.checks import assert_accessible, choose, read_chart_then_reflow, row_cells, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import member
from tests.insight.local.worlds import build_example
from tests.insight.worlds import publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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
    assert row_cells(table, "Kelvinbank Academy") == ["3", "0.0%"]
    choose(page, {"Number of awards": "1 or more"}, then=r"count=1")
    table = page.get_by_role("table", name=re.compile(f"^Breadth and Depth in {glasgow.name}'s schools: S4"))
    assert row_cells(table, "Kelvinbank Academy") == ["3", "66.7%"]
    assert row_cells(table, glasgow.name) == ["3", "66.7%"]
    assert_accessible(page, label="Authority Breadth and Depth, S4")
    screenshot(page, "authority-breadth-depth-1280")

    # The leavers: Ben alone, two passes at level 4 or better (N4 English, the NPA).
    choose(
        page,
        {"Cohort": "Leavers", "SCQF level": "SCQF level 4 or better", "Number of awards": "2 or more"},
        then=r"stage=leavers",
    )
    table = page.get_by_role("table", name=re.compile(f"^Breadth and Depth in {glasgow.name}'s schools: Leavers"))
    assert row_cells(table, "Kelvinbank Academy") == ["1", "100.0%"]

    # The chart reads with the keyboard, figure by figure; axe, then reflow at 320 px.
    read_chart_then_reflow(
        page,
        first="Kelvinbank Academy",
        label="Authority Breadth and Depth, leavers",
        shot="authority-breadth-depth-leavers",
    )


def test_another_authoritys_analyst_sees_the_totals_and_not_the_schools(
    page: Page, live_server: Any, reference_data: None
) -> None:
    """Four schools in Edinburgh. Glasgow's analyst opens Edinburgh's Breadth and Depth: every
    school's row is c (a note says who sees them), Edinburgh's own figure is shown (the remainder
    is its four schools); axe clean, 320 px."""
    from django.core.cache import cache

    from insight.pages.parts import LOCAL_NOTE
    from tests.insight.local.test_local_aggregates import _places

    cache.clear()
    ((first, *_),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10]), (22, [16, 11])])
    edinburgh = first.authority
    glasgow = edinburgh.__class__.objects.get_or_create(gss_code="S12000049",
                                                        defaults={"code": 260, "name": "Glasgow City"})[0]
    sign_in(page, live_server, member(Role.AUTHORITY_ANALYST, authority=glasgow))
    page.goto(f"{live_server.url}/insight/authorities/{edinburgh.code}/breadth-depth/?count=1")
    table = page.get_by_role("table", name=re.compile(f"^Breadth and Depth in {edinburgh.name}'s schools: S4"))
    assert row_cells(table, first.name) == ["c", "c"]
    assert row_cells(table, edinburgh.name) == ["97", "71.1%"]  # 69 of 97 with 1 or more at level 5
    assert LOCAL_NOTE in page.locator("main").inner_text()
    read_chart_then_reflow(page, first=first.name, label="Another authority's Breadth and Depth",
                           shot="authority-breadth-depth-other-analyst")
