"""Before they leave, in a real browser: a guidance teacher records a pupil's aspiration and a
college application; the MCMC officer sees the pupil at risk on the readiness board with the
reasons, records the offer accepted, and the pupil leaves the at-risk list. axe (no serious or
critical violations) on every page on the way, and 320 CSS px reflow.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from datahub.models import Subject
from destinations.models import Offer, PathwayRecord
from destinations.pathways import services
from destinations.pathways.selectors import session_of
from tests.destinations.pathway_worlds import pupil
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.factories import ResultFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, "pathways-" + re.sub(r"[^a-z0-9]+", "-", label.lower()))
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    page.set_viewport_size(DESKTOP)


def board_names(page: Page) -> list[str]:
    table = page.locator("#readiness-board")
    if table.count() == 0:
        return []
    return [t.strip() for t in table.locator("tbody th[scope=row] a").all_inner_texts()]


def show_high_risk(page: Page) -> None:
    page.get_by_label("Risk of a negative destination").select_option(label="High (at risk)")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"/destinations/readiness/\?.*risk=high"))


def test_guidance_teacher_and_mcmc_officer_take_a_pupil_off_the_at_risk_list(
    page: Page, live_server: Any, world: Any
) -> None:
    year = session_of(timezone.localdate())
    # S6, care experienced, SIMD decile 2, three awards at SCQF 5 so far: without an accepted offer
    # the rating is high (care 2 + SIMD 1 + no offer 1 or 3), with one it is medium.
    ava = pupil(world.school_a, "Ava", "S6", year, family="Sixth", care_experienced=True, simd_decile=2)
    for subject in Subject.objects.order_by("code")[:3]:
        ResultFactory.create(learner=ava, subject=subject, year=year)
    sam = pupil(world.school_a, "Sam", "S6", year, family="Steady")  # on track: low risk
    for subject in Subject.objects.order_by("code")[:3]:
        ResultFactory.create(learner=sam, subject=subject, year=year)
    services.pathway_record_create(learner=sam, by=None, aspiration="Engineer", intended_category="HE")
    services.offer_create(
        learner=sam,
        by=None,
        kind="university",
        provider="University of Strathclyde",
        status="accepted",
        status_date=timezone.localdate(),
    )
    pupil(world.school_b, "Yvonne", "S6", year, family="Elsewhere")  # authority Y: never shown here
    teacher, officer = world.personas["staff_a"], world.personas["mcmc_x"]

    # The guidance teacher opens the board from the menu and the pupil's pathway.
    sign_in(page, live_server, teacher)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaver readiness").click()
    page.wait_for_url(f"{live_server.url}/destinations/readiness/")
    assert sorted(board_names(page)) == ["Sixth, Ava", "Steady, Sam"]
    check_page(page, "readiness board for the school")
    page.get_by_role("link", name="Sixth, Ava").click()
    page.wait_for_url(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ava Sixth"
    check_page(page, "pupil pathway")

    # Records the aspiration, intended destination and key worker.
    page.get_by_role("link", name="Update the pathway").click()
    page.wait_for_url(re.compile(r"/pathway/edit/$"))
    check_page(page, "update the pathway")
    page.get_by_label("Career aspiration (optional)").fill("Social care worker")
    page.get_by_label("Intended destination (optional)").select_option(label="Further education")
    page.get_by_label("Intends to leave in (optional)").select_option(label="S6")
    page.get_by_label("Key worker (optional)").select_option(index=1)
    page.get_by_role("button", name="Save pathway").click()
    page.wait_for_url(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/")
    assert page.get_by_text("Pathway saved.").is_visible()
    assert page.get_by_text("Social care worker").is_visible()

    # Records a college application.
    page.get_by_role("link", name="Record an application or offer").click()
    page.wait_for_url(re.compile(r"/offers/new/$"))
    page.get_by_role("button", name="Save").click()  # no provider: errors are summarised
    expect(page.get_by_role("alert").get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    check_page(page, "record an application with errors")
    page.get_by_label("Kind").select_option(label="College")
    page.get_by_label("Provider").fill("Glasgow Clyde College")
    page.get_by_label("Course, programme or job (optional)").fill("HNC Social Services")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/")
    assert page.get_by_role("cell", name=re.compile("Glasgow Clyde College")).is_visible()
    assert PathwayRecord.objects.get(learner=ava, superseded_at=None).recorded_by == teacher
    offer = Offer.objects.get(learner=ava)
    assert offer.status == "applied"
    sign_out(page, live_server)

    # The MCMC officer sees Ava at risk, with the reasons, and nobody of another authority.
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/destinations/readiness/")
    show_high_risk(page)
    assert board_names(page) == ["Sixth, Ava"]
    row = page.locator("#readiness-board tbody tr", has_text="Sixth, Ava")
    assert row.get_by_text("High risk").is_visible()
    for reason in ("Care experienced", "Lives in SIMD decile 2 (most deprived 20%)", "No accepted offer"):
        assert row.get_by_text(re.compile(re.escape(reason))).first.is_visible()
    assert "Elsewhere" not in page.content()
    check_page(page, "readiness board at risk")

    # Records the offer accepted (offered first, then accepted).
    page.get_by_role("link", name="Sixth, Ava").click()
    page.wait_for_url(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/")
    for status in ("Offered", "Accepted"):
        page.get_by_role("link", name=re.compile("Change status")).click()
        page.wait_for_url(re.compile(rf"/offers/{offer.pk}/status/$"))
        page.get_by_label("New status", exact=True).select_option(label=status)
        page.get_by_role("button", name="Save status").click()
        page.wait_for_url(f"{live_server.url}/destinations/pupils/{ava.pk}/pathway/")
    check_page(page, "pupil pathway with the offer accepted")
    assert page.locator("#risk-rating").get_by_text("Medium risk").is_visible()
    offer.refresh_from_db()
    assert offer.status == "accepted" and list(offer.events.values_list("status", flat=True)) == [
        "applied",
        "offered",
        "accepted",
    ]

    # Back on the board: Ava has left the at-risk list, and shows her accepted offer.
    page.goto(f"{live_server.url}/destinations/readiness/")
    show_high_risk(page)
    assert board_names(page) == []
    page.get_by_label("Accepted offer").select_option(label="Yes")
    page.get_by_label("Risk of a negative destination").select_option(label="Any")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"offer=yes"))
    assert sorted(board_names(page)) == ["Sixth, Ava", "Steady, Sam"]

    # The export asks why, and downloads.
    page.get_by_role("link", name=re.compile("Download these results as CSV")).click()
    page.wait_for_url(re.compile(r"/destinations/readiness/export/"))
    check_page(page, "readiness export")
    page.get_by_label("Why do you need this export?").fill("Leavers meeting with the college")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("leaver-readiness-")

    # The officer becomes Sam's key worker with the board's bulk assignment.
    page.goto(f"{live_server.url}/destinations/readiness/")
    page.locator(f"label[for=select-{sam.pk}]").click()  # the design system's checkbox: its label takes the click
    expect(page.get_by_label("Select Sam Steady")).to_be_checked()
    page.get_by_label("New key worker").select_option(value=str(officer.pk))
    page.get_by_label("Reason for the change").fill("Leavers review")
    page.get_by_role("button", name="Assign selected").click()
    page.wait_for_url(f"{live_server.url}/destinations/readiness/")
    # The board again, at the same URL (so wait_for_url returns at once): the message is awaited.
    expect(page.get_by_text("Key worker of 1 pupil set to")).to_be_visible()
    check_page(page, "readiness board after assigning")
    assert PathwayRecord.objects.get(learner=sam, superseded_at=None).key_worker == officer
