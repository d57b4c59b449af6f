"""The merge's foreign keys (PostgreSQL): checked for the whole file at once where the role may
skip the per-row constraint triggers, by the triggers themselves where it may not. Either way a
row whose learner vanished between validation and the write is never stored."""

from __future__ import annotations

import io
import uuid

import pandas as pd
import pytest
from django.db import IntegrityError, connection, transaction

from datahub.access import scope_for
from datahub.imports import engine
from datahub.imports.kinds import RESULT_KEY, RESULT_STAGING, RESULT_VALUES
from datahub.imports.parsing import read_table
from datahub.imports.registry import get_kind
from datahub.imports.sql import Staging, Upsert, qn
from datahub.imports.types import Context, NoProgress, Outcome, Progress
from datahub.models import Learner, QualificationResult
from tests.datahub.imports.worlds import references_world

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="foreign-key triggers and roles are PostgreSQL's"),
]

class DeleteBeforeWriting(NoProgress):
    """The import's progress hook, used here to delete a learner after validation, before the write."""

    def __init__(self, learner: Learner) -> None:
        self.learner = learner

    def writing(self) -> None:
        QualificationResult.objects.filter(learner=self.learner).delete()
        Learner.objects.filter(pk=self.learner.pk).delete()


def _import(user, data: bytes, progress: Progress) -> Outcome:
    kind = get_kind("results")
    assert kind is not None
    ctx = Context(kind=kind, user=user, scope=scope_for(user), progress=progress)
    return engine.run(ctx, read_table(io.BytesIO(data), name="results.csv"))


def _planned(user, rows: list[dict]):
    """Results rows (ids resolved) staged for ``user``'s import: its context, staging table and upsert."""
    kind = get_kind("results")
    assert kind is not None
    ctx = Context(kind=kind, user=user, scope=scope_for(user))
    ctx.frame = pd.DataFrame(rows)
    stg = Staging(RESULT_STAGING, ctx)
    stg.fill(ctx.frame[[c for c, _ in RESULT_STAGING]])
    return ctx, stg, Upsert(QualificationResult, RESULT_KEY, RESULT_VALUES, qn(stg.name))


def test_a_learner_deleted_after_validation_rejects_the_import_and_names_its_row() -> None:
    dm, learners, data = references_world()
    outcome = _import(dm, data, DeleteBeforeWriting(learners[2]))
    assert outcome.status == "rejected"
    assert outcome.error_count == 1
    error = outcome.errors[0]
    assert (error.row, error.column, error.value) == (4, "learner", str(learners[2].pk))  # row 1 is the header
    assert "deleted while the import ran" in error.reason
    assert not QualificationResult.objects.filter(learner__in=learners).exists()


@pytest.fixture
def plain_role():
    """This connection as a role that may write every table but not set session_replication_role."""
    name = f"import_plain_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:
        cur.execute(f"CREATE ROLE {name} NOSUPERUSER")
        cur.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {name}")
        cur.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {name}")
        cur.execute(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {name}")
        cur.execute(f"SET ROLE {name}")
    yield name
    with connection.cursor() as cur:
        cur.execute("RESET ROLE")


def test_without_the_privilege_the_constraint_triggers_check_every_row(plain_role: str) -> None:
    dm, learners, data = references_world()
    ok = _import(dm, data, NoProgress())
    assert (ok.status, ok.counts.new) == ("succeeded", 5)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks of those rows run, and pass
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    QualificationResult.objects.filter(learner__in=learners).delete()
    # The merge alone cannot tell here (the set-based check needs the privilege)...
    assert _import(dm, data, DeleteBeforeWriting(learners[2])).status == "succeeded"
    # ...and the row's own constraint trigger refuses it (at commit; here, on demand).
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    QualificationResult.objects.filter(learner_id=learners[2].pk).delete()  # the orphan, so the test can end


def test_a_key_planned_as_new_but_stored_meanwhile_is_merged_not_duplicated() -> None:
    """Imports plan under their kind's lock; a writer outside the imports (the admin) is not under
    it. The plain INSERT of the planned new rows then meets the unique key, and ON CONFLICT merges."""
    from datahub.models import Subject

    dm, learners, _data = references_world()
    subject = Subject.objects.get(code="MATH")
    ctx, stg, up = _planned(dm, [{"learner_id": lr.pk, "subject_id": subject.pk, "award_type": "N5", "scqf_level": 5,
                                  "year": 2024, "establishment_id": lr.establishment_id, "scqf_credits": 24,
                                  "grade": "A"} for lr in learners])
    assert up.counts(ctx).new == 5
    QualificationResult.objects.create(learner=learners[1], subject=subject, award_type="N5", scqf_level=5, year=2024,
                                       establishment_id=learners[1].establishment_id, scqf_credits=24, grade="C")
    up.merge(ctx, stg.rows)
    stored = QualificationResult.objects.filter(learner__in=learners)
    assert stored.count() == 5
    assert set(stored.values_list("grade", flat=True)) == {"A"}  # the file's value won, as an update


def test_a_constraint_the_database_refuses_surfaces_as_itself() -> None:
    """The merge's clean-up after a failed statement must not hide the database's own error."""
    from django.db import transaction

    from datahub.models import Subject

    dm, learners, _data = references_world()
    subject = Subject.objects.get(code="MATH")
    # SCQF level 99 passes no validation; here it reaches the table's CHECK constraint directly.
    ctx, stg, up = _planned(dm, [{"learner_id": learners[0].pk, "subject_id": subject.pk, "award_type": "N5",
                                  "scqf_level": 99, "year": 2024, "establishment_id": learners[0].establishment_id,
                                  "scqf_credits": 24, "grade": "A"}])
    up.counts(ctx)
    with pytest.raises(IntegrityError, match="result_scqf_level_range"), transaction.atomic():
        up.merge(ctx, stg.rows)
