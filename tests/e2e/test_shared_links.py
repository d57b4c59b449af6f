"""Copy link in a real browser: a head teacher copies the link of a dashboard view, a colleague
opens it and sees the same tables; when the browser will not copy, the link is shown selected.

Keyboard only for the control; axe (no serious or critical violation) with the control in both
states, and 320 px reflow with the fallback field showing.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

import pytest

from datahub.models import Role
from insight.benchmarking import columns as c
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import member
from tests.insight.worlds import build_dash_world

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TABLES = ("leavers", "breakdown", "breakdown-trend", "deprivation", "vocational")


def shown_tables(page: Page) -> dict[str, str]:
    return {t: page.locator(f"#table-{t}").inner_text() for t in TABLES}


def test_a_head_teacher_copies_a_dashboard_link_and_a_colleague_opens_the_same_view(
    page: Page, browser: Browser, live_server: Any, reference_data: None
) -> None:
    from django.core.cache import cache

    from insight import selectors

    selectors.forget_computed()
    cache.clear()
    dash = build_dash_world()
    school = dash.schools["X1"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    colleague = member(Role.ESTABLISHMENT_STAFF, establishment=school)
    year = str(dash.run.years[0])

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, head)
    page.goto(
        f"{live_server.url}/insight/establishments/{school.seed_code}/"
        f"?breakdown={c.CARE_EXPERIENCED}&year={year}#breakdowns"
    )
    button = page.get_by_role("button", name=re.compile("^Copy link"))
    assert button.is_visible()
    field = page.get_by_label("Link to this view")
    assert not field.is_visible()  # tucked away while the button can copy
    assert_accessible(page, label="establishment dashboard with Copy link")

    # Keyboard: focus the button and press Enter; the live region confirms.
    button.focus()
    page.keyboard.press("Enter")
    status = page.locator("[data-share-status]")
    page.wait_for_function("() => document.querySelector('[data-share-status]').textContent.includes('Link copied')")
    assert status.get_attribute("aria-live") == "polite"
    screenshot(page, "share-link-copied-1280")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert link == field.input_value()
    query = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert query == {"breakdown": c.CARE_EXPERIENCED, "measure": c.AVG_TOTAL_TARIFF, "year": year}
    seen = shown_tables(page)

    # The colleague's browser will not copy (no Clipboard API): the field appears, focused, with
    # the whole link selected, and the live region says how to copy it.
    other = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    other.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});")
    theirs = other.new_page()
    try:
        sign_in(theirs, live_server, colleague)
        theirs.goto(link)
        assert shown_tables(theirs) == seen  # the same view, cell for cell
        theirs.get_by_role("button", name=re.compile("^Copy link")).focus()
        theirs.keyboard.press("Space")
        fallback = theirs.get_by_label("Link to this view")
        fallback.wait_for(state="visible")
        selection = theirs.evaluate(
            "() => { const f = document.activeElement; "
            "return [f.id, f.selectionStart, f.selectionEnd, f.value.length, f.readOnly]; }"
        )
        assert selection[0] == "share-url" and selection[1] == 0 and selection[2] == selection[3] and selection[4]
        theirs.wait_for_function(
            "() => document.querySelector('[data-share-status]').textContent.includes('press Ctrl+C')"
        )
        assert fallback.input_value() == link
        assert_accessible(theirs, label="establishment dashboard with the link shown to copy by hand")
        theirs.set_viewport_size(NARROW)
        theirs.locator("[data-share-link]").scroll_into_view_if_needed()
        assert_reflows(theirs, label="Copy link fallback at 320 px")
        assert_accessible(theirs, label="Copy link fallback at 320 px")
        screenshot(theirs, "share-link-fallback-320")
    finally:
        other.close()


def test_find_partners_link_opens_the_same_list_for_a_colleague(
    page: Page, browser: Browser, live_server: Any, world: Any
) -> None:
    from tests.insight.worlds import build_ranked_world

    build_ranked_world(world)
    a = world.school_a
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, world.personas["admin_a"])
    page.goto(f"{live_server.url}/insight/find-partners/?tab=performance&authority={a.authority.code}&sort=name")
    page.get_by_role("button", name=re.compile("^Copy link")).click()
    page.wait_for_function("() => document.querySelector('[data-share-status]').textContent.includes('Link copied')")
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert {k: v[0] for k, v in parse_qs(urlparse(link).query).items()} == {
        "school": a.seed_code,
        "tab": "performance",
        "basis": "performance",
        "authority": str(a.authority.code),
        "sort": "name",
        "dir": "asc",
    }
    ranking = page.get_by_role("table", name=re.compile("ranked by"))
    seen = [t.strip() for t in ranking.get_by_role("cell").all_inner_texts()]
    assert_accessible(page, label="Find Partners with Copy link")
    screenshot(page, "share-link-find-partners-1280")

    other = browser.new_context(viewport=NARROW, locale="en-GB", timezone_id="Europe/London")
    theirs = other.new_page()
    try:
        sign_in(theirs, live_server, world.personas["staff_a"])
        theirs.goto(link)
        ranking = theirs.get_by_role("table", name=re.compile("ranked by"))
        assert [t.strip() for t in ranking.get_by_role("cell").all_inner_texts()] == seen
        assert_reflows(theirs, label="Find Partners from a link at 320 px")
        assert_accessible(theirs, label="Find Partners from a link at 320 px")
        screenshot(theirs, "share-link-find-partners-320")
    finally:
        other.close()
