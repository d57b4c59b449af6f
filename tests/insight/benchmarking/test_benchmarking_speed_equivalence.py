"""The fast paths of issue 19 give exactly what the straightforward code gave.

Each numpy replacement is checked bit for bit against the library call it replaced, on inputs
chosen to reach the cases where a near miss would show (fractional points where compensated and
plain sums differ, counts near 2**32 where numpy rejects and redraws).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.comparator import _draw_groups, _raw_words
from insight.benchmarking.measures import PreparedCohort
from insight.benchmarking.ordering import compress, float_order, order_by
from insight.benchmarking.seeding import fits, pcg64_states
from insight.benchmarking.tariff import _highest_level, literacy_numeracy_levels, total_tariff


def _pandas_total_tariff(results: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The pandas code total_tariff used before issue 19: the reference."""
    best = results.groupby([c.LEAVER_ID, c.SUBJECT_ID], sort=True)[c.POINTS].max()
    sums = best.groupby(level=c.LEAVER_ID, sort=True).sum()
    return sums.reindex(index, fill_value=0.0).astype(np.float64).rename(c.TOTAL_TARIFF)


@pytest.mark.parametrize("trial", range(12))
def test_total_tariff_and_levels_match_the_pandas_groupby_bit_for_bit(trial: int) -> None:
    rng = np.random.default_rng(trial)
    ids = np.sort(rng.choice(np.arange(1, 4000), 300, replace=False))
    m = 2500
    points = rng.random(m) * 10.0 ** int(rng.integers(-3, 14)) if trial % 3 else np.round(rng.random(m) * 300, 1)
    results = pd.DataFrame(
        {
            c.LEAVER_ID: rng.choice(np.r_[ids, [99_999]], m),  # one leaver not asked for
            c.SUBJECT_ID: rng.integers(1, 15, m),
            c.SCQF_LEVEL: rng.integers(1, 8, m),
            c.POINTS: points,
            c.LITERACY: rng.random(m) < 0.3,
            c.NUMERACY: rng.random(m) < 0.3,
        }
    )
    index = pd.Index(rng.permutation(ids), name=c.LEAVER_ID)
    expected = _pandas_total_tariff(results, index)
    actual = total_tariff(results, index)
    assert actual.to_numpy().tobytes() == expected.to_numpy().tobytes()
    assert actual.index.equals(expected.index) and actual.name == expected.name
    levels = {}
    for flag, name in ((c.LITERACY, c.LITERACY_LEVEL), (c.NUMERACY, c.NUMERACY_LEVEL)):
        rows = results.loc[results[flag].to_numpy(dtype=bool), [c.LEAVER_ID, c.SCQF_LEVEL]]
        levels[name] = rows.groupby(c.LEAVER_ID)[c.SCQF_LEVEL].max().reindex(index, fill_value=0).to_numpy(np.int64)
    pd.testing.assert_frame_equal(literacy_numeracy_levels(results, index), pd.DataFrame(levels, index=index))


def test_fractional_points_really_exercise_the_compensated_sum() -> None:
    values = np.array([1e16, 1.0, 1.0, 1.0, 1.0])
    results = pd.DataFrame(
        {
            c.LEAVER_ID: np.full(5, 7),
            c.SUBJECT_ID: np.arange(5),
            c.SCQF_LEVEL: np.full(5, 5),
            c.POINTS: values + 0.5,
            c.LITERACY: np.zeros(5, dtype=bool),
            c.NUMERACY: np.zeros(5, dtype=bool),
        }
    )
    index = pd.Index([7], name=c.LEAVER_ID)
    expected = _pandas_total_tariff(results, index).to_numpy()
    assert total_tariff(results, index).to_numpy().tobytes() == expected.tobytes()
    assert float(np.add.accumulate(values + 0.5)[-1]) != expected[0]  # a plain sum would differ


@pytest.mark.parametrize("kind", ["few", "small", "near_2_32", "mixed"])
@pytest.mark.parametrize("n_comparators", [10, 3])
def test_the_batched_draw_equals_generator_integers(kind: str, n_comparators: int) -> None:
    rng = np.random.default_rng(len(kind) * 31 + n_comparators)
    for _ in range(20):
        sizes = rng.integers(1, 30, int(rng.integers(1, 20)))
        m = int(sizes.sum())
        if kind == "few":
            count = rng.integers(1, 4, m)
        elif kind == "small":
            count = rng.integers(1, 5000, m)
        elif kind == "near_2_32":
            count = rng.integers(2**30, 2**32 - 1, m)  # rejections are frequent
        else:
            count = np.where(rng.random(m) < 0.3, 1, rng.integers(1, 2**31, m))
        count = count.astype(np.int64)
        bounds = np.concatenate(([0], np.cumsum(sizes)))
        year = np.repeat(rng.integers(2000, 2030, len(sizes)), sizes)
        school = np.repeat(np.arange(len(sizes)) + 1, sizes)
        seed = int(rng.integers(0, 2**32))
        expected = np.empty((m, n_comparators), dtype=np.int64)
        for start, end in itertools.pairwise(bounds):
            generator = np.random.default_rng([seed, int(year[start]), int(school[start])])
            expected[start:end] = generator.integers(0, count[start:end, None], size=(end - start, n_comparators))
        actual = np.zeros((m, n_comparators), dtype=np.int64)
        _draw_groups(actual, count, bounds, seed, year, school)
        assert np.array_equal(actual, expected)


