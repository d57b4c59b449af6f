"""Tariff: latest and best, total tariff, literacy and numeracy levels (hand-worked numbers)."""

from __future__ import annotations

import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table, simd_quintile
from insight.benchmarking.contract import check_leavers, leavers_from_records, results_from_records
from insight.benchmarking.synthetic import leaver_record, result_record
from insight.benchmarking.tariff import latest_and_best, literacy_numeracy_levels, total_tariff

ENGLISH, MATHS, PHYSICS = 1, 2, 3


@pytest.fixture
def results() -> pd.DataFrame:
    return results_from_records(
        [
            # Leaver 1: Maths N5 B (70) then Higher C (136): the Higher supersedes it.
            result_record(1, MATHS, 5, 70, numeracy=True),
            result_record(1, MATHS, 6, 136, numeracy=True),
            result_record(1, ENGLISH, 5, 84, literacy=True),
            # Leaver 2: equal points in one subject, the higher SCQF level is kept.
            result_record(2, PHYSICS, 5, 33),
            result_record(2, PHYSICS, 4, 33),
            # Leaver 3: Higher C (136), resat for a D (102): the best result counts, not the last.
            result_record(3, ENGLISH, 6, 136, literacy=True),
            result_record(3, ENGLISH, 6, 102, literacy=True),
        ]
    )


def test_latest_and_best_keeps_the_result_with_most_points_per_subject(results: pd.DataFrame) -> None:
    best = latest_and_best(results)
    kept = {(r.leaver_id, r.subject_id): (r.scqf_level, r.points) for r in best.itertuples()}
    assert kept == {
        (1, ENGLISH): (5, 84.0),
        (1, MATHS): (6, 136.0),
        (2, PHYSICS): (5, 33.0),  # tie on points: higher level
        (3, ENGLISH): (6, 136.0),
    }


def test_latest_and_best_does_not_depend_on_row_order(results: pd.DataFrame) -> None:
    shuffled = results.sample(frac=1.0, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(latest_and_best(shuffled), latest_and_best(results))


def test_total_tariff_sums_best_points_per_subject_and_gives_zero_without_results(results: pd.DataFrame) -> None:
    totals = total_tariff(results, [1, 2, 3, 4])
    # 1: 136 (Maths Higher) + 84 (English N5) = 220; 2: 33; 3: 136; 4: no results.
    assert totals.to_dict() == {1: 220.0, 2: 33.0, 3: 136.0, 4: 0.0}
    assert totals.name == c.TOTAL_TARIFF
    assert totals.index.name == c.LEAVER_ID


def test_total_tariff_ignores_results_of_other_leavers(results: pd.DataFrame) -> None:
    assert total_tariff(results, [2]).to_dict() == {2: 33.0}


def test_literacy_and_numeracy_levels_are_the_highest_level_attained_else_zero(results: pd.DataFrame) -> None:
    levels = literacy_numeracy_levels(results, [1, 2, 3, 4])
    assert levels.loc[1].tolist() == [5, 6]
    assert levels.loc[2].tolist() == [0, 0]  # Physics counts for neither
    assert levels.loc[3].tolist() == [6, 0]
    assert levels.loc[4].tolist() == [0, 0]
    assert list(levels.columns) == [c.LITERACY_LEVEL, c.NUMERACY_LEVEL]


def test_simd_quintile_pairs_deciles() -> None:
    assert simd_quintile(pd.Series(range(1, 11))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_leaver_table_adds_derived_columns_in_leaver_id_order(results: pd.DataFrame) -> None:
    leavers = leavers_from_records(
        [leaver_record(3, 1, 100, simd_decile=9), leaver_record(1, 1, 100, simd_decile=2), leaver_record(2, 1, 100)]
    )
    table = leaver_table(leavers, results)
    assert table[c.LEAVER_ID].tolist() == [1, 2, 3]
    assert table[c.TOTAL_TARIFF].tolist() == [220.0, 33.0, 136.0]
    assert table[c.SIMD_QUINTILE].tolist() == [1, 3, 5]
    # Rank by (tariff, id): 33 (leaver 2) < 136 (leaver 3) < 220 (leaver 1).
    assert table[c.TARIFF_RANK].tolist() == [2, 0, 1]


def test_contract_rejects_duplicate_leavers_and_bad_values() -> None:
    good = leaver_record(1, 1, 100)
    with pytest.raises(ValueError, match="unique"):
        leavers_from_records([good, good])
    with pytest.raises(ValueError, match="simd_decile"):
        leavers_from_records([leaver_record(1, 1, 100, simd_decile=11)])
    with pytest.raises(ValueError, match="initial_positive"):
        leavers_from_records([leaver_record(1, 1, 100, initial_positive=0.5)])
    with pytest.raises(ValueError, match="missing columns: fsm"):
        check_leavers(pd.DataFrame([good]).drop(columns=[c.FSM]))
    with pytest.raises(ValueError, match="points"):
        results_from_records([result_record(1, 1, 5, -1.0)])
