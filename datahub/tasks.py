"""Celery adapters for datahub: take ids, call a service (default queue)."""

from __future__ import annotations

from celery import shared_task

from .imports.processing import IMPORT_TASK_TIME_LIMIT, import_batch_process


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=IMPORT_TASK_TIME_LIMIT - 60,
             time_limit=IMPORT_TASK_TIME_LIMIT)
def run_import_batch(batch_id: int) -> int:
    """Process a large uploaded file; the batch page shows its progress. Safe to deliver twice."""
    import_batch_process(batch_id)
    return batch_id
