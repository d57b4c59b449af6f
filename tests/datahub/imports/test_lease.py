"""Leased import claims (datahub.imports.lease): the reaper queues again or fails batches whose
lease ran out, and an attempt that no longer holds its batch writes nothing. The faults these
guard against (a killed worker, a lost connection) are played for real in tests/faults/."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from datahub.imports import services
from datahub.imports.lease import LeaseLost, import_batches_reap
from datahub.imports.parsing import read_table
from datahub.imports.processing import import_batch_run
from datahub.imports.types import NoProgress
from datahub.models import ImportBatch, ImportStatus, QualificationResult
from tests.datahub.imports.worlds import csv_bytes, login

pytestmark = pytest.mark.django_db

RESULT_HEADER = ["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_MAX_ATTEMPTS = 3


def stored_batch(world, data: bytes, **fields) -> ImportBatch:
    path = default_storage.save("imports/test/upload.bin", ContentFile(data))
    return ImportBatch.objects.create(kind="results", uploaded_by=world.personas["dm_x"], background=True,
                                      stored_file=path, file_name="results.csv", **fields)


def a_result(world) -> bytes:
    return csv_bytes(RESULT_HEADER, [[world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024]])


def test_a_batch_whose_lease_ran_out_is_queued_again_and_then_imports(world):
    past = timezone.now() - dt.timedelta(seconds=5)
    batch = stored_batch(world, a_result(world), status=ImportStatus.WRITING, lease_until=past, attempts=1,
                         claimed_by="dead-worker")
    assert import_batches_reap() == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.claimed_by) == (ImportStatus.PENDING, "")
    assert "nothing was written" in batch.message and "attempt 2 of 3" in batch.message
    done = services.import_batch_process(batch.pk)  # what the queued task does
    assert (done.status, done.attempts) == (ImportStatus.SUCCEEDED, 2) and done.claimed_by != "dead-worker"
    assert QualificationResult.objects.filter(subject__code="MATH", learner=world.learner_a).count() == 1


def test_a_live_batch_is_left_alone_by_the_reaper(world):
    future = timezone.now() + dt.timedelta(minutes=1)
    batch = stored_batch(world, a_result(world), status=ImportStatus.VALIDATING, lease_until=future, attempts=1,
                         claimed_by="live-worker")
    assert import_batches_reap() == []
    assert services.import_batch_process(batch.pk).status == ImportStatus.VALIDATING  # a redelivery: no-op
    assert ImportBatch.objects.get(pk=batch.pk).claimed_by == "live-worker"


def test_a_batch_out_of_attempts_fails_with_the_reason_on_its_page(world):
    past = timezone.now() - dt.timedelta(seconds=5)
    batch = stored_batch(world, a_result(world), status=ImportStatus.WRITING, lease_until=past, attempts=3,
                         claimed_by="dead-worker")
    stored = batch.stored_file
    assert import_batches_reap() == []
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.finished_at is not None
    assert not default_storage.exists(stored)  # the upload's personal data is not kept
    page = login(world.personas["dm_x"]).get(reverse("datahub:import_batch", kwargs={"pk": batch.pk}))
    text = page.content.decode()
    assert "Failed, nothing written" in text and "nothing was written" in text
    assert "It was tried 3 times" in text and "Upload the file again" in text


def test_a_queued_batch_whose_message_was_lost_is_queued_again(world):
    old = stored_batch(world, a_result(world))  # older than any lease (SQLite's is the task's time limit)
    ImportBatch.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=4))
    fresh = stored_batch(world, a_result(world))
    queued = import_batches_reap()
    assert old.pk in queued and fresh.pk not in queued
    assert import_batches_reap() == []  # not again until another lease has passed


def test_an_attempt_that_lost_its_claim_rolls_its_write_back(world):
    batch = ImportBatch.objects.create(kind="results", uploaded_by=world.personas["dm_x"],
                                       status=ImportStatus.VALIDATING)

    def superseded(outcome) -> None:
        raise LeaseLost("another attempt holds this batch")

    with pytest.raises(LeaseLost):
        import_batch_run(batch, kind_name="results", parsed=read_table(io.BytesIO(a_result(world)), name="r.csv"),
                         progress=NoProgress(), before_commit=superseded)
    assert not QualificationResult.objects.filter(subject__code="MATH", learner=world.learner_a).exists()
