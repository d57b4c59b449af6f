"""Regional Improvement Collaboratives in the engine: a collaborative's figures are its
authorities' leavers' figures, recomputed here independently with plain pandas; chunked runs
give the one-shot figures; authorities outside every collaborative count in none."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table
from insight.benchmarking.engine import BenchmarkResult, combine, compute

YEARS = (2023, 2024)
# Six authorities (100 ... 150) in three collaboratives; 150 is in none.
MEMBERSHIP = {100: 1, 110: 1, 120: 2, 130: 2, 140: 3}


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    from insight.benchmarking.synthetic import synthetic_frames

    leavers, results = synthetic_frames(n_leavers=3000, years=YEARS, n_establishments=18, n_authorities=6, seed=4)
    # Authority ids as synthetic_frames makes them (100, 110 ... 150): 150 stays out of MEMBERSHIP.
    assert sorted(leavers[c.AUTHORITY_ID].unique()) == [100, 110, 120, 130, 140, 150]
    return leavers, results


@pytest.fixture(scope="module")
def one_shot(data: tuple[pd.DataFrame, pd.DataFrame]) -> BenchmarkResult:
    return compute(*data, seed=7, collaboratives=MEMBERSHIP)


def by_hand(table: pd.DataFrame, authorities: list[int], year: int) -> dict[str, float]:
    """The four national measures of the leavers of ``authorities`` in ``year``, from the per-leaver table."""
    rows = table[table[c.AUTHORITY_ID].isin(authorities) & (table[c.YEAR] == year)]
    rows = rows.sort_values([c.TOTAL_TARIFF, c.LEAVER_ID])
    n = len(rows)
    lowest = math.ceil(n / 5)
    known = rows[c.INITIAL_POSITIVE].dropna()
    both = np.minimum(rows[c.LITERACY_LEVEL].to_numpy(), rows[c.NUMERACY_LEVEL].to_numpy())
    out = {
        c.N_LEAVERS: n,
        c.AVG_TOTAL_TARIFF: rows[c.TOTAL_TARIFF].mean(),
        c.avg_tariff(c.LOWEST20): rows[c.TOTAL_TARIFF].iloc[:lowest].mean(),
        c.PCT_INITIAL_POSITIVE: 100 * known.sum() / len(known),
    }
    for level in c.LIT_NUM_LEVELS:
        out[c.pct_lit_num(level)] = 100 * float((both >= level).sum()) / n
    return out


def test_a_collaborative_is_its_authorities_leavers_recomputed_by_hand(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    table = leaver_table(*data)
    got = one_shot.collaborative_measures
    assert got is not None
    assert sorted(set(got[c.COLLABORATIVE_ID])) == [1, 2, 3]
    for collaborative in (1, 2, 3):
        authorities = [a for a, k in MEMBERSHIP.items() if k == collaborative]
        for year in YEARS:
            row = got[(got[c.COLLABORATIVE_ID] == collaborative) & (got[c.YEAR] == year)].iloc[0]
            for measure, expected in by_hand(table, authorities, year).items():
                assert row[measure] == pytest.approx(expected, rel=1e-12), (collaborative, year, measure)


def test_a_collaborative_of_one_authority_equals_the_authority_and_others_count_in_none(
    one_shot: BenchmarkResult,
) -> None:
    got = one_shot.collaborative_measures
    assert got is not None
    alone = got[got[c.COLLABORATIVE_ID] == 3].drop(columns=c.COLLABORATIVE_ID).reset_index(drop=True)
    authority = one_shot.authority_measures
    same = authority[authority[c.AUTHORITY_ID] == 140].drop(columns=c.AUTHORITY_ID).reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, same, check_exact=True)
    # Every leaver of a member authority is in exactly one collaborative; 150's are in none.
    national = one_shot.national_measures.set_index(c.YEAR)[c.N_LEAVERS]
    outside = authority[authority[c.AUTHORITY_ID] == 150].set_index(c.YEAR)[c.N_LEAVERS]
    assert (got.groupby(c.YEAR)[c.N_LEAVERS].sum() + outside).equals(national)
    # Breakdowns and deprivation carry the collaborative level between authority and Scotland.
    kinds = list(dict.fromkeys(one_shot.breakdowns[c.COHORT]))
    assert kinds == [c.COHORT_ESTABLISHMENT, c.COHORT_VC, c.COHORT_AUTHORITY, c.COHORT_COLLABORATIVE,
                     c.COHORT_NATIONAL]
    assert c.COHORT_COLLABORATIVE in set(one_shot.deprivation[c.COHORT])


def test_chunks_by_authority_combine_to_the_one_shot_collaboratives(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    leavers, results = data
    parts = []
    for year in YEARS:
        for authority in sorted(leavers[c.AUTHORITY_ID].unique()):
            schools = leavers.loc[leavers[c.AUTHORITY_ID] == authority, c.ESTABLISHMENT_ID].unique()
            parts.append(compute(leavers, results, seed=7, years=[year], establishment_ids=schools,
                                 collaboratives=MEMBERSHIP))
    combined = combine(parts[::-1])
    assert combined.collaborative_measures is not None and one_shot.collaborative_measures is not None
    pd.testing.assert_frame_equal(combined.collaborative_measures, one_shot.collaborative_measures, check_exact=True)
    pd.testing.assert_frame_equal(combined.breakdowns, one_shot.breakdowns, check_exact=True)


def test_without_a_membership_there_is_no_collaborative_level(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    result = compute(*data, seed=7, years=[YEARS[-1]])
    assert result.collaborative_measures is None
    assert c.COHORT_COLLABORATIVE not in set(result.breakdowns[c.COHORT])
