"""Publication of benchmark runs: pages read the published run, not the latest; the input hash;
the stale data warning; the nightly draft run."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from datahub.models import AuditEvent, QualificationResult, Role, SchoolLeaver
from insight import tasks
from insight.models import BenchmarkRun, Publication, RunNotice, RunStatus
from insight.publication import run_publish, run_start, run_unpublish
from insight.selectors.dashboards import all_leaver_rows_key, latest_run
from insight.selectors.pattern import forget_computed, public_pattern_key, shared_cache_key
from insight.selectors.runs import inputs_changed_since
from insight.services import RunError, run_create, run_execute_in_process
from tests.factories import member
from tests.insight.worlds import RUN_YEARS, build_world, client_for, publish

pytestmark = pytest.mark.django_db


def computed(seed: int = 3, years: list[int] | None = None) -> BenchmarkRun:
    run = run_execute_in_process(run_start(by=None, years=years or list(RUN_YEARS), seed=seed))
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def test_the_same_data_gives_the_same_hash_and_one_changed_result_another() -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=8)
    one = computed(seed=3)
    two = computed(seed=4)  # another seed: the figures differ, the data they read does not
    assert len(one.input_hash) == 64 and one.input_hash == two.input_hash
    assert one.input_rows == two.input_rows and one.input_rows["school leavers"] == 2 * 8 * len(RUN_YEARS)
    result = QualificationResult.objects.filter(grade="A").first() or QualificationResult.objects.first()
    assert result is not None
    result.grade = "D" if result.grade != "D" else "A"
    result.save(update_fields=["grade"])
    three = computed(seed=3)
    assert three.input_hash != one.input_hash
    assert three.input_rows == one.input_rows  # same row counts: only the hash sees an edited value


def test_pages_keep_the_published_run_while_a_newer_draft_exists_and_switch_on_publish(
    world, django_capture_on_commit_callbacks
) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=8)
    school = SchoolLeaver.objects.first().establishment  # type: ignore[union-attr]
    staff = member(Role.ESTABLISHMENT_STAFF, establishment=school)
    url = f"/insight/establishments/{school.seed_code}/"
    first = publish(computed(seed=3))
    draft = computed(seed=4)
    assert draft.publication == Publication.DRAFT
    assert latest_run() == first
    body = client_for(staff).get(url).content.decode()
    assert f"Benchmark run {first.pk} " in body and f"Benchmark run {draft.pk} " not in body
    assert "Figures as published on" in body

    with django_capture_on_commit_callbacks(execute=True):
        run_publish(run=draft, by=world.personas["national"], release_note="Corrected results for 2024.")
    assert latest_run() == draft
    body = client_for(staff).get(url).content.decode()
    assert f"Benchmark run {draft.pk} " in body
    assert "What changed since the release of" in body  # against the release before
    assert RunNotice.objects.filter(recipient=staff, run=draft).exists()
    assert any(staff.email in m.to for m in mail.outbox)

    shown = run_unpublish(run=draft, by=world.personas["national"], reason="A late correction")
    assert shown == first and latest_run() == first
    assert f"Benchmark run {first.pk} " in client_for(staff).get(url).content.decode()
    actions = list(AuditEvent.objects.filter(object_type="benchmark_run", object_id=str(draft.pk))
                   .values_list("action", flat=True))
    assert "benchmark_run.publish" in actions and "benchmark_run.unpublish" in actions


def test_only_a_succeeded_run_is_published_and_only_with_a_note() -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    run = run_start(by=None, years=[RUN_YEARS[-1]])  # not computed yet
    with pytest.raises(RunError):
        run_publish(run=run, by=None, release_note="Too early")
    run = run_execute_in_process(run)
    with pytest.raises(RunError):
        run_publish(run=run, by=None, release_note="   ")
    run_publish(run=run, by=None, release_note="Fine")
    with pytest.raises(RunError):
        run_publish(run=run, by=None, release_note="Twice")


def test_the_stale_warning_names_the_source_that_changed() -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    run = publish(computed(seed=3))
    assert not inputs_changed_since(run)
    QualificationResult.objects.filter(pk=QualificationResult.objects.first().pk).delete()  # type: ignore[union-attr]
    changed = inputs_changed_since(run)
    assert changed
    assert [(s.source, s.rows_now - (s.rows_then or 0)) for s in changed.sources] == [("qualification results", -1)]


def test_the_nightly_run_starts_a_draft_only_when_the_data_changed_and_never_publishes() -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    published = publish(computed(seed=3))
    with override_settings(BENCHMARK_NIGHTLY_DRAFT_RUN=False):
        assert tasks.nightly_draft_run() is None
    with override_settings(BENCHMARK_NIGHTLY_DRAFT_RUN=True):
        assert tasks.nightly_draft_run() is None  # nothing changed
        QualificationResult.objects.filter(pk=QualificationResult.objects.first().pk).delete()  # type: ignore[union-attr]
        new_id = tasks.nightly_draft_run()
    assert new_id is not None
    new = BenchmarkRun.objects.get(pk=new_id)
    assert new.status == RunStatus.SUCCEEDED and new.publication == Publication.DRAFT
    assert latest_run() == published


def test_run_create_alone_makes_a_draft() -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    run = run_execute_in_process(run_create(years=[RUN_YEARS[-1]], seed=1))
    assert run.publication == Publication.DRAFT and latest_run() is None


def test_publishing_prepares_the_public_pattern_before_anyone_reads(world, django_capture_on_commit_callbacks) -> None:
    """The first readers after a release find the suppression pattern already in the shared cache
    (at national scale each would otherwise compute it, about 2 s, all at once); withdrawing
    prepares the run pages return to."""
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=8)
    first = publish(computed(seed=3))
    draft = computed(seed=4)
    cache.clear()
    forget_computed()
    with django_capture_on_commit_callbacks(execute=True):
        run_publish(run=draft, by=world.personas["national"], release_note="New figures.")
    assert cache.get(shared_cache_key(public_pattern_key(draft))) is not None
    assert cache.get(shared_cache_key(all_leaver_rows_key(draft))) is not None  # the national view's rows too
    assert cache.get(shared_cache_key(public_pattern_key(first))) is None
    with django_capture_on_commit_callbacks(execute=True):
        run_unpublish(run=draft, by=world.personas["national"], reason="A late correction")
    first.refresh_from_db()
    assert cache.get(shared_cache_key(public_pattern_key(first))) is not None
