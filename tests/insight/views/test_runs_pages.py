"""The Benchmark runs pages: who may start, watch, check, publish and withdraw; progress as JSON;
release notes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role, SchoolLeaver
from insight.models import BenchmarkRun, ChunkStatus, Publication, RunNotice, RunStatus
from insight.publication import run_start
from insight.services import run_execute_in_process
from tests.factories import member
from tests.insight.worlds import RUN_YEARS, build_world, client_for, publish


def national_dm() -> Any:
    return member(Role.DATA_MANAGER)


def wait_until_finished(client: Any, run_id: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = client.get(reverse("insight:run_progress", kwargs={"pk": run_id})).json()
        if not progress["active"]:
            return progress
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still active after {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_a_national_data_manager_starts_watches_checks_and_publishes_a_run(reference_data: None, world: Any) -> None:
    build_world(n_authorities=2, schools_per_authority=2, leavers_per_school=8)
    manager = client_for(national_dm())
    page = manager.get(reverse("insight:runs")).content.decode()
    assert "Start a run" in page and 'name="years"' in page

    resp = manager.post(reverse("insight:run_start"), {"years": list(RUN_YEARS), "draws": 2})
    run = BenchmarkRun.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("insight:run_detail", kwargs={"pk": run.pk})
    progress = wait_until_finished(manager, run.pk)  # computed in a thread: the request returned at once
    assert progress["status"] == RunStatus.SUCCEEDED and progress["percent"] == 100
    assert progress["counts"]["done"] == progress["chunks_total"] == 2 * len(RUN_YEARS)  # leavers, local measures
    assert all(ch["worker"] for ch in progress["chunks"])

    detail = manager.get(reverse("insight:run_detail", kwargs={"pk": run.pk})).content.decode()
    assert "Checks before publishing" in detail and "Publish run" in detail
    assert BenchmarkRun.objects.published() is None  # a draft until published

    resp = manager.post(reverse("insight:run_publish", kwargs={"pk": run.pk}), {"release_note": "First release"})
    assert resp.status_code == 302
    run.refresh_from_db()
    assert run.publication == Publication.PUBLISHED and run.release_note == "First release"
    assert BenchmarkRun.objects.published() == run
    assert AuditEvent.objects.filter(action="benchmark_run.publish", object_id=str(run.pk)).exists()


@pytest.mark.django_db
def test_authority_data_managers_and_analysts_read_but_cannot_start_or_publish(world: Any) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    run = run_execute_in_process(run_start(by=None, years=[RUN_YEARS[-1]]))
    for persona in ("dm_x", "analyst_x", "national"):
        client = client_for(world.personas[persona])
        assert client.get(reverse("insight:runs")).status_code == 200
        assert client.get(reverse("insight:run_detail", kwargs={"pk": run.pk})).status_code == 200
        assert client.post(reverse("insight:run_start"), {"years": [RUN_YEARS[-1]], "draws": 1}).status_code == 403
        assert client.post(reverse("insight:run_publish", kwargs={"pk": run.pk}),
                           {"release_note": "no"}).status_code == 403
        assert client.post(reverse("insight:run_cancel", kwargs={"pk": run.pk})).status_code == 403
    for persona in ("staff_a", "admin_a", "dm_a", "mcmc_x"):
        assert client_for(world.personas[persona]).get(reverse("insight:runs")).status_code == 403
    run.refresh_from_db()
    assert run.publication == Publication.DRAFT


@pytest.mark.django_db
def test_cancel_stops_a_queued_run_and_it_never_finalises(world: Any) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    run = run_start(by=None, years=list(RUN_YEARS))
    manager = client_for(national_dm())
    assert manager.post(reverse("insight:run_cancel", kwargs={"pk": run.pk})).status_code == 302
    run = run_execute_in_process(run)  # a worker picking the chunks up later computes nothing
    assert run.status == RunStatus.CANCELLED
    assert not run.chunks.exclude(status=ChunkStatus.FAILED).exists()
    assert AuditEvent.objects.filter(action="benchmark_run.cancel", object_id=str(run.pk)).exists()


@pytest.mark.django_db
def test_release_notes_are_for_published_runs_and_mark_the_notice_read(world: Any) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    school = SchoolLeaver.objects.first().establishment  # type: ignore[union-attr]
    staff = member(Role.ESTABLISHMENT_STAFF, establishment=school)
    draft = run_execute_in_process(run_start(by=None, years=[RUN_YEARS[-1]]))
    url = reverse("insight:release_note", kwargs={"pk": draft.pk})
    assert client_for(staff).get(url).status_code == 404
    publish(draft)
    assert RunNotice.objects.get(recipient=staff, run=draft).read_at is None
    body = client_for(staff).get(url).content.decode()
    assert "Test figures" in body
    assert RunNotice.objects.get(recipient=staff, run=draft).read_at is not None


@pytest.mark.django_db
def test_the_runs_page_warns_when_imports_changed_the_data(world: Any) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    publish(run_execute_in_process(run_start(by=None, years=list(RUN_YEARS))))
    client = client_for(world.personas["national"])
    assert "stale-warning" not in client.get(reverse("insight:runs")).content.decode()
    SchoolLeaver.objects.filter(pk=SchoolLeaver.objects.filter(leaver_year=RUN_YEARS[-1]).first().pk).delete()  # type: ignore[union-attr]
    body = client.get(reverse("insight:runs")).content.decode()
    assert "stale-warning" in body and "School leavers" in body
    # An analyst cannot start a run: the warning says who does.
    assert "A national data manager starts a new run" in body and "Start a new run" not in body
