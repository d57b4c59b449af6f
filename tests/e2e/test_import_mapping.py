"""A data manager uploads a census export with its own column names (issue 13 item 4): the portal
proposes a mapping, they correct it in the browser (a column and the values of sex), preview the
first rows, save the profile and import; a second file with the same columns imports without
asking. Every new page through axe and the 320 px reflow check."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from datahub.models import ImportMappingProfile, Learner
from tests.datahub.imports.worlds import csv_bytes, scn
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = [
    "Pupil Number",
    "Legal Forename",
    "Known As",
    "Surname",
    "Date of Birth",
    "Gender",
    "SIMD Decile",
    "FME",
    "School SEED",
    "Census Year",
    "Year Group",
]


def census(world: Any, first: int, count: int) -> bytes:
    rows = [
        [
            scn(900 + i),
            f"Legal{i}",
            f"Known{i}",
            "Mapped",
            "2009-05-0" + str(1 + i % 9),
            "Girl" if i % 2 else "Boy",
            str(1 + i % 10),
            "Yes",
            world.school_a.seed_code,
            "2024",
            f"Secondary {4 + i % 3}",
        ]
        for i in range(first, first + count)
    ]
    return csv_bytes(HEADER, rows)


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    page.set_viewport_size(DESKTOP)


def test_a_census_export_is_mapped_in_the_browser_and_the_next_one_imports_without_asking(
    page: Page, live_server: Any, world: Any, tmp_path: Any
) -> None:
    sign_in(page, live_server, world.personas["dm_a"])
    first = tmp_path / "seemis-census.csv"
    first.write_bytes(census(world, 0, 4))
    page.goto(f"{live_server.url}/datahub/imports/upload/learners/")
    page.locator("input[type=file]").set_input_files(str(first))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/datahub/imports/upload/learners/map/[0-9a-f]+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Match the columns of your file"
    scn_select = page.get_by_label("Column in your file for scn", exact=True)
    assert scn_select.input_value() == "pupil_number"  # proposed by its values (valid SCNs) and name
    given = page.get_by_label("Column in your file for given_name", exact=True)
    assert given.input_value() == "legal_forename"
    check_page(page, "mapping page")
    screenshot(page, "import-mapping")

    # Corrections in the browser: the name pupils are known by, and how the file writes sex.
    given.select_option("known_as")
    # static/js/import-mapping.js redraws the sample: awaited
    expect(page.locator("#sample-given_name")).to_have_text(re.compile(r"^Known0"), use_inner_text=True)
    page.get_by_label("Read Girl in sex as").select_option("F")
    page.get_by_label("Read Boy in sex as").select_option("M")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("table", name=re.compile("rows as the portal reads them"))
    expect(preview.get_by_role("row")).to_have_count(5)  # the preview page may still be loading
    first_row = preview.get_by_role("row").nth(1).inner_text()
    assert "Known0" in first_row and "\tM\t" in first_row and "S4" in first_row
    assert page.get_by_label("Read Girl in sex as").input_value() == "F"  # kept across the preview
    check_page(page, "mapping preview")
    screenshot(page, "import-mapping-preview")

    page.get_by_label("Name of the mapping profile").fill("SEEMiS census export")
    page.get_by_role("button", name="Save the profile and import").click()
    page.wait_for_url(re.compile(r"/datahub/imports/batches/\d+/$"))
    assert "4 new, 0 updated, 0 unchanged" in page.locator("main").inner_text()
    assert Learner.objects.get(scn=scn(901)).given_name == "Known1"
    assert ImportMappingProfile.objects.get().name == "SEEMiS census export"

    second = tmp_path / "seemis-census-2.csv"
    second.write_bytes(census(world, 2, 4))  # two known pupils, two new
    page.goto(f"{live_server.url}/datahub/imports/upload/learners/")
    page.locator("input[type=file]").set_input_files(str(second))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url(re.compile(r"/datahub/imports/batches/\d+/$"))  # no mapping page this time
    text = page.locator("main").inner_text()
    assert "2 new, 0 updated, 2 unchanged" in text and "SEEMiS census export" in text

    page.goto(f"{live_server.url}/datahub/imports/profiles/")
    assert page.get_by_role("table", name="Mapping profiles you can use").get_by_role("row").count() == 2
    check_page(page, "mapping profiles")
    screenshot(page, "import-profiles")
