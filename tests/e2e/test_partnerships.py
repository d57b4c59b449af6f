"""Learning partners in a real browser.

The head teacher of school A finds school B in Find Partners and proposes; B's head teacher sees
the proposal under requests received and accepts; A then sees B's small-number figures that were
withheld before. A's staff cannot propose. axe finds no serious or critical violation on any of
these pages, and they reflow at 320 CSS px.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from partnerships.models import Partnership, Status
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.insight.worlds import build_ranked_world

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, label: str) -> None:
    """axe at desktop width, then reflow and axe again at 320 px."""
    assert_accessible(page, label=label)
    screenshot(page, re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    screenshot(page, re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-320")
    page.set_viewport_size(DESKTOP)


def partner_row(page: Page, name: str) -> Locator:
    table = page.get_by_role("table", name=re.compile("ranked by"))
    return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(name)))


def row_cells(row: Locator) -> list[str]:
    return [t.strip() for t in row.get_by_role("cell").all_inner_texts()]


def withheld_count(page: Page) -> int:
    """Table cells showing "c" (withheld) in the main content."""
    return page.locator("main td").filter(has_text=re.compile(r"^\s*c\s*$")).count()


def test_head_teachers_agree_a_partnership_and_see_each_others_figures(
    page: Page, live_server: Any, world: Any, settings: Any
) -> None:
    settings.PORTAL_BASE_URL = live_server.url
    build_ranked_world(world)
    head_a, head_b = world.personas["admin_a"], world.personas["admin_b"]
    b = world.school_b

    # --- A's head teacher finds B -----------------------------------------------------------
    sign_in(page, live_server, head_a)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning Partnerships").click()
    page.wait_for_url(f"{live_server.url}/partnerships/")
    assert page.get_by_role("heading", level=1).inner_text() == "View Partnerships"
    check_page(page, "View Partnerships, nothing yet")
    page.get_by_role("navigation", name="Learning Partnerships").get_by_role("link", name="Find Partners").click()
    page.wait_for_url(f"{live_server.url}/insight/find-partners/")
    assert page.get_by_role("heading", level=1).inner_text() == "Find Partners"
    first = page.get_by_role("table", name=re.compile("ranked by")).get_by_role("row").nth(1)
    assert "Alpha High School" in first.inner_text() and "Your school" in first.inner_text()
    check_page(page, "Find Partners, Insight closeness")

    # Filter to B's authority (the filters are in a collapsed panel), then the performance tab.
    page.locator("summary", has_text="Change the ranking").click()
    page.get_by_label("Local authority").select_option(label="Glasgow City")
    page.get_by_role("button", name="Show schools").click()
    page.wait_for_url(re.compile(r"authority=260"))
    page.get_by_role("link", name="National benchmarking performance").click()
    page.wait_for_url(re.compile(r"tab=performance"))
    row = partner_row(page, "Bravo Secondary")
    before = row_cells(row)
    assert "c" in before, before  # B's lowest 20% rest on 3 leavers: withheld from A
    assert page.locator("#suppression-note").is_visible()
    check_page(page, "Find Partners, national benchmarking performance")

    # The explanation of the rank opens in place.
    page.get_by_role("link", name="Insight closeness").click()
    page.wait_for_url(re.compile(r"find-partners/\?authority=260$"))
    why = partner_row(page, "Bravo Secondary").locator("summary")
    why.click()
    expect(partner_row(page, "Bravo Secondary").locator("details")).to_contain_text("Ranked", use_inner_text=True)

    # Change Establishment: B's benchmark dashboard, as A may see it (small numbers withheld).
    dashboard = reverse("insight:establishment_dashboard", kwargs={"seed": b.seed_code})
    with page.expect_navigation():
        partner_row(page, "Bravo Secondary").get_by_role("link", name=re.compile("Change Establishment")).click()
    assert page.url.endswith(dashboard)
    dashboard_withheld_before = withheld_count(page)
    assert dashboard_withheld_before > 0
    assert_accessible(page, label="B's dashboard seen by A before the partnership")
    page.go_back()

    # Propose, with a message, through the confirmation page.
    partner_row(page, "Bravo Secondary").get_by_role("link", name=re.compile("Propose Partnership")).click()
    page.wait_for_url(re.compile(r"/partnerships/propose/\?partner="))
    assert page.get_by_role("heading", level=1).inner_text() == "Propose a learning partnership"
    check_page(page, "Propose a partnership")
    page.get_by_label(re.compile("Message to Bravo Secondary")).fill("We would like to compare notes on S4 leavers.")
    page.get_by_role("button", name="Propose partnership").click()
    page.wait_for_url(re.compile(r"/insight/find-partners/"))
    assert "Partnership proposed to Bravo Secondary" in page.locator("main").inner_text()
    assert "Proposal sent" in partner_row(page, "Bravo Secondary").inner_text()
    assert partner_row(page, "Bravo Secondary").get_by_role("link", name=re.compile("Propose Partnership")).count() == 0
    sign_out(page, live_server)
    # B's head teacher is e-mailed with a link that works outside the portal (absolute).
    (email,) = [m for m in mail.outbox if m.to == [head_b.email] and "learning partnership" in m.subject]
    assert f"{live_server.url}/partnerships/" in email.body

    # --- B's head teacher sees it waiting, and accepts -----------------------------------------
    sign_in(page, live_server, head_b)
    waiting = page.locator(".portal-waiting")
    assert " ".join(waiting.inner_text().split()).startswith("1 waiting for you"), waiting.inner_text()
    assert "1 request or notice waiting" in page.locator(".portal-guide").inner_text()
    page.goto(f"{live_server.url}/partnerships/")
    received = page.get_by_role("table", name=re.compile("Partnership requests received"))
    assert "Alpha High School" in received.inner_text() and world.school_a.seed_code in received.inner_text()
    assert "Alpha High School (" in page.get_by_role("heading", name=re.compile("New for")).locator("..").inner_text()
    check_page(page, "View Partnerships, a request received")
    received.get_by_role("link", name=re.compile("^Accept")).click()
    page.wait_for_url(re.compile(r"/partnerships/\d+/accept/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Accept the partnership proposal"
    check_page(page, "Accept a proposal")
    page.get_by_role("button", name="Accept partnership").click()
    page.wait_for_url(f"{live_server.url}/partnerships/")
    existing = page.get_by_role("table", name=re.compile("Learning partners of Bravo Secondary"))
    assert "Alpha High School" in existing.inner_text()
    check_page(page, "View Partnerships, a partner")
    assert Partnership.objects.get().status == Status.ACTIVE
    # Accepting handled the proposal: nothing waits any more, and its notice is no longer "New".
    assert page.locator(".portal-waiting").count() == 0
    assert page.get_by_role("heading", name=re.compile("New for")).count() == 0
    # What B's own head teacher sees withheld on B's dashboard: only other places' figures (its
    # authority's, for instance), never B's own.
    page.goto(f"{live_server.url}{dashboard}")
    withheld_for_own_school = withheld_count(page)
    sign_out(page, live_server)

    # --- A now sees B's small numbers ------------------------------------------------------------
    sign_in(page, live_server, head_a)
    page.goto(f"{live_server.url}/insight/find-partners/?tab=performance&authority=260")
    after = row_cells(partner_row(page, "Bravo Secondary"))
    assert "c" not in after, after
    assert len(after) == len(before)
    changed = [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x == "c"]
    assert changed and all(re.fullmatch(r"[\d,.]+%?", after[i]) for i in changed), (before, after)
    assert "Learning partner" in partner_row(page, "Bravo Secondary").inner_text()
    check_page(page, "Find Partners after the partnership")
    page.goto(f"{live_server.url}{dashboard}")
    withheld_after = withheld_count(page)
    assert withheld_after < dashboard_withheld_before
    assert withheld_after == withheld_for_own_school  # B's figures are shown to A as to B itself
    assert "learning partners" in page.locator("main").inner_text()
    assert_accessible(page, label="B's dashboard seen by its partner A")


def test_staff_of_a_school_cannot_propose(page: Page, live_server: Any, world: Any) -> None:
    build_ranked_world(world)
    sign_in(page, live_server, world.personas["staff_a"])
    page.goto(f"{live_server.url}/insight/find-partners/")
    assert page.get_by_role("heading", level=1).inner_text() == "Find Partners"
    assert page.get_by_role("link", name=re.compile("Propose Partnership")).count() == 0
    assert "Only its Learning Partner Administrator" in page.locator("main").inner_text()
    assert page.get_by_role("link", name=re.compile("Change Establishment")).count() >= 8
    check_page(page, "Find Partners for staff")
    # Going to the proposal page directly is refused in the portal's layout.
    page.goto(f"{live_server.url}/partnerships/propose/?partner={world.school_b.seed_code}")
    assert page.get_by_role("heading", level=1).inner_text() == "You do not have access to this page"
    assert "Learning Partner Administrator" in page.locator("main").inner_text()
    assert_accessible(page, label="403 on propose for staff")
    page.goto(f"{live_server.url}/partnerships/")
    assert "Only its Learning Partner Administrator" in page.locator("main").inner_text()
    assert not Partnership.objects.exists()


def test_find_partners_fits_the_screen(page: Page, live_server: Any, world: Any) -> None:
    """At 1280x900 the first ranked school and its Propose button show without scrolling; at 320 px
    every row's actions are on screen without scrolling the page sideways."""
    build_ranked_world(world)
    sign_in(page, live_server, world.personas["admin_a"])
    page.goto(f"{live_server.url}/insight/find-partners/")
    rows = page.get_by_role("table", name=re.compile("ranked by")).locator("tbody tr")
    first_ranked = rows.nth(1)  # row 0 is the user's own school, pinned
    assert "Your school" in rows.nth(0).inner_text()
    propose = first_ranked.get_by_role("link", name=re.compile("Propose Partnership"))
    for element in (first_ranked.get_by_role("rowheader"), propose):
        box = element.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= DESKTOP["height"], box
    assert page.evaluate("window.scrollY") == 0

    page.set_viewport_size(NARROW)
    assert_reflows(page, label="Find Partners at 320px")
    count = rows.count()
    assert count >= 8
    for i in range(1, count):
        for link in rows.nth(i).get_by_role("link").all():
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], (i, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
