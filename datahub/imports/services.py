"""Import batches: create one from an upload or an API body (and process it), cancel it.

``import_batch_create`` records who sent what (name, size, SHA-256); a small file is processed at
once, a large one (over ``IMPORT_BACKGROUND_THRESHOLD_BYTES``) is stored and handed to a Celery
task (datahub.tasks.run_import_batch), or on the embedded default (no broker) to a thread of the
web process, whose progress the batch page shows. Processing
(datahub.imports.processing) is safe to run twice: a batch is claimed with a conditional update,
and an import writes in one transaction or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import uuid
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.utils import timezone

from ..access import can_change_import_profile, import_profile_authority_ids
from ..models import Establishment, ImportBatch, ImportMappingProfile, ImportSource, ImportStatus, User
from ..services import audit_event_create
from ..tasks import run_import_batch
from .lease import BACKGROUND_UNAVAILABLE, BROKER_DOWN, ImportInterrupted, import_batch_fail
from .mapping import Mapping, signature
from .parsing import frame_from_records
from .processing import import_batch_finish, import_batch_process, import_batch_run, profile_mapping
from .registry import get_kind
from .types import NoProgress

log = logging.getLogger(__name__)

DEFAULT_BACKGROUND_THRESHOLD = 2_000_000  # bytes
# Embedded imports run one at a time: a second waits for the first rather than doubling the memory.
_EMBEDDED_SLOT = threading.BoundedSemaphore(1)
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
    mapping_profile: ImportMappingProfile | None = None,
) -> ImportBatch:
    """Record an upload and process it now (small files) or in the background (large files)."""
    if get_kind(kind) is None:
        raise ValueError(f"Unknown import kind {kind!r}")
    sha, size = file_digest(fh)
    if background is None:
        background = size > background_threshold()
    batch = ImportBatch.objects.create(
        kind=kind, source=source, uploaded_by=user, file_name=os.path.basename(file_name)[:255], file_sha256=sha,
        file_size=size, restrict_to=restrict_to, dry_run=dry_run, background=background, mapping_profile=mapping_profile,
    )
    if background:
        stored = default_storage.save(f"imports/{uuid.uuid4().hex}/upload.bin", File(fh))
        ImportBatch.objects.filter(pk=batch.pk).update(stored_file=stored)
        batch.stored_file = stored
        transaction.on_commit(lambda: import_batch_dispatch(batch.pk))
        if not transaction.get_connection().in_atomic_block:  # dispatched already: it may have been refused
            batch.refresh_from_db()
        return batch
    return import_batch_process(batch.pk, fh=fh)


def import_batch_dispatch(batch_id: int) -> bool:
    """Hand a stored batch to the worker: Celery when there is a broker; on the embedded default
    (no broker, eager Celery) a thread of this process, so the upload's request returns at once and
    the batch page follows the same progress. ``IMPORT_EAGER_IN_THREAD = False`` runs it inline.

    When the broker (Redis) cannot be reached the batch fails at once, saying so: nothing was
    queued and nothing written (False). Rather that than a batch "Queued" for ever, or a 500."""
    if run_import_batch.app.conf.task_always_eager and getattr(settings, "IMPORT_EAGER_IN_THREAD", True):
        threading.Thread(target=_run_embedded, args=(batch_id,), name=f"import-batch-{batch_id}", daemon=True).start()
        return True
    try:
        run_import_batch.delay(batch_id)
    except BROKER_DOWN:
        log.warning("Import batch %s not queued: the broker cannot be reached", batch_id, exc_info=True)
        import_batch_fail(batch_id, claimed_by=None, message=BACKGROUND_UNAVAILABLE)
        return False
    return True


def _run_embedded(batch_id: int) -> None:
    try:
        with _EMBEDDED_SLOT:
            while True:
                try:
                    import_batch_process(batch_id)
                    break
                except ImportInterrupted:  # queued again (the batch counts the attempts): run it again
                    time.sleep(1)
    except Exception:  # recorded on the batch by import_batch_process; the thread has no caller to tell
        log.exception("Embedded import of batch %s failed", batch_id)
    finally:
        connections.close_all()  # this thread's own connections


def import_batch_from_records(
    *, user: User, kind: str, records: list[dict], create_only: bool = False, restrict_to: Establishment | None = None,
    dry_run: bool = False,
    mapping_profile: ImportMappingProfile | None = None,
) -> ImportBatch:
    """API writes: a list of JSON objects goes through the same checks and writing as a file."""
    body = repr(records).encode()
    batch = ImportBatch.objects.create(
        kind=kind, source=ImportSource.API, uploaded_by=user, file_name=f"api:{kind}",
        file_sha256=hashlib.sha256(body).hexdigest(), file_size=len(body), restrict_to=restrict_to, dry_run=dry_run,
        status=ImportStatus.VALIDATING, started_at=timezone.now(), rows_total=len(records), mapping_profile=mapping_profile,
    )
    started = time.perf_counter()
    outcome = import_batch_run(batch, kind_name=kind, parsed=frame_from_records(records), progress=NoProgress(),
                               create_only=create_only, mapping=profile_mapping(mapping_profile))
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


class ProfileNotAllowed(Exception):
    """A profile of that name exists and belongs to others (another authority, or national)."""


def import_profile_save(
    *, user: User, kind: str, name: str, headers: list[str], labels: list[str], mapping: Mapping
) -> ImportMappingProfile:
    """Save ``mapping`` as the named profile of the user's authority (national for a national data
    manager); a profile of the same name is replaced. Audited."""
    national, authorities = import_profile_authority_ids(user)
    authority_id = None if national else min(authorities, default=None)
    if not national and authority_id is None:
        raise ProfileNotAllowed("You do not manage data for an authority or school.")
    columns = {ours: theirs for ours, theirs in mapping.columns.items() if theirs}
    values = {
        ours: {k: v for k, v in table.items() if v} for ours, table in mapping.translations.items() if ours in columns
    }
    values = {k: v for k, v in values.items() if v}
    profile = ImportMappingProfile.objects.filter(kind=kind, name=name.strip(), authority_id=authority_id).first()
    if profile is not None and not can_change_import_profile(user, profile.authority_id):
        raise ProfileNotAllowed("A profile of that name belongs to others.")
    if profile is None:
        profile = ImportMappingProfile(kind=kind, name=name.strip()[:100], authority_id=authority_id, created_by=user)
    profile.headers, profile.labels, profile.signature = list(headers), list(labels), signature(headers)
    profile.columns, profile.values, profile.updated_at = columns, values, timezone.now()
    profile.save()
    audit_event_create(
        actor=user,
        action="import_profile_save",
        object_type="import_mapping_profile",
        object_id=profile.pk,
        detail={"kind": kind, "name": profile.name, "columns": columns},
    )
    return profile


def import_profile_delete(*, user: User, profile: ImportMappingProfile) -> None:
    if not can_change_import_profile(user, profile.authority_id):
        raise ProfileNotAllowed("This profile belongs to others.")
    audit_event_create(
        actor=user,
        action="import_profile_delete",
        object_type="import_mapping_profile",
        object_id=profile.pk,
        detail={"kind": profile.kind, "name": profile.name},
    )
    profile.delete()


__all__ = [
    "ProfileNotAllowed",
    "import_batch_cancel",
    "import_batch_create",
    "import_batch_dispatch",
    "import_batch_from_records",
    "import_batch_process",
    "import_profile_delete",
    "import_profile_save",
]
