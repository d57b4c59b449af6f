"""Celery adapters for datahub: take ids, call a service (default queue)."""

from __future__ import annotations

from celery import shared_task

from .imports.lease import IMPORT_TASK_TIME_LIMIT, ImportInterrupted, import_batches_reap
from .imports.processing import import_batch_process


# ignore_result: nobody waits for these results, and queueing one then needs only the broker
# (with results on, a web process tries the result store for 20 s when Redis is down).
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True, soft_time_limit=IMPORT_TASK_TIME_LIMIT - 60,
             time_limit=IMPORT_TASK_TIME_LIMIT, autoretry_for=(ImportInterrupted,), retry_backoff=2,
             retry_backoff_max=60, max_retries=10)
def run_import_batch(batch_id: int) -> int:
    """Process a large uploaded file; the batch page shows its progress. Safe to deliver twice.
    A lost database connection puts the batch back in the queue (datahub.imports.lease decides
    how often): this task is then retried after a pause."""
    import_batch_process(batch_id)
    return batch_id


@shared_task(ignore_result=True)
def reap_stale_imports() -> int:
    """Periodic (celery beat): queue again the batches whose worker died or whose queued message
    was lost, and fail those out of attempts. Returns how many were queued."""
    batch_ids = import_batches_reap()
    for batch_id in batch_ids:
        run_import_batch.delay(batch_id)
    return len(batch_ids)
