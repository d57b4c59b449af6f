"""A partnership group in a real browser: three head teachers form a group (one proposes, two
accept), one writes the aims, adds an action, names a lead and chooses a joint measure, another sees
them; after a new benchmark run another sees the measure against the baseline, every member school
side by side. axe finds no serious or critical violation on the pages, and they reflow at 320 CSS px."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from datahub.models import LocalAuthority, Role
from insight.models import CohortResult, RunStatus
from insight.services import run_create, run_execute_in_process
from partnerships.workspace.models import JointBaseline, JointMeasure, Lead
from tests.e2e.checks import DESKTOP, NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.factories import EstablishmentFactory, member
from tests.insight.worlds import RUN_YEARS, add_leavers, build_ranked_world, publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def check_page(page: Page, label: str) -> None:
    assert_accessible(page, label=label)
    screenshot(page, re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-1280")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label=label)
    assert_accessible(page, label=f"{label} at 320px")
    screenshot(page, re.sub(r"[^a-z0-9]+", "-", label.lower()) + "-320")
    page.set_viewport_size(DESKTOP)


MEASURE, MEASURE_LABEL = "pct_initial_positive", "Leavers in a positive initial destination"


def shown(value: float | None) -> str:
    return "no figure" if value is None else f"{value:.1f}%"


def stored(run: Any, school: Any, cohort: str = "establishment") -> float | None:
    row = CohortResult.objects.filter(
        run=run, cohort=cohort, cohort_id=school.pk, year=RUN_YEARS[-1], breakdown=""
    ).first()
    return None if row is None else getattr(row, MEASURE)


def evaluation_rows(page: Page) -> dict[str, list[str]]:
    """The group's evaluation table: each school's row (baseline school, VC, then each later release's
    school, VC, change)."""
    page.wait_for_url(re.compile(r"/groups/\d+/evaluation/$"))  # the page a click opens
    table = page.get_by_role("table", name=re.compile(re.escape(MEASURE_LABEL)))
    table.locator("tbody tr").first.wait_for()
    out = {}
    for row in table.locator("tbody tr").all():
        out[row.locator("th").inner_text().strip()] = [c.inner_text().strip() for c in row.locator("td").all()]
    return out


def test_three_head_teachers_form_a_group_and_share_its_plan(page: Page, live_server: Any, world: Any) -> None:
    # Some of A's leavers of the baseline's year go to no positive destination, so A's rate can rise
    # (the world's other leavers are drawn from its schools' ids and may all be positive).
    add_leavers(world.school_a, 8, (RUN_YEARS[-1],), effect=-3, seed=17)
    first = build_ranked_world(world)  # the benchmark run published today: the joint measure's baseline
    head_a, head_b = world.personas["admin_a"], world.personas["admin_b"]
    c = EstablishmentFactory.create(name="Charlie Academy", authority=LocalAuthority.objects.get(code=260))
    head_c = member(Role.ESTABLISHMENT_ADMIN, establishment=c)

    # --- A's head teacher proposes the group, inviting B and C ----------------------------------
    sign_in(page, live_server, head_a)
    page.goto(f"{live_server.url}/partnerships/")
    page.get_by_role("navigation", name="Learning Partnerships").get_by_role("link", name="Propose a group").click()
    page.wait_for_url(f"{live_server.url}/partnerships/groups/propose/")
    check_page(page, "Propose a partnership group")
    page.get_by_label("Name of the group").fill("West senior phase")
    page.get_by_label("Purpose").fill("Raise attainment of the lowest 20% together")
    page.get_by_label("Schools to invite").fill(f"{world.school_b.seed_code}\n12345")
    page.get_by_role("button", name="Propose group").click()
    # A bad SEED code: the error names the field, the form keeps what was typed.
    assert "is not a SEED code" in page.locator(".ds_error-summary").inner_text()
    check_page(page, "Propose a group, with an error")
    page.get_by_label("Schools to invite").fill(f"{world.school_b.seed_code}\n{c.seed_code}")
    page.get_by_role("button", name="Propose group").click()
    page.wait_for_url(re.compile(r"/partnerships/groups/\d+/$"))
    assert page.locator("#group-status").inner_text() == "Forming"
    group_url = page.url
    sign_out(page, live_server)

    # --- B's and C's head teachers accept: the group becomes active --------------------------------
    for head, name in ((head_b, "Bravo Secondary"), (head_c, "Charlie Academy")):
        sign_in(page, live_server, head)
        page.goto(f"{live_server.url}/partnerships/")
        groups = page.get_by_role("table", name=re.compile("Partnership groups"))
        assert "Invited: waiting for your answer" in groups.inner_text()
        groups.get_by_role("link", name="West senior phase").click()
        page.wait_for_url(group_url)
        if name == "Bravo Secondary":
            check_page(page, "Partnership group, invited")
        page.get_by_role("button", name=f"Accept for {name}").click()
        page.wait_for_url(group_url)
        # The group's page again, at the same URL (so wait_for_url returns at once): awaited before
        # signing out, which would otherwise be clicked on the old page.
        expect(page.locator("main")).to_contain_text(f"{name} joined the group.")
        sign_out(page, live_server)
    sign_in(page, live_server, head_c)
    page.goto(group_url)
    assert page.locator("#group-status").inner_text() == "Active"

    # --- C writes the aims and adds an action ----------------------------------------------------------
    page.get_by_label("Agreed aims").fill("Close the gap in S4 literacy by June.")
    page.get_by_role("button", name="Save aims").click()
    page.wait_for_url(group_url)
    # The group's page again, at the same URL (so wait_for_url returns at once): awaited before the
    # action is typed, which would otherwise go into the old page's form.
    expect(page.locator("main")).to_contain_text("The group's aims are saved.")
    page.get_by_label("Action", exact=True).fill("Share S4 literacy tracking")
    page.get_by_label("Owner").select_option(label=f"{head_b.get_full_name() or head_b.email} (Bravo Secondary)")
    page.get_by_label("Due by").fill("2027-03-01")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(f"{group_url}#plan")
    check_page(page, "Partnership group, active with a plan")
    sign_out(page, live_server)

    # --- A sees them ---------------------------------------------------------------------------------------
    sign_in(page, live_server, head_a)
    page.goto(group_url)
    assert "Close the gap in S4 literacy by June." in page.locator("#group-aims").inner_text()
    plan = page.get_by_role("table", name=re.compile("shared action plan"))
    assert "Share S4 literacy tracking" in plan.inner_text() and "Bravo Secondary" in plan.inner_text()
    members = page.get_by_role("table", name=re.compile("schools invited"))
    assert members.inner_text().count("Joined") == 3
    sign_out(page, live_server)

    # --- C names a lead and chooses a joint measure ------------------------------------------------
    sign_in(page, live_server, head_c)
    page.goto(group_url)
    page.get_by_role("link", name="Name a lead").click()
    page.get_by_label("Lead", exact=True).select_option(
        label=f"{head_b.get_full_name() or head_b.email} (Bravo Secondary)"
    )
    page.get_by_label("Leads on").fill("S4 literacy tracking")
    check_page(page, "Partnership group, name a lead")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{group_url}#leads")
    assert "S4 literacy tracking" in page.get_by_role("table", name=re.compile("Named leads")).inner_text()
    page.get_by_role("link", name="See the joint evaluation").click()
    page.get_by_role("link", name="Choose joint measures").click()
    page.locator("label.ds_checkbox__label", has_text=MEASURE_LABEL).click()
    check_page(page, "Partnership group, choose joint measures")
    page.get_by_role("button", name="Add to the joint evaluation").click()
    page.wait_for_url(re.compile(r"/groups/\d+/evaluation/$"))
    rows = evaluation_rows(page)
    assert list(rows) == ["Alpha High School", "Bravo Secondary", "Charlie Academy"]
    assert rows["Alpha High School"][0] == shown(stored(first, world.school_a))
    assert "No figures have been published since the baseline yet" in page.locator("main").inner_text()
    sign_out(page, live_server)
    assert Lead.objects.filter(group__isnull=False).count() == 1
    (jm,) = JointMeasure.objects.filter(group__isnull=False)
    assert jm.baseline_run_id == first.pk and JointBaseline.objects.filter(joint_measure=jm).count() == 3

    # --- A new benchmark run is published: A's new leavers all go on to college --------------------
    add_leavers(world.school_a, 20, (RUN_YEARS[-1],), effect=3, seed=41)
    second = run_execute_in_process(run_create(years=list(RUN_YEARS), seed=6))
    assert second.status == RunStatus.SUCCEEDED, second.error
    publish(second)

    # --- B's head teacher is told, and sees the measure against the baseline, every school side by side
    sign_in(page, live_server, head_b)
    page.goto(f"{live_server.url}/partnerships/")
    notices = page.get_by_role("region", name="New in your partnership workspaces")
    assert "named" in notices.inner_text()  # C's activity: the lead (B's own head teacher)
    notice = notices.get_by_role("link", name=re.compile(r"^New benchmark figures \(2023.24 leavers\)"))
    assert notice.count() == 1 and "West senior phase" in notice.inner_text()
    notice.click()
    page.wait_for_url(group_url)
    assert "New in this group" in page.locator("main").inner_text()
    page.get_by_role("link", name="See the joint evaluation").click()
    rows = evaluation_rows(page)
    for school in (world.school_a, world.school_b):
        base_school, base_vc, later_school, later_vc, _change = rows[school.name]
        assert base_school == shown(stored(first, school)) and base_vc == shown(stored(first, school, "vc"))
        assert later_school == shown(stored(second, school)) and later_vc == shown(stored(second, school, "vc"))
    # A's positive destinations moved; B's figures are B's own, unchanged and unsuppressed.
    assert rows["Alpha High School"][4] != "no change" and rows["Bravo Secondary"][4] == "no change"
    assert rows["Charlie Academy"][0].endswith("no figure")  # no leavers: said so, not hidden
    check_page(page, "Partnership group, joint evaluation after a new run")
    page.goto(group_url)
    check_page(page, "Partnership group, active with a lead and a measure")
