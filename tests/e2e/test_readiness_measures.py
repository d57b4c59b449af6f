"""Browser: a guidance teacher records a next action that is already overdue and finds the pupil
with the board's overdue filter; an authority analyst opens the readiness measures from the menu
(chart drawn beside its table, aggregates only, never the board); a national analyst opens
Scotland's. axe (no serious or critical violations) and 320 px reflow on each page."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

from destinations.models import PathwayRecord
from destinations.pathways import services
from destinations.pathways.selectors import session_of
from tests.destinations.pathway_worlds import pupil
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, "readiness-measures-" + re.sub(r"[^a-z0-9]+", "-", label.lower()))
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    page.set_viewport_size(DESKTOP)


def test_overdue_actions_on_the_board_and_the_measures_for_analysts(page: Page, live_server: Any, world: Any) -> None:
    year = session_of(timezone.localdate())
    ava = pupil(world.school_a, "Ava", "S6", year, family="Sixth")
    for i in range(6):  # enough pupils for figures a national analyst may see
        p = pupil(world.school_a, f"Pupil{i}", "S6", year, family="Cohort")
        if i % 2:
            services.pathway_record_create(learner=p, by=None, intended_category="FE")
    teacher = world.personas["staff_a"]

    # The guidance teacher records a next action due last week.
    sign_in(page, live_server, teacher)
    page.goto(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/edit/")
    page.get_by_label("Next action (optional)").fill("Book a careers interview")
    due = timezone.localdate() - dt.timedelta(days=7)
    page.get_by_label("Next action due by (optional)").fill(due.isoformat())
    page.get_by_role("button", name="Save pathway").click()
    page.wait_for_url(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/")
    assert page.get_by_text("Book a careers interview").is_visible()
    assert page.get_by_text("Overdue", exact=True).is_visible()
    assert PathwayRecord.objects.get(learner=ava, superseded_at=None).next_action_owner is None  # no key worker

    # The board's overdue filter finds her, and only her.
    page.goto(f"{live_server.url}/destinations/readiness/")
    page.get_by_label("Next action").select_option(label="Overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/destinations/readiness/\?.*action=overdue"))
    names = page.locator("#readiness-board tbody th[scope=row] a").all_inner_texts()
    assert [n.strip() for n in names] == ["Sixth, Ava"]
    assert page.locator("#count-overdue").inner_text() == "1"
    check_page(page, "board with overdue actions")
    sign_out(page, live_server)

    # The authority analyst: the measures from the menu, aggregates only.
    sign_in(page, live_server, world.personas["analyst_x"])
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Leaver readiness").count() == 0
    nav.get_by_role("link", name="Readiness measures").click()
    page.wait_for_url(f"{live_server.url}/destinations/readiness/measures/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Readiness measures: {world.authority_x.name}"
    page.locator("figure.portal-chart canvas").first.wait_for(state="visible")
    assert page.locator("figure.portal-chart:not([hidden])").count() == 2
    units = page.locator("#units-table tbody th[scope=row]").all_inner_texts()
    assert [u.strip() for u in units] == [world.school_a.name]
    assert "Sixth" not in page.content() and "Cohort" not in page.content()
    check_page(page, "authority analyst")
    sign_out(page, live_server)

    # The national analyst: Scotland, its authorities.
    sign_in(page, live_server, world.personas["national"])
    page.goto(f"{live_server.url}/destinations/readiness/measures/?scope=scotland")
    assert page.get_by_role("heading", level=1).inner_text() == "Readiness measures: Scotland"
    assert page.locator("#units-table tbody th[scope=row]", has_text=world.authority_x.name).count() == 1
    check_page(page, "national analyst")
