"""Writes for benchmark runs from the portal: start, cancel, publish, unpublish (audited).

A run is computed as a *draft*; a national data manager publishes it with a release note, and
from then on every page reads it (``BenchmarkRun.objects.published()``). Unpublishing withdraws it,
and the pages return to the previous published run. Publishing tells the people of every school
and authority in the run, in the portal (``RunNotice``) and by e-mail.

Who may call these is decided by the views (``datahub.access.can_manage_benchmark_runs``); the
services check the state of the run, not the caller's role.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from datahub.links import absolute_url
from datahub.models import ESTABLISHMENT_ROLES, Establishment, Membership, Role, User
from datahub.services import audit_event_create
from partnerships.workspace.notices import joint_figures_notify

from .benchmarking import columns as c
from .joint import run_ref as joint_run_ref
from .models import BenchmarkChunk, BenchmarkRun, ChunkStatus, CohortResult, Publication, RunNotice, RunStatus
from .prepare import prepare_pattern
from .selectors.runs import input_rows
from .services import RunError, run_create

log = logging.getLogger(__name__)

DEFAULT_SEED = 20260101  # as run_create and run_benchmarks: same data, same figures

OBJECT_TYPE = "benchmark_run"


def run_start(
    *,
    by: User | None,
    years: list[int] | None = None,
    draws: int = 1,
    seed: int | None = None,
    authority_chunks: int = 1,
    reason: str = "",
) -> BenchmarkRun:
    """Create a draft run with its chunks and the row counts of its inputs. The caller enqueues it
    (``insight.tasks.enqueue_run_background``) once this transaction commits."""
    with transaction.atomic():
        run = run_create(
            requested_by=by, years=years, draws=draws, authority_chunks=authority_chunks,
            seed=DEFAULT_SEED if seed is None else seed,
        )
        run.input_rows = input_rows(run.years)
        run.save(update_fields=["input_rows"])
        audit_event_create(
            actor=by,
            action="benchmark_run.start",
            object_type=OBJECT_TYPE,
            object_id=run.pk,
            reason=reason,
            detail={"years": run.years, "draws": run.draws, "seed": run.seed},
        )
    return run


def run_cancel(*, run: BenchmarkRun, by: User) -> None:
    """Stop a queued or running run: its pending chunks are not computed and it never finalises.
    A chunk already running finishes its computation, but the run stays cancelled."""
    with transaction.atomic():
        stopped = BenchmarkRun.objects.filter(id=run.id, status__in=[RunStatus.PENDING, RunStatus.RUNNING]).update(
            status=RunStatus.CANCELLED, finished_at=timezone.now(), error=f"Cancelled by {by.email}."
        )
        if not stopped:
            raise RunError("Only a queued or running run can be cancelled.")
        BenchmarkChunk.objects.filter(run_id=run.id, status=ChunkStatus.PENDING).update(
            status=ChunkStatus.FAILED, error="The run was cancelled."
        )
        audit_event_create(actor=by, action="benchmark_run.cancel", object_type=OBJECT_TYPE, object_id=run.pk)
    run.refresh_from_db()


def run_publish(*, run: BenchmarkRun, by: User | None, release_note: str) -> BenchmarkRun:
    """Make ``run`` the figures every page shows, with its release note; tell the affected people."""
    note = release_note.strip()
    if not note:
        raise RunError("Write a release note: what is new in these figures and why.")
    with transaction.atomic():
        locked = BenchmarkRun.objects.select_for_update().get(id=run.id)
        if locked.status != RunStatus.SUCCEEDED:
            raise RunError("Only a run that succeeded can be published.")
        if locked.publication == Publication.PUBLISHED:
            raise RunError("This run is already published.")
        previous = BenchmarkRun.objects.published()
        locked.publication = Publication.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = by
        locked.release_note = note
        locked.withdrawn_at = None
        locked.withdrawn_by = None
        locked.save(
            update_fields=[
                "publication",
                "published_at",
                "published_by",
                "release_note",
                "withdrawn_at",
                "withdrawn_by",
            ]
        )
        audit_event_create(
            actor=by,
            action="benchmark_run.publish",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            reason=note,
            detail={"previous_run": previous.pk if previous else None},
        )
        recipients = _notify(locked)
        transaction.on_commit(lambda: queue_prepare_pattern(locked))
        transaction.on_commit(lambda: _email(locked, recipients))
        transaction.on_commit(lambda: _notify_workspaces(locked))
    return locked


def _notify_workspaces(run: BenchmarkRun) -> None:
    """Partnership workspaces whose joint measures the run has new figures for (their notices and
    e-mails). A failure here leaves the run published; the partners see the figures anyway."""
    try:
        joint_figures_notify(run=joint_run_ref(run))
    except Exception:
        log.exception("could not notify partnership workspaces of run %s", run.pk)


def queue_prepare_pattern(run: BenchmarkRun) -> None:
    """Prepare the run's pattern (``prepare_pattern``) on a worker, not in the request that
    publishes: at national scale it takes tens of seconds of CPU, protecting every layer together.
    In the embedded default (tasks in-process, small data) it runs here; when the broker cannot be
    reached, the first reader computes it, as before."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        prepare_pattern(run)
        return
    from celery import current_app
    from kombu.exceptions import KombuError

    try:  # by name: insight.tasks imports this module
        current_app.send_task("insight.tasks.prepare_run_pattern", args=[run.pk])
    except (KombuError, ConnectionError, OSError):
        log.warning("run %s: pattern not queued (broker unreachable); the first reader computes it", run.pk)


