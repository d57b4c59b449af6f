"""Import validation: every rule has a failing-row test naming row, column, value and reason;
nothing is written when any row fails; re-imports change nothing; corrections keep history."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from datahub.codes import make_scn
from datahub.imports.engine import MAX_LISTED_ERRORS
from datahub.models import (
    ChangeRecord,
    Enrolment,
    Establishment,
    ImportBatch,
    Learner,
    QualificationResult,
    SchoolLeaver,
)
from destinations.models import DestinationRecord, ParticipationSpell
from tests.datahub.imports_helpers import SAMPLES, csv_bytes, load_samples, national_dm, run
from tests.factories import LearnerFactory, LeaverFactory

pytestmark = pytest.mark.django_db

LEARNER_COLUMNS = ["scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone", "simd_decile", "asn",
                   "care_experienced", "fsm", "seed_code", "year", "stage"]


def scn(n: int) -> str:
    return make_scn(30_000_000 + 7 * n)


def learner_row(world, n: int, **over: str) -> dict:
    row = dict(scn=scn(n), given_name=f"Import{n}", family_name="Tester", date_of_birth="2007-03-14", sex="F",
               data_zone="S01010206", simd_decile="4", asn="N", care_experienced="N", fsm="Y",
               seed_code=world.school_a.seed_code, year="2023", stage="S5")
    row.update(over)
    return row


def as_csv(rows: list[dict]) -> bytes:
    header = list(rows[0])
    return csv_bytes(header, [[r[h] for h in header] for r in rows])


def result_row(learner, school, **over: str) -> dict:
    row = dict(scn=learner.scn, seed_code=school.seed_code, subject_code="ENG", award_type="N5", scqf_level="5",
               scqf_credits="24", grade="A", year="2023")
    row.update(over)
    return row


# --- every cell rule ------------------------------------------------------------------------

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
    assert {"family_name", "date_of_birth", "sex", "simd_decile", "seed_code", "year", "stage"} <= missing
    assert all(e[0] == 1 and "missing" in e[3] for e in batch.errors)


def test_an_unknown_column_is_ignored_with_a_warning(world):
    rows = [dict(learner_row(world, 1), favourite_colour="blue")]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "succeeded"
    assert batch.warnings[0][:2] == [1, "favourite_colour"]


def test_headers_are_matched_whatever_their_case_and_spacing(world):
    row = learner_row(world, 1)
    header = [h.upper().replace("_", " ") for h in row]
    batch = run(world.personas["dm_x"], "learners", csv_bytes(header, [list(row.values())]))
    assert batch.status == "succeeded", batch.errors


def test_a_repeated_column_counts_once_the_first_one_wins(world):
    row = learner_row(world, 1)
    header = [*row, "Family Name"]  # family_name again, spelt differently
    batch = run(world.personas["dm_x"], "learners", csv_bytes(header, [[*row.values(), "Other"]]))
    assert batch.status == "succeeded", batch.errors
    assert Learner.objects.get(scn=row["scn"]).family_name == row["family_name"]


def test_a_header_without_rows_is_rejected(world):
    batch = run(world.personas["dm_x"], "learners", (",".join(LEARNER_COLUMNS) + "\n").encode())
    assert batch.status == "rejected"
    assert "no rows" in batch.errors[0][3]


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00\x00garbage\x81\x8d", b"PK\x03\x04 not really a workbook"])
def test_an_unreadable_file_is_rejected_with_a_reason(world, data):
    batch = run(world.personas["dm_x"], "learners", data, name="x.xlsx" if data.startswith(b"PK") else "x.csv")
    assert batch.status == "rejected"
    assert batch.message


def test_a_nul_character_rejects_the_file_naming_its_line(world):
    rows = [learner_row(world, 1), learner_row(world, 2, given_name="Ann\x00e")]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "rejected" and "Line 3 contains a NUL" in batch.message


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


# --- kind rules -----------------------------------------------------------------------------


def test_establishments_unknown_authority(world):
    data = csv_bytes(["seed_code", "name", "authority"], [["5244439", "New Academy", "S12999999"]])
    batch = run(national_dm(), "establishments", data)
    assert batch.errors[0][:3] == [2, "authority", "S12999999"] and "Unknown local authority" in batch.errors[0][3]


def test_establishments_a_new_school_needs_a_data_manager_of_its_authority(world):
    data = csv_bytes(["seed_code", "name", "authority"], [["5244439", "New Academy", "260"]])
    batch = run(world.personas["dm_x"], "establishments", data)
    assert batch.status == "rejected" and batch.scope_violation
    assert batch.errors[0][:2] == [2, "seed_code"]
    ok = run(world.personas["dm_x"], "establishments", csv_bytes(["seed_code", "name", "authority"], [["5244439", "New Academy", "100"]]))
    assert ok.status == "succeeded" and ok.count_new == 1
    school_dm = run(world.personas["dm_a"], "establishments", csv_bytes(["seed_code", "name", "authority"], [["5244609", "Other", "100"]]))
    assert school_dm.status == "rejected" and school_dm.scope_violation


def test_establishments_moving_a_school_to_an_authority_not_managed_is_refused(world):
    a = world.school_a
    data = csv_bytes(["seed_code", "name", "authority"], [[a.seed_code, a.name, "260"]])
    batch = run(world.personas["dm_x"], "establishments", data)
    assert batch.errors[0][1] == "authority" and batch.scope_violation


def test_establishments_a_school_data_manager_updates_their_own_school(world):
    a = world.school_a
    batch = run(world.personas["dm_a"], "establishments", csv_bytes(["seed_code", "name", "authority", "roll"], [[a.seed_code, "Alpha High School", "100", "950"]]))
    assert batch.status == "succeeded" and batch.count_updated == 1
    a.refresh_from_db()
    assert a.roll == 950
    change = ChangeRecord.objects.get(batch=batch)
    assert change.before["roll"] == 900 and change.after["roll"] == 950 and change.changed_by == world.personas["dm_a"]


def test_learners_a_learner_on_another_authoritys_roll_cannot_be_changed(world):
    rows = [learner_row(world, 1, scn=world.learner_b.scn)]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "rejected" and batch.scope_violation
    assert batch.errors[0][:3] == [2, "scn", world.learner_b.scn]
    world.learner_b.refresh_from_db()
    assert world.learner_b.establishment == world.school_b


def test_learners_an_older_census_does_not_move_a_learner(world):
    dm = world.personas["dm_x"]
    run(dm, "learners", as_csv([learner_row(world, 1, seed_code=world.school_a2.seed_code, year="2023")]))
    batch = run(dm, "learners", as_csv([learner_row(world, 1, seed_code=world.school_a.seed_code, year="2022", stage="S4")]))
    assert batch.status == "succeeded"
    learner = Learner.objects.get(scn=scn(1))
    assert learner.establishment == world.school_a2
    assert sorted(learner.enrolments.values_list("year", "establishment")) == [
        (2022, world.school_a.id), (2023, world.school_a2.id)]


def test_leavers_need_a_known_learner(world):
    data = csv_bytes(["scn", "seed_code", "leaver_year", "stage", "sex", "simd_decile"],
                     [[scn(9), world.school_a.seed_code, "2024", "S6", "F", "3"]])
    batch = run(world.personas["dm_x"], "leavers", data)
    assert batch.errors[0][:3] == [2, "scn", scn(9)] and "No learner has this SCN" in batch.errors[0][3]


def test_leavers_leaving_date_outside_the_session(world):
    learner = LearnerFactory.create(establishment=world.school_a)
    data = csv_bytes(["scn", "seed_code", "leaver_year", "stage", "leaving_date", "sex", "simd_decile"],
                     [[learner.scn, world.school_a.seed_code, "2024", "S6", "2024-09-01", "F", "3"]])
    batch = run(world.personas["dm_x"], "leavers", data)
    assert batch.errors[0][1] == "leaving_date" and "session" in batch.errors[0][3]


def test_leavers_import_and_correction(world):
    learner = LearnerFactory.create(establishment=world.school_a)
    header = ["scn", "seed_code", "leaver_year", "stage", "leaving_date", "sex", "simd_decile", "asn"]
    first = run(world.personas["dm_x"], "leavers", csv_bytes(header, [[learner.scn, world.school_a.seed_code, "2024", "S5", "", "F", "3", "N"]]))
    assert first.status == "succeeded" and first.count_new == 1
    second = run(world.personas["dm_x"], "leavers", csv_bytes(header, [[learner.scn, world.school_a.seed_code, "2024", "S6", "28/06/2024", "F", "3", "Y"]]))
    assert second.count_updated == 1
    leaver = SchoolLeaver.objects.get(learner=learner)
    assert leaver.stage == "S6" and leaver.asn and str(leaver.leaving_date) == "2024-06-28"


RESULT_RULES = [
    ({"subject_code": "XYZ"}, "subject_code", "Unknown subject code"),
    ({"award_type": "N6"}, "award_type", "Unknown code"),
    ({"grade": "P"}, "grade", "graded: the grade must be A, B, C or D"),
    ({"award_type": "NPA", "grade": "A"}, "grade", "not graded: the grade must be P"),
    ({"scqf_level": "6"}, "scqf_level", "This award is at SCQF level 5"),
    ({"award_type": "NPA", "grade": "P", "scqf_level": "9"}, "scqf_level", "from 2 to 7"),
    ({"scqf_credits": "0"}, "scqf_credits", "Out of range"),
    ({"scn": scn(999)}, "scn", "No learner has this SCN"),
]


@pytest.mark.parametrize(("over", "column", "reason"), RESULT_RULES)
def test_results_rules(world, over, column, reason):
    rows = [result_row(world.learner_a, world.school_a, subject_code="MATH"), result_row(world.learner_a, world.school_a, **over)]
    batch = run(world.personas["dm_x"], "results", as_csv(rows))
    assert batch.status == "rejected"
    assert [e[:2] for e in batch.errors] == [[3, column]], batch.errors
    assert reason in batch.errors[0][3]
    assert not QualificationResult.objects.filter(learner=world.learner_a, subject__code="MATH").exists()


def test_results_for_a_learner_of_another_authority_are_refused(world):
    rows = [result_row(world.learner_b, world.school_a, subject_code="MATH")]
    batch = run(world.personas["dm_x"], "results", as_csv(rows))
    assert batch.scope_violation and batch.errors[0][1] == "scn"


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


def test_results_correction_updates_and_keeps_history(world):
    dm = world.personas["dm_x"]
    first = run(dm, "results", as_csv([result_row(world.learner_a, world.school_a, subject_code="MATH", grade="B")]))
    assert (first.count_new, first.count_updated) == (1, 0)
    again = run(dm, "results", as_csv([result_row(world.learner_a, world.school_a, subject_code="MATH", grade="B")]))
    assert (again.count_new, again.count_updated, again.count_unchanged) == (0, 0, 1)
    fixed = run(dm, "results", as_csv([result_row(world.learner_a, world.school_a, subject_code="math", grade="A")]))
    assert (fixed.count_new, fixed.count_updated, fixed.count_unchanged) == (0, 1, 0)
    result = QualificationResult.objects.get(learner=world.learner_a, subject__code="MATH")
    assert result.grade == "A"
    change = ChangeRecord.objects.get(batch=fixed)
    assert (change.model, change.object_id, change.action) == ("datahub.qualificationresult", result.pk, "updated")
    assert change.before["grade"] == "B" and change.after["grade"] == "A" and change.changed_by == dm


# --- destinations and participation ---------------------------------------------------------


def dest_row(leaver, **over: str) -> dict:
    row = dict(scn=leaver.learner.scn, seed_code=leaver.establishment.seed_code, leaver_year=str(leaver.leaver_year),
               category="FE", survey_date="2024-10-07", note="")
    row.update(over)
    return row


DEST_RULES = [
    ({"scn": None}, "scn", "No school leaver record"),
    ({"seed_code": "other"}, "seed_code", "for another school"),
    ({"leaver_year": "2023"}, "leaver_year", "for leaver year 2024"),
    ({"category": "ASTRONAUT"}, "category", "Unknown code"),
    ({"survey_date": "2025-04-07"}, "survey_date", "outside the survey season"),
]


@pytest.mark.parametrize(("over", "column", "reason"), DEST_RULES)
def test_destination_rules(world, over, column, reason):
    leaver = LeaverFactory.create(learner=LearnerFactory.create(establishment=world.school_a))
    bad = dict(over)
    if "scn" in bad:
        bad["scn"] = LearnerFactory.create(establishment=world.school_a).scn  # a learner without a leaver record
    if bad.get("seed_code") == "other":
        bad["seed_code"] = world.school_a2.seed_code
    rows = [dest_row(world.learner_a.leaver), dest_row(leaver, **bad)]
    batch = run(world.personas["dm_x"], "initial-destinations", as_csv(rows))
    assert batch.status == "rejected"
    assert [e[:2] for e in batch.errors] == [[3, column]], batch.errors
    assert reason in batch.errors[0][3]


def test_a_changed_destination_supersedes_the_current_one(world):
    dm = world.personas["dm_x"]
    leaver = world.learner_a.leaver
    before = DestinationRecord.objects.get(leaver=leaver, kind="initial", superseded_at__isnull=True)
    same = run(dm, "initial-destinations", as_csv([dest_row(leaver, category="HE", survey_date="")]))
    assert (same.count_new, same.count_updated, same.count_unchanged) == (0, 0, 1)
    changed = run(dm, "initial-destinations", as_csv([dest_row(leaver, category="Employment")]))
    assert changed.count_updated == 1
    records = DestinationRecord.objects.filter(leaver=leaver, kind="initial").order_by("recorded_at", "id")
    assert [r.category for r in records] == ["HE", "EMPLOYMENT"]
    old = records[0]
    assert old.pk == before.pk and old.superseded_at is not None
    current = records[1]
    assert current.superseded_at is None and current.source == "import" and current.recorded_by == dm
    change = ChangeRecord.objects.get(batch=changed)
    assert change.action == "superseded" and change.object_id == before.pk and change.after["category"] == "EMPLOYMENT"
    again = run(dm, "initial-destinations", as_csv([dest_row(leaver, category="Employment")]))
    assert again.count_unchanged == 1 and DestinationRecord.objects.filter(leaver=leaver, kind="initial").count() == 2


def test_destinations_of_another_authoritys_leaver_are_refused(world):
    batch = run(world.personas["dm_x"], "follow-up-destinations",
                as_csv([dest_row(world.learner_b.leaver, survey_date="2025-04-07")]))
    assert batch.scope_violation and not DestinationRecord.objects.filter(leaver__learner=world.learner_b, kind="follow_up").exists()


def spell(learner, status: str, start: str, end: str = "") -> dict:
    return dict(scn=learner.scn, status=status, start_date=start, end_date=end)


def test_participation_rules(world):
    la = world.learner_a
    rows = [
        spell(la, "EDUCATION", "2024-08-01", "2024-12-31"),
        spell(la, "TRAINING", "2024-12-01", ""),  # overlaps row 2
        spell(world.learner_a2, "EMPLOYMENT", "2025-03-01", "2025-02-01"),  # ends before it starts
        spell(la, "RETIRED", "2025-06-01", ""),
    ]
    batch = run(world.personas["dm_x"], "participation", as_csv(rows))
    got = {(e[0], e[1]): e[3] for e in batch.errors}
    assert "overlaps the spell in row 2" in got[(3, "start_date")]
    assert "before the start date" in got[(4, "end_date")]
    assert "Unknown code" in got[(5, "status")]
    assert not ParticipationSpell.objects.exists()


def test_participation_update_by_learner_and_start_date(world):
    dm = world.personas["dm_x"]
    run(dm, "participation", as_csv([spell(world.learner_a, "EDUCATION", "2024-08-01")]))
    batch = run(dm, "participation", as_csv([spell(world.learner_a, "EDUCATION", "2024-08-01", "2025-01-31")]))
    assert batch.count_updated == 1
    s = ParticipationSpell.objects.get(learner=world.learner_a)
    assert str(s.end_date) == "2025-01-31" and s.recorded_by == dm
    assert ChangeRecord.objects.get(batch=batch).before["end_date"] is None


# --- files, samples, dry runs, the command --------------------------------------------------


def test_every_sample_imports_in_order_and_again_changes_nothing(db):
    user = national_dm()
    first = load_samples(user)
    assert {k: b.status for k, b in first.items()} == dict.fromkeys(first, "succeeded"), {k: b.errors for k, b in first.items()}
    assert all(b.count_new > 0 and b.count_updated == 0 for b in first.values())
    second = load_samples(user)
    assert all((b.count_new, b.count_updated, b.count_rejected) == (0, 0, 0) for b in second.values())
    assert all(b.count_unchanged == first[k].count_new for k, b in second.items())
    assert second["results"].file_sha256 == first["results"].file_sha256


def test_xlsx_files_import_like_csv(world):
    from openpyxl import Workbook

    rows = [learner_row(world, 1), learner_row(world, 2)]
    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    import datetime as dt

    for r in rows:
        values = list(r.values())
        values[3] = dt.date(2007, 3, 14)  # a real date cell
        values[6] = int(values[6])  # a number cell
        ws.append(values)
    ws.append([None] * len(rows[0]))  # trailing blank row
    buf = io.BytesIO()
    wb.save(buf)
    batch = run(world.personas["dm_x"], "learners", buf.getvalue(), name="census.xlsx")
    assert batch.status == "succeeded", batch.errors
    assert batch.count_new == 2 and batch.rows_total == 2


def test_windows_1252_and_semicolons_are_read(world):
    row = learner_row(world, 1, given_name="Siobhán")
    data = (";".join(row) + "\r\n" + ";".join(row.values()) + "\r\n").encode("cp1252")
    batch = run(world.personas["dm_x"], "learners", data)
    assert batch.status == "succeeded", batch.errors
    assert Learner.objects.get(scn=scn(1)).given_name == "Siobhán"


def test_a_dry_run_counts_but_writes_nothing(world):
    batch = run(world.personas["dm_x"], "learners", as_csv([learner_row(world, 1)]), dry_run=True)
    assert batch.status == "validated" and batch.count_new == 1
    assert not Learner.objects.filter(scn=scn(1)).exists()


def test_a_batch_records_who_what_and_the_file_hash(world):
    import hashlib

    data = as_csv([learner_row(world, 1)])
    batch = run(world.personas["dm_x"], "learners", data, name="census.csv")
    assert batch.uploaded_by == world.personas["dm_x"] and batch.kind == "learners" and batch.file_name == "census.csv"
    assert batch.file_sha256 == hashlib.sha256(data).hexdigest() and batch.file_size == len(data)
    assert batch.duration_seconds is not None and batch.started_at and batch.finished_at
    assert list(batch.establishments.all()) == [world.school_a]
    from datahub.models import AuditEvent

    assert AuditEvent.objects.filter(action="import_data", object_id=str(batch.pk), actor=world.personas["dm_x"]).exists()


def test_import_data_command_prints_the_report(world, tmp_path):
    national_dm()
    out = io.StringIO()
    call_command("import_data", "establishments", str(SAMPLES / "establishments.csv"), "--dry-run", stdout=out)
    assert "Checked (dry run" in out.getvalue() and "new: 3" in out.getvalue()
    assert not Establishment.objects.filter(seed_code="5244439").exists()
    path = tmp_path / "bad-learners.csv"
    path.write_bytes(as_csv([learner_row(world, 1, sex="Z")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", "learners", str(path), "--as", world.personas["dm_x"].email, stdout=out)
    assert "2\tsex\tZ\tUnknown code" in out.getvalue()
    assert ImportBatch.objects.filter(source="command").count() == 2
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_data", "learners", str(path), "--establishment", world.school_b.seed_code,
                     "--as", world.personas["dm_x"].email)


def test_the_format_guide_and_samples_cover_every_kind_and_column() -> None:
    from datahub.imports.registry import all_kinds

    guide = (SAMPLES.parent / "import-formats.md").read_text()
    for kind in all_kinds():
        assert f"(`{kind.name}`)" in guide, kind.name
        assert (SAMPLES / f"{kind.name}.csv").is_file(), kind.name
        header = (SAMPLES / f"{kind.name}.csv").read_text().splitlines()[0].split(",")
        assert header == [c.name for c in kind.columns], kind.name
        for column in kind.columns:
            assert f"| `{column.name}` |" in guide, (kind.name, column.name)


def test_the_vectorised_scope_check_agrees_with_the_access_policy(world):
    import pandas as pd

    from datahub.access import can_import_for, scope_for
    from datahub.imports.engine import Context
    from datahub.imports.registry import get_kind

    schools = [world.school_a, world.school_a2, world.school_b]
    users = [*world.personas.values(), national_dm()]
    kind = get_kind("results")
    assert kind is not None
    for user in users:
        ctx = Context(kind=kind, user=user, scope=scope_for(user))
        outside = ctx.outside_scope(pd.Series([s.id for s in schools]), pd.Series([s.authority_id for s in schools]))
        assert [not o for o in outside] == [can_import_for(user, s) for s in schools], user
