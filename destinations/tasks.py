"""Celery adapters for destinations: the nightly refresh of every MCMC case.

The caseload brings itself up to date on every read (destinations.services.case_sync); the
nightly full refresh repairs what the incremental sync cannot see, e.g. a learner moving to a
school in another authority. Safe to run twice: it recomputes derived columns only.
"""

from __future__ import annotations

from celery import shared_task

from .services import case_sync


@shared_task(name="destinations.tasks.refresh_cases", acks_late=True)
def refresh_cases() -> int:
    return case_sync(full=True)
