"""Import batches: create one from an upload or an API body (and process it), cancel it.

``import_batch_create`` records who sent what (name, size, SHA-256); a small file is processed at
once, a large one (over ``IMPORT_BACKGROUND_THRESHOLD_BYTES``) is stored and handed to a Celery
task (datahub.tasks.run_import_batch) whose progress the batch page shows. Processing
(datahub.imports.processing) is safe to run twice: a batch is claimed with a conditional update,
and an import writes in one transaction or not at all.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ..models import Establishment, ImportBatch, ImportSource, ImportStatus, User
from ..services import audit_event_create
from ..tasks import run_import_batch
from .parsing import frame_from_records
from .processing import import_batch_finish, import_batch_process, import_batch_run
from .registry import get_kind
from .types import NoProgress

DEFAULT_BACKGROUND_THRESHOLD = 2_000_000  # bytes
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
        transaction.on_commit(lambda: run_import_batch.delay(batch.pk))
        return batch
    return import_batch_process(batch.pk, fh=fh)


def import_batch_from_records(
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
    outcome = import_batch_run(batch, kind_name=kind, parsed=frame_from_records(records), progress=NoProgress(),
                               create_only=create_only)
    return import_batch_finish(batch, outcome, started)


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
    audit_event_create(actor=user, action="import_cancel", object_type="import_batch", object_id=batch.pk)
    return True


__all__ = ["import_batch_cancel", "import_batch_create", "import_batch_from_records", "import_batch_process"]
