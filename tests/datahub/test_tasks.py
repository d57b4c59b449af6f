"""A large file imported on a real Celery worker (Redis broker, PostgreSQL), as in production."""

from __future__ import annotations

import io
import os
import time

import pytest

from datahub.imports import services
from datahub.models import ImportBatch, ImportStatus, QualificationResult, Role
from tests.datahub.imports.worlds import csv_bytes
from tests.worlds import load_reference_data

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="needs the real Redis and PostgreSQL that `make test` starts",
    ),
]


def test_a_large_file_is_imported_by_a_worker(settings, tmp_path):
    from celery.contrib.testing.worker import start_worker

    from insight.config.celery import app
    from tests.factories import EstablishmentFactory, LearnerFactory, member

    load_reference_data()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 100
    eager_before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    school = EstablishmentFactory.create()
    dm = member(Role.DATA_MANAGER, establishment=school)
    learners = [LearnerFactory.create(establishment=school) for _ in range(40)]
    data = csv_bytes(["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"],
                     [[lr.scn, school.seed_code, "ENG", "N5", 5, 24, "B", 2024] for lr in learners])
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, queues=["default"],
                          shutdown_timeout=30):
            batch = services.import_batch_create(user=dm, kind="results", fh=io.BytesIO(data), file_name="big.csv")
            assert batch.background
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                batch.refresh_from_db()
                if batch.finished:
                    break
                time.sleep(0.2)
    finally:
        app.control.purge()
        app.conf.task_always_eager = eager_before
    assert batch.status == ImportStatus.SUCCEEDED, (batch.status, batch.message, batch.errors)
    assert (batch.count_new, batch.rows_validated, batch.rows_written) == (40, 40, 40)
    assert QualificationResult.objects.filter(establishment=school).count() == 40
    assert ImportBatch.objects.get(pk=batch.pk).stored_file == ""
