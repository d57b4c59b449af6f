"""Import pages: upload with a template, every error on the page and as CSV, history in scope,
background imports with progress that survives a reload, and cancelling."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from datahub.imports import services
from datahub.models import AuditEvent, ImportBatch, ImportStatus, QualificationResult, Role
from tests.datahub.imports.worlds import csv_bytes, login, run
from tests.factories import member

pytestmark = pytest.mark.django_db

RESULT_HEADER = ["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"]


def result_file(*rows: list[object]) -> bytes:
    return csv_bytes(RESULT_HEADER, [list(r) for r in rows])


def upload(client: Client, kind: str, data: bytes, name: str = "results.csv", **extra: object):
    return client.post(reverse("datahub:import_upload", kwargs={"kind": kind}),
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_upload_page_describes_the_columns_and_offers_templates(world):
    c = login(world.personas["dm_x"])
    page = c.get(reverse("datahub:import_upload", kwargs={"kind": "results"}))
    assert page.status_code == 200
    html = page.content.decode()
    for col in RESULT_HEADER:
        assert f"<code>{col}</code>" in html
    tpl = c.get(reverse("datahub:import_template", kwargs={"kind": "results"}))
    rows = list(csv.reader(io.StringIO(tpl.content.decode())))
    assert rows[0] == RESULT_HEADER and len(rows) == 2
    xlsx = c.get(reverse("datahub:import_template", kwargs={"kind": "results"}) + "?format=xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[1]] == RESULT_HEADER
    assert c.get(reverse("datahub:import_upload", kwargs={"kind": "nope"})).status_code == 404
    assert login(world.personas["staff_a"]).get(reverse("datahub:import_upload", kwargs={"kind": "results"})).status_code == 403


def test_a_valid_upload_is_imported_and_its_page_shows_the_counts(world):
    c = login(world.personas["dm_x"])
    data = result_file([world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024])
    resp = upload(c, "results", data)
    batch = ImportBatch.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("datahub:import_batch", kwargs={"pk": batch.pk})
    page = c.get(resp["Location"]).content.decode()
    assert "Imported." in page and "1 new, 0 updated, 0 unchanged" in page
    again = upload(c, "results", data)
    page = c.get(again["Location"]).content.decode()
    assert "0 new, 0 updated, 1 unchanged" in page
    assert "You imported this same file" in page


def test_every_error_is_on_the_page_and_in_the_csv_with_formulas_neutralised(world):
    c = login(world.personas["dm_x"])
    data = result_file(
        [world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024],
        [world.learner_a.scn, world.school_a.seed_code, "=SUM(1)", "H", 6, 24, "Z", 2024],
        ["12345", world.school_a.seed_code, "ENG", "H", 6, 24, "A", 2024],
    )
    resp = upload(c, "results", data)
    page = c.get(resp["Location"]).content.decode()
    assert "Nothing was imported" in page and "3 problems in 2 rows" in page
    assert "=SUM(1)" in page and "Unknown subject code" in page
    batch = ImportBatch.objects.get()
    got = c.get(reverse("datahub:import_batch_errors", kwargs={"pk": batch.pk}))
    assert got["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode())))
    assert rows[0] == ["row", "column", "value", "reason", "severity"]
    assert rows[1][:3] == ["3", "subject_code", "'=SUM(1)"]
    assert [r[:2] for r in rows[1:]] == [["3", "subject_code"], ["3", "grade"], ["4", "scn"]]
    assert AuditEvent.objects.filter(action="export_import_errors", object_id=str(batch.pk)).exists()
    assert not QualificationResult.objects.filter(subject__code="MATH").exists()


def test_a_user_cannot_import_into_another_authoritys_school_on_the_page(world):
    c = login(world.personas["dm_x"])
    data = result_file(
        [world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024],
        [world.learner_b.scn, world.school_b.seed_code, "MATH", "H", 6, 24, "A", 2024],
    )
    page = c.get(upload(c, "results", data)["Location"]).content.decode()
    assert "Some rows are for schools you do not manage, so the whole file was refused." in page
    assert world.school_b.seed_code in page and world.learner_b.scn in page
    assert not QualificationResult.objects.filter(subject__code="MATH").exists()
    assert world.canaries["B"] not in page


def test_only_for_one_school_must_be_a_school_you_manage(world):
    c = login(world.personas["dm_a"])
    data = result_file([world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024])
    resp = upload(c, "results", data, establishment=world.school_a2.seed_code)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "There is a problem" in html and "Enter the SEED code of a school you may import for" in html
    assert not ImportBatch.objects.exists()
    ok = upload(c, "results", data, establishment=world.school_a.seed_code)
    assert ok.status_code == 302 and ImportBatch.objects.get().restrict_to == world.school_a


def test_wrong_file_types_are_refused_by_the_form(world):
    c = login(world.personas["dm_x"])
    resp = upload(c, "results", b"%PDF-1.4", name="results.pdf")
    assert resp.status_code == 200 and "must be a CSV" in resp.content.decode()


def test_history_shows_own_imports_and_those_for_schools_in_scope(world):
    dm_b = member(Role.DATA_MANAGER, authority=world.authority_y)
    mine = run(world.personas["dm_x"], "results", result_file([world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024]))
    theirs = run(dm_b, "results", result_file([world.learner_b.scn, world.school_b.seed_code, "MATH", "H", 6, 24, "A", 2024]))
    page = login(world.personas["dm_a"]).get(reverse("datahub:import_history")).content.decode()
    assert f"Import {mine.pk}<" in page and f"Import {theirs.pk}<" not in page
    assert login(world.personas["dm_a"]).get(reverse("datahub:import_batch", kwargs={"pk": theirs.pk})).status_code == 404
    filtered = login(world.personas["dm_x"]).get(reverse("datahub:import_history") + "?status=rejected").content.decode()
    assert f"Import {mine.pk}<" not in filtered


def test_a_large_file_runs_in_the_background_and_its_stored_copy_is_removed(
    world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 10
    c = login(world.personas["dm_x"])
    with django_capture_on_commit_callbacks(execute=True):
        resp = upload(c, "results", result_file([world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024]))
    batch = ImportBatch.objects.get()
    assert batch.background and batch.status == ImportStatus.SUCCEEDED  # eager Celery in tests: ran in-process
    assert batch.rows_validated == 1 and batch.rows_written == 1 and batch.stored_file == ""
    assert not list((settings.MEDIA_ROOT / "imports").rglob("*.bin"))
    assert "Imported." in c.get(resp["Location"]).content.decode()


def test_the_progress_of_a_running_import_survives_a_reload(world):
    batch = ImportBatch.objects.create(kind="results", uploaded_by=world.personas["dm_x"], status=ImportStatus.WRITING,
                                       rows_total=1000, rows_validated=1000, rows_written=400, background=True)
    c = login(world.personas["dm_x"])
    for _ in range(2):  # a reload shows the same state: it lives in the database
        html = c.get(reverse("datahub:import_batch", kwargs={"pk": batch.pk})).content.decode()
        assert '<progress id="progress-bar"' in html and 'value="70"' in html
        assert "Cancel this import" in html
    status = c.get(reverse("datahub:import_batch_status", kwargs={"pk": batch.pk})).json()
    assert status == {"status": "writing", "status_label": "Writing rows", "finished": False, "rows_total": 1000,
                      "rows_validated": 1000, "rows_written": 400, "percent": 70, "cancel_requested": False}


def test_cancelling_a_queued_import_stops_it_before_it_starts(
    world, django_capture_on_commit_callbacks
):
    from unittest import mock

    with mock.patch("datahub.tasks.run_import_batch.delay") as delay, django_capture_on_commit_callbacks(execute=True):
        batch = run(world.personas["dm_x"], "results",
                    result_file([world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024]), background=True)
    delay.assert_called_once_with(batch.pk)  # queued for a worker once the upload is committed
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.PENDING
    c = login(world.personas["dm_x"])
    resp = c.post(reverse("datahub:import_batch_cancel", kwargs={"pk": batch.pk}))
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and batch.cancel_requested
    assert services.import_batch_process(batch.pk).status == ImportStatus.CANCELLED  # the late task does nothing
    assert not QualificationResult.objects.filter(subject__code="MATH").exists()


def test_a_running_import_stops_at_its_next_check_when_cancelled(world):
    data = result_file([world.learner_a.scn, world.school_a.seed_code, "PHY", "H", 6, 24, "A", 2024])
    second = ImportBatch.objects.create(kind="results", uploaded_by=world.personas["dm_x"], cancel_requested=True)
    done = services.import_batch_process(second.pk, fh=io.BytesIO(data))
    assert done.status == ImportStatus.CANCELLED and "nothing was written" in done.message
    assert not QualificationResult.objects.filter(subject__code="PHY").exists()


def test_a_batch_whose_worker_died_is_claimed_again_on_redelivery(world):
    import datetime as dt

    from django.utils import timezone

    data = result_file([world.learner_a.scn, world.school_a.seed_code, "MATH", "H", 6, 24, "A", 2024])
    alive = ImportBatch.objects.create(kind="results", uploaded_by=world.personas["dm_x"], status=ImportStatus.WRITING,
                                       started_at=timezone.now())
    assert services.import_batch_process(alive.pk, fh=io.BytesIO(data)).status == ImportStatus.WRITING  # left alone
    dead = ImportBatch.objects.create(kind="results", uploaded_by=world.personas["dm_x"], status=ImportStatus.WRITING,
                                      started_at=timezone.now() - dt.timedelta(hours=4))
    assert services.import_batch_process(dead.pk, fh=io.BytesIO(data)).status == ImportStatus.SUCCEEDED
