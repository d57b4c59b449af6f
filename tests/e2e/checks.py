"""Checks a browser test runs on the page in front of it: axe (no serious or critical violation),
reflow at 320 CSS px without sideways scrolling, and screenshots for reviews.

Set E2E_SCREENSHOT_DIR to a folder to keep screenshots that tests take with ``screenshot()``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
NARROW: ViewportSize = {"width": 320, "height": 800}  # WCAG 2.2 SC 1.4.10 reflow width (400% of 1280)

# axe impacts that fail a test; "moderate" and "minor" are printed as warnings.
FAILING_IMPACTS = {"serious", "critical"}


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


def row_cells(table: Locator, row: str) -> list[str]:
    """The data cells of the row of ``table`` whose name starts with ``row``, as text."""
    import re

    return [
        cell.strip()
        for cell in table.get_by_role("row", name=re.compile(f"^{re.escape(row)}")).locator("td").all_inner_texts()
    ]


def read_chart_then_reflow(page: Page, *, first: str, label: str, shot: str) -> None:
    """Read the first chart with the keyboard (its first figure's label is ``first``), check axe,
    then reflow at 320 px, with a screenshot at each width."""
    import re

    chart = page.locator("figure.portal-chart").first
    chart.wait_for(state="visible")
    chart.locator(".portal-chart__frame").focus()
    page.keyboard.press("ArrowRight")
    # the status is written by the chart's script: awaited, not read at once after the key press
    expect(chart.locator("[data-chart-status]")).to_have_text(re.compile(f"^{re.escape(first)}: "), use_inner_text=True)
    assert_accessible(page, label=label)
    screenshot(page, f"{shot}-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=f"{label} at 320 px")
    screenshot(page, f"{shot}-320")


def choose(page: Page, choices: dict[str, str], *, then: str) -> None:
    """Set a filter form's selects (label -> option label), press *Show* and wait for a URL
    matching ``then``."""
    import re

    for label, option in choices.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(then))
