"""The engine's checks: every cell rule names row, column, value and reason and writes nothing;
every error is listed (capped, all counted); headers, duplicates and warnings."""

from __future__ import annotations

import pytest

from datahub.imports.engine import MAX_LISTED_ERRORS
from datahub.models import Enrolment, Establishment, Learner, QualificationResult
from tests.datahub.imports.worlds import (
    LEARNER_COLUMNS,
    as_csv,
    csv_bytes,
    learner_row,
    national_dm,
    result_row,
    run,
    scn,
)
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


CELL_RULES = [
    ("given_name", "", "A value is required"),
    ("given_name", "x" * 101, "Longer than 100 characters"),
    ("simd_decile", "three", "Not a whole number"),
    ("simd_decile", "4.5", "Not a whole number"),
    ("simd_decile", "11", "Out of range"),
    ("asn", "maybe", "Not a yes/no value"),
    ("date_of_birth", "2007-02-30", "Not a date"),
    ("date_of_birth", "14.03.2007", "Not a date"),
    ("date_of_birth", "1970-01-01", "Date out of range"),
    ("date_of_birth", "2021-01-01", "does not fit the census year"),
    ("sex", "X", "Unknown code"),
    ("stage", "S7", "Unknown code"),
    ("scn", "12345678A", "must be 9 digits"),
    ("scn", "23456781", "leading zero may have been lost"),
    ("scn", "123456784", "fails its check digit"),
    ("seed_code", "52444", "must be 7 digits"),
    ("seed_code", "1000009", "No establishment has this SEED code"),
    ("data_zone", "S02000001", "data zone"),
    ("year", "1999", "Out of range"),
]


@pytest.mark.parametrize(("column", "value", "reason"), CELL_RULES)
def test_a_bad_cell_is_named_by_row_column_value_and_reason_and_nothing_is_written(world, column, value, reason):
    rows = [learner_row(world, 1), learner_row(world, 2, **{column: value}), learner_row(world, 3)]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "rejected"
    assert batch.error_count == 1, batch.errors
    row, col, val, why = batch.errors[0]
    assert (row, col, val) == (3, column, value)
    assert reason in why
    assert batch.count_rejected == 1
    assert not Learner.objects.filter(scn__in=[scn(1), scn(3)]).exists()
    assert not Enrolment.objects.filter(learner__scn__in=[scn(1), scn(3)]).exists()


def test_every_error_in_the_file_is_listed_not_only_the_first(world):
    rows = [learner_row(world, 1, sex="Q", simd_decile="0"), learner_row(world, 2), learner_row(world, 3, stage="")]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert [(e[0], e[1]) for e in batch.errors] == [(2, "sex"), (2, "simd_decile"), (4, "stage")]
    assert batch.count_rejected == 2


def test_a_seed_check_digit_mismatch_is_a_warning_not_an_error(world):
    user = national_dm()
    data = csv_bytes(["seed_code", "name", "authority", "type", "roll"], [["1234567", "Odd Code Academy", "100", "secondary", "600"]])
    batch = run(user, "establishments", data)
    assert batch.status == "succeeded"
    assert batch.warning_count == 1 and "check digit" in batch.warnings[0][3]
    assert Establishment.objects.filter(seed_code="1234567").exists()


def test_missing_required_columns_are_named_in_the_header_row(world):
    data = csv_bytes(["scn", "given_name"], [[scn(1), "Ann"]])
    batch = run(world.personas["dm_x"], "learners", data)
    assert batch.status == "rejected"
    missing = {e[1] for e in batch.errors}
    assert {"family_name", "date_of_birth", "sex", "seed_code", "year", "stage"} <= missing
    assert "simd_decile" not in missing  # optional since issue 13: derived from data_zone when blank
    assert all(e[0] == 1 and "missing" in e[3] for e in batch.errors)


def test_an_unknown_column_is_ignored_with_a_warning(world):
    rows = [dict(learner_row(world, 1), favourite_colour="blue")]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "succeeded"
    assert batch.warnings[0][:2] == [1, "favourite_colour"]


def test_a_header_without_rows_is_rejected(world):
    batch = run(world.personas["dm_x"], "learners", (",".join(LEARNER_COLUMNS) + "\n").encode())
    assert batch.status == "rejected"
    assert "no rows" in batch.errors[0][3]


def test_a_duplicate_key_inside_the_file_names_both_rows(world):
    rows = [learner_row(world, 1), learner_row(world, 2), learner_row(world, 1, given_name="Again")]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "rejected"
    assert batch.errors == [[4, "scn", scn(1), "Duplicate: row 2 has the same scn."]]


def test_errors_are_capped_but_all_counted(world):
    rows = [learner_row(world, i, sex="?") for i in range(MAX_LISTED_ERRORS + 50)]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.error_count == MAX_LISTED_ERRORS + 50
    assert len(batch.errors) == MAX_LISTED_ERRORS
    assert batch.errors[0][0] == 2


def test_a_school_data_manager_cannot_import_for_a_neighbouring_school(world):
    learner = LearnerFactory.create(establishment=world.school_a2)
    rows = [result_row(world.learner_a, world.school_a, subject_code="MATH"), result_row(learner, world.school_a2)]
    batch = run(world.personas["dm_a"], "results", as_csv(rows))
    assert batch.status == "rejected" and batch.scope_violation
    assert {(e[0], e[1]) for e in batch.errors} == {(3, "seed_code"), (3, "scn")}
    assert not QualificationResult.objects.filter(learner=world.learner_a, subject__code="MATH").exists()


def test_only_for_one_school_rejects_rows_for_another(world):
    learner = LearnerFactory.create(establishment=world.school_a2)
    rows = [result_row(world.learner_a, world.school_a, subject_code="MATH"), result_row(learner, world.school_a2)]
    batch = run(world.personas["dm_x"], "results", as_csv(rows), restrict_to=world.school_a)
    assert batch.errors[0][:2] == [3, "seed_code"] and "another establishment" in batch.errors[0][3]
