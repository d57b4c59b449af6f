"""A head teacher signs in through the real login page and uses the portal in a real browser.

Checks on the way: axe (no serious or critical violations) on every page visited, the skip link
is the first thing the keyboard reaches, and pages reflow at 320 CSS px without sideways scrolling.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_head_teacher_signs_in_and_uses_the_portal(page: Page, live_server: Any, world: Any) -> None:
    head = world.personas["admin_a"]
    school = world.school_a

    # The sign-in page: design-system layout, labelled fields, no accessibility failures.
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.title() == "Sign in \u2013 Insight Portal"
    assert page.locator("html").get_attribute("lang") == "en-GB"
    assert_accessible(page, label="sign-in page")
    screenshot(page, "login-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="sign-in page")
    screenshot(page, "login-320")
    page.set_viewport_size(DESKTOP)

    sign_in(page, live_server, head)

    # The dashboard: their school, the main menu and the first-visit guide.
    h1 = page.get_by_role("heading", level=1)
    assert h1.inner_text() == "Alpha High School"
    main_nav = page.get_by_role("navigation", name="Main")
    assert main_nav.get_by_role("link", name="Dashboard").get_attribute("aria-current") == "page"
    assert main_nav.get_by_role("link", name="Data hub").is_visible()
    # One role: no "Viewing as" switcher (it appears only for users with several roles).
    assert page.get_by_label("Viewing as").count() == 0
    assert page.get_by_role("heading", name="What you can do here").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    table = page.get_by_role("table", name=re.compile("Leavers from Alpha High School"))
    assert table.get_by_role("rowheader", name="2023/24").is_visible()
    assert_accessible(page, label="dashboard")
    screenshot(page, "dashboard-1280")

    # Keyboard: the first Tab from the top of the page lands on the skip link, which leads to main.
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()  # the skip link's script moves the focus

    # Reflow at 320 px: no sideways scrolling; the menu collapses behind a keyboard-operable button.
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="dashboard")
    menu_button = page.locator("button.js-toggle-menu")
    assert menu_button.is_visible()
    assert menu_button.get_attribute("aria-expanded") == "false"
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")  # the menu's script opens it
    expect(page.locator("#mobile-navigation").get_by_role("link", name="Data hub")).to_be_visible()
    assert_accessible(page, label="dashboard at 320px with the menu open")
    screenshot(page, "dashboard-320-menu-open")
    page.keyboard.press("Enter")
    screenshot(page, "dashboard-320")
    page.set_viewport_size(DESKTOP)

    # The data hub lists their school; its page opens from the list.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Data hub").click()
    page.wait_for_url(f"{live_server.url}/datahub/")
    assert page.get_by_role("heading", level=1).inner_text() == "Data hub"
    assert_accessible(page, label="data hub index")
    page.get_by_label("Search").fill("Alpha High")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/datahub/\?"))
    assert_accessible(page, label="data hub search results")
    screenshot(page, "datahub-search-1280")
    page.get_by_role("link", name="Alpha High School").click()
    page.wait_for_url(f"{live_server.url}/datahub/establishments/{school.seed_code}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alpha High School"
    assert_accessible(page, label="establishment page")
    screenshot(page, "establishment-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="establishment page")
    screenshot(page, "establishment-320")
    page.set_viewport_size(DESKTOP)

    # The accessibility statement, linked from the footer.
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    page.wait_for_url(f"{live_server.url}/accessibility/")
    assert "Accessibility statement" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", name="Enforcement procedure").is_visible()
    assert_accessible(page, label="accessibility statement")
    screenshot(page, "accessibility-1280")

    # Sign out from the account bar.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to Insight Portal"


@pytest.mark.parametrize(
    ("persona", "heading", "caption"),
    [
        ("analyst_x", "Aberdeen City", "Secondary schools in Aberdeen City"),
        ("national", "Scotland", "Leavers by local authority"),
    ],
)
def test_authority_and_national_dashboards_are_accessible(
    page: Page, live_server: Any, world: Any, persona: str, heading: str, caption: str
) -> None:
    sign_in(page, live_server, world.personas[persona])
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("table", name=re.compile(caption)).is_visible()
    if persona == "national":
        # One leaver per authority: withheld from a national analyst, and the "c" is explained.
        assert page.locator("#suppression-note").is_visible()
    assert_accessible(page, label=f"{persona} dashboard")
    screenshot(page, f"dashboard-{persona}-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=f"{persona} dashboard")
    screenshot(page, f"dashboard-{persona}-320")


def test_record_account_and_error_pages_are_accessible(page: Page, live_server: Any, world: Any) -> None:
    """The other page types, each through axe: learner records, account pages, errors, sign-in error."""
    school = world.school_a
    learner = world.learner_a

    # A failed sign-in shows an error summary and says so in the page title.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email", exact=True).fill(world.personas["staff_a"].email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    # The sign-in page again, at the same URL (the load state is the old page's): awaited.
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("alert").get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page, label="sign-in page with an error")

    page.goto(f"{live_server.url}/accounts/password/reset/")
    assert_accessible(page, label="password reset")

    sign_in(page, live_server, world.personas["staff_a"])

    pages = [
        (f"/datahub/establishments/{school.seed_code}/learners/", "Leavers"),
        (f"/datahub/learners/{learner.pk}/", f"{learner.given_name} {learner.family_name}"),
        ("/accounts/password/change/", None),
        ("/accounts/dashboards/", "Dashboards"),
        ("/accounts/2fa/", None),
        ("/accounts/2fa/totp/activate/", None),
        ("/accounts/logout/", None),
        ("/no-such-page/", "Page not found"),
        (f"/datahub/establishments/{world.school_b.seed_code}/", "Page not found"),
    ]
    for path, heading in pages:
        page.goto(f"{live_server.url}{path}")
        if heading:
            assert page.get_by_role("heading", level=1).inner_text() == heading, path
        assert page.locator("main#main-content").count() == 1, path
        assert_accessible(page, label=path)
        screenshot(page, "page" + re.sub(r"[^a-z0-9]+", "-", path).rstrip("-"))
        page.set_viewport_size(NARROW)
        assert_reflows(page, label=path)
        page.set_viewport_size(DESKTOP)

    # An analyst covers the school but may not see its learners: a 403 page in the portal's layout.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    sign_in(page, live_server, world.personas["analyst_x"])
    page.goto(f"{live_server.url}/datahub/establishments/{school.seed_code}/learners/")
    assert page.get_by_role("heading", level=1).inner_text() == "You do not have access to this page"
    assert_accessible(page, label="403 page")
