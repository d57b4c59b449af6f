"""The partnership workspace in a real browser (issue 15, item 1).

Two head teachers agree a learning partnership, write its purpose and aims, add two actions to the
shared plan and choose two joint measures, whose baseline is the benchmark run published that
day. After a new run is published, both see the measures against the baseline, both schools side
by side, with the figures the run stored. axe finds no serious or critical violation and every
page reflows at 320 CSS px.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from insight.models import CohortResult, RunStatus
from insight.services import run_create, run_execute_in_process
from partnerships.workspace.models import Action, JointMeasure, Workspace
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.insight.worlds import RUN_YEARS, add_leavers, build_ranked_world, publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MEASURES = {
    "pct_initial_positive": "Leavers in a positive initial destination",
    "avg_tariff_lowest20": "Average total tariff of the lowest attaining 20%",
}


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, "workspace-" + re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    screenshot(page, "workspace-" + re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-320")
    page.set_viewport_size(DESKTOP)


def shown(value: float | None, measure: str) -> str:
    if value is None:
        return "no figure"
    return f"{value:.1f}%" if measure.startswith("pct") else f"{value:,.0f}"


def stored(run: Any, school: Any, measure: str, cohort: str = "establishment") -> float | None:
    row = CohortResult.objects.get(run=run, cohort=cohort, cohort_id=school.pk, year=RUN_YEARS[-1], breakdown="")
    return getattr(row, measure)


def open_workspace(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/partnerships/")
    page.get_by_role("link", name=re.compile(r"^Workspace with")).click()
    page.wait_for_url(re.compile(r"/partnerships/\d+/workspace/$"))


def add_action(page: Page, title: str, owner: str, due: str) -> None:
    page.get_by_role("link", name="Add an action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    page.get_by_label("Action", exact=True).fill(title)
    page.get_by_label("Owner").select_option(label=owner)
    page.get_by_label("Due by").fill(due)
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label(re.compile("Link to evidence")).fill("https://example.org/evidence")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r"/workspace/$"))
    assert "The action is added to the plan." in page.locator("main").inner_text()


def evaluation_rows(page: Page, measure: str) -> list[list[str]]:
    table = page.get_by_role("table", name=re.compile(re.escape(MEASURES[measure])))
    rows = table.locator("tbody tr")
    rows.first.wait_for()  # the page may still be loading after a click
    return [[" ".join(c.split()) for c in rows.nth(i).locator("th, td").all_inner_texts()] for i in range(rows.count())]


def test_two_head_teachers_plan_together_and_evaluate_against_a_baseline(
    page: Page, live_server: Any, world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Some of A's leavers of the baseline's year go to no positive destination, so A's rate can rise
    # (the world's other leavers are drawn from its schools' ids and may all be positive).
    add_leavers(world.school_a, 8, (RUN_YEARS[-1],), effect=-3, seed=17)
    first = build_ranked_world(world)
    head_a, head_b = world.personas["admin_a"], world.personas["admin_b"]
    a, b = world.school_a, world.school_b

    # --- They agree a partnership ----------------------------------------------------------------
    sign_in(page, live_server, head_a)
    page.goto(f"{live_server.url}/partnerships/propose/?partner={b.seed_code}")
    page.get_by_role("button", name="Propose partnership").click()
    page.wait_for_url(f"{live_server.url}/partnerships/")
    sign_out(page, live_server)
    sign_in(page, live_server, head_b)
    page.goto(f"{live_server.url}/partnerships/")
    page.get_by_role("table", name=re.compile("Partnership requests received")).get_by_role(
        "link", name=re.compile("^Accept")
    ).click()
    page.get_by_role("button", name="Accept partnership").click()
    page.wait_for_url(f"{live_server.url}/partnerships/")

    # --- B's head teacher opens the workspace, writes the aims, adds an action ---------------------
    open_workspace(page, live_server)
    assert page.get_by_role("heading", level=1).inner_text() == f"Workspace with {a.name}"
    check_page(page, "Workspace, empty")
    page.get_by_role("link", name="Write the purpose and aims").click()
    page.get_by_label("Purpose of the partnership").fill("Raise attainment of our lowest attaining 20%.")
    page.get_by_label("Aims", exact=True).fill("Share S4 tracking.\nClose the gap to our virtual comparators.")
    check_page(page, "Purpose and aims form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/workspace/$"))
    # An action with nothing filled in: the error summary names each field, and links to it.
    page.get_by_role("link", name="Add an action").click()
    page.get_by_role("button", name="Add action").click()
    summary = page.locator("#error-summary")
    assert "Action: Enter what the action is." in summary.inner_text()
    assert "Due by: Enter the date the action is due." in summary.inner_text()
    assert page.title().startswith("Error: ")
    check_page(page, "Add an action, with errors")
    page.get_by_role("link", name="Cancel and go back").click()
    add_action(page, "Share S4 tracking sheets", f"{head_a.get_full_name()} ({a.name})", "2027-03-01")
    # A shared file: stored, listed with its size, downloadable by both schools.
    page.get_by_role("link", name="Share a file").click()
    page.wait_for_url(re.compile(r"/workspace/files/add/$"))
    check_page(page, "Share a file")
    pdf = tmp_path / "Tracking plan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label("File").set_input_files(pdf)
    page.get_by_role("button", name="Share file").click()
    page.wait_for_url(re.compile(r"/workspace/$"))
    files = page.get_by_role("table", name=re.compile("Files shared"))
    assert "Tracking plan.pdf" in files.inner_text() and "Not checked" in files.inner_text()
    sign_out(page, live_server)

    # --- A's head teacher sees them, adds a second action and chooses two joint measures ----------
    sign_in(page, live_server, head_a)
    open_workspace(page, live_server)
    main = page.locator("main").inner_text()
    assert "Raise attainment of our lowest attaining 20%." in main and "Share S4 tracking sheets" in main
    add_action(page, "Joint moderation of National 5 English", f"{head_b.get_full_name()} ({b.name})", "2027-05-14")
    plan = page.get_by_role("table", name=re.compile("Shared action plan"))
    assert plan.locator("tbody tr").count() == 2
    with page.expect_download() as download:
        page.get_by_role("link", name="Tracking plan.pdf").click()
    assert download.value.suggested_filename == "Tracking plan.pdf"
    check_page(page, "Workspace with aims and two actions")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Joint evaluation").click()
    page.get_by_role("link", name="Choose joint measures").click()
    for label in MEASURES.values():
        # The design system draws the box over the input: a person clicks the label.
        page.locator("label.ds_checkbox__label", has_text=label).click()
        expect(page.get_by_label(label)).to_be_checked()
    check_page(page, "Choose joint measures")
    page.get_by_role("button", name="Add to the joint evaluation").click()
    page.wait_for_url(re.compile(r"/workspace/evaluation/$"))
    for key in MEASURES:
        (baseline,) = evaluation_rows(page, key)
        assert baseline[0].startswith("Baseline: 2023/24 leavers")
        assert baseline[1] == shown(stored(first, a, key), key) and baseline[4] == shown(stored(first, b, key), key)
    assert "No figures have been published since the baseline yet" in page.locator("main").inner_text()
    sign_out(page, live_server)
    assert Workspace.objects.count() == 1 and Action.objects.count() == 2
    assert set(JointMeasure.objects.values_list("baseline_run_id", flat=True)) == {first.pk}

    # --- A new benchmark run is published: A's new leavers all go on to college -------------------
    add_leavers(a, 20, (RUN_YEARS[-1],), effect=3, seed=41)
    second = run_execute_in_process(run_create(years=list(RUN_YEARS), seed=6))
    assert second.status == RunStatus.SUCCEEDED, second.error
    publish(second)

    # --- Both head teachers see the measures against the baseline --------------------------------
    for head in (head_a, head_b):
        sign_in(page, live_server, head)
        # Told in the portal: the header's waiting count, and the notice on View Partnerships.
        assert "waiting for you" in page.locator(".portal-waiting").inner_text()
        page.goto(f"{live_server.url}/partnerships/")
        notices = page.get_by_role("region", name="New in your partnership workspaces")
        notice = notices.get_by_role("link", name=re.compile(r"^New benchmark figures \(2023.24 leavers\)"))
        assert notice.count() == 1
        if head == head_a:
            check_page(page, "View Partnerships with a workspace notice")
        notice.click()
        page.wait_for_url(re.compile(r"/workspace/$"))
        assert "New in this workspace" in page.locator("main").inner_text()
        page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Joint evaluation").click()
        page.wait_for_url(re.compile(r"/workspace/evaluation/$"))
        for key in MEASURES:
            baseline, later = evaluation_rows(page, key)
            assert baseline[1] == shown(stored(first, a, key), key)
            assert later[0].startswith("Later release: 2023/24 leavers")
            assert later[1] == shown(stored(second, a, key), key)
            assert later[2] == shown(stored(second, a, key, "vc"), key)
            assert later[4] == shown(stored(second, b, key), key)
            assert later[5] == shown(stored(second, b, key, "vc"), key)
        # A's positive destinations moved; B's figures are B's own, unchanged and unsuppressed.
        _, later = evaluation_rows(page, "pct_initial_positive")
        assert later[3] != "no change" and later[6] == "no change"
        check_page(page, f"Joint evaluation after a new run, seen by {head.email}")
        # Opening the workspace cleared the notice.
        page.goto(f"{live_server.url}/partnerships/")
        assert page.get_by_role("heading", name="New in your partnership workspaces").count() == 0
        sign_out(page, live_server)
