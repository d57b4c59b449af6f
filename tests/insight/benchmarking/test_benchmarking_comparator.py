"""The virtual comparator draw: other authorities only, relaxation, seeding, chunking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.comparator import (
    RELAX_EXACT,
    RELAX_QUINTILE,
    RELAX_QUINTILE_NO_ASN,
    RELAX_UNMATCHED,
    draw_comparators,
    find_candidates,
    relaxation_counts,
    skip_own_block,
)
from insight.benchmarking.contract import leavers_from_records
from insight.benchmarking.synthetic import leaver_record, synthetic_frames

SEED = 20240601


@pytest.fixture
def pool() -> pd.DataFrame:
    """School 1 (authority 100) has one leaver for each relaxation level.

    1: F, S6, decile 5. Leaver 2 shares the cell but is in authority 100 too (not eligible);
       leaver 3 (authority 200) is the only candidate. Exact match.
    4: M, S6, decile 3. Nobody else has decile 3; leaver 5 (decile 4, same quintile 2) in
       authority 200 is. Quintile relaxation.
    6: F, ASN, S5, decile 9. Only leaver 7 (no ASN, decile 10) in authority 300. Relaxed to
       quintile and ASN dropped.
    8: M, S4, decile 1. Nobody: unmatched.
    9: like leaver 1 but a 2023 leaver: never a candidate for 2024 and unmatched itself.
    """
    return leavers_from_records(
        [
            leaver_record(1, 1, 100, sex="F", stage=6, simd_decile=5),
            leaver_record(2, 2, 100, sex="F", stage=6, simd_decile=5),
            leaver_record(3, 3, 200, sex="F", stage=6, simd_decile=5),
            leaver_record(4, 1, 100, sex="M", stage=6, simd_decile=3),
            leaver_record(5, 3, 200, sex="M", stage=6, simd_decile=4),
            leaver_record(6, 1, 100, sex="F", asn=True, stage=5, simd_decile=9),
            leaver_record(7, 4, 300, sex="F", asn=False, stage=5, simd_decile=10),
            leaver_record(8, 1, 100, sex="M", stage=4, simd_decile=1),
            leaver_record(9, 3, 200, sex="F", stage=6, simd_decile=5, year=2023),
        ]
    )


def comparators_of(draw_frame: pd.DataFrame, leaver_id: int) -> list[int]:
    return draw_frame.loc[draw_frame[c.LEAVER_ID] == leaver_id, c.COMPARATOR_ID].tolist()


def test_each_level_of_relaxation_draws_ten_from_the_only_candidate(pool: pd.DataFrame) -> None:
    draw = draw_comparators(pool, seed=SEED)
    assert comparators_of(draw.comparators, 1) == [3] * 10  # not 2: same authority
    assert comparators_of(draw.comparators, 4) == [5] * 10
    assert comparators_of(draw.comparators, 6) == [7] * 10
    assert comparators_of(draw.comparators, 8) == []
    assert comparators_of(draw.comparators, 9) == []
    relaxation = draw.relaxation.set_index(c.LEAVER_ID)
    assert relaxation.loc[[1, 4, 6, 8, 9], c.RELAXATION].tolist() == [
        RELAX_EXACT,
        RELAX_QUINTILE,
        RELAX_QUINTILE_NO_ASN,
        RELAX_UNMATCHED,
        RELAX_UNMATCHED,
    ]
    assert relaxation.loc[[1, 3, 4, 8], c.N_CANDIDATES].tolist() == [1, 2, 1, 0]


def test_comparators_come_only_from_other_authorities(pool: pd.DataFrame) -> None:
    draw = draw_comparators(pool, seed=SEED)
    authority = pool.set_index(c.LEAVER_ID)[c.AUTHORITY_ID]
    own = authority.loc[draw.comparators[c.LEAVER_ID]].to_numpy()
    theirs = authority.loc[draw.comparators[c.COMPARATOR_ID]].to_numpy()
    assert (own != theirs).all()


def test_the_draw_follows_the_seeding_rule_exactly(pool: pd.DataFrame) -> None:
    """School 3 in 2024 has leavers 3 and 5, drawing in leaver-id order from one generator.

    Leaver 3's cell, sorted by (authority, leaver id), is [1, 2, 3]; its own block is [3], so it
    has 2 candidates and u in {0, 1} maps to leavers 1, 2. Leaver 5 has 1 candidate (leaver 4).
    """
    rng = np.random.default_rng([SEED, 2024, 3])
    u = rng.integers(0, np.array([[2], [1]]), size=(2, 10))
    draw = draw_comparators(pool, seed=SEED)
    assert comparators_of(draw.comparators, 3) == np.array([1, 2])[u[0]].tolist()
    assert comparators_of(draw.comparators, 5) == [4] * 10


def test_skip_own_block_maps_draws_past_the_leavers_own_authority() -> None:
    # A cell of 7 rows whose rows 2-4 are the leaver's own authority: 4 candidates.
    u = np.array([0, 1, 2, 3])
    assert skip_own_block(u, np.array(2), np.array(3)).tolist() == [0, 1, 5, 6]
    # Own block first (offset 0): every draw moves past it.
    assert skip_own_block(u, np.array(0), np.array(3)).tolist() == [3, 4, 5, 6]


def test_relaxation_counts_per_school_and_year(pool: pd.DataFrame) -> None:
    counts = relaxation_counts(draw_comparators(pool, seed=SEED).relaxation).set_index([c.ESTABLISHMENT_ID, c.YEAR])
    assert counts.loc[(1, 2024)].to_dict() == {
        c.N_LEAVERS: 4,
        c.N_EXACT: 1,
        c.N_RELAXED_QUINTILE: 1,
        c.N_RELAXED_NO_ASN: 1,
        c.N_UNMATCHED: 1,
    }
    assert counts.loc[(3, 2023), c.N_UNMATCHED] == 1


def test_a_chunk_draws_exactly_what_the_one_shot_run_draws_for_its_schools() -> None:
    leavers, _ = synthetic_frames(n_leavers=3000, years=(2023, 2024), n_establishments=30, n_authorities=6)
    full = draw_comparators(leavers, seed=SEED)
    chunk_schools = [3, 7, 11]
    chunk = draw_comparators(leavers, seed=SEED, establishment_ids=chunk_schools)
    in_chunk = leavers.loc[leavers[c.ESTABLISHMENT_ID].isin(chunk_schools), c.LEAVER_ID]
    expected = full.comparators[full.comparators[c.LEAVER_ID].isin(in_chunk)].reset_index(drop=True)
    pd.testing.assert_frame_equal(chunk.comparators, expected)
    # Chunking by year too: the 2024 pool alone gives the same 2024 draws.
    year_pool = leavers[leavers[c.YEAR] == 2024]
    by_year = draw_comparators(year_pool, seed=SEED, establishment_ids=chunk_schools)
    expected_2024 = expected[expected[c.LEAVER_ID].isin(year_pool[c.LEAVER_ID])].reset_index(drop=True)
    pd.testing.assert_frame_equal(by_year.comparators, expected_2024)


def test_draw_is_reproducible_and_independent_of_row_order() -> None:
    leavers, _ = synthetic_frames(n_leavers=2000, years=(2024,), n_establishments=20, n_authorities=5)
    first = draw_comparators(leavers, seed=7)
    again = draw_comparators(leavers.sample(frac=1.0, random_state=1).reset_index(drop=True), seed=7)
    pd.testing.assert_frame_equal(first.comparators, again.comparators)
    pd.testing.assert_frame_equal(first.relaxation, again.relaxation)
    other_seed = draw_comparators(leavers, seed=8)
    assert not first.comparators.equals(other_seed.comparators)


def test_draws_are_with_replacement_and_ten_per_matched_leaver() -> None:
    leavers, _ = synthetic_frames(n_leavers=2000, years=(2024,), n_establishments=20, n_authorities=5)
    draw = draw_comparators(leavers, seed=1)
    matched = (draw.relaxation[c.RELAXATION] != RELAX_UNMATCHED).sum()
    assert len(draw.comparators) == 10 * matched
    per_leaver = draw.comparators.groupby(c.LEAVER_ID)[c.COMPARATOR_ID].nunique()
    assert (per_leaver < 10).any()  # somebody drew a comparator twice


def test_candidate_cells_are_seed_independent_and_in_canonical_order(pool: pd.DataFrame) -> None:
    cells = find_candidates(pool.iloc[::-1].reset_index(drop=True))
    order = list(zip(cells.establishment_id.tolist(), cells.year.tolist(), cells.leaver_id.tolist(), strict=True))
    assert order == sorted(order)


def test_negative_seed_is_refused(pool: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="seed"):
        draw_comparators(pool, seed=-1)
