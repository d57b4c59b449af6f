"""An authority analyst uses the benchmarking dashboards in a real browser.

Signs in, opens the authority dashboard from the home page, reads a chart with the keyboard,
drills into a school, switches the breakdown, downloads a table as CSV; axe (no serious or
critical violation) on every page, and 320 px reflow; prints the page (filters stated at the top)
and downloads the school's Summary PDF.
"""

from __future__ import annotations

import csv
import io
import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from datahub.models import AuditEvent, Role
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import member
from tests.insight.worlds import build_dash_world

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_authority_analyst_drills_into_a_school_switches_a_breakdown_and_exports(
    page: Page, live_server: Any, reference_data: None
) -> None:
    from django.core.cache import cache

    from insight import selectors

    selectors.forget_computed()
    cache.clear()
    dash = build_dash_world()
    authority = dash.authorities[100]
    school = dash.schools["X1"]
    analyst = member(Role.AUTHORITY_ANALYST, authority=authority)

    sign_in(page, live_server, analyst)
    lead = page.get_by_role("region", name=f"Benchmarks for {authority.name}")
    assert lead.is_visible()
    assert_accessible(page, label="home page with the lead into the dashboards")
    lead.get_by_role("link", name=re.compile("Open the benchmarks")).click()
    page.wait_for_url(re.compile(rf"/insight/authorities/{authority.code}/"))
    assert page.get_by_role("heading", level=1).inner_text() == authority.name
    schools = page.get_by_role("table", name=re.compile(f"secondary schools in {authority.name}"))
    assert schools.is_visible()
    assert schools.get_by_role("rowheader").count() == 4

    # Charts are drawn (Chart.js from node_modules) and can be read with the keyboard.
    chart = page.locator("figure.portal-chart").first
    chart.wait_for(state="visible")
    assert chart.locator("canvas").get_attribute("role") == "img"
    frame = chart.locator(".portal-chart__frame")
    frame.focus()
    page.keyboard.press("ArrowRight")
    status = chart.locator("[data-chart-status]")
    expect(status).to_have_text(re.compile(r"^\d{4}/\d{2}: "), use_inner_text=True)  # written by the chart's script
    assert_accessible(page, label="authority dashboard")
    screenshot(page, "authority-dashboard-1280")

    # Sort the schools by leavers (a link in the column heading), then drill into a school.
    schools.get_by_role("link", name=re.compile(r"^Leavers")).click()
    page.wait_for_url(re.compile(r"schools-sort=leavers"))
    assert (
        page.get_by_role("columnheader", name=re.compile(r"^Leavers \d{4}")).get_attribute("aria-sort") == "descending"
    )
    page.get_by_role("table", name=re.compile("secondary schools in")).get_by_role("link", name=school.name).click()
    page.wait_for_url(re.compile(rf"/insight/establishments/{school.seed_code}/"))
    assert page.get_by_role("heading", level=1).inner_text() == school.name
    assert "because this school is in your authority" in page.locator(".ds_inset-text").inner_text()
    assert_accessible(page, label="establishment dashboard")
    screenshot(page, "establishment-dashboard-1280")

    # Switch the breakdown to care experience.
    page.get_by_label("Group leavers by").select_option(label="Care experience")
    page.get_by_label("Measure", exact=True).select_option(label="Positive initial destination")
    page.get_by_role("button", name="Show breakdown").click()
    page.wait_for_url(re.compile(r"breakdown=care_experienced"))
    table = page.locator("#table-breakdown")
    assert re.search(r"by care experience, .*, \d{4}/\d{2} leavers$", table.locator("caption").inner_text())
    assert table.get_by_role("rowheader", name="Care experienced", exact=True).is_visible()
    shown = table.evaluate(
        """t => [...t.rows].map(r => [...r.cells].map(c => {
            const x = c.cloneNode(true);
            x.querySelectorAll('.visually-hidden').forEach(e => e.remove());
            return x.textContent.replace(/\\s+/g, ' ').trim();
        }))"""
    )
    assert_accessible(page, label="establishment dashboard, care experience breakdown")

    # Download that table as CSV: the same cells as the page.
    link = page.locator('a[href*="/export/breakdown.csv"]')
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith("breakdown.csv")
    with open(download.path(), encoding="utf-8-sig") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    assert rows == shown
    assert AuditEvent.objects.filter(actor=analyst, action="export_benchmarks", detail__table="breakdown").exists()

    # The chart of the breakdown downloads as a PNG.
    with page.expect_download() as png:
        page.locator('figure[data-chart="breakdown-chart-data"]').get_by_role(
            "button", name=re.compile("^Download chart as PNG")
        ).click()
    assert png.value.suggested_filename == "breakdown-chart.png"

    # 320 CSS px: no sideways scrolling (wide tables scroll in their own region).
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="establishment dashboard")
    assert_accessible(page, label="establishment dashboard at 320px")
    screenshot(page, "establishment-dashboard-320")
    page.set_viewport_size(DESKTOP)

    # Printed: no menus, forms or buttons; the choices the page shows are stated at the top.
    page.emulate_media(media="print")
    assert not page.locator(".ds_site-header__navigation").is_visible()
    assert not page.get_by_role("button", name="Show breakdown").is_visible()
    printed = page.locator(".portal-print-filters")
    assert printed.is_visible()
    assert school.name in printed.inner_text() and "Care experience" in printed.inner_text()
    screenshot(page, "establishment-dashboard-print")
    page.emulate_media(media="screen")
    assert not printed.is_visible()

    # The school's Summary PDF downloads (its figures: tests/insight/views/test_summary_pdf.py).
    with page.expect_download() as pdf:
        page.get_by_role("link", name=re.compile(r"^Download summary \(PDF\)")).click()
    assert pdf.value.suggested_filename.endswith("-summary.pdf")
    with open(pdf.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
