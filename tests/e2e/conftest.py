"""End-to-end fixtures: a headless Chromium driven by Playwright, and an axe accessibility check.

The browser is Debian's /usr/bin/chromium (PLAYWRIGHT_CHROMIUM overrides it); Playwright never
downloads one (do not run `playwright install`). Pages are served by pytest-django's
``live_server``, which needs a transactional database, so every e2e test is marked
``@pytest.mark.django_db(transaction=True)``.

Set E2E_SCREENSHOT_DIR to a folder to keep screenshots that tests take with ``screenshot()``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

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
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
NARROW: ViewportSize = {"width": 320, "height": 800}  # WCAG 2.2 SC 1.4.10 reflow width (400% of 1280)

# axe impacts that fail a test; "moderate" and "minor" are printed as warnings.
FAILING_IMPACTS = {"serious", "critical"}


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
def reference_data(db: None) -> None:
    """The 32 authorities, subjects and default tariff that migration 0002 loads.

    Tests run with --no-migrations, and transactional tests flush every table afterwards, so the
    reference rows are (re)loaded for each e2e test with the migration's own idempotent loader.
    """
    from django.apps import apps

    migration = importlib.import_module("datahub.migrations.0002_reference_data")
    migration.load(apps, None)


@pytest.fixture
def world(reference_data: None, world: Any) -> Any:
    """tests/conftest.py's world, with the reference data it relies on loaded first."""
    return world


def assert_accessible(page: Page, *, label: str = "") -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    # Let layout-driven scripts settle (portal.js sets tabindex on scrolling tables from a
    # ResizeObserver, which runs at the next frame after a viewport change).
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    results = Axe().run(page)
    violations = results.response["violations"]
    where = label or page.url
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    others = [v for v in violations if v.get("impact") not in FAILING_IMPACTS]
    for v in others:
        print(f"axe warning on {where}: {v['id']} ({v['impact']}): {v['help']} x{len(v['nodes'])}")
    if failing:
        lines = [f"axe found {len(failing)} serious/critical accessibility violation(s) on {where}:"]
        for v in failing:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for node in v["nodes"][:10]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')}")
                lines.append(f"      {node.get('html', '')[:300]}")
        report = "\n".join(lines)
        print(report)
        pytest.fail(report, pytrace=False)


def assert_reflows(page: Page, *, label: str = "") -> None:
    """At the current (narrow) viewport the page itself must not scroll sideways.

    Wide data tables may scroll inside their own focusable region (.portal-table-scroll).
    """
    widths = page.evaluate(
        """() => {
            const view = document.documentElement.clientWidth;
            const wide = [];
            for (const el of document.body.querySelectorAll('*')) {
                if (el.parentElement.closest('.portal-table-scroll')) continue;  // scrolls inside its region
                const r = el.getBoundingClientRect();
                if (r.width && r.right > view + 1) {
                    wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: right ${Math.round(r.right)}px`);
                }
            }
            return {doc: document.documentElement.scrollWidth, view, wide: wide.slice(0, 15)};
        }"""
    )
    assert widths["doc"] <= widths["view"], (
        f"{label or page.url} scrolls sideways at {widths['view']}px: content is {widths['doc']}px wide; "
        f"too wide: {widths['wide']}"
    )


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot when E2E_SCREENSHOT_DIR is set (for reviews and CI artefacts)."""
    folder = os.environ.get("E2E_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
