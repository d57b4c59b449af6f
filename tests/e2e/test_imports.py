"""A data manager imports a file in a real browser: upload page, errors named on the result page,
a corrected file imported, the history; every page through axe and the 320 px reflow check."""

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

HEADER = "scn,seed_code,subject_code,award_type,scqf_level,scqf_credits,grade,year"


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    page.set_viewport_size(DESKTOP)


def test_a_data_manager_imports_results_and_corrects_the_errors(
    page: Page, live_server: Any, world: Any, tmp_path: Any
) -> None:
    sign_in(page, live_server, world.personas["dm_x"])
    page.goto(f"{live_server.url}/datahub/imports/")
    assert page.get_by_role("heading", level=1).inner_text() == "Imports"
    check_page(page, "imports index")
    page.get_by_role("link", name="Qualification results (attainment)").click()
    page.wait_for_url(f"{live_server.url}/datahub/imports/upload/results/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Qualification results (attainment)")
    expect(page.get_by_role("table", name=re.compile("Columns of a qualification results"))).to_be_visible()
    check_page(page, "upload page")
    screenshot(page, "import-upload")

    a, learner = world.school_a, world.learner_a
    bad = tmp_path / "results.csv"
    bad.write_text(
        f"{HEADER}\n{learner.scn},{a.seed_code},MATH,H,6,24,A,2024\n{learner.scn},{a.seed_code},PHY,H,5,24,Q,2024\n"
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/datahub/imports/batches/\d+/$"))
    assert page.title().startswith("Error: ")
    errors = page.get_by_role("table", name=re.compile("Problems found"))
    assert errors.get_by_role("row").count() == 3  # header + the two problems of row 3
    assert "This award is at SCQF level 6." in errors.inner_text()
    assert page.get_by_role("link", name="Download the problems as CSV").is_visible()
    check_page(page, "rejected import")
    screenshot(page, "import-rejected")

    good = tmp_path / "results-fixed.csv"
    good.write_text(
        f"{HEADER}\n{learner.scn},{a.seed_code},MATH,H,6,24,A,2024\n{learner.scn},{a.seed_code},PHY,H,6,24,B,2024\n"
    )
    page.get_by_role("link", name=re.compile("Import another")).click()
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/datahub/imports/batches/\d+/$"))
    assert "2 new, 0 updated, 0 unchanged" in page.locator("main").inner_text()
    check_page(page, "succeeded import")

    page.get_by_role("link", name="Import history").click()
    page.wait_for_url(f"{live_server.url}/datahub/imports/history/")
    history = page.get_by_role("table", name="Imports, newest first")
    expect(history.get_by_role("row")).to_have_count(3)
    check_page(page, "import history")
    screenshot(page, "import-history")


def test_an_empty_upload_shows_an_error_summary(page: Page, live_server: Any, world: Any) -> None:
    sign_in(page, live_server, world.personas["dm_a"])
    page.goto(f"{live_server.url}/datahub/imports/upload/learners/")
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_load_state()
    # The upload page again, at the same URL (the load state is the old page's): the error is awaited.
    expect(page.get_by_role("alert").get_by_role("heading", name="There is a problem")).to_be_visible()
    check_page(page, "upload with an error")
