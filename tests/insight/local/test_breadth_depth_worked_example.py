"""The worked example of docs/methodology.md, "Local measures": four pupils, two schools, two
authorities, checked number by number from the census through the loader and the engine to the
stored run.

Kelvinbank (Glasgow City) and Deeside (Aberdeen City). Census 2023 (session 2023/24), S4 roll:
Ava, Ben and Cara at Kelvinbank, Dan at Deeside.

* Ava stays on at Kelvinbank: 2024 National 5 English A, National 5 Maths C, National 4 Physics
  (pass), a Youth Achievement Award at level 3 (6 credits, pass); 2025 Higher English B, Higher
  Maths D.
* Ben leaves after S4 (a 2024 leaver): National 4 English, National 3 Maths, an NPA at level 4
  (12 credits), all passes.
* Cara moves to Deeside for S5: 2024 at Kelvinbank National 5 English B, National 5 Maths A;
  2025 at Deeside Higher English C.
* Dan stays on at Deeside: 2024 National 5 English D, National 5 History A; 2025 National 5
  Physics B.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from insight import loaders
from insight.benchmarking import breadth
from insight.benchmarking import columns as c
from insight.models import BreadthDepthResult
from insight.services import run_create, run_execute_in_process
from tests.insight.local.worlds import build_example


@pytest.fixture
def example(db: Any) -> dict[str, Any]:
    return build_example()


def _grid(year: int) -> pd.DataFrame:
    members, results = loaders.load_cohorts(year)
    return breadth.breadth_depth(members, results)


def row(frame: pd.DataFrame, cohort: str, cohort_id: int, stage: str, grade: str, credits: int, level: int) -> list[int]:
    """n_cohort, then n_awards_1 .. n_awards_5 of one cell."""
    hit = frame[(frame[c.COHORT] == cohort) & (frame[c.COHORT_ID] == cohort_id) & (frame[c.COHORT_STAGE] == stage)
                & (frame[c.GRADE_FILTER] == grade) & (frame[c.MIN_CREDITS] == credits) & (frame[c.SCQF_LEVEL] == level)]
    assert len(hit) == 1
    return [int(hit[c.N_COHORT].iloc[0]), *(int(hit[c.n_awards(k)].iloc[0]) for k in range(1, 6))]


def test_s4_cohort_2024_is_the_s4_roll_of_the_2023_census(example: dict[str, Any]) -> None:
    grid = _grid(2024)
    k, d = example["schools"]["K"].pk, example["schools"]["D"].pk
    est = c.COHORT_ESTABLISHMENT
    # Level 5 or better, A-D, any credits: Ava 2 (English, Maths), Ben 0, Cara 2.
    assert row(grid, est, k, "S4", "AD", 0, 5) == [3, 2, 2, 0, 0, 0]
    # A only: Ava's English, Cara's Maths.
    assert row(grid, est, k, "S4", "A", 0, 5) == [3, 2, 0, 0, 0, 0]
    # Level 3 or better, A-C (passes count): Ava 4, Ben 3, Cara 2.
    assert row(grid, est, k, "S4", "AC", 0, 3) == [3, 3, 3, 2, 1, 0]
    # 12 credits or more: Ava's 6-credit award drops out (3), Ben's 12-credit NPA stays (3).
    assert row(grid, est, k, "S4", "AC", 12, 3) == [3, 3, 3, 2, 0, 0]
    # 24 credits or more: Ben's NPA drops out too (2).
    assert row(grid, est, k, "S4", "AC", 24, 3) == [3, 3, 3, 1, 0, 0]
    # Cara is in Kelvinbank's S4 cohort, not Deeside's: Deeside's is Dan alone.
    assert row(grid, est, d, "S4", "AD", 0, 5) == [1, 1, 1, 0, 0, 0]
    # Leavers of 2024: Ben, National 4 English and the NPA at level 4 or better.
    assert row(grid, est, k, "leavers", "AD", 0, 4) == [1, 1, 1, 0, 0, 0]
    assert row(grid, c.COHORT_NATIONAL, 0, "S4", "AD", 0, 5) == [4, 3, 3, 0, 0, 0]


def test_s5_based_on_the_s4_roll_keeps_leavers_and_movers_with_their_s4_school(example: dict[str, Any]) -> None:
    grid = _grid(2025)
    k, d = example["schools"]["K"].pk, example["schools"]["D"].pk
    est = c.COHORT_ESTABLISHMENT
    # Denominator: Kelvinbank's 2023 S4 roll (3), Ben (left) and Cara (moved) included.
    # Level 6, A-D: Ava 2 (Higher English B, Higher Maths D), Cara 1 (Higher English C, at Deeside).
    assert row(grid, est, k, "S5", "AD", 0, 6) == [3, 2, 1, 0, 0, 0]
    # A-C: Ava's Higher Maths D no longer counts.
    assert row(grid, est, k, "S5", "AC", 0, 6) == [3, 2, 0, 0, 0, 0]
    # A only at level 5: Ava's National 5 English A counts (her Higher B does not), Cara's Maths A.
    assert row(grid, est, k, "S5", "A", 0, 5) == [3, 2, 0, 0, 0, 0]
    # Level 3, A-D: Ava 4, Ben still 3 (what he had when he left), Cara 2.
    assert row(grid, est, k, "S5", "AD", 0, 3) == [3, 3, 3, 2, 1, 0]
    # Deeside's S5 is Dan alone (Cara is Kelvinbank's): English, History, Physics at level 5.
    assert row(grid, est, d, "S5", "AD", 0, 5) == [1, 1, 1, 1, 0, 0]
    # Authorities follow their schools; Scotland is everyone once.
    assert row(grid, c.COHORT_AUTHORITY, example["glasgow"].pk, "S5", "AD", 0, 6) == [3, 2, 1, 0, 0, 0]
    assert row(grid, c.COHORT_AUTHORITY, example["aberdeen"].pk, "S5", "AD", 0, 5) == [1, 1, 1, 1, 0, 0]
    assert row(grid, c.COHORT_NATIONAL, 0, "S5", "AD", 0, 5) == [4, 3, 3, 1, 0, 0]
    # Every cell of a group has the same denominator, and "k or more" never grows with k.
    counts = grid[list(c.BD_COUNT_COLUMNS)].to_numpy()
    assert (counts[:, :-1] >= counts[:, 1:]).all() and (grid[c.N_COHORT].to_numpy() >= counts[:, 0]).all()


def test_the_virtual_comparator_draws_from_the_other_authority(example: dict[str, Any]) -> None:
    members, results = loaders.load_cohorts(2024)
    grid = breadth.breadth_depth(members, results, seed=1)
    k = example["schools"]["K"].pk
    # Kelvinbank's three S4 pupils (girls, no ASN, SIMD decile 5) each draw ten comparators from
    # Aberdeen City's S4 cohort of the same kind: Dan alone, so thirty copies of Dan (English and
    # History at level 5).
    assert row(grid, c.COHORT_VC, k, "S4", "AD", 0, 5) == [30, 30, 30, 0, 0, 0]
    assert row(grid, c.COHORT_VC, k, "S4", "A", 0, 5) == [30, 30, 0, 0, 0, 0]
    # Ben, the only leaver, has nobody like him in another authority: no VC for the leavers.
    assert grid[(grid[c.COHORT] == c.COHORT_VC) & (grid[c.COHORT_STAGE] == "leavers")].empty


def test_a_run_stores_the_grid_of_its_years(example: dict[str, Any]) -> None:
    run = run_execute_in_process(run_create(years=[2024]))
    stored = BreadthDepthResult.objects.get(run=run, cohort="establishment", cohort_id=example["schools"]["K"].pk,
                                            year=2024, cohort_stage="S4", grade_filter="AC", min_credits=24,
                                            scqf_level=3)
    assert [stored.n_cohort, *(getattr(stored, c.n_awards(k)) for k in range(1, 5))] == [3, 3, 3, 1, 0]
    assert not BreadthDepthResult.objects.filter(run=run).exclude(year=2024).exists()
    # 2024's S5 and S6 cohorts would be the S4 rolls of 2022 and 2021: nobody here.
    assert set(BreadthDepthResult.objects.filter(run=run).values_list("cohort_stage", flat=True)) == {"S4", "leavers"}
