"""The Course Comparator's worked example (docs/methodology.md, "Courses (the Course
Comparator)"): the four pupils of the Local measures example (tests/insight/local/worlds.py),
checked number by number from the census through the loader and the engine to the stored run.

Grade numbers (ours): A 4, B 3, C 2, D 1. Kelvinbank's S4 of 2024 sat, in the 2024 diet: Ava N5
English A, N5 Maths C (and ungraded N4 Physics, a Youth Achievement award); Ben N4 English, N3
Maths, an NPA (passes); Cara N5 English B, N5 Maths A. Deeside's S4: Dan N5 English D, N5 History A.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from datahub.models import Subject
from insight import loaders
from insight.benchmarking import columns as c
from insight.benchmarking import courses
from insight.models import CourseResult
from insight.services import run_create, run_execute_in_process
from tests.insight.local.worlds import build_example


@pytest.fixture
def example(db: Any) -> dict[str, Any]:
    return build_example()


def _row(frame: pd.DataFrame, level: str, level_id: int, stage: str, subject: str, award: str,
         scqf: int) -> list[Any]:
    """n_entries, n_a, n_ab, n_ac, n_ad, n_pass, n_compared, grade_diff of one course."""
    sid = Subject.objects.get(code=subject).pk
    hit = frame[(frame[c.COHORT] == level) & (frame[c.COHORT_ID] == level_id) & (frame[c.COHORT_STAGE] == stage)
                & (frame[c.SUBJECT_ID] == sid) & (frame[courses.AWARD_TYPE] == award) & (frame[c.SCQF_LEVEL] == scqf)]
    assert len(hit) == 1, hit
    values = [int(hit[col].iloc[0]) for col in courses.COUNT_COLUMNS]
    diff = float(hit[courses.GRADE_DIFF].iloc[0])
    return [*values, None if pd.isna(diff) else round(diff, 4)]


def test_the_2024_diet(example: dict[str, Any]) -> None:
    members, results = loaders.load_cohorts(2024)
    out = courses.course_results(members, results, seed=7)
    k, d = example["schools"]["K"].pk, example["schools"]["D"].pk
    est = c.COHORT_ESTABLISHMENT
    # N5 English at Kelvinbank: Ava A, Cara B. Ava: 4 - her Maths C (2) = +2; Cara: 3 - her Maths A (4) = -1.
    assert _row(out, est, k, "S4", "ENG", "N5", 5) == [2, 1, 2, 2, 2, 0, 2, 0.5]
    # N5 Maths: Ava C (2 - 4 = -2), Cara A (4 - 3 = +1).
    assert _row(out, est, k, "S4", "MATH", "N5", 5) == [2, 1, 1, 2, 2, 0, 2, -0.5]
    # Ungraded courses: entries and passes, no grade difference. The NPA is a vocational course.
    assert _row(out, est, k, "S4", "NPACYB", "NPA", 4) == [1, 0, 0, 0, 0, 1, 0, None]
    assert _row(out, est, k, "S4", "ENG", "N4", 4) == [1, 0, 0, 0, 0, 1, 0, None]
    # Ben is a 2024 leaver too: his courses are the leavers' as well.
    assert _row(out, est, k, "leavers", "NPACYB", "NPA", 4) == [1, 0, 0, 0, 0, 1, 0, None]
    # Deeside: Dan's English D (1 - 4 = -3) and History A (4 - 1 = +3).
    assert _row(out, est, d, "S4", "ENG", "N5", 5) == [1, 0, 0, 0, 1, 0, 1, -3.0]
    assert _row(out, est, d, "S4", "HIST", "N5", 5) == [1, 1, 1, 1, 1, 0, 1, 3.0]
    # Authorities are their schools; Scotland sums them: English (+2 - 1 - 3) / 3.
    assert _row(out, c.COHORT_AUTHORITY, example["glasgow"].pk, "S4", "ENG", "N5", 5) == [2, 1, 2, 2, 2, 0, 2, 0.5]
    assert _row(out, c.COHORT_NATIONAL, 0, "S4", "ENG", "N5", 5) == [3, 1, 2, 2, 3, 0, 3, -0.6667]
    # The course's VC: Ava and Cara (girls, no ASN, decile 5) each draw ten N5 English entrants of
    # another authority's S4: Dan alone, so twenty copies of Dan's D (difference -3).
    assert _row(out, c.COHORT_VC, k, "S4", "ENG", "N5", 5) == [20, 0, 0, 0, 20, 0, 20, -3.0]
    # Nobody in another authority sat N5 Maths: no VC for it (not a VC of other courses).
    vc = out[(out[c.COHORT] == c.COHORT_VC) & (out[c.COHORT_ID] == k)]
    assert set(vc[c.SUBJECT_ID]) == {Subject.objects.get(code="ENG").pk}
    # Deeside's N5 English VC: ten draws from Kelvinbank's entrants, Ava (A) or Cara (B), each A-B.
    assert _row(out, c.COHORT_VC, d, "S4", "ENG", "N5", 5)[:5:2] == [10, 10, 10]


def test_s5_based_on_the_s4_roll_keeps_the_mover_with_the_s4_school(example: dict[str, Any]) -> None:
    members, results = loaders.load_cohorts(2025)
    out = courses.course_results(members, results, seed=7)
    k, d = example["schools"]["K"].pk, example["schools"]["D"].pk
    # Higher English 2025 for Kelvinbank's S5 (based on its S4 roll): Ava B and Cara C (sat at
    # Deeside, credited to Kelvinbank). Ava: 3 - her Higher Maths D (1) = +2; Cara sat nothing else.
    assert _row(out, c.COHORT_ESTABLISHMENT, k, "S5", "ENG", "H", 6) == [2, 0, 1, 2, 2, 0, 1, 2.0]
    assert _row(out, c.COHORT_ESTABLISHMENT, d, "S5", "PHY", "N5", 5) == [1, 0, 1, 1, 1, 0, 0, None]
    assert out[(out[c.COHORT] == c.COHORT_ESTABLISHMENT) & (out[c.COHORT_ID] == d)
               & (out[c.SUBJECT_ID] == Subject.objects.get(code="ENG").pk)].empty


def test_a_run_stores_the_courses(example: dict[str, Any]) -> None:
    run = run_execute_in_process(run_create(years=[2024]))
    eng = Subject.objects.get(code="ENG").pk
    stored = CourseResult.objects.get(run=run, cohort="establishment", cohort_id=example["schools"]["K"].pk,
                                      year=2024, cohort_stage="S4", subject_id=eng, award_type="N5", scqf_level=5)
    assert [stored.n_entries, stored.n_a, stored.n_ab, stored.n_ac, stored.n_ad, stored.grade_diff] == [2, 1, 2, 2, 2, 0.5]
    vc = CourseResult.objects.get(run=run, cohort="vc", cohort_id=example["schools"]["K"].pk, year=2024,
                                  cohort_stage="S4", subject_id=eng, award_type="N5", scqf_level=5)
    assert (vc.n_entries, vc.n_ad, vc.n_ac) == (20, 20, 0)


def test_a_collaborative_is_its_authorities_entrants(example: dict[str, Any]) -> None:
    """Both authorities in one collaborative (7), then Glasgow alone in it: the collaborative's
    figures are its member authorities' entrants, whichever chunk computes it."""
    members, results = loaders.load_cohorts(2024)
    g, a = example["glasgow"].pk, example["aberdeen"].pk
    both = courses.course_results(members, results, collaboratives={g: 7, a: 7})
    # N5 English: Ava A (+2), Cara B (-1), Dan D (-3): 3 entries, A 1, A-B 2, A-C 2, A-D 3, (2 - 1 - 3) / 3.
    assert _row(both, c.COHORT_COLLABORATIVE, 7, "S4", "ENG", "N5", 5) == [3, 1, 2, 2, 3, 0, 3, -0.6667]
    # N5 History: Dan's A alone (4 - his English D 1 = +3).
    assert _row(both, c.COHORT_COLLABORATIVE, 7, "S4", "HIST", "N5", 5) == [1, 1, 1, 1, 1, 0, 1, 3.0]
    # A chunk holding Aberdeen alone still sums Glasgow's schools into the collaborative.
    chunk = courses.course_results(members, results, authority_ids=[a], collaboratives={g: 7, a: 7})
    assert _row(chunk, c.COHORT_COLLABORATIVE, 7, "S4", "ENG", "N5", 5) == [3, 1, 2, 2, 3, 0, 3, -0.6667]
    alone = courses.course_results(members, results, collaboratives={g: 7})
    # Glasgow alone: Kelvinbank's entrants (Ava A, Cara B); Aberdeen is in none.
    assert _row(alone, c.COHORT_COLLABORATIVE, 7, "S4", "ENG", "N5", 5) == [2, 1, 2, 2, 2, 0, 2, 0.5]
    assert _row(alone, c.COHORT_COLLABORATIVE, 7, "S4", "MATH", "N5", 5) == [2, 1, 1, 2, 2, 0, 2, -0.5]
    assert set(alone.loc[alone[c.COHORT] == c.COHORT_COLLABORATIVE, c.COHORT_ID]) == {7}
    # A chunk of an authority in no collaborative computes none.
    none = courses.course_results(members, results, authority_ids=[a], collaboratives={g: 7})
    assert none[none[c.COHORT] == c.COHORT_COLLABORATIVE].empty
    # Chunks combine to one copy.
    whole = courses.combine_courses([courses.course_results(members, results, authority_ids=[x], collaboratives={g: 7, a: 7})
                                     for x in (g, a)])
    assert len(whole[(whole[c.COHORT] == c.COHORT_COLLABORATIVE)]) == len(both[both[c.COHORT] == c.COHORT_COLLABORATIVE])


def test_a_run_stores_the_collaboratives_courses(example: dict[str, Any]) -> None:
    run = run_execute_in_process(run_create(years=[2024]))
    west = example["glasgow"].collaborative_id
    assert west is not None and run.collaboratives[str(example["glasgow"].pk)] == west
    stored = CourseResult.objects.get(run=run, cohort="collaborative", cohort_id=west, year=2024, cohort_stage="S4",
                                      subject_id=Subject.objects.get(code="ENG").pk, award_type="N5", scqf_level=5)
    assert [stored.n_entries, stored.n_a, stored.n_ab, stored.n_ac, stored.n_ad, stored.grade_diff] == [2, 1, 2, 2, 2, 0.5]
