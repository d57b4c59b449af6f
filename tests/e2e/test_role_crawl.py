"""Every demo role's first hour (issue 14): sign in as each demo login, follow every link of the
menus (main menu, its sub-menu, footer) to depth 2, and on every page reached: no 4xx/5xx, no
console error, and axe (WCAG 2.2 AA tags) finds no violation at all, whatever its impact.

The world is the demo generator's hidden ``tiny`` scale with one benchmark run, so every page has
real figures. Depth 2: the links of the home page's menus, then the links of the menus of each
page they lead to (sub-menus appear there). Each page is checked once per role.
"""

from __future__ import annotations

import time
from functools import partial
from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, ConsoleMessage, Error, Page

from insight.demo.generate import generate_demo_data
from insight.demo.users import DEMO_PASSWORD, DEMO_USERS
from tests.e2e.checks import DESKTOP

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Pages whose content is the same for every role: axe checks them once per crawl (the menus around
# them are checked on every role's own pages); status and console are checked for every role.
SAME_FOR_EVERY_ROLE = {"/api/docs/", "/insight/methodology/", "/accessibility/"}
MENU_LINKS = ".ds_site-header__navigation nav a, .portal-subnav a, .ds_site-footer a"


@pytest.fixture
def demo_world(reference_data: None) -> None:
    t = time.monotonic()
    generate_demo_data(scale="tiny", seed=5, years=2)
    t2 = time.monotonic()
    call_command("run_benchmarks", "--wait", stdout=StringIO())
    print(f"demo data {t2 - t:.1f} s, benchmark run {time.monotonic() - t2:.1f} s")


def _on_console(errors: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        errors.append(message.text)


def _on_page_error(errors: list[str], error: Error) -> None:
    errors.append(str(error))


def _menu_links(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(MENU_LINKS, "els => els.map(e => e.href)")
    out = []
    for h in hrefs:
        parts = urlsplit(h)
        if f"{parts.scheme}://{parts.netloc}" == origin and not parts.path.startswith("/admin/"):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def _check(page: Page, origin: str, path: str, errors: list[str], who: str, axed: set[str]) -> list[str]:
    """Visit ``path``; return the problems found there."""
    from axe_playwright_python.sync_playwright import Axe

    errors.clear()
    t = time.monotonic()
    response = page.goto(origin + path)
    t_load = time.monotonic() - t
    problems = []
    status = response.status if response else 0
    if status >= 400 or status == 0:
        problems.append(f"{who} {path}: HTTP {status}")
    problems.extend(f"{who} {path}: console error: {e}" for e in errors)
    if path in axed:
        return problems
    if path in SAME_FOR_EVERY_ROLE:
        axed.add(path)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    print(f"{who} {path}: load {t_load:.2f} s, axe {time.monotonic() - t - t_load:.2f} s")
    for v in result.response["violations"]:
        nodes = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
        problems.append(f"{who} {path}: axe {v['id']} ({v['impact']}) x{len(v['nodes'])}: {nodes}")
    return problems


def test_every_demo_role_can_use_every_menu_link(browser: Browser, live_server: Any, demo_world: None) -> None:
    origin = live_server.url
    problems: list[str] = []
    visited_total = 0
    axed: set[str] = set()
    for demo in DEMO_USERS:
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", partial(_on_console, errors))
        page.on("pageerror", partial(_on_page_error, errors))
        page.goto(f"{origin}/accounts/login/")
        page.get_by_label("Email", exact=True).fill(demo.email)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # each login's home differs: the page after the sign-in page (its load state was the old page's)
        page.wait_for_url(lambda url: urlsplit(url).path != "/accounts/login/")
        home = urlsplit(page.url).path
        seen = {home}
        problems += _check(page, origin, home, errors, demo.email, axed)
        frontier = _menu_links(page, origin)
        for _depth in (1, 2):
            next_frontier: list[str] = []
            for path in dict.fromkeys(frontier):
                if path in seen:
                    continue
                seen.add(path)
                problems += _check(page, origin, path, errors, demo.email, axed)
                next_frontier += _menu_links(page, origin)
            frontier = next_frontier
        visited_total += len(seen)
        assert len(seen) >= 3, f"{demo.email} reached only {sorted(seen)}"
        context.close()
    print(f"crawled {visited_total} pages for {len(DEMO_USERS)} demo logins")
    assert not problems, "\n".join(problems)
