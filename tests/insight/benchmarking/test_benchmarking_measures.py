"""The four national measures on tiny cohorts with hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.measures import (
    attainment_group_sizes,
    breakdown_measures,
    deprivation_measures,
    headline_measures,
    stable_order,
)

KEYS = [c.ESTABLISHMENT_ID, c.YEAR]


def cohort(tariffs: list[float], **columns: list) -> pd.DataFrame:
    """A cohort of one school-year; every leaver defaults to level 5 literacy/numeracy, decile 5,
    positive destinations, F, no ASN, not care experienced, left in S6."""
    n = len(tariffs)
    frame = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: [1] * n,
            c.YEAR: [2024] * n,
            c.LEAVER_ID: list(range(1, n + 1)),
            c.TOTAL_TARIFF: [float(t) for t in tariffs],
            c.LITERACY_LEVEL: [5] * n,
            c.NUMERACY_LEVEL: [5] * n,
            c.INITIAL_POSITIVE: [1.0] * n,
            c.FOLLOWUP_POSITIVE: [1.0] * n,
            c.SIMD_DECILE: [5] * n,
            c.SEX: ["F"] * n,
            c.ASN: [False] * n,
            c.CARE_EXPERIENCED: [False] * n,
            c.STAGE: [6] * n,
        }
    )
    for name, values in columns.items():
        frame[name] = values
    frame[c.SIMD_QUINTILE] = (frame[c.SIMD_DECILE] + 1) // 2
    return frame


def one(frame: pd.DataFrame) -> pd.Series:
    measures = headline_measures(frame, KEYS)
    assert len(measures) == 1
    return measures.iloc[0]


def same(actual: float, expected: float) -> bool:
    return (math.isnan(actual) and math.isnan(expected)) or actual == pytest.approx(expected)


@pytest.mark.parametrize(
    ("n", "sizes"),
    [
        (0, (0, 0, 0)),
        (1, (1, 0, 0)),
        (2, (1, 0, 1)),
        (3, (1, 1, 1)),
        (4, (1, 2, 1)),
        (5, (1, 3, 1)),
        (6, (2, 2, 2)),
        (10, (2, 6, 2)),
        (11, (3, 5, 3)),
        (15, (3, 9, 3)),  # 0.2 * 15 = 3.0000000000000004 in floats: integer ceil gives 3
        (50, (10, 30, 10)),
    ],
)
def test_attainment_group_boundaries(n: int, sizes: tuple[int, int, int]) -> None:
    assert tuple(int(x) for x in attainment_group_sizes(n)) == sizes


NAN = float("nan")


@pytest.mark.parametrize(
    ("n", "averages"),
    [
        (1, (10.0, NAN, NAN)),
        (2, (10.0, NAN, 20.0)),
        (3, (10.0, 20.0, 30.0)),
        (4, (10.0, 25.0, 40.0)),  # middle: (20 + 30) / 2
        (5, (10.0, 30.0, 50.0)),  # middle: (20 + 30 + 40) / 3
        (6, (15.0, 35.0, 55.0)),  # lowest two (10, 20), middle (30, 40), highest (50, 60)
    ],
)
def test_attainment_group_averages_for_small_cohorts(n: int, averages: tuple[float, float, float]) -> None:
    tariffs = [10.0 * (i + 1) for i in range(n)][::-1]  # given highest first: ranking must sort
    row = one(cohort(tariffs))
    got = tuple(row[c.avg_tariff(g)] for g in c.ATTAINMENT_GROUPS)
    assert all(same(a, e) for a, e in zip(got, averages, strict=True)), got
    assert row[c.N_LEAVERS] == n
    assert row[c.AVG_TOTAL_TARIFF] == pytest.approx(sum(tariffs) / n)


def test_ties_across_a_boundary_do_not_change_the_averages() -> None:
    # Sorted: 10, 20, 20, 20, 20, 60 -> lowest (10, 20) = 15, middle (20, 20) = 20, highest (20, 60) = 40.
    # Which of the tied 20s falls where is settled by leaver id; the averages cannot tell.
    frame = cohort([20, 60, 20, 10, 20, 20])
    row = one(frame)
    assert (row[c.avg_tariff(c.LOWEST20)], row[c.avg_tariff(c.MIDDLE60)], row[c.avg_tariff(c.HIGHEST20)]) == (
        15.0,
        20.0,
        40.0,
    )
    assert (row[c.n_group(c.LOWEST20)], row[c.n_group(c.MIDDLE60)], row[c.n_group(c.HIGHEST20)]) == (2, 2, 2)
    reversed_ids = frame.assign(**{c.LEAVER_ID: frame[c.LEAVER_ID][::-1].to_numpy()})
    pd.testing.assert_series_equal(one(reversed_ids), row)


def test_groups_are_measured_independently() -> None:
    a = cohort([10, 20, 30])
    b = cohort([100, 200, 300, 400, 500, 600]).assign(**{c.ESTABLISHMENT_ID: 2, c.LEAVER_ID: range(11, 17)})
    c2023 = cohort([7]).assign(**{c.YEAR: 2023, c.LEAVER_ID: 99})
    measures = headline_measures(pd.concat([b, c2023, a]), KEYS)
    assert measures[KEYS].to_numpy().tolist() == [[1, 2023], [1, 2024], [2, 2024]]
    assert measures[c.avg_tariff(c.LOWEST20)].tolist() == [7.0, 10.0, 150.0]
    assert measures[c.avg_tariff(c.HIGHEST20)].tolist()[1:] == [30.0, 550.0]


def test_literacy_and_numeracy_percentages_at_each_level() -> None:
    # (literacy, numeracy): min levels 4, 4, 5, 5, 3, 0.
    frame = cohort(
        [1, 2, 3, 4, 5, 6],
        literacy_level=[4, 5, 5, 6, 3, 0],
        numeracy_level=[4, 4, 6, 5, 7, 0],
    )
    row = one(frame)
    assert row[c.pct_lit_num(3)] == pytest.approx(100 * 5 / 6)
    assert row[c.pct_lit_num(4)] == pytest.approx(100 * 4 / 6)
    assert row[c.pct_lit_num(5)] == pytest.approx(100 * 2 / 6)
    assert row[c.pct_lit_num(6)] == 0.0


def test_destination_percentages_use_known_destinations_as_denominator() -> None:
    frame = cohort(
        [1, 2, 3, 4],
        initial_positive=[1.0, 1.0, 0.0, NAN],
        followup_positive=[1.0, 0.0, NAN, NAN],
    )
    row = one(frame)
    assert (row[c.N_INITIAL_KNOWN], row[c.PCT_INITIAL_POSITIVE]) == (3, pytest.approx(200 / 3))
    assert (row[c.N_FOLLOWUP_KNOWN], row[c.PCT_FOLLOWUP_POSITIVE]) == (2, 50.0)
    # Sustained: both known for leavers 1 and 2; positive at both for leaver 1 only.
    assert (row[c.N_SUSTAINED_KNOWN], row[c.PCT_SUSTAINED_POSITIVE]) == (2, 50.0)


def test_no_known_destination_gives_nan_not_zero() -> None:
    row = one(cohort([1, 2], initial_positive=[NAN, NAN], followup_positive=[NAN, NAN]))
    assert row[c.N_INITIAL_KNOWN] == 0
    assert math.isnan(row[c.PCT_INITIAL_POSITIVE])
    assert math.isnan(row[c.PCT_SUSTAINED_POSITIVE])


def test_a_vc_cohort_counts_duplicate_comparators_each_time() -> None:
    # Leaver 1 drawn four times, leaver 2 once: five rows, lowest 20% is one copy of leaver 1.
    frame = cohort([10, 10, 10, 10, 60]).assign(**{c.LEAVER_ID: [1, 1, 1, 1, 2]})
    row = one(frame)
    assert row[c.N_LEAVERS] == 5
    assert row[c.AVG_TOTAL_TARIFF] == 20.0
    assert (row[c.avg_tariff(c.LOWEST20)], row[c.avg_tariff(c.MIDDLE60)], row[c.avg_tariff(c.HIGHEST20)]) == (
        10.0,
        10.0,
        60.0,
    )


def test_measures_do_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(0)
    frame = cohort(
        list(rng.integers(0, 5, 40) * 50.0),  # many ties
        initial_positive=list(rng.choice([0.0, 1.0, NAN], 40)),
        simd_decile=list(rng.integers(1, 11, 40)),
    )
    frame[c.ESTABLISHMENT_ID] = rng.integers(1, 4, 40)
    shuffled = frame.sample(frac=1.0, random_state=5)
    pd.testing.assert_frame_equal(headline_measures(shuffled, KEYS), headline_measures(frame, KEYS))
    pd.testing.assert_frame_equal(deprivation_measures(shuffled, KEYS), deprivation_measures(frame, KEYS))
    pd.testing.assert_frame_equal(breakdown_measures(shuffled, KEYS), breakdown_measures(frame, KEYS))


def test_attainment_versus_deprivation_by_quintile_and_decile_with_a_complete_grid() -> None:
    frame = cohort([100, 300, 200, 600], simd_decile=[1, 2, 2, 10])
    grid = deprivation_measures(frame, KEYS)
    assert len(grid) == 5 + 10
    quintiles = grid[grid[c.SIMD_BAND_KIND] == c.BAND_QUINTILE].set_index(c.SIMD_BAND)
    deciles = grid[grid[c.SIMD_BAND_KIND] == c.BAND_DECILE].set_index(c.SIMD_BAND)
    assert quintiles[c.N_LEAVERS].tolist() == [3, 0, 0, 0, 1]
    assert quintiles.loc[1, c.AVG_TOTAL_TARIFF] == 200.0  # (100 + 300 + 200) / 3
    assert quintiles.loc[5, c.AVG_TOTAL_TARIFF] == 600.0
    assert math.isnan(quintiles.loc[3, c.AVG_TOTAL_TARIFF])
    assert deciles.loc[1, c.AVG_TOTAL_TARIFF] == 100.0
    assert deciles.loc[2, c.AVG_TOTAL_TARIFF] == 250.0
    assert deciles[c.N_LEAVERS].sum() == 4


def test_breakdowns_recompute_every_measure_inside_each_cell_and_report_n() -> None:
    frame = cohort(
        [10, 20, 30, 40, 50],
        sex=["F", "M", "F", "M", "F"],
        asn=[True, False, False, False, False],
        care_experienced=[False, False, False, False, True],
        simd_decile=[1, 1, 3, 9, 10],
    )
    table = breakdown_measures(frame, KEYS)
    assert table[c.BREAKDOWN].unique().tolist() == list(c.BREAKDOWN_DIMENSIONS)
    by = table.set_index([c.BREAKDOWN, c.BREAKDOWN_VALUE])
    # Girls: 10, 30, 50 -> lowest 10, middle 30, highest 50.
    assert by.loc[("sex", "F"), c.N_LEAVERS] == 3
    assert by.loc[("sex", "F"), c.avg_tariff(c.MIDDLE60)] == 30.0
    assert by.loc[("sex", "M"), c.avg_tariff(c.HIGHEST20)] == 40.0
    assert by.loc[("asn", "yes"), c.N_LEAVERS] == 1
    assert by.loc[("care_experienced", "yes"), c.AVG_TOTAL_TARIFF] == 50.0
    assert by.loc[("simd_quintile", "1"), c.N_LEAVERS] == 2
    assert set(by.loc["simd_quintile"].index) == {"1", "2", "5"}  # only cells with leavers


def test_stable_order_matches_numpy_stable_argsort() -> None:
    rng = np.random.default_rng(2)
    for high in (10, 70_000, 2**31):
        values = rng.integers(0, high, 5000)
        assert (stable_order(values) == np.argsort(values, kind="stable")).all()
