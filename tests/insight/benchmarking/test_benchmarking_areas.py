"""Curricular areas in the engine (DB-free): every cell against the rules read literally, order and
chunk invariance, the VC shared with Breadth and Depth, and bad input refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import areas, breadth
from insight.benchmarking import columns as c
from insight.benchmarking.engine import _combine_areas
from tests.insight.benchmarking.test_benchmarking_breadth import _world

KEYS = ["cohort", "cohort_id", "year", "cohort_stage", "grade_filter", "curricular_area"]
# Subjects 1 .. 13 of _world: subject s in area s % 8, subject 13 in none.
SUBJECT_AREAS = pd.DataFrame({c.SUBJECT_ID: np.arange(1, 14), c.AREA_CODE: [*(s % 8 for s in range(1, 13)), -1]})


def _naive(members: pd.DataFrame, results: pd.DataFrame) -> dict[tuple, list[int]]:
    """The rules read literally, one member and one cell at a time."""
    limits = {"A": {0}, "AC": {0, 1, 2, 4}, "AD": {0, 1, 2, 3, 4}}
    area_of = dict(zip(SUBJECT_AREAS[c.SUBJECT_ID], SUBJECT_AREAS[c.AREA_CODE], strict=True))
    out: dict[tuple, list[int]] = {}
    for member in members.itertuples(index=False):
        mine = results[(results[c.LEARNER_ID] == member.learner_id) & (results[c.YEAR] <= member.year)]
        for grade_filter, grades in limits.items():
            ok = mine[mine[c.GRADE].isin(grades)]
            for code, area in enumerate(c.CURRICULAR_AREAS):
                levels = ok[ok[c.SUBJECT_ID].map(area_of) == code][c.SCQF_LEVEL]
                for cohort, cohort_id in (("establishment", member.establishment_id),
                                          ("authority", member.authority_id), ("national", 0)):
                    key = (cohort, cohort_id, member.year, member.cohort_stage, grade_filter, area)
                    cell = out.setdefault(key, [0] * 6)
                    cell[0] += 1
                    for i, level in enumerate(c.BD_LEVELS):
                        cell[i + 1] += bool((levels >= level).any())
    return out


def _grid(members: pd.DataFrame, results: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    groups = breadth.cohort_groups(members, **kwargs)  # type: ignore[arg-type]
    return areas.curricular_areas(members, results, SUBJECT_AREAS, groups=groups)


def test_every_cell_matches_the_rules_read_literally() -> None:
    members, results = _world(n=120)
    grid = areas.curricular_areas(members, results, SUBJECT_AREAS)
    expected = _naive(members, results)
    assert len(grid) == len(expected)
    for row in grid.itertuples(index=False):
        key = tuple(getattr(row, k) for k in KEYS)
        assert [row.n_cohort, *(getattr(row, c.n_level(level)) for level in c.BD_LEVELS)] == expected[key], key


def test_a_subject_with_no_area_counts_in_none() -> None:
    members, results = _world(n=60)
    only_13 = results.assign(**{c.SUBJECT_ID: 13})
    grid = areas.curricular_areas(members, only_13, SUBJECT_AREAS)
    assert (grid[list(c.AREA_COUNT_COLUMNS)].to_numpy() == 0).all()
    assert (grid[c.N_COHORT] > 0).all()


def test_row_order_does_not_change_any_figure() -> None:
    members, results = _world()
    grid = _grid(members, results, seed=5).sort_values(KEYS, ignore_index=True)
    shuffled = _grid(members.sample(frac=1, random_state=1), results.sample(frac=1, random_state=2),
                     seed=5).sort_values(KEYS, ignore_index=True)
    pd.testing.assert_frame_equal(grid, shuffled)


def test_chunks_by_authority_give_the_whole_run() -> None:
    members, results = _world()
    whole = _grid(members, results, seed=5).sort_values(KEYS, ignore_index=True)
    parts = [_grid(members, results, authority_ids=group, seed=5) for group in ([0, 1], [2], [3])]
    pd.testing.assert_frame_equal(_combine_areas(parts).sort_values(KEYS, ignore_index=True), whole)
    with pytest.raises(ValueError, match="overlap"):
        _combine_areas([parts[0], parts[0]])


def test_the_vc_is_breadth_and_depths_draw_counted_as_the_school() -> None:
    members, results = _world()
    groups = breadth.cohort_groups(members, seed=5)
    grid = areas.curricular_areas(members, results, SUBJECT_AREAS, groups=groups)
    levels = areas.member_area_levels(members, results, SUBJECT_AREAS)
    assert groups.target is not None and groups.source is not None
    school = members[c.ESTABLISHMENT_ID].to_numpy()
    vc = grid[grid[c.COHORT] == c.COHORT_VC]
    assert not vc.empty
    for row in vc.head(40).itertuples(index=False):
        stage_ok = members[c.COHORT_STAGE].to_numpy()[groups.target] == row.cohort_stage
        mine = (school[groups.target] == row.cohort_id) & (members[c.YEAR].to_numpy()[groups.target] == row.year) & stage_ok
        drawn = levels[groups.source[mine], c.GRADE_FILTERS.index(row.grade_filter),
                       c.CURRICULAR_AREAS.index(row.curricular_area)]
        assert row.n_cohort == mine.sum()
        assert [getattr(row, c.n_level(level)) for level in c.BD_LEVELS] == [int((drawn >= i + 1).sum())
                                                                              for i in range(5)]


def test_bad_input_is_refused_with_the_column_named() -> None:
    members, results = _world(n=20)
    with pytest.raises(ValueError, match="area_code"):
        areas.curricular_areas(members, results, SUBJECT_AREAS.assign(**{c.AREA_CODE: 8}))
    with pytest.raises(ValueError, match="subject_areas frame is missing columns: area_code"):
        areas.curricular_areas(members, results, SUBJECT_AREAS.drop(columns=[c.AREA_CODE]))
