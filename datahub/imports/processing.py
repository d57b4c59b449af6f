"""Running one import batch: claim it, read the file, validate and write (datahub.imports.engine),
record the outcome on the batch and in the audit log, and report progress while it runs.

The Celery task (datahub.tasks.run_import_batch) and the write services (datahub.imports.services)
both call in here; this module imports neither, so there is no cycle between them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django.utils import timezone

from ..access import scope_for
from ..models import Establishment, ImportBatch, ImportMappingProfile, ImportSource, ImportStatus
from ..services import audit_event_create
from . import engine
from . import mapping as mapping_
from .lease import (
    CONNECTION_LOST,
    RUNNING,
    ImportInterrupted,
    LeaseKeeper,
    LeaseLost,
    claim_token,
    import_batch_claim,
    import_batch_fail,
    import_batch_release,
)
from .parsing import FileProblem, ParsedFile, TableStream, stream_table
from .registry import get_kind
from .selectors import import_profile_for_headers
from .types import Context, Outcome, Progress, RowError

log = logging.getLogger(__name__)

def import_batch_process(batch_id: int, *, fh: IO[bytes] | None = None) -> ImportBatch:
    """Claim a batch and run it to the end. A batch claimed already (and alive) is left alone.

    The claim is leased (datahub.imports.lease): a batch whose worker died is claimed again when its
    lease has run out. A lost database connection rolls the write back; the batch is then queued
    again (``ImportInterrupted``, when its upload is stored and it has attempts left) or fails with
    that reason. Either way nothing of the interrupted attempt is written.
    """
    me = claim_token()
    if not import_batch_claim(batch_id, me):
        return ImportBatch.objects.get(pk=batch_id)
    started = time.perf_counter()
    keeper = LeaseKeeper(batch_id, me)
    progress = BatchProgress(batch_id)
    try:
        batch = ImportBatch.objects.select_related("uploaded_by", "restrict_to", "mapping_profile").get(pk=batch_id)
        outcome = _read_and_run(batch, fh, progress, claim=me, started=started)
        return import_batch_finish(batch, outcome, started, claim=me)
    except LeaseLost:
        log.warning("Import batch %s was taken over by another attempt; this one wrote nothing", batch_id)
        return ImportBatch.objects.get(pk=batch_id)
    except (OperationalError, InterfaceError) as exc:
        # The connection was lost (server restarted, backend terminated) or the database refused
        # for a while: the write transaction rolled back. Reconnect and say so on the batch.
        log.warning("Import batch %s interrupted by the database: %s", batch_id, exc)
        if not connection.in_atomic_block:
            connection.close()  # the next query opens a new connection
        if import_batch_release(batch_id, me, reason=CONNECTION_LOST):
            raise ImportInterrupted(f"import batch {batch_id}: {exc}") from exc
        return ImportBatch.objects.get(pk=batch_id)
    except Exception as exc:  # an unexpected failure: recorded on the batch, then re-raised for the logs
        log.exception("Import batch %s failed", batch_id)
        connection.close_if_unusable_or_obsolete()
        import_batch_fail(batch_id, claimed_by=me, message=f"The import failed ({type(exc).__name__}); nothing was "
                          "written. Upload the file again, and tell the service desk if it fails again.")
        raise
    finally:
        keeper.stop()
        progress.close()


def _read_and_run(batch: ImportBatch, fh: IO[bytes] | None, progress: BatchProgress, *, claim: str,
                  started: float) -> Outcome:
    """Stream the stored upload (or ``fh``) through the engine: the file stays open while it is
    read, a chunk at a time, and checked."""
    try:
        if fh is None:
            with default_storage.open(batch.stored_file, "rb") as stored:
                return _run_stream(batch, stream_table(stored, name=batch.file_name), progress, claim, started)
        return _run_stream(batch, stream_table(fh, name=batch.file_name), progress, claim, started)
    except FileProblem as exc:
        return Outcome(status=ImportStatus.REJECTED, message=str(exc), error_count=1,
                       errors=[RowError(1, "", "", str(exc))])


def _run_stream(batch: ImportBatch, stream: TableStream, progress: BatchProgress, claim: str,
                started: float) -> Outcome:
    return import_batch_run(
        batch,
        kind_name=batch.kind,
        parsed=stream,
        progress=progress,
        mapping=profile_mapping(batch.mapping_profile or _profile_for(batch, stream)),
        before_commit=lambda outcome: _record_within_write(batch, outcome, started, claim),
        fault_pause=float(getattr(settings, "IMPORT_FAULT_PAUSE_SECONDS", 0.0)),
    )


def _record_within_write(batch: ImportBatch, outcome: Outcome, started: float, claim: str) -> None:
    """Inside the write transaction: the batch says "imported" in the same commit as the rows, and
    only while this attempt still holds it (else the whole write rolls back)."""
    if not ImportBatch.objects.filter(pk=batch.pk, claimed_by=claim, status__in=RUNNING).update(
        **_outcome_fields(batch, outcome, started)
    ):
        raise LeaseLost(f"import batch {batch.pk} is no longer claimed by {claim}")


def _profile_for(batch: ImportBatch, parsed: ParsedFile | TableStream) -> ImportMappingProfile | None:
    """A large workbook's columns are first seen here (not in the upload's request): a file with its
    own columns is read with the uploader's profile for them, when there is one."""
    kind = get_kind(batch.kind)
    if kind is None or batch.uploaded_by is None or mapping_.headers_are_ours(kind, parsed):
        return None
    profile = import_profile_for_headers(batch.uploaded_by, batch.kind, mapping_.signature(parsed.headers))
    if profile is not None:
        ImportBatch.objects.filter(pk=batch.pk).update(mapping_profile=profile)
    return profile


