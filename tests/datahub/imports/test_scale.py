"""All or nothing at scale, re-imports that change nothing, and (PostgreSQL) two imports of
overlapping data at once leaving consistent data, through the fast path (COPY, staging, merge)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from datahub.codes import make_scn
from datahub.imports import sql as import_sql
from datahub.imports.processing import BatchProgress
from datahub.models import ChangeRecord, Enrolment, ImportBatch, Learner, QualificationResult, Role
from tests.datahub.imports.worlds import csv_bytes, run

LEARNER_HEADER = ["scn", "given_name", "family_name", "date_of_birth", "sex", "simd_decile", "seed_code", "year", "stage"]
RESULT_HEADER = ["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"]


def census(seed: str, n: int, *, bad_at: int | None = None) -> bytes:
    rows = []
    for i in range(n):
        rows.append([make_scn(50_000_000 + 11 * i), f"Pupil{i}", "Scale", "2008-05-01",
                     "?" if i == bad_at else ("F" if i % 2 else "M"), 1 + i % 10, seed, 2023, "S4"])
    return csv_bytes(LEARNER_HEADER, rows)


@pytest.mark.django_db
def test_ten_thousand_rows_with_one_bad_row_in_the_middle_write_nothing_and_name_that_row(world):
    dm = world.personas["dm_x"]
    before = Learner.objects.count()
    bad = run(dm, "learners", census(world.school_a.seed_code, 10_000, bad_at=5_000))
    assert bad.status == "rejected"
    assert bad.error_count == 1 and bad.count_rejected == 1
    assert bad.errors[0][:3] == [5_002, "sex", "?"]  # row 1 is the header: record 5,000 (0-based) is row 5,002
    assert Learner.objects.count() == before and not Enrolment.objects.filter(year=2023).exists()
    good = run(dm, "learners", census(world.school_a.seed_code, 10_000))
    assert (good.status, good.count_new, good.rows_written) == ("succeeded", 10_000, 10_000)
    again = run(dm, "learners", census(world.school_a.seed_code, 10_000))
    assert (again.count_new, again.count_updated, again.count_unchanged) == (0, 0, 10_000)
    assert not ChangeRecord.objects.filter(batch=again).exists()
    assert Learner.objects.count() == before + 10_000


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, COPY)")


def _result_rows(learners: list[Learner], school_seed: str, grade: str) -> bytes:
    return csv_bytes(RESULT_HEADER, [[lr.scn, school_seed, "MATH", "N5", 5, 24, grade, 2024] for lr in learners])


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_overlapping_data_at_once_leave_consistent_data():
    from tests.factories import EstablishmentFactory, LearnerFactory, member
    from tests.worlds import load_reference_data

    load_reference_data()
    school = EstablishmentFactory.create()
    dm_one = member(Role.DATA_MANAGER, authority=school.authority)
    dm_two = member(Role.DATA_MANAGER, authority=school.authority)
    learners = [LearnerFactory.create(establishment=school) for _ in range(300)]
    files = {
        "one": (dm_one, _result_rows(learners[:200], school.seed_code, "A")),
        "two": (dm_two, _result_rows(learners[100:], school.seed_code, "B")),
    }
    barrier = threading.Barrier(2)
    batches: dict[str, ImportBatch] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        user, data = files[name]
        try:
            barrier.wait(timeout=10)
            batches[name] = run(user, "results", data, name=f"{name}.csv")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert {b.status for b in batches.values()} == {"succeeded"}
    results = QualificationResult.objects.filter(subject__code="MATH")
    assert results.count() == 300
    assert results.values("learner").distinct().count() == 300
    overlap = set(results.filter(learner__in=learners[100:200]).values_list("grade", flat=True))
    assert len(overlap) == 1  # one import wrote the overlap after the other, never a mixture
    assert sum(b.count_new for b in batches.values()) == 300
    assert sum(b.count_updated for b in batches.values()) == 100
    assert ChangeRecord.objects.filter(model="datahub.qualificationresult").count() == 100
    assert set(results.filter(learner__in=learners[:100]).values_list("grade", flat=True)) == {"A"}
    assert set(results.filter(learner__in=learners[200:]).values_list("grade", flat=True)) == {"B"}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_progress_is_reported_from_a_second_connection_during_the_write(monkeypatch, settings, tmp_path):
    """The write is one transaction; its progress reaches the page through another connection."""
    settings.MEDIA_ROOT = tmp_path
    from tests.factories import EstablishmentFactory, LearnerFactory, member
    from tests.worlds import load_reference_data

    load_reference_data()
    school = EstablishmentFactory.create()
    dm = member(Role.DATA_MANAGER, establishment=school)
    learners = [LearnerFactory.create(establishment=school) for _ in range(50)]
    seen: list[int] = []
    monkeypatch.setattr(import_sql, "WRITE_CHUNK_ROWS", 10)
    monkeypatch.setattr(BatchProgress, "INTERVAL", 0.0)
    original = BatchProgress.written

    def spy(self: BatchProgress, rows: int) -> None:
        original(self, rows)
        # What another session (the page) sees while the import's transaction is still open:
        from django.db import connections

        other = connections.create_connection("default")
        try:
            with other.cursor() as cur:
                cur.execute("SELECT rows_written FROM datahub_importbatch WHERE id = %s", [self.batch_id])
                seen.append(cur.fetchone()[0])
        finally:
            other.close()

    monkeypatch.setattr(BatchProgress, "written", spy)
    batch = run(dm, "results", _result_rows(learners, school.seed_code, "C"), background=True)
    batch.refresh_from_db()
    assert batch.status == "succeeded" and batch.rows_written == 50
    assert seen == [10, 20, 30, 40, 50]
    assert QualificationResult.objects.filter(subject__code="MATH").count() == 50
