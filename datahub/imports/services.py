"""Import batches: create one from an upload or an API body, process it, cancel it.

``import_batch_create`` records who sent what (name, size, SHA-256); a small file is processed at
once, a large one (over ``IMPORT_BACKGROUND_THRESHOLD_BYTES``) is stored and handed to a Celery
task (datahub.tasks.run_import_batch) whose progress the batch page shows. Processing is safe to
run twice: a batch is claimed with a conditional update, and an import writes in one transaction
or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import time
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from ..access import scope_for
from ..models import Establishment, ImportBatch, ImportSource, ImportStatus, User
from ..services import audit_record
from . import engine
from .parsing import FileProblem, ParsedFile, frame_from_records, read_table
from .registry import get_kind

log = logging.getLogger(__name__)

DEFAULT_BACKGROUND_THRESHOLD = 2_000_000  # bytes
IMPORT_TASK_TIME_LIMIT = 3 * 3600  # seconds (datahub.tasks.run_import_batch)
DEFAULT_MAX_FILE_BYTES = 300_000_000


def background_threshold() -> int:
    return int(getattr(settings, "IMPORT_BACKGROUND_THRESHOLD_BYTES", DEFAULT_BACKGROUND_THRESHOLD))


def max_file_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def file_digest(fh: IO[bytes]) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    fh.seek(0)
    for block in iter(lambda: fh.read(1 << 20), b""):
        sha.update(block)
        size += len(block)
    fh.seek(0)
    return sha.hexdigest(), size


def previous_import_of(sha256: str, kind: str, user: User) -> ImportBatch | None:
    """An earlier successful import of the very same file (same kind and hash) by this user."""
    return (
        ImportBatch.objects.filter(file_sha256=sha256, kind=kind, uploaded_by=user, status=ImportStatus.SUCCEEDED)
        .order_by("-created_at")
        .first()
    )


def import_batch_create(
    *,
    user: User,
    kind: str,
    fh: IO[bytes],
    file_name: str,
    source: str = ImportSource.FILE,
    restrict_to: Establishment | None = None,
    dry_run: bool = False,
    background: bool | None = None,
) -> ImportBatch:
    """Record an upload and process it now (small files) or in the background (large files)."""
    if get_kind(kind) is None:
        raise ValueError(f"Unknown import kind {kind!r}")
    sha, size = file_digest(fh)
    if background is None:
        background = size > background_threshold()
    batch = ImportBatch.objects.create(
        kind=kind, source=source, uploaded_by=user, file_name=os.path.basename(file_name)[:255], file_sha256=sha,
        file_size=size, restrict_to=restrict_to, dry_run=dry_run, background=background,
    )
    if background:
        stored = default_storage.save(f"imports/{uuid.uuid4().hex}/upload.bin", File(fh))
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file=stored)
        batch.stored_file = stored
        from ..tasks import run_import_batch

        transaction.on_commit(lambda: run_import_batch.delay(batch.pk))
        return batch
    return import_batch_process(batch.pk, fh=fh)


def import_batch_process(batch_id: int, *, fh: IO[bytes] | None = None) -> ImportBatch:
    """Claim a pending batch and run it to the end. A batch claimed already is left alone.

    A batch whose worker died (still "running" long after the task's hard time limit) may be
    claimed again when Celery redelivers its task: nothing of it was written (one transaction).
    """
    dead = timezone.now() - dt.timedelta(seconds=IMPORT_TASK_TIME_LIMIT + 300)
    claimed = (
        ImportBatch.objects.filter(pk=batch_id)
        .filter(Q(status=ImportStatus.PENDING)
                | Q(status__in=[ImportStatus.VALIDATING, ImportStatus.WRITING], started_at__lt=dead))
        .update(status=ImportStatus.VALIDATING, started_at=timezone.now())
    )
    batch = ImportBatch.objects.select_related("uploaded_by", "restrict_to").get(pk=batch_id)
    if not claimed:
        return batch
    kind = get_kind(batch.kind)
    started = time.perf_counter()
    progress = BatchProgress(batch.pk)
    try:
        assert kind is not None
        if fh is None:
            with default_storage.open(batch.stored_file, "rb") as stored:
                parsed = read_table(io.BytesIO(stored.read()), name=batch.file_name)
        else:
            parsed = read_table(fh, name=batch.file_name)
        ImportBatch.objects.filter(pk=batch.pk).update(rows_total=len(parsed.frame))
        outcome = _run(batch, kind_name=batch.kind, parsed=parsed, progress=progress)
    except FileProblem as exc:
        outcome = engine.Outcome(status=ImportStatus.REJECTED, message=str(exc), error_count=1,
                                 errors=[engine.RowError(1, "", "", str(exc))])
    except Exception as exc:  # an unexpected failure: recorded on the batch, then re-raised for the logs
        log.exception("Import batch %s failed", batch_id)
        _finish(batch, engine.Outcome(status=ImportStatus.FAILED, message=f"The import failed: {type(exc).__name__}."),
                started)
        raise
    finally:
        progress.close()
    return _finish(batch, outcome, started)


def _run(batch: ImportBatch, *, kind_name: str, parsed: ParsedFile, progress: engine.Progress,
         create_only: bool = False) -> engine.Outcome:
    kind = get_kind(kind_name)
    assert kind is not None
    user = batch.uploaded_by
    ctx = engine.Context(
        kind=kind, user=user, scope=scope_for(user), batch_id=batch.pk, dry_run=batch.dry_run,
        create_only=create_only, restrict_to=batch.restrict_to, source="api" if batch.source == ImportSource.API else "file",
        progress=progress,
    )
    return engine.run(ctx, parsed)


def _finish(batch: ImportBatch, outcome: engine.Outcome, started: float) -> ImportBatch:
    written = outcome.counts.new + outcome.counts.updated + outcome.counts.unchanged
    fields: dict[str, Any] = dict(
        status=outcome.status,
        finished_at=timezone.now(),
        duration_seconds=round(time.perf_counter() - started, 3),
        message=outcome.message,
        count_new=outcome.counts.new,
        count_updated=outcome.counts.updated,
        count_unchanged=outcome.counts.unchanged,
        count_rejected=outcome.rejected_rows,
        error_count=outcome.error_count,
        errors=[e.as_list() for e in outcome.errors],
        warning_count=outcome.warning_count,
        warnings=[w.as_list() for w in outcome.warnings],
        scope_violation=outcome.scope_violation,
        rows_written=written if outcome.status == ImportStatus.SUCCEEDED else 0,
        stored_file="",
    )
    if outcome.rows_total:
        fields["rows_total"] = outcome.rows_total
        fields["rows_validated"] = outcome.rows_total if outcome.status != ImportStatus.CANCELLED else batch.rows_validated
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    if batch.stored_file:
        try:
            default_storage.delete(batch.stored_file)  # personal data: kept no longer than needed
        except OSError:
            log.warning("Could not delete the stored upload of batch %s", batch.pk)
    batch.refresh_from_db()
    if outcome.establishment_ids:
        batch.establishments.set(outcome.establishment_ids)
    single = None
    if len(outcome.establishment_ids) == 1:
        single = Establishment.objects.select_related("authority").filter(pk=outcome.establishment_ids[0]).first()
    audit_record(
        actor=batch.uploaded_by,
        action="import_data" if not batch.dry_run else "import_dry_run",
        object_type="import_batch",
        object_id=batch.pk,
        establishment=single,
        detail={"kind": batch.kind, "status": batch.status, "new": batch.count_new, "updated": batch.count_updated,
                "unchanged": batch.count_unchanged, "errors": batch.error_count, "file": batch.file_name,
                "sha256": batch.file_sha256, "establishments": len(outcome.establishment_ids)},
    )
    return batch


def import_records(
    *, user: User, kind: str, records: list[dict], create_only: bool = False, restrict_to: Establishment | None = None,
    dry_run: bool = False,
) -> ImportBatch:
    """API writes: a list of JSON objects goes through the same checks and writing as a file."""
    body = repr(records).encode()
    batch = ImportBatch.objects.create(
        kind=kind, source=ImportSource.API, uploaded_by=user, file_name=f"api:{kind}",
        file_sha256=hashlib.sha256(body).hexdigest(), file_size=len(body), restrict_to=restrict_to, dry_run=dry_run,
        status=ImportStatus.VALIDATING, started_at=timezone.now(), rows_total=len(records),
    )
    started = time.perf_counter()
    outcome = _run(batch, kind_name=kind, parsed=frame_from_records(records), progress=engine.NoProgress(),
                   create_only=create_only)
    return _finish(batch, outcome, started)


def import_batch_cancel(*, batch: ImportBatch, user: User) -> bool:
    """Ask a running or queued batch to stop. Nothing is written by a cancelled import."""
    if batch.finished:
        return False
    ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)
    # A batch still waiting in the queue is cancelled at once; a running one stops at its next check.
    stopped = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now(), message="Cancelled before it started; nothing was written."
    )
    if stopped and batch.stored_file:
        default_storage.delete(batch.stored_file)
    audit_record(actor=user, action="import_cancel", object_type="import_batch", object_id=batch.pk)
    return True


class BatchProgress:
    """Progress and cancel for a running batch.

    Counts are written outside the import's transaction so the page sees them while it runs: on
    PostgreSQL through a second connection (autocommit, short lock timeout); on SQLite only
    outside a transaction (a second writer would wait for the import's own lock). Writes are
    throttled to one every half second.
    """

    INTERVAL = 0.5

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self._side: Any = None
        self._last = 0.0

    def _update(self, **fields: int) -> None:
        now = time.monotonic()
        if now - self._last < self.INTERVAL:
            return
        self._last = now
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=self.batch_id).update(**fields)
            return
        if connection.vendor != "postgresql":
            return
        try:
            if self._side is None:
                self._side = connections.create_connection("default")
                with self._side.cursor() as cur:
                    cur.execute("SET lock_timeout = '200ms'")
            sets = ", ".join(f"{k} = %s" for k in fields)
            with self._side.cursor() as cur:
                cur.execute(f"UPDATE {ImportBatch._meta.db_table} SET {sets} WHERE id = %s", [*fields.values(), self.batch_id])
        except DatabaseError:
            log.debug("Progress update skipped for batch %s", self.batch_id)

    def writing(self) -> None:
        ImportBatch.objects.filter(pk=self.batch_id, status=ImportStatus.VALIDATING).update(status=ImportStatus.WRITING)

    def validated(self, rows: int) -> None:
        self._update(rows_validated=rows)

    def written(self, rows: int) -> None:
        self._update(rows_written=rows)

    def cancelled(self) -> bool:
        # READ COMMITTED (PostgreSQL) and SQLite both see a cancel committed by the page meanwhile.
        return bool(ImportBatch.objects.filter(pk=self.batch_id, cancel_requested=True).exists())

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
