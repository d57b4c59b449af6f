"""On the embedded default (no broker: Celery eager) a large upload runs outside the request, in a
thread of the web process, and the batch page follows its progress (issue 13 item 5, issue 16
item 3).

How the test knows the import is not inside the request: another connection holds the advisory
lock the import takes before writing (datahub.imports.engine.lock_kind). An import inside the
request would wait for it and the request would not answer; outside it, the request answers with
the batch still unfinished, and the import completes once the lock is released.
"""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from openpyxl import Workbook

from datahub.models import ImportBatch, ImportStatus, QualificationResult
from tests.datahub.imports.worlds import login
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def results_workbook(learners, seed: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"])
    for lr in learners:
        ws.append([lr.scn, seed, "MATH", "N5", 5, 24, "B", 2024])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="holds a PostgreSQL advisory lock")
def test_a_large_xlsx_upload_does_not_run_inside_the_request(reference_data, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_EAGER_IN_THREAD = True  # the embedded default's behaviour (tests/conftest.py turns it off)
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 1_000  # "large": this workbook is a few kilobytes
    learners = [LearnerFactory.create(establishment=world.school_a) for _ in range(30)]
    data = results_workbook(learners, world.school_a.seed_code)
    assert len(data) > settings.IMPORT_BACKGROUND_THRESHOLD_BYTES
    holder = connections.create_connection("default")
    holder.set_autocommit(True)
    with holder.cursor() as cur:
        cur.execute("SELECT pg_advisory_lock(hashtext(%s))", ["insight-import:results"])
    answered: dict[str, Any] = {}

    def post() -> None:
        try:
            c = login(world.personas["dm_x"])
            answered["response"] = c.post(reverse("datahub:import_upload", kwargs={"kind": "results"}),
                                          {"file": SimpleUploadedFile("results.xlsx", data)})
        finally:
            connections.close_all()

    try:
        request = threading.Thread(target=post)
        request.start()
        request.join(timeout=120)  # a hang detector, not a speed target: inside the request it never answers
        assert not request.is_alive(), "the upload's request waited for the import"
        response = answered["response"]
        batch = ImportBatch.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("datahub:import_batch", kwargs={"pk": batch.pk})
        assert batch.background and not batch.finished  # still running (held at the lock) after the answer
        page = login(world.personas["dm_x"]).get(response["Location"]).content.decode()
        assert '<progress id="progress-bar"' in page
    finally:
        with holder.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(hashtext(%s))", ["insight-import:results"])
        holder.close()
    deadline = time.monotonic() + 120
    while not batch.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED, (batch.status, batch.message, batch.errors)
    assert (batch.rows_total, batch.rows_validated, batch.rows_written, batch.count_new) == (30, 30, 30, 30)
    assert QualificationResult.objects.filter(establishment=world.school_a, subject__code="MATH").count() == 30
    assert batch.stored_file == ""
