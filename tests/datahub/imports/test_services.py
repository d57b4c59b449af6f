"""Import batches: every sample imports in order and again changes nothing; a dry run writes
nothing; a batch records who sent what, with the file's hash, and is audited."""

from __future__ import annotations

import hashlib

import pytest

from datahub.models import AuditEvent, Learner
from tests.datahub.imports.worlds import as_csv, learner_row, load_samples, national_dm, run, scn

pytestmark = pytest.mark.django_db


def test_every_sample_imports_in_order_and_again_changes_nothing(db):
    user = national_dm()
    first = load_samples(user)
    assert {k: b.status for k, b in first.items()} == dict.fromkeys(first, "succeeded"), {k: b.errors for k, b in first.items()}
    assert all(b.count_new > 0 and b.count_updated == 0 for b in first.values())
    second = load_samples(user)
    assert all((b.count_new, b.count_updated, b.count_rejected) == (0, 0, 0) for b in second.values())
    assert all(b.count_unchanged == first[k].count_new for k, b in second.items())
    assert second["results"].file_sha256 == first["results"].file_sha256


def test_a_dry_run_counts_but_writes_nothing(world):
    batch = run(world.personas["dm_x"], "learners", as_csv([learner_row(world, 1)]), dry_run=True)
    assert batch.status == "validated" and batch.count_new == 1
    assert not Learner.objects.filter(scn=scn(1)).exists()


def test_a_batch_records_who_what_and_the_file_hash(world):
    data = as_csv([learner_row(world, 1)])
    batch = run(world.personas["dm_x"], "learners", data, name="census.csv")
    assert batch.uploaded_by == world.personas["dm_x"] and batch.kind == "learners" and batch.file_name == "census.csv"
    assert batch.file_sha256 == hashlib.sha256(data).hexdigest() and batch.file_size == len(data)
    assert batch.duration_seconds is not None and batch.started_at and batch.finished_at
    assert list(batch.establishments.all()) == [world.school_a]
    assert AuditEvent.objects.filter(action="import_data", object_id=str(batch.pk), actor=world.personas["dm_x"]).exists()