def profile_mapping(profile: ImportMappingProfile | None) -> mapping_.Mapping | None:
    if profile is None:
        return None
    labels = dict(zip(profile.headers, profile.labels or profile.headers, strict=False))
    return mapping_.Mapping(columns=dict(profile.columns), translations={k: dict(v) for k, v in profile.values.items()},
                            labels=labels)


def import_batch_run(batch: ImportBatch, *, kind_name: str, parsed: ParsedFile | TableStream, progress: Progress,
                     create_only: bool = False, mapping: mapping_.Mapping | None = None,
                     before_commit: Callable[[Outcome], None] | None = None, fault_pause: float = 0.0) -> Outcome:
    """Check and write ``parsed`` as ``kind_name`` for ``batch`` (its uploader's scope and options).

    With a ``mapping`` (a profile's), the file's own columns and values are first read as the
    kind's; errors then name the file's column beside the portal's."""
    kind = get_kind(kind_name)
    assert kind is not None
    if mapping is not None:
        for header in parsed.headers:
            mapping.labels.setdefault(header, parsed.original_headers[parsed.headers.index(header)])
        parsed = (mapping_.apply_stream(kind, parsed, mapping) if isinstance(parsed, TableStream)
                  else mapping_.apply(kind, parsed, mapping))
    user = batch.uploaded_by
    ctx = Context(
        kind=kind, user=user, scope=scope_for(user), batch_id=batch.pk, dry_run=batch.dry_run,
        create_only=create_only, restrict_to=batch.restrict_to, source="api" if batch.source == ImportSource.API else "file",
        progress=progress, before_commit=before_commit, fault_pause=fault_pause,
    )
    outcome = engine.run(ctx, parsed)
    if mapping is not None:
        outcome.errors = mapping_.relabel(outcome.errors, mapping)
        outcome.warnings = mapping_.relabel(outcome.warnings, mapping)
    return outcome


def _outcome_fields(batch: ImportBatch, outcome: Outcome, started: float) -> dict[str, Any]:
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
        lease_until=None,
    )
    if outcome.rows_total:
        fields["rows_total"] = outcome.rows_total
        fields["rows_validated"] = outcome.rows_total if outcome.status != ImportStatus.CANCELLED else batch.rows_validated
    return fields


def import_batch_finish(batch: ImportBatch, outcome: Outcome, started: float, *, claim: str | None = None) -> ImportBatch:
    """Record ``outcome`` on the batch, delete its stored upload, note the schools touched, audit it.
    With ``claim``, only while that attempt holds the batch (a success recorded in its write
    transaction is recorded again, with the same figures)."""
    target = ImportBatch.objects.filter(pk=batch.pk)
    if claim is not None:
        target = target.filter(claimed_by=claim)
    if not target.update(**_outcome_fields(batch, outcome, started)):
        raise LeaseLost(f"import batch {batch.pk} is no longer claimed by {claim}")
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
    audit_event_create(
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

    def validated(self, rows: int, total: int | None = None) -> None:
        """Rows read and checked so far; ``total``: the file's rows, estimated from how much of it
        has been read while it is read (exact once it has been)."""
        self._update(rows_validated=rows, **({"rows_total": total} if total is not None else {}))

    def written(self, rows: int) -> None:
        self._update(rows_written=rows)

    def cancelled(self) -> bool:
        # READ COMMITTED (PostgreSQL) and SQLite both see a cancel committed by the page meanwhile.
        return bool(ImportBatch.objects.filter(pk=self.batch_id, cancel_requested=True).exists())

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