def run_unpublish(*, run: BenchmarkRun, by: User | None, reason: str) -> BenchmarkRun | None:
    """Withdraw a published run; pages return to the previous published run (returned, or None)."""
    reason = reason.strip()
    if not reason:
        raise RunError("Say why the figures are withdrawn.")
    with transaction.atomic():
        locked = BenchmarkRun.objects.select_for_update().get(id=run.id)
        if locked.publication != Publication.PUBLISHED:
            raise RunError("This run is not published.")
        locked.publication = Publication.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by
        locked.save(update_fields=["publication", "withdrawn_at", "withdrawn_by"])
        now_shown = BenchmarkRun.objects.published()
        audit_event_create(
            actor=by,
            action="benchmark_run.unpublish",
            object_type=OBJECT_TYPE,
            object_id=locked.pk,
            reason=reason,
            detail={"now_published": now_shown.pk if now_shown else None},
        )
        if now_shown is not None:
            shown = now_shown
            transaction.on_commit(lambda: queue_prepare_pattern(shown))
    return now_shown


def _recipients(run: BenchmarkRun) -> list[User]:
    """The people of every school in the run (admins, staff, school data managers) and of every
    authority with a school in it (authority roles and authority data managers)."""
    school_ids = set(
        CohortResult.objects.filter(run=run, cohort=c.COHORT_ESTABLISHMENT)
        .values_list("cohort_id", flat=True)
        .distinct()
    )
    authority_ids = set(Establishment.objects.filter(id__in=school_ids).values_list("authority_id", flat=True))
    members = Membership.objects.filter(
        establishment_id__in=school_ids, role__in=[*ESTABLISHMENT_ROLES, Role.DATA_MANAGER]
    ) | Membership.objects.filter(authority_id__in=authority_ids, establishment__isnull=True)
    user_ids = set(members.values_list("user_id", flat=True))
    return list(User.objects.filter(id__in=user_ids, is_active=True).order_by("id"))


def _notify(run: BenchmarkRun) -> list[User]:
    users = _recipients(run)
    assert run.published_at is not None
    text = f"New benchmarking figures were published on {run.published_at:%-d %B %Y}."
    RunNotice.objects.bulk_create([RunNotice(recipient=u, run=run, text=text) for u in users], ignore_conflicts=True)
    return users


def _email(run: BenchmarkRun, users: list[User]) -> int:
    context = {
        "run": run,
        "note_url": absolute_url(reverse("insight:release_note", kwargs={"pk": run.pk})),
        "portal_url": absolute_url("/"),
    }
    subject = render_to_string("insight/email/figures_published_subject.txt", context).strip()
    body = render_to_string("insight/email/figures_published_body.txt", context)
    messages = [(subject, body, None, [u.email]) for u in users if u.email and u.email_new_figures]
    if not messages:
        return 0
    sent = send_mass_mail(messages, fail_silently=False)
    log.info("run %s published: %s e-mail(s) sent", run.pk, sent)
    return sent


def notices_mark_read(*, user: User, run: BenchmarkRun) -> int:
    return RunNotice.objects.filter(recipient=user, run=run, read_at__isnull=True).update(read_at=timezone.now())
