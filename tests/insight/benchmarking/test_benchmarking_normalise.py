"""Normalised scores and the leaver-weighted five-year average (hand-worked numbers)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.normalise import normalised_scores, weighted_scores

NAN = float("nan")


def measures(rows: list[tuple[int, int, int, float, float, float]]) -> pd.DataFrame:
    """(establishment, year, n_leavers, lowest20, middle60, highest20 averages)."""
    return pd.DataFrame(
        rows,
        columns=[
            c.ESTABLISHMENT_ID,
            c.YEAR,
            c.N_LEAVERS,
            c.avg_tariff(c.LOWEST20),
            c.avg_tariff(c.MIDDLE60),
            c.avg_tariff(c.HIGHEST20),
        ],
    )


def test_normalised_score_is_the_relative_difference_from_the_vc() -> None:
    school = measures([(1, 2024, 100, 150.0, 800.0, 1800.0)])
    vc = measures([(1, 2024, 1000, 200.0, 800.0, 1500.0)])
    row = normalised_scores(school, vc).iloc[0]
    assert row[c.norm(c.LOWEST20)] == pytest.approx(-0.25)  # (150 - 200) / 200
    assert row[c.norm(c.MIDDLE60)] == 0.0
    assert row[c.norm(c.HIGHEST20)] == pytest.approx(0.2)  # (1800 - 1500) / 1500
    assert row[c.N_LEAVERS] == 100  # the school's, not the VC's


def test_normalised_score_is_missing_when_the_vc_average_is_zero_or_missing() -> None:
    school = measures([(1, 2024, 3, 0.0, 50.0, 90.0), (2, 2024, 1, 10.0, NAN, NAN)])
    vc = measures([(1, 2024, 30, 0.0, NAN, 90.0)])  # school 2 has no VC at all
    scores = normalised_scores(school, vc).set_index(c.ESTABLISHMENT_ID)
    assert math.isnan(scores.loc[1, c.norm(c.LOWEST20)])  # VC average 0
    assert math.isnan(scores.loc[1, c.norm(c.MIDDLE60)])  # VC average missing
    assert scores.loc[1, c.norm(c.HIGHEST20)] == 0.0
    assert scores.loc[2, [c.norm(g) for g in c.ATTAINMENT_GROUPS]].isna().all()


def normalised(rows: list[tuple[int, int, int, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[c.ESTABLISHMENT_ID, c.YEAR, c.N_LEAVERS, *(c.norm(g) for g in c.ATTAINMENT_GROUPS)],
    )


def test_weighted_score_weights_each_year_by_its_leavers_and_skips_missing_years() -> None:
    scores = normalised(
        [
            (1, 2023, 120, -0.10, 0.05, NAN),
            (1, 2024, 80, 0.20, NAN, NAN),
        ]
    )
    row = weighted_scores(scores).iloc[0]
    # lowest 20%: (120 x -0.10 + 80 x 0.20) / 200 = 4 / 200 = 0.02
    assert row[c.weighted(c.LOWEST20)] == pytest.approx(0.02)
    # middle 60%: only 2023 has a score, so it is the score itself (weight 120 / 120)
    assert row[c.weighted(c.MIDDLE60)] == pytest.approx(0.05)
    assert math.isnan(row[c.weighted(c.HIGHEST20)])
    assert row[c.N_YEARS] == 2


def test_weighted_score_uses_only_the_last_five_years() -> None:
    rows = [(1, year, 10, float(year - 2018), 0.0, 0.0) for year in range(2018, 2025)]  # 2018..2024
    row = weighted_scores(normalised(rows)).iloc[0]
    # 2020..2024 with equal weights: mean of 2, 3, 4, 5, 6 = 4.
    assert row[c.weighted(c.LOWEST20)] == pytest.approx(4.0)
    assert row[c.N_YEARS] == 5
    earlier = weighted_scores(normalised(rows), window=3, end_year=2020).iloc[0]
    assert earlier[c.weighted(c.LOWEST20)] == pytest.approx(1.0)  # 2018..2020: 0, 1, 2


def test_weighted_scores_one_row_per_establishment_sorted() -> None:
    scores = normalised([(3, 2024, 5, 0.1, 0.1, 0.1), (1, 2024, 5, 0.2, 0.2, 0.2)])
    assert weighted_scores(scores)[c.ESTABLISHMENT_ID].tolist() == [1, 3]
