"""The Course Comparator in the engine (DB-free): every figure against the rules read literally,
order and chunk invariance, and no comparator from the school's own authority."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight.benchmarking import columns as c
from insight.benchmarking import courses

KEYS = list(courses.COURSE_KEYS)


def _world(seed: int = 4, n: int = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    school = rng.integers(1, 9, n)
    members = pd.DataFrame({
        c.LEARNER_ID: np.arange(1, n + 1), c.ESTABLISHMENT_ID: school, c.AUTHORITY_ID: (school + 1) // 3,
        c.YEAR: rng.choice([2024, 2025], n), c.COHORT_STAGE: rng.choice(list(c.COHORT_STAGES), n),
        c.SEX: rng.integers(0, 2, n), c.ASN: (rng.random(n) < 0.3).astype(int), c.SIMD_DECILE: rng.integers(1, 11, n),
    })
    m = 5 * n
    award = rng.integers(0, len(courses.AWARD_TYPES), m)
    graded = np.isin(np.asarray(courses.AWARD_TYPES)[award], courses.GRADED_AWARD_TYPES)
    results = pd.DataFrame({
        c.LEARNER_ID: rng.integers(1, n + 1, m), c.SUBJECT_ID: rng.integers(1, 5, m),
        c.SCQF_LEVEL: rng.integers(4, 7, m), c.SCQF_CREDITS: 24,
        c.GRADE: np.where(graded, rng.integers(0, 4, m), c.GRADE_CODES["P"]), c.YEAR: rng.integers(2023, 2026, m),
        courses.AWARD_TYPE: award,
    })
    # One result per learner, course and diet (the database's unique key).
    return members, results.drop_duplicates([c.LEARNER_ID, c.SUBJECT_ID, courses.AWARD_TYPE, c.SCQF_LEVEL, c.YEAR])


def _naive(members: pd.DataFrame, results: pd.DataFrame) -> dict[tuple, list[float]]:
    """The rules read literally, one member and one result at a time."""
    sums: dict[tuple, list[float]] = {}
    for member in members.itertuples(index=False):
        mine = results[(results[c.LEARNER_ID] == member.learner_id) & (results[c.YEAR] == member.year)]
        numbers = {i: 4 - g for i, g in zip(mine.index, mine[c.GRADE], strict=True) if g < 4}
        for r in mine.itertuples():
            others = [v for i, v in numbers.items() if i != r.Index]
            diff = numbers[r.Index] - sum(others) / len(others) if r.Index in numbers and others else None
            course = (member.year, member.cohort_stage, r.subject_id, courses.AWARD_TYPES[r.award_type], r.scqf_level)
            for level, level_id in (("establishment", member.establishment_id), ("authority", member.authority_id),
                                    ("national", 0)):
                cell = sums.setdefault((level, level_id, *course), [0, 0, 0, 0, 0, 0, 0, 0.0])
                g = r.grade
                for i, hit in enumerate((True, g == 0, g <= 1, g <= 2, g <= 3, g == 4, diff is not None)):
                    cell[i] += bool(hit)
                cell[7] += diff or 0.0
    return sums


def test_every_figure_matches_the_rules_read_literally() -> None:
    members, results = _world(n=150)
    out = courses.course_results(members, results)
    expected = _naive(members, results)
    assert len(out) == len(expected)
    for row in out.itertuples(index=False):
        want = expected[tuple(getattr(row, k) for k in KEYS)]
        assert [getattr(row, col) for col in courses.COUNT_COLUMNS] == want[:7]
        if want[6]:
            assert abs(row.grade_diff - want[7] / want[6]) < 1e-6
        else:
            assert np.isnan(row.grade_diff)


def test_order_of_the_rows_changes_nothing() -> None:
    members, results = _world()
    one = courses.course_results(members, results, seed=11)
    two = courses.course_results(members.sample(frac=1, random_state=1), results.sample(frac=1, random_state=2), seed=11)
    pd.testing.assert_frame_equal(one, two)


def test_chunks_by_authority_give_the_one_shot_figures() -> None:
    members, results = _world()
    whole = courses.course_results(members, results, seed=11)
    authorities = sorted(members[c.AUTHORITY_ID].unique())
    parts = [courses.course_results(members, results, seed=11, authority_ids=group)
             for group in (authorities[:1], authorities[1:])]
    pd.testing.assert_frame_equal(courses.combine_courses(parts), courses.combine_courses([whole]))


def test_no_comparator_comes_from_the_schools_own_authority_and_each_sat_the_same_course() -> None:
    members, results = _world(n=400)
    entries = courses.course_entries(members, results)
    course = np.unique(entries[[c.SUBJECT_ID, courses.AWARD_TYPE, c.SCQF_LEVEL]].to_numpy(), axis=0,
                       return_inverse=True)[1].reshape(-1)
    stage_course = entries["stage_code"].to_numpy() * (course.max() + 1) + course
    target, source = courses.vc_draw(entries, stage_course, seed=3,
                                     establishment_ids=np.unique(entries[c.ESTABLISHMENT_ID].to_numpy()))
    assert len(target) > 0
    authority = entries[c.AUTHORITY_ID].to_numpy()
    assert (authority[target] != authority[source]).all()
    for column in (c.YEAR, "stage_code", c.SUBJECT_ID, courses.AWARD_TYPE, c.SCQF_LEVEL):
        assert (entries[column].to_numpy()[target] == entries[column].to_numpy()[source]).all(), column
    # Ten comparators per matched entrant, and the VC rows count them.
    out = courses.course_results(members, results, seed=3)
    vc = out[out[c.COHORT] == c.COHORT_VC]
    assert vc[courses.N_ENTRIES].sum() == len(target) and len(target) % 10 == 0


def test_award_types_match_the_database() -> None:
    from datahub.models.attainment import VOCATIONAL_AWARDS, AwardType

    assert set(courses.AWARD_TYPES) == {a.value for a in AwardType}
    assert set(courses.VOCATIONAL_AWARD_TYPES) == {a.value for a in VOCATIONAL_AWARDS}
