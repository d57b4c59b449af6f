"""End-to-end fixtures: a headless Chromium driven by Playwright, and the world with reference data.

The browser is Debian's /usr/bin/chromium (PLAYWRIGHT_CHROMIUM overrides it); Playwright never
downloads one (do not run `playwright install`). Pages are served by pytest-django's
``live_server``, which needs a transactional database, so every e2e test is marked
``@pytest.mark.django_db(transaction=True)``.

The checks a test runs on a page (axe, 320 px reflow, screenshots) are in tests/e2e/checks.py;
signing in is in tests/e2e/worlds.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.checks import DESKTOP

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make from the
# same thread are safe here (no concurrent coroutine touches the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: apt-get install -y --no-install-recommends chromium, "
            "or set PLAYWRIGHT_CHROMIUM. Deselect these tests with -m 'not e2e'."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def world(reference_data: None, world: Any) -> Any:
    """tests/conftest.py's world, with the reference data it relies on loaded first.

    Tests run with --no-migrations, and transactional tests flush every table afterwards, so the
    reference rows (tests/conftest.py ``reference_data``) are reloaded for each e2e test.
    """
    return world
