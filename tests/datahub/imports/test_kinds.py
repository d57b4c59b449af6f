"""datahub's own kinds (establishments, learners, leavers, results): their reference, scope and
cross-field rules, and corrections that update and keep the history."""

from __future__ import annotations

import pytest

from datahub.models import ChangeRecord, Learner, QualificationResult, SchoolLeaver
from tests.datahub.imports.worlds import as_csv, csv_bytes, learner_row, national_dm, result_row, run, scn
from tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db


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
