"""Celery adapters for benchmark runs: take ids, call insight.services. Queue: benchmarking."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from celery import chord, group, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError, connections
from django.db.models import Case, Q, When
from django.utils import timezone
from kombu.exceptions import KombuError

from . import publication, services
from .groups.services import group_figures_refresh
from .models import BenchmarkChunk, BenchmarkRun, ChunkPart, ChunkStatus, RunStatus
from .selectors.runs import inputs_changed_since

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, ConnectionError)


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=2,
    retry_backoff_max=60, max_retries=5, soft_time_limit=600, time_limit=660,
)
def compute_chunk(self, chunk_id: int) -> int:
    try:
        services.chunk_compute(chunk_id)
    except SoftTimeLimitExceeded:
        services.chunk_fail(chunk_id, "The chunk ran past its time limit.")
        raise
    except TRANSIENT:
        raise
    except Exception as exc:
        services.chunk_fail(chunk_id, f"{type(exc).__name__}: {exc}")
        raise
    # A chunk re-run after its worker died is outside the chord: whoever finishes last finalises.
    run_id = BenchmarkChunk.objects.filter(id=chunk_id).values_list("run_id", flat=True).first()
    if run_id is not None:
        services.run_finalise(run_id)
    return chunk_id


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=2, max_retries=5,
    soft_time_limit=900, time_limit=960,
)
def finalise_run(*_results: object, run_id: int) -> int:
    try:
        services.run_finalise(run_id)
    except TRANSIENT:
        raise
    except Exception as exc:
        BenchmarkRun.objects.filter(id=run_id).exclude(status=RunStatus.SUCCEEDED).update(
            status=RunStatus.FAILED, error=f"Finalise failed: {type(exc).__name__}: {exc}"
        )
        raise
    # The public pattern, into the shared cache while nobody waits for it (publishing finds it there).
    from .prepare import prepare_pattern

    run = BenchmarkRun.objects.filter(id=run_id, status=RunStatus.SUCCEEDED).first()
    if run is not None:
        prepare_pattern(run)
    return run_id


@shared_task(ignore_result=True, soft_time_limit=900, time_limit=960)
def prepare_run_pattern(run_id: int) -> None:
    """A published run's public suppression pattern and the national view's shared reads, into the cache."""
    from .prepare import prepare_pattern

    run = BenchmarkRun.objects.filter(id=run_id).first()
    if run is not None:
        prepare_pattern(run)


@shared_task(ignore_result=True)  # queueing it then needs only the broker, not the result store
def start_run(run_id: int) -> None:
    """Fan the run's chunks out to the benchmarking queue, joined by a chord that finalises.

    The local measures' chunks go first: they take three to four times a leavers' chunk, so the
    workers take the long ones first and share the short ones at the end (with the chunks in year
    order, two workers left one idle while the other computed a last year's local measures)."""
    chunk_ids = list(BenchmarkChunk.objects.filter(run_id=run_id).order_by(
        Case(When(part=ChunkPart.COHORTS, then=0), default=1), "year", "index").values_list("id", flat=True))
    chord(group(compute_chunk.si(cid) for cid in chunk_ids))(finalise_run.si(run_id=run_id))


@shared_task
def reap_stuck_runs() -> int:
    """Periodic: re-queue chunks whose lease expired (their worker died), and finalise ready runs."""
    services.run_reap_expired()
    requeued = 0
    active = BenchmarkRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING])
    # A chunk never claimed in a lease's time since its run was created may have lost its message
    # (Redis restarted without persistence): queue it again too; a second delivery is a no-op claim.
    waited_too_long = Q(run__created_at__lt=timezone.now() - timedelta(seconds=settings.BENCHMARK_CHUNK_LEASE_SECONDS))
    for chunk_id in BenchmarkChunk.objects.filter(
        Q(attempts__gt=0) | waited_too_long, run__in=active, status=ChunkStatus.PENDING
    ).values_list("id", flat=True):
        compute_chunk.delay(chunk_id)
        requeued += 1
    # Runs whose chunks are all done, and runs whose finaliser died (lease out): finalise them
    # here (a live finaliser's run is left alone: its claim holds).
    dead_finalisers = BenchmarkRun.objects.filter(status=RunStatus.FINALISING, lease_until__lt=timezone.now())
    for run_id in [*active.values_list("id", flat=True), *dead_finalisers.values_list("id", flat=True)]:
        services.run_finalise(run_id)
    return requeued


