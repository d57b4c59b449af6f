"""A head teacher reads one course of their school in the Course Comparator (issue 12).

Signs in, opens *Courses* under *Local measures* from the menu, follows National 5 English from
the course list, reads the grade bands beside the virtual comparator and the grade difference,
reads the chart with the keyboard; axe (no serious or critical violation) and 320 px reflow.
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


def test_head_teacher_opens_one_course(page: Page, live_server: Any, reference_data: None) -> None:
    from django.core.cache import cache

    cache.clear()
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    school = example["schools"]["K"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)

    sign_in(page, live_server, head)
    page.goto(live_server.url + "/insight/breadth-depth/")
    page.get_by_role("navigation", name="Local measures").get_by_role("link", name="Courses").click()
    page.wait_for_url(re.compile(rf"/insight/establishments/{school.seed_code}/courses/"))
    sub = page.get_by_role("navigation", name="Local measures").get_by_role("link", name="Courses")
    assert sub.get_attribute("aria-current") == "true"
    listing = page.get_by_role("table", name=re.compile("^Courses presented by Kelvinbank Academy"))
    assert_accessible(page, label="Courses, S4")
    # English at National 4 (Ben) is listed before National 5 (Ava and Cara): take the National 5 row.
    listing.get_by_role("row").filter(has_text="National 5").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/courses/ENG-N5-5/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("English, National 5 (SCQF level 5)")
    bands = page.get_by_role("table", name=re.compile("percentage of entries at each grade band"))
    assert _cells(bands, "A to C")[:2] == ["100.0%", "0.0%"]
    assert _cells(bands, "A to D")[:2] == ["100.0%", "100.0%"]
    difference = page.get_by_role("table", name=re.compile("other graded courses"))
    assert _cells(difference, "Kelvinbank Academy") == ["+0.50", "2"]
    screenshot(page, "course-1280")

    chart = page.locator("figure.portal-chart").first
    chart.wait_for(state="visible")
    chart.locator(".portal-chart__frame").focus()
    page.keyboard.press("ArrowRight")
    expect(chart.locator("[data-chart-status]")).to_have_text(re.compile(r"^A: "), use_inner_text=True)
    assert_accessible(page, label="One course")

    page.set_viewport_size(NARROW)
    assert_reflows(page, label="One course at 320 px")
    screenshot(page, "course-320")


def test_school_staff_read_why_their_authority_grades_are_withheld(page: Page, live_server: Any,
                                                                   reference_data: None) -> None:
    """Edinburgh's two schools sat the course: beside their own school's grades, Edinburgh's (and
    Scotland's) would be the other school's, so the staff read c there, the entries, and why."""
    from django.core.cache import cache

    from tests.insight.local.test_course_graded_aggregates import two_school_authority

    cache.clear()
    ours, _, _, key = two_school_authority()
    sign_in(page, live_server, member(Role.ESTABLISHMENT_STAFF, establishment=ours))
    page.goto(f"{live_server.url}/insight/establishments/{ours.seed_code}/courses/{key}/?stage=S4&year=2024")
    bands = page.get_by_role("table", name=re.compile("percentage of entries at each grade band"))
    assert _cells(bands, "A to C")[0] == "70.0%"
    assert _cells(bands, "A to C")[2:] == ["c", "c"]  # City of Edinburgh, Scotland
    entries = page.get_by_role("table", name=re.compile(r": entries \("))
    assert _cells(entries, "2023")[2:] == ["50", "50"]
    note = page.locator("#aggregate-note")
    assert "City of Edinburgh and Scotland" in note.inner_text()
    screenshot(page, "course-aggregate-withheld-1280")
    assert_accessible(page, label="One course, grades of the authority withheld")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="One course, grades of the authority withheld, at 320 px")
    screenshot(page, "course-aggregate-withheld-320")
