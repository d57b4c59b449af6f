"""Signing in and out through the real pages, shared by the browser tests (the world itself is
tests/conftest.py's ``world`` fixture, with reference data loaded by tests/e2e/conftest.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tests.factories import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page


def sign_in(page: Page, live_server: Any, user: Any, lands_on: str = "/") -> None:
    """Sign in on the login page with the test password and land on the home page (``lands_on``:
    the path it redirects this user to, e.g. a partner organisation member's communities)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{lands_on}")


def sign_out(page: Page, live_server: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
