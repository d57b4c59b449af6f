"""A head teacher reads their school's Breadth and Depth in a real browser (issue 12).

Signs in, opens *Local measures* (Breadth and Depth) from the menu, reads the grid, switches the cohort and the
grade filter, reads the comparison table and its chart with the keyboard; axe (no serious or
critical violation) and 320 px reflow.
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


def test_head_teacher_switches_cohort_and_grade_filter(page: Page, live_server: Any, reference_data: None) -> None:
    from django.core.cache import cache

    cache.clear()
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    school = example["schools"]["K"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)

    sign_in(page, live_server, head)
    page.get_by_role("link", name="Local measures").first.click()
    page.wait_for_url(re.compile(rf"/insight/establishments/{school.seed_code}/breadth-depth/"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Breadth and Depth: {school.name}"
    # The sub-menu of Local measures is there and says which measure this is.
    sub = page.get_by_role("navigation", name="Local measures").get_by_role("link", name="Breadth and Depth")
    assert sub.get_attribute("aria-current") == "true"
    grid = page.get_by_role("table", name=re.compile("^Breadth and Depth: Kelvinbank Academy, S4"))
    assert _cells(grid, "1 or more") == ["100.0%", "100.0%", "66.7%", "0.0%", "0.0%"]
    assert_accessible(page, label="Breadth and Depth, S4")
    screenshot(page, "breadth-depth-1280")

    # The leavers, A only: Ben's awards are all ungraded passes, so none is an A.
    page.get_by_label("Cohort", exact=True).select_option(label="Leavers")
    page.get_by_label("Grades", exact=True).select_option(label="A only")
    page.get_by_label("Level compared with the virtual comparator, authority and Scotland", exact=True).select_option(
        label="SCQF level 3 or better"
    )
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"stage=leavers"))
    comparison = page.get_by_role("table", name=re.compile("percentage of the Leavers cohort"))
    assert _cells(comparison, "1 or more")[0] == "0.0%"
    # A-D: his three passes count at level 3.
    page.get_by_label("Grades", exact=True).select_option(label="A to D (every award)")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"grade=AD"))
    comparison = page.get_by_role("table", name=re.compile("percentage of the Leavers cohort"))
    assert _cells(comparison, "3 or more")[0] == "100.0%"
    assert _cells(comparison, "4 or more")[0] == "0.0%"

    # The chart reads with the keyboard, figure by figure.
    chart = page.locator("figure.portal-chart").first
    chart.wait_for(state="visible")
    chart.locator(".portal-chart__frame").focus()
    page.keyboard.press("ArrowRight")
    expect(chart.locator("[data-chart-status]")).to_have_text(re.compile(r"^1 or more: "), use_inner_text=True)
    assert_accessible(page, label="Breadth and Depth, leavers, A-D")

    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Breadth and Depth at 320 px")
    screenshot(page, "breadth-depth-320")


def test_staff_read_why_another_schools_figures_and_their_authoritys_are_withheld(
    page: Page, live_server: Any, reference_data: None
) -> None:
    """Three schools in Edinburgh. Our staff see our figures and Edinburgh as c (the other two
    schools would be it), with the note saying why; on another school's page every figure is c,
    with the note saying who sees them. Axe clean; 320 px."""
    from django.core.cache import cache

    from insight.pages.parts import LOCAL_NOTE
    from tests.insight.local.test_local_aggregates import _places

    cache.clear()
    ((ours, theirs, _),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10])])
    sign_in(page, live_server, member(Role.ESTABLISHMENT_STAFF, establishment=ours))
    page.goto(f"{live_server.url}/insight/establishments/{ours.seed_code}/breadth-depth/")
    comparison = page.get_by_role("table", name=re.compile("percentage of the S4 cohort"))
    assert _cells(comparison, "1 or more")[0] == "75.0%"
    assert _cells(comparison, "1 or more")[2:] == ["c", "c"]  # City of Edinburgh and Scotland
    expect(page.locator("#aggregate-note")).to_contain_text("Figures of City of Edinburgh and Scotland show c")
    assert_accessible(page, label="Breadth and Depth, authority withheld")
    screenshot(page, "breadth-depth-aggregate-note-1280")

    page.goto(f"{live_server.url}/insight/establishments/{theirs.seed_code}/breadth-depth/")
    assert LOCAL_NOTE in page.locator("main").inner_text()
    grid = page.get_by_role("table", name=re.compile(f"^Breadth and Depth: {re.escape(theirs.name)}"))
    assert _cells(grid, "1 or more") == ["c"] * 5
    assert_accessible(page, label="Breadth and Depth, another school")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Breadth and Depth, another school, at 320 px")
    screenshot(page, "breadth-depth-another-school-320")


def test_an_analyst_adds_a_comparator_group_to_a_schools_breadth_and_depth(
    page: Page, live_server: Any, reference_data: None
) -> None:
    """Edinburgh's analyst chooses their group of three of its schools in the filter form: the group's
    column (53 of 75 with 1 or more at level 5) stands beside the school's. Axe clean; 320 px."""
    from django.core.cache import cache

    from insight.groups.models import ComparatorGroup
    from tests.insight.local.test_local_aggregates import _places

    cache.clear()
    ((a, b, c_, _d),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10]), (22, [16, 11])])
    analyst = member(Role.AUTHORITY_ANALYST, authority=a.authority)
    group = ComparatorGroup.objects.create(owner=analyst, name="Three of ours")
    group.members.set([a, b, c_])
    sign_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/insight/establishments/{a.seed_code}/breadth-depth/")
    page.get_by_label("Comparator group", exact=True).select_option(label="Three of ours")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"group={group.pk}"))
    comparison = page.get_by_role("table", name=re.compile("percentage of the S4 cohort"))
    school, vc, in_group = _cells(comparison, "1 or more")[:3]
    assert (school, in_group) == ("75.0%", "70.7%") and vc.endswith("no data")  # no VC in this world
    assert_accessible(page, label="Breadth and Depth with a comparator group")
    screenshot(page, "breadth-depth-group-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Breadth and Depth with a comparator group at 320 px")
    screenshot(page, "breadth-depth-group-320")