def test_packed_sorts_equal_lexsort_and_stable_argsort() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(0, 2000))
        keys = [rng.integers(0, int(rng.choice([2, 300, 2**20, 2**40])), n) for _ in range(int(rng.integers(1, 4)))]
        expected = np.lexsort(keys[::-1]) if n else np.zeros(0, dtype=np.int64)
        assert np.array_equal(order_by(*keys), expected)
        values = rng.choice([0.0, -0.0, 1.5, 84.0, 2.0**60], n)
        assert np.array_equal(float_order(values), np.argsort(values, kind="stable"))


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1])
def test_hashed_seeds_give_the_generators_numpy_would_construct(seed: int) -> None:
    rng = np.random.default_rng(seed % 1000)
    years = np.r_[[0, 2020, 2**32 - 1], rng.integers(0, 2**32, 300)]
    schools = np.r_[[0, 1, 2**32 - 1], rng.integers(0, 2**32, 300)]
    states = pcg64_states(seed, years, schools)
    for year, school, state in zip(years, schools, states, strict=True):
        assert state == np.random.PCG64([seed, int(year), int(school)]).state


def test_raw_words_match_constructed_generators_and_fall_back_beyond_32_bits() -> None:
    years, schools, n_words = np.array([2021, 2022, 2**33]), np.array([5, 0, 9]), np.array([3, 0, 4])
    for seed in (11, 2**40):
        expected = [
            np.random.PCG64([seed, int(y), int(s)]).random_raw(int(n))
            for y, s, n in zip(years, schools, n_words, strict=True)
        ]
        actual = _raw_words(seed, years, schools, n_words)
        assert all(np.array_equal(a, e) for a, e in zip(actual, expected, strict=True))
    assert not fits(2**32) and fits(0, np.array([2**32 - 1]))


@pytest.mark.parametrize("levels", [(1, 13), (-5, 3), (0, 1000)])
def test_highest_level_equals_the_per_row_maximum(levels: tuple[int, int]) -> None:
    rng = np.random.default_rng(levels[1])
    n, m = 500, 4000
    rows, level, flagged = rng.integers(0, n, m), rng.integers(*levels, m), rng.random(m) < 0.2
    expected = np.full(n, np.iinfo(np.int64).min)
    np.maximum.at(expected, rows[flagged], level[flagged])
    expected[expected == np.iinfo(np.int64).min] = 0
    assert np.array_equal(_highest_level(n, rows, level, flagged), expected)
    assert np.array_equal(compress(level, flagged), level[flagged])


@pytest.mark.parametrize("whole", [True, False])
def test_running_total_sums_equal_rank_order_sums(whole: bool) -> None:
    """Whole tariffs take run sums from one running total; fractional ones the rank-order
    bincount. Either way the measures equal the bincount's, bit for bit."""
    rng = np.random.default_rng(5)
    n = 3000
    tariff = rng.integers(0, 2000, n).astype(np.float64) if whole else rng.random(n) * 1e6
    cohort = pd.DataFrame(
        {
            c.LEAVER_ID: np.arange(n),
            c.ESTABLISHMENT_ID: rng.integers(1, 40, n),
            c.YEAR: rng.integers(2020, 2023, n),
            c.TOTAL_TARIFF: tariff,
            c.LITERACY_LEVEL: rng.integers(0, 7, n),
            c.NUMERACY_LEVEL: rng.integers(0, 7, n),
            c.INITIAL_POSITIVE: rng.choice([0.0, 1.0, np.nan], n),
            c.FOLLOWUP_POSITIVE: rng.choice([0.0, 1.0, np.nan], n),
        }
    )
    keys = [c.ESTABLISHMENT_ID, c.YEAR]
    prepared = PreparedCohort(cohort, keys)
    assert prepared.exact_sums is whole
    fast = prepared.headline(keys)
    prepared = PreparedCohort(cohort, keys)
    prepared.exact_sums = False
    pd.testing.assert_frame_equal(fast, prepared.headline(keys), check_exact=True)


@pytest.mark.parametrize("top", [500, 2**21, 2**40])
def test_whole_points_are_ranked_packed_or_sorted_and_give_pandas_totals(top: int) -> None:
    """Whole points below 2**20 are packed as their rank among the distinct values, larger ones
    as themselves (fractional points, the general sort, are the test above): both agree with the
    pandas reference."""
    rng = np.random.default_rng(top % 97)
    m = 3000
    results = pd.DataFrame(
        {
            c.LEAVER_ID: rng.integers(1, 400, m),
            c.SUBJECT_ID: rng.integers(1, 30, m),
            c.SCQF_LEVEL: rng.integers(1, 8, m),
            c.POINTS: rng.choice(rng.integers(0, top, 25), m).astype(np.float64),
            c.LITERACY: rng.random(m) < 0.3,
            c.NUMERACY: rng.random(m) < 0.3,
        }
    )
    index = pd.Index(np.arange(1, 400), name=c.LEAVER_ID)
    expected = _pandas_total_tariff(results, index)
    assert total_tariff(results, index).to_numpy().tobytes() == expected.to_numpy().tobytes()