BACKGROUND_UNAVAILABLE = (
    "Background work is unavailable just now (the task queue cannot be reached), so this run was not queued "
    "and nothing was computed. Start it again in a few minutes."
)
# What queueing a task raises when the broker is down (kombu wraps redis-py's connection errors).
BROKER_DOWN = (KombuError, ConnectionError, OSError)


def _queue_start(run_id: int) -> bool:
    """Queue the run on the workers; when the broker cannot be reached, fail the run saying so
    (nothing was queued) and return False, rather than leave it "Queued" or raise a 500."""
    try:
        start_run.delay(run_id)
    except BROKER_DOWN:
        log.warning("benchmark run %s not queued: the broker cannot be reached", run_id, exc_info=True)
        BenchmarkRun.objects.filter(id=run_id, status=RunStatus.PENDING).update(
            status=RunStatus.FAILED, error=BACKGROUND_UNAVAILABLE, finished_at=timezone.now()
        )
        return False
    return True


def enqueue_run(run: BenchmarkRun) -> bool:
    """Start a run: in-process in the embedded default, else on the workers. False when it could
    not be queued (the run is then failed with the reason)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        services.run_execute_in_process(run)
        return True
    return _queue_start(run.id)


def _execute_in_thread(run_id: int) -> None:
    try:
        services.run_execute_in_process(BenchmarkRun.objects.get(id=run_id))
    except Exception as exc:
        log.exception("benchmark run %s failed in its thread", run_id)
        BenchmarkRun.objects.filter(
            id=run_id, status__in=[RunStatus.PENDING, RunStatus.RUNNING, RunStatus.FINALISING]
        ).update(status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now())
    finally:
        connections.close_all()  # this thread's own connections


def enqueue_run_background(run_id: int) -> bool:
    """Start a run without waiting for it (the runs page). With workers: on the benchmarking queue
    (False when the broker cannot be reached: the run is failed, saying so). In the embedded
    default (tasks in-process): in a thread of this process, so the request returns at once and
    the page can follow the chunks as they are computed."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        threading.Thread(target=_execute_in_thread, args=(run_id,), name=f"benchmark-run-{run_id}", daemon=True).start()
        return True
    return _queue_start(run_id)


@shared_task
def nightly_draft_run() -> int | None:
    """When BENCHMARK_NIGHTLY_DRAFT_RUN is on and imports changed the data since the newest run,
    start a draft run (never published by itself). Returns the new run's id, or None."""
    if not settings.BENCHMARK_NIGHTLY_DRAFT_RUN:
        return None
    newest = BenchmarkRun.objects.exclude(status__in=[RunStatus.FAILED, RunStatus.CANCELLED]).first()
    if newest is not None and (newest.is_active or not inputs_changed_since(newest)):
        return None
    try:
        run = publication.run_start(
            by=None,
            years=None,
            draws=newest.draws if newest else 1,
            reason="Nightly: the data changed since the newest run.",
        )
    except services.RunError as exc:
        log.info("nightly draft run not started: %s", exc)
        return None
    enqueue_run(run)
    return run.id



@shared_task(ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=2, max_retries=5,
             soft_time_limit=600, time_limit=660)
def compute_comparator_group(group_id: int) -> int:
    """A comparator group saved or changed after the run: its figures for the published run."""
    return group_figures_refresh(group_id)
