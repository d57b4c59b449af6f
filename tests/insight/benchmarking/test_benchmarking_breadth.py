"""Breadth and Depth in the engine (DB-free): hand-worked figures, order and chunk invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import breadth
from insight.benchmarking import columns as c

KEYS = ["cohort", "cohort_id", "year", "cohort_stage", "grade_filter", "min_credits", "scqf_level"]


def _world(seed: int = 3, n: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    school = rng.integers(1, 9, n)
    members = pd.DataFrame({
        c.LEARNER_ID: np.arange(1, n + 1), c.ESTABLISHMENT_ID: school, c.AUTHORITY_ID: (school + 1) // 3,
        c.YEAR: rng.choice([2024, 2025], n), c.COHORT_STAGE: rng.choice(list(c.COHORT_STAGES), n),
        c.SEX: rng.integers(0, 2, n), c.ASN: rng.random(n) < 0.3, c.SIMD_DECILE: rng.integers(1, 11, n),
    })
    m = 6 * n
    results = pd.DataFrame({
        c.LEARNER_ID: rng.integers(1, n + 1, m), c.SUBJECT_ID: rng.integers(1, 14, m),
        c.SCQF_LEVEL: rng.integers(2, 9, m), c.SCQF_CREDITS: rng.choice([6, 12, 18, 24, 32], m),
        c.GRADE: rng.integers(0, 5, m), c.YEAR: rng.integers(2022, 2026, m),
    })
    return members, results


def _naive(members: pd.DataFrame, results: pd.DataFrame,
           collaboratives: dict[int, int] | None = None) -> dict[tuple, list[int]]:
    """The rules read literally, one member and one cell at a time (with the member's Regional
    Improvement Collaborative, when ``collaboratives`` gives its authority one)."""
    collaboratives = collaboratives or {}
    limits = {"A": ({0}), "AC": {0, 1, 2, 4}, "AD": {0, 1, 2, 3, 4}}
    out: dict[tuple, list[int]] = {}
    for member in members.itertuples(index=False):
        mine = results[(results[c.LEARNER_ID] == member.learner_id) & (results[c.YEAR] <= member.year)]
        for grade_filter, grades in limits.items():
            for credits in c.MIN_CREDIT_OPTIONS:
                ok = mine[mine[c.GRADE].isin(grades) & (mine[c.SCQF_CREDITS] >= credits)]
                for level in c.BD_LEVELS:
                    n_subjects = ok[ok[c.SCQF_LEVEL] >= level][c.SUBJECT_ID].nunique()
                    levels = [("establishment", member.establishment_id), ("authority", member.authority_id),
                              ("national", 0)]
                    if member.authority_id in collaboratives:
                        levels.append(("collaborative", collaboratives[member.authority_id]))
                    for cohort, cohort_id in levels:
                        key = (cohort, cohort_id, member.year, member.cohort_stage, grade_filter, credits, level)
                        cell = out.setdefault(key, [0] * 11)
                        cell[0] += 1
                        for k in range(1, 11):
                            cell[k] += n_subjects >= k
    return out


def test_every_cell_matches_the_rules_read_literally() -> None:
    members, results = _world(n=120)
    grid = breadth.breadth_depth(members, results)
    expected = _naive(members, results)
    assert len(grid) == len(expected)
    for row in grid.itertuples(index=False):
        key = tuple(getattr(row, k) for k in KEYS)
        assert [row.n_cohort, *(getattr(row, c.n_awards(k)) for k in range(1, 11))] == expected[key], key


def test_a_collaborative_is_its_authorities_members_read_literally() -> None:
    members, results = _world(n=120)
    membership = {0: 10, 1: 10, 2: 20}  # authority 3 is in none
    grid = breadth.breadth_depth(members, results, collaboratives=membership)
    expected = _naive(members, results, membership)
    assert len(grid) == len(expected)
    assert set(grid.loc[grid[c.COHORT] == c.COHORT_COLLABORATIVE, c.COHORT_ID]) == {10, 20}
    for row in grid.itertuples(index=False):
        key = tuple(getattr(row, k) for k in KEYS)
        assert [row.n_cohort, *(getattr(row, c.n_awards(k)) for k in range(1, 11))] == expected[key], key
    # A chunk of one authority still sums its collaborative over every member authority.
    chunk = breadth.breadth_depth(members, results, authority_ids=[0], collaboratives=membership)
    mine = chunk[chunk[c.COHORT] == c.COHORT_COLLABORATIVE]
    assert set(mine[c.COHORT_ID]) == {10}
    whole = grid[(grid[c.COHORT] == c.COHORT_COLLABORATIVE) & (grid[c.COHORT_ID] == 10)]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), whole.reset_index(drop=True))


def test_row_order_does_not_change_a_figure() -> None:
    members, results = _world()
    grid = breadth.breadth_depth(members, results, seed=5).sort_values(KEYS, ignore_index=True)
    assert (grid[c.COHORT] == c.COHORT_VC).any()
    shuffled = breadth.breadth_depth(members.sample(frac=1, random_state=1), results.sample(frac=1, random_state=2),
                                     seed=5)
    pd.testing.assert_frame_equal(grid, shuffled.sort_values(KEYS, ignore_index=True))


def test_chunks_by_authority_put_together_give_the_whole() -> None:
    members, results = _world()
    whole = breadth.breadth_depth(members, results, seed=5).sort_values(KEYS, ignore_index=True)
    authorities = sorted(members[c.AUTHORITY_ID].unique())
    parts = [breadth.breadth_depth(members, results, authority_ids=group, seed=5) for group in
             (authorities[:1], authorities[1:])]
    joined = pd.concat(parts).drop_duplicates().sort_values(KEYS, ignore_index=True)
    pd.testing.assert_frame_equal(whole, joined)


def test_bad_input_is_refused_naming_the_column() -> None:
    members, results = _world(n=10)
    with pytest.raises(ValueError, match="cohort_stage"):
        breadth.breadth_depth(members.assign(cohort_stage="S3"), results)
    with pytest.raises(ValueError, match="results frame is missing columns: grade"):
        breadth.breadth_depth(members, results.drop(columns=[c.GRADE]))


def test_the_vc_draws_ten_members_of_the_same_cohort_from_other_authorities() -> None:
    members, _ = _world(n=600)
    stage = pd.Categorical(members[c.COHORT_STAGE], categories=list(c.COHORT_STAGES)).codes.astype(np.int64)
    target, source = breadth.vc_draw(members, stage, seed=9, establishment_ids=np.unique(members[c.ESTABLISHMENT_ID]))
    assert len(target) == 10 * len(np.unique(target)) > 0
    t, s = members.iloc[target].reset_index(drop=True), members.iloc[source].reset_index(drop=True)
    assert (t[c.AUTHORITY_ID] != s[c.AUTHORITY_ID]).all()  # never from the school's own authority
    for column in (c.YEAR, c.COHORT_STAGE, c.SEX):
        assert (t[column] == s[column]).all()
    assert ((t[c.SIMD_DECILE] + 1) // 2 == (s[c.SIMD_DECILE] + 1) // 2).all()  # decile, or relaxed to quintile


def test_a_vc_cell_is_its_comparators_counted_as_the_school_is() -> None:
    members, results = _world(n=300)
    stage = pd.Categorical(members[c.COHORT_STAGE], categories=list(c.COHORT_STAGES)).codes.astype(np.int64)
    target, source = breadth.vc_draw(members, stage, seed=5, establishment_ids=np.unique(members[c.ESTABLISHMENT_ID]))
    grid = breadth.breadth_depth(members, results, seed=5)
    counts = breadth.member_award_counts(members, results)
    school, year, stage_name = 4, 2024, "S5"
    mine = (members[c.ESTABLISHMENT_ID].to_numpy()[target] == school) & (members[c.YEAR].to_numpy()[target] == year) & (
        members[c.COHORT_STAGE].to_numpy()[target] == stage_name)
    drawn = counts[source[mine]]  # (comparators x filters x levels); filter 8 = AD and 24 credits, level 5 = index 2
    row = grid[(grid[c.COHORT] == c.COHORT_VC) & (grid[c.COHORT_ID] == school) & (grid[c.YEAR] == year)
               & (grid[c.COHORT_STAGE] == stage_name) & (grid[c.GRADE_FILTER] == "AD") & (grid[c.MIN_CREDITS] == 24)
               & (grid[c.SCQF_LEVEL] == 5)]
    assert int(row[c.N_COHORT].iloc[0]) == mine.sum() > 0
    assert [int(row[c.n_awards(k)].iloc[0]) for k in (1, 2, 3)] == [int((drawn[:, 8, 2] >= k).sum()) for k in (1, 2, 3)]


def test_combining_chunks_keeps_one_scotland_and_refuses_overlaps() -> None:
    from insight.benchmarking.engine import _combine_breadth

    members, results = _world()
    authorities = sorted(members[c.AUTHORITY_ID].unique())
    parts = [breadth.breadth_depth(members, results, authority_ids=group, seed=5)
             for group in (authorities[:1], authorities[1:])]
    whole = breadth.breadth_depth(members, results, seed=5).sort_values(KEYS, ignore_index=True)
    pd.testing.assert_frame_equal(_combine_breadth(parts).sort_values(KEYS, ignore_index=True), whole)
    with pytest.raises(ValueError, match="overlap"):
        _combine_breadth([parts[0], parts[0]])
