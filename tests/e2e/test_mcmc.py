"""An MCMC officer works the caseload in a real browser.

Opens the caseload, filters to unknown destinations, opens a young person's journey, records a
contact and a new positive destination, and sees the young person leave the caseload. axe (no
serious or critical violations) on every page on the way, and 320 CSS px reflow.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import TYPE_CHECKING, Any, cast

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from datahub.models import SchoolLeaver
from destinations.classification import survey_date
from destinations.models import ContactNote, DestinationRecord
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in
from tests.factories import LearnerFactory, LeaverFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def young_person(school: Any, given: str, family: str, category: str | None) -> SchoolLeaver:
    today = timezone.localdate()
    leaver_year = today.year - 1
    learner = LearnerFactory.create(
        establishment=school, given_name=given, family_name=family, date_of_birth=dt.date(leaver_year - 18, 3, 15)
    )
    leaver = cast(
        SchoolLeaver,
        LeaverFactory.create(learner=learner, leaver_year=leaver_year, leaving_date=dt.date(leaver_year, 6, 28)),
    )
    if category:
        DestinationRecord.objects.create(
            leaver=leaver,
            kind="initial",
            category=category,
            source="import",
            survey_date=survey_date("initial", leaver_year),
        )
    return leaver


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, "mcmc-" + re.sub(r"[^a-z0-9]+", "-", label.lower()))
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    page.set_viewport_size(DESKTOP)


def caseload_names(page: Page) -> list[str]:
    table = page.get_by_role("table", name=re.compile("Caseload"))
    if table.count() == 0:
        return []
    return [t.strip() for t in table.locator("tbody th[scope=row] a").all_inner_texts()]


def test_officer_records_a_contact_and_a_destination_and_the_young_person_leaves_the_caseload(
    page: Page, live_server: Any, world: Any
) -> None:
    una = young_person(world.school_a, "Una", "Known", "UNKNOWN")
    young_person(world.school_a, "Neil", "Seeking", "UNEMPLOYED_SEEKING")
    young_person(world.school_a2, "Nora", "Nothing", None)
    young_person(world.school_b, "Yvonne", "Elsewhere", "UNKNOWN")  # authority Y: never shown here
    officer = world.personas["mcmc_x"]

    sign_in(page, live_server, officer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Destinations").click()
    page.wait_for_url(f"{live_server.url}/destinations/")
    assert page.get_by_role("heading", level=1).inner_text() == "Aberdeen City"
    assert page.get_by_role("heading", name="Your caseload").is_visible()
    check_page(page, "destinations index")

    # The caseload: everyone of the authority not known to be in a positive destination.
    page.get_by_role("link", name="Open the caseload").click()
    page.wait_for_url(f"{live_server.url}/destinations/caseload/")
    assert page.get_by_role("heading", level=1).inner_text() == "Caseload"
    assert sorted(caseload_names(page)) == ["Known, Una", "Nothing, Nora", "Seeking, Neil"]
    check_page(page, "caseload")

    # Filter to unknown destinations.
    page.get_by_label("Status", exact=True).select_option(label="Unknown")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/destinations/caseload/\?.*status=unknown"))
    assert sorted(caseload_names(page)) == ["Known, Una", "Nothing, Nora"]
    assert "Elsewhere" not in page.content()
    check_page(page, "caseload filtered to unknown")

    # The young person's journey.
    page.get_by_role("link", name="Known, Una").click()
    page.wait_for_url(f"{live_server.url}/destinations/young-people/{una.learner_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Una Known"
    assert page.locator("#current-status").inner_text().startswith("Unknown")
    check_page(page, "learner journey")

    # Record a contact and the next action.
    page.get_by_role("link", name="Record a contact").click()
    page.wait_for_url(re.compile(r"/contacts/new/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Record a contact"
    check_page(page, "record a contact")
    page.get_by_role("button", name="Save contact").click()  # nothing chosen yet: errors are summarised
    expect(page.get_by_role("alert").get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page, label="record a contact with errors")
    page.locator("label", has_text="Phone call").click()  # the design system's radio: its label takes the click
    expect(page.get_by_label("Phone call")).to_be_checked()
    page.get_by_label("Outcome").select_option(label="Spoke with the young person")
    page.get_by_label("Note (optional)").fill("Starts at North East Scotland College next week.")
    page.get_by_label("Next action (optional)").fill("Confirm the enrolment with the college")
    next_week = timezone.localdate() + dt.timedelta(days=7)
    page.get_by_label("Next action due by (optional)").fill(next_week.isoformat())
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"{live_server.url}/destinations/young-people/{una.learner_id}/")
    assert page.get_by_text("Contact recorded.").is_visible()
    assert page.get_by_text("Starts at North East Scotland College next week.").is_visible()
    assert ContactNote.objects.filter(leaver=una, recorded_by=officer).count() == 1

    # Record the new, positive destination.
    page.get_by_role("link", name="Record a destination").click()
    page.wait_for_url(re.compile(r"/destinations/new/$"))
    check_page(page, "record a destination")
    page.locator("label", has_text="Follow-up (April after leaving)").click()
    expect(page.get_by_label("Follow-up (April after leaving)")).to_be_checked()
    page.get_by_label("Destination", exact=True).select_option(label="Further education")
    page.get_by_label("Note (optional)").fill("NESCol, NC Engineering")
    page.get_by_role("button", name="Save destination").click()
    page.wait_for_url(f"{live_server.url}/destinations/young-people/{una.learner_id}/")
    assert page.locator("#current-status").inner_text().startswith("Positive destination: Further education")
    assert page.get_by_role("heading", name="Follow-up destination: Further education").is_visible()
    assert page.get_by_role("heading", name="Initial destination: Unknown").is_visible()  # history kept
    check_page(page, "learner journey after the changes")

    # Back on the caseload, filtered to unknown: Una has left it, Nora is still there.
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Caseload").click()
    page.wait_for_url(f"{live_server.url}/destinations/caseload/")
    page.get_by_label("Status", exact=True).select_option(label="Unknown")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"status=unknown"))
    assert caseload_names(page) == ["Nothing, Nora"]
    page.get_by_label("Status", exact=True).select_option(label="Any open status")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/destinations/caseload/\?(.*&)?status=(&|$)"))  # the load state was the old page's
    assert "Known, Una" not in caseload_names(page)


def test_export_audit_log_and_school_pages_are_accessible(page: Page, live_server: Any, world: Any) -> None:
    young_person(world.school_a, "Una", "Known", "UNKNOWN")
    sign_in(page, live_server, world.personas["mcmc_x"])
    page.goto(f"{live_server.url}/destinations/caseload/")
    page.get_by_role("link", name=re.compile("Download the caseload as CSV")).click()
    page.wait_for_url(re.compile(r"/destinations/caseload/export/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Download the caseload"
    check_page(page, "caseload export")
    page.get_by_role("button", name="Download CSV").click()  # no reason yet
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, label="caseload export with errors")
    page.get_by_label("Why do you need this export?").fill("Monthly review with the careers service")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("caseload-")

    page.goto(f"{live_server.url}/destinations/audit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit log"
    assert page.get_by_role("cell", name="Monthly review with the careers service").is_visible()
    check_page(page, "audit log")

    page.goto(f"{live_server.url}/destinations/schools/{world.school_a.seed_code}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alpha High School"
    check_page(page, "school destinations")
