"""A national data manager runs the benchmarks from the browser and publishes them; a head teacher
then reads the new figures and what changed; an authority data manager may not start or publish.

Each chunk pauses after it is claimed (BENCHMARK_FAULT_PAUSE_SECONDS, the test-only fault
injection of insight.services) so the page is seen following a run that takes a few seconds. The
gaps between progress updates reaching the page are printed (a figure, never asserted: timing
belongs in bench/: bench/run_progress.py).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from typing import TYPE_CHECKING, Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from datahub.models import QualificationResult, Role
from insight.models import BenchmarkRun, Publication
from insight.publication import run_start
from insight.services import run_execute_in_process
from tests.e2e.checks import NARROW, assert_accessible, assert_reflows, screenshot
from tests.e2e.worlds import sign_in, sign_out
from tests.factories import member
from tests.insight.worlds import RUN_YEARS, build_world, publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_progress(page: Page, timeout: float = 120) -> tuple[list[str], list[float]]:
    """Follow the run page until the run finishes (the page reloads itself): the chunk states seen
    and the gaps in seconds between progress updates drawn on the page."""
    states: list[str] = []
    stamps: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            section = page.locator("#run-progress")
            if section.get_attribute("data-active", timeout=2000) != "1":
                break
            stamp = section.get_attribute("data-updated", timeout=2000)
            if stamp and (not stamps or int(stamp) != stamps[-1]):
                stamps.append(int(stamp))
                states.append(
                    " ".join(
                        page.locator("#run-chunks tr").evaluate_all(
                            "rows => rows.map(r => r.getAttribute('data-state'))"
                        )
                    )
                )
        except Exception:  # noqa: S112  # the page reloaded between two reads: look again
            continue
        time.sleep(0.05)
    return states, [(b - a) / 1000 for a, b in itertools.pairwise(stamps)]


def test_a_run_is_started_watched_checked_published_and_read(
    page: Page, live_server: Any, reference_data: None
) -> None:
    from django.core.cache import cache

    from insight import selectors

    selectors.forget_computed()
    cache.clear()
    schools = build_world(n_authorities=3, schools_per_authority=2, leavers_per_school=12)
    school = schools[0]
    first = publish(run_execute_in_process(run_start(by=None, years=list(RUN_YEARS), draws=3)))
    # Corrected results for one school: its figures move in the next run.
    QualificationResult.objects.filter(establishment=school).update(grade="A")
    manager = member(Role.DATA_MANAGER)
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    authority_dm = member(Role.DATA_MANAGER, authority=school.authority)

    # --- the national data manager starts a run and watches it
    sign_in(page, live_server, manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Benchmark runs").click()
    page.wait_for_url(re.compile(r"/insight/runs/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Benchmark runs"
    assert_accessible(page, label="runs page")
    page.get_by_label("Virtual comparator draws").fill("3")
    with override_settings(BENCHMARK_FAULT_PAUSE_SECONDS=1.5):
        page.get_by_role("button", name="Start a run").click()
        page.wait_for_url(re.compile(r"/insight/runs/\d+/$"))
        states, gaps = watch_progress(page)
    run = BenchmarkRun.objects.exclude(pk=first.pk).get()
    print(
        f"progress updates drawn: {len(gaps) + 1}; gaps between them (s): {[round(g, 2) for g in gaps]}; "
        f"longest {max(gaps, default=0):.2f} s"
    )
    assert any("running" in s for s in states), states  # seen live, chunk by chunk
    page.wait_for_load_state()
    status = page.locator("#run-status")
    assert re.search(r"Succeeded: 100%", status.inner_text()), status.inner_text()

    # --- reads its checks and publishes it with a note
    checks = page.get_by_role("region", name="Checks before publishing")
    assert checks.is_visible()
    moved = page.get_by_role("table", name=re.compile("moved most"))
    assert moved.get_by_role("rowheader", name=school.name).count() >= 1
    assert_accessible(page, label="run page with checks")
    screenshot(page, "run-checks")
    page.set_viewport_size(NARROW)
    assert_reflows(page, label="run page at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Release note").fill("Corrected 2023 and 2024 results for one school.")
    page.get_by_role("button", name=f"Publish run {run.pk}").click()
    page.wait_for_url(re.compile(rf"/insight/runs/{run.pk}/$"))
    # The run's page again, at the same URL (so wait_for_url returns at once): the message is awaited.
    expect(page.get_by_text("every page shows its figures now")).to_be_visible()
    run.refresh_from_db()
    assert run.publication == Publication.PUBLISHED
    sign_out(page, live_server)

    # --- the head teacher reads the new figures and what changed
    sign_in(page, live_server, head)
    page.goto(f"{live_server.url}/insight/establishments/{school.seed_code}/")
    published = page.locator("#figures-published")
    assert re.search(r"Figures as published on \d{1,2} \w+ \d{4}", published.inner_text())
    assert page.get_by_text("New benchmarking figures were published").is_visible()
    changed = page.locator("#what-changed")
    assert "What changed since the release of" in changed.inner_text()
    changes = page.get_by_role("table", name="Changes against the previous release")
    assert changes.is_visible()
    assert "beyond interval" in changes.inner_text()
    assert_accessible(page, label="dashboard with changes")
    screenshot(page, "dashboard-changes")
    # Its Regional Improvement Collaborative (Aberdeen City's: the Northern Alliance) is a column
    # between the authority and Scotland, in the tables and in the charts' data.
    leaver_columns = page.locator("#table-leavers").get_by_role("columnheader").all_inner_texts()
    assert [h.strip() for h in leaver_columns[-3:]] == [school.authority.name, "Northern Alliance", "Scotland"]
    assert page.get_by_role("term").filter(has_text="Regional Improvement Collaborative").is_visible()
    panel = page.locator("#table-m-pct-initial-positive").get_by_role("columnheader").all_inner_texts()
    assert "Northern Alliance" in [h.strip() for h in panel]
    published.get_by_role("link", name="release note").click()
    expect(page.get_by_text("Corrected 2023 and 2024 results for one school.")).to_be_visible()
    sign_out(page, live_server)

    # --- an authority data manager reads the runs but may not start or publish (403)
    sign_in(page, live_server, authority_dm)
    page.goto(f"{live_server.url}/insight/runs/{run.pk}/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("button", name=re.compile("Publish|Withdraw|Start")).count() == 0
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": f"{live_server.url}/insight/runs/"}
    start = page.request.post(
        f"{live_server.url}/insight/runs/start/", form={"years": "2024", "draws": "1"}, headers=headers
    )
    publish_again = page.request.post(
        f"{live_server.url}/insight/runs/{first.pk}/publish/", form={"release_note": "no"}, headers=headers
    )
    assert (start.status, publish_again.status) == (403, 403)
    assert BenchmarkRun.objects.count() == 2
