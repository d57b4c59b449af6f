"""Who is running an import batch, for how long, and what happens when they stop.

A worker claims a batch with a conditional update that names the attempt (``claimed_by``) and
gives it a lease. On PostgreSQL a heartbeat thread (``LeaseKeeper``) renews the lease on its own
connection while the import runs, so a live import is never taken over however long its COPY or
merge statement takes; when the worker dies (SIGKILL, out of memory, the machine restarted) the
heartbeat stops with it and the lease runs out. The periodic reaper (datahub.tasks.reap_stale_imports,
every minute, like insight.tasks.reap_stuck_runs for benchmark chunks) then queues a batch with a
stored upload again, up to ``IMPORT_MAX_ATTEMPTS``, or fails it with a reason the batch page shows.

Nothing of an interrupted attempt is ever written: the import writes in one transaction, and the
attempt records its success inside that same transaction only if the batch is still claimed by it
(``record_within_write``), so a late or superseded attempt rolls back instead of writing twice.
On SQLite (the embedded default: no worker, no reaper) there is no heartbeat; the lease is then
the task's hard time limit, as before.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, connections
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import KombuError

from ..models import ImportBatch, ImportStatus
from ..services import audit_event_create

log = logging.getLogger(__name__)

IMPORT_TASK_TIME_LIMIT = 3 * 3600  # seconds (datahub.tasks.run_import_batch)
RUNNING = (ImportStatus.VALIDATING, ImportStatus.WRITING)

CONNECTION_LOST = "The database connection was lost while this import ran, so nothing was written."
WORKER_STOPPED = (
    "The import stopped before it finished (the worker running it ended, or lost its database connection), "
    "so nothing was written."
)
UPLOAD_AGAIN = "Upload the file again to import it."
BACKGROUND_UNAVAILABLE = (
    "Background work is unavailable just now (the task queue cannot be reached), so this import was not "
    "queued and nothing was written. Upload the file again in a few minutes."
)
# What queueing a task raises when the broker is down (kombu wraps redis-py's connection errors).
BROKER_DOWN = (KombuError, ConnectionError, OSError)


class ImportInterrupted(Exception):
    """A transient failure (the database connection was lost): the batch is queued again."""


class LeaseLost(Exception):
    """The batch is no longer claimed by this attempt (the reaper gave it to another): roll back."""


def lease_seconds() -> int:
    return int(getattr(settings, "IMPORT_LEASE_SECONDS", 120))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "IMPORT_MAX_ATTEMPTS", 3)))


def heartbeat_on() -> bool:
    return connection.vendor == "postgresql"


def lease_length() -> dt.timedelta:
    """With a heartbeat, a short lease (a dead worker's batch is retried within minutes); without
    one, the task's hard time limit and a margin (the batch is surely dead after that)."""
    return dt.timedelta(seconds=lease_seconds() if heartbeat_on() else IMPORT_TASK_TIME_LIMIT + 300)


def claim_token() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def import_batch_claim(batch_id: int, me: str) -> bool:
    """Take a queued batch, or a running one whose lease ran out; False when someone else holds it
    or it has finished (a second delivery of the same task is a no-op)."""
    now = timezone.now()
    dead = now - dt.timedelta(seconds=IMPORT_TASK_TIME_LIMIT + 300)
    claimable = (
        Q(status=ImportStatus.PENDING)
        | Q(status__in=RUNNING, lease_until__lt=now)
        | Q(status__in=RUNNING, lease_until__isnull=True, started_at__lt=dead)  # claimed before leases existed
    )
    return bool(
        ImportBatch.objects.filter(claimable, pk=batch_id).update(
            status=ImportStatus.VALIDATING, started_at=now, lease_until=now + lease_length(), claimed_by=me,
            attempts=F("attempts") + 1,
        )
    )


class LeaseKeeper:
    """Renews the claim's lease every third of its length from a thread with its own connection."""

    def __init__(self, batch_id: int, me: str) -> None:
        self.batch_id, self.me = batch_id, me
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if heartbeat_on():
            self._thread = threading.Thread(target=self._run, name=f"import-lease-{batch_id}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        every = max(0.2, lease_seconds() / 3)
        try:
            while not self._stop.wait(every):
                try:
                    with connection.cursor() as cur:  # this thread's own connection
                        cur.execute("SET lock_timeout = '1s'")
                    ImportBatch.objects.filter(pk=self.batch_id, claimed_by=self.me, status__in=RUNNING).update(
                        lease_until=timezone.now() + lease_length()
                    )
                except DatabaseError:  # the import itself meets the same fault and deals with it
                    log.warning("Could not renew the lease of import batch %s", self.batch_id)
                    connection.close()
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def import_batch_release(batch_id: int, me: str, *, reason: str) -> bool:
    """After a transient failure: put the batch back in the queue when it has a stored upload and
    attempts left (True: queue it again), else fail it with ``reason`` (False)."""
    row = ImportBatch.objects.filter(pk=batch_id, claimed_by=me, status__in=RUNNING).values(
        "attempts", "stored_file").first()
    if row is None:  # finished (committed just before the fault) or taken over: nothing to do
        return False
    if row["stored_file"] and row["attempts"] < max_attempts():
        message = f"{reason} It is being tried again (attempt {row['attempts'] + 1} of {max_attempts()})."
        return bool(ImportBatch.objects.filter(pk=batch_id, claimed_by=me, status__in=RUNNING).update(
            status=ImportStatus.PENDING, claimed_by="", lease_until=timezone.now() + lease_length(), message=message,
            rows_validated=0, rows_written=0,
        ))
    import_batch_fail(batch_id, claimed_by=me, message=_final(reason, row["attempts"]))
    return False


def _final(reason: str, attempts: int) -> str:
    tried = f" It was tried {attempts} times." if attempts > 1 else ""
    return f"{reason}{tried} {UPLOAD_AGAIN}"


def import_batch_fail(batch_id: int, *, claimed_by: str | None, message: str) -> bool:
    """Fail a batch that has not finished (never one that did: its outcome stands)."""
    qs = ImportBatch.objects.filter(pk=batch_id, status__in=[ImportStatus.PENDING, *RUNNING])
    if claimed_by is not None:
        qs = qs.filter(claimed_by=claimed_by)
    batch = ImportBatch.objects.filter(pk=batch_id).select_related("uploaded_by").first()
    failed = qs.update(status=ImportStatus.FAILED, finished_at=timezone.now(), message=message, claimed_by="",
                       lease_until=None, rows_written=0, stored_file="")
    if not failed or batch is None:
        return False
    if batch.stored_file:
        try:
            default_storage.delete(batch.stored_file)  # personal data: kept no longer than needed
        except OSError:
            log.warning("Could not delete the stored upload of batch %s", batch_id)
    audit_event_create(
        actor=batch.uploaded_by, action="import_data" if not batch.dry_run else "import_dry_run",
        object_type="import_batch", object_id=batch_id,
        detail={"kind": batch.kind, "status": ImportStatus.FAILED, "file": batch.file_name,
                "sha256": batch.file_sha256, "attempts": batch.attempts, "reason": message},
    )
    return True


def import_batches_reap() -> list[int]:
    """Periodic: batches whose lease ran out go back to the queue (or fail when they cannot be
    retried); queued batches never claimed within a lease (their message lost with a Redis
    restart) are queued again. Returns the ids to queue; a second delivery is a no-op claim."""
    now = timezone.now()
    requeue: list[int] = []
    expired = ImportBatch.objects.filter(status__in=RUNNING, lease_until__lt=now)
    for row in expired.values("id", "attempts", "stored_file", "claimed_by"):
        this = ImportBatch.objects.filter(pk=row["id"], claimed_by=row["claimed_by"], status__in=RUNNING,
                                          lease_until__lt=now)
        if row["stored_file"] and row["attempts"] < max_attempts():
            message = (f"{WORKER_STOPPED} It is being tried again (attempt {row['attempts'] + 1} "
                       f"of {max_attempts()}).")
            if this.update(status=ImportStatus.PENDING, claimed_by="", lease_until=now + lease_length(),
                           message=message, rows_validated=0, rows_written=0):
                requeue.append(row["id"])
        elif this.exists():
            import_batch_fail(row["id"], claimed_by=row["claimed_by"], message=_final(WORKER_STOPPED, row["attempts"]))
            log.warning("Import batch %s failed: its lease ran out %s times", row["id"], row["attempts"])
    waited = now - lease_length()
    lost = (ImportBatch.objects.filter(status=ImportStatus.PENDING, background=True).exclude(stored_file="")
            .filter(Q(lease_until__lt=now) | Q(lease_until__isnull=True, created_at__lt=waited)))
    for batch_id in lost.values_list("id", flat=True):
        if ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.PENDING).update(lease_until=now + lease_length()):
            requeue.append(batch_id)
    return requeue
