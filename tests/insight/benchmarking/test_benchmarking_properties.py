"""Property tests: invariants that must hold for any pool of leavers, not just hand-built ones."""

from __future__ import annotations

import itertools
import math
from dataclasses import fields

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from insight.benchmarking import columns as c
from insight.benchmarking.comparator import (
    RELAX_EXACT,
    RELAX_QUINTILE,
    RELAX_QUINTILE_NO_ASN,
    RELAX_UNMATCHED,
    draw_comparators,
)
from insight.benchmarking.contract import leavers_from_records, results_from_records
from insight.benchmarking.distance import distance_matrix, score_distances
from insight.benchmarking.engine import BenchmarkResult, combine, compute, finalise
from insight.benchmarking.measures import attainment_group_sizes, headline_measures
from insight.benchmarking.normalise import weighted_scores
from insight.benchmarking.synthetic import leaver_record, result_record

# The project's autouse fixtures (Celery settings) are function-scoped but unrelated to these tests.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Whole-engine properties run several complete computations per example.
ENGINE_PROPERTY = settings(PROPERTY, max_examples=30)
POINTS = [16.0, 33.0, 42.0, 56.0, 70.0, 84.0, 102.0, 136.0, 170.0, 204.0, 400.0]
NAN = float("nan")


@st.composite
def pools(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Up to 40 leavers in up to 6 schools of up to 3 authorities, two years; few SIMD values so
    cells collide, and results in four subjects (1 counts for literacy, 2 for numeracy)."""
    n = draw(st.integers(1, 40))
    n_schools = draw(st.integers(1, 6))
    authority_of = draw(st.lists(st.sampled_from([100, 200, 300]), min_size=n_schools, max_size=n_schools))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    leavers, results = [], []
    for leaver_id in ids:
        school = draw(st.integers(1, n_schools))
        leavers.append(
            leaver_record(
                leaver_id,
                school,
                authority_of[school - 1],
                year=draw(st.sampled_from([2023, 2024])),
                sex=draw(st.sampled_from(["F", "M"])),
                asn=draw(st.booleans()),
                stage=draw(st.integers(4, 6)),
                simd_decile=draw(st.integers(1, 4)),
                care_experienced=draw(st.booleans()),
                initial_positive=draw(st.sampled_from([1.0, 0.0, NAN])),
                followup_positive=draw(st.sampled_from([1.0, 0.0, NAN])),
            )
        )
        for _ in range(draw(st.integers(0, 4))):
            subject = draw(st.integers(1, 4))
            results.append(
                result_record(
                    leaver_id,
                    subject,
                    draw(st.integers(3, 7)),
                    draw(st.sampled_from(POINTS)),
                    literacy=subject == 1,
                    numeracy=subject == 2,
                )
            )
    return leavers_from_records(leavers), results_from_records(results)


def assert_same(actual: BenchmarkResult, expected: BenchmarkResult) -> None:
    for field in fields(BenchmarkResult):
        left, right = getattr(actual, field.name), getattr(expected, field.name)
        if isinstance(right, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right, check_exact=True, obj=field.name)
        else:
            assert left == right, field.name


@PROPERTY
@given(pools(), st.integers(0, 2**32 - 1))
def test_a_school_never_draws_from_its_own_authority_and_cells_match(
    pool: tuple[pd.DataFrame, pd.DataFrame], seed: int
) -> None:
    leavers = pool[0].set_index(c.LEAVER_ID)
    leavers[c.SIMD_QUINTILE] = (leavers[c.SIMD_DECILE] + 1) // 2
    draw = draw_comparators(pool[0], seed=seed)
    me = leavers.loc[draw.comparators[c.LEAVER_ID]].reset_index(drop=True)
    them = leavers.loc[draw.comparators[c.COMPARATOR_ID]].reset_index(drop=True)
    assert (me[c.AUTHORITY_ID] != them[c.AUTHORITY_ID]).all()
    for column in (c.YEAR, c.SEX, c.STAGE, c.SIMD_QUINTILE):
        assert (me[column] == them[column]).all()
    level = draw.relaxation.set_index(c.LEAVER_ID)[c.RELAXATION].loc[draw.comparators[c.LEAVER_ID]].to_numpy()
    exact = level == RELAX_EXACT
    assert (me[c.SIMD_DECILE][exact] == them[c.SIMD_DECILE][exact]).all()
    keeps_asn = (level == RELAX_EXACT) | (level == RELAX_QUINTILE)
    assert (me[c.ASN][keeps_asn] == them[c.ASN][keeps_asn]).all()
    assert set(np.unique(level)) <= {RELAX_EXACT, RELAX_QUINTILE, RELAX_QUINTILE_NO_ASN}
    # An unmatched leaver really has nobody at the loosest level.
    for leaver_id in draw.relaxation.loc[draw.relaxation[c.RELAXATION] == RELAX_UNMATCHED, c.LEAVER_ID]:
        mine = leavers.loc[leaver_id]
        candidates = leavers[
            (leavers[c.AUTHORITY_ID] != mine[c.AUTHORITY_ID])
            & (leavers[c.YEAR] == mine[c.YEAR])
            & (leavers[c.SEX] == mine[c.SEX])
            & (leavers[c.STAGE] == mine[c.STAGE])
            & (leavers[c.SIMD_QUINTILE] == mine[c.SIMD_QUINTILE])
        ]
        assert candidates.empty
    matched = (draw.relaxation[c.RELAXATION] != RELAX_UNMATCHED).sum()
    assert len(draw.comparators) == 10 * matched


@ENGINE_PROPERTY
@given(pools(), st.integers(0, 2**32 - 1), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order_and_repeat_with_the_same_seed(
    pool: tuple[pd.DataFrame, pd.DataFrame], seed: int, random: object
) -> None:
    leavers, results = pool
    expected = compute(leavers, results, seed=seed)
    rng_seed = random.randrange(2**32)  # type: ignore[attr-defined]
    shuffled = compute(
        leavers.sample(frac=1.0, random_state=rng_seed), results.sample(frac=1.0, random_state=rng_seed), seed=seed
    )
    assert_same(shuffled, expected)
    assert_same(compute(leavers, results, seed=seed), expected)


@ENGINE_PROPERTY
@given(pools(), st.integers(0, 2**32 - 1), st.data())
def test_chunked_runs_equal_the_one_shot_run(
    pool: tuple[pd.DataFrame, pd.DataFrame], seed: int, data: st.DataObject
) -> None:
    leavers, results = pool
    schools = sorted(leavers[c.ESTABLISHMENT_ID].unique())
    chunk_of = {school: data.draw(st.integers(0, 2), label=f"chunk of {school}") for school in schools}
    by_year = data.draw(st.booleans(), label="also chunk by year")
    draws = data.draw(st.sampled_from([1, 2]), label="draws")
    year_chunks: list[list[int] | None] = [[y] for y in sorted(leavers[c.YEAR].unique())] if by_year else [None]
    parts = []
    for chunk in sorted(set(chunk_of.values())):
        members = [school for school, k in chunk_of.items() if k == chunk]
        for years in year_chunks:
            # A chunk may hold no leaver at all (a school with none that year): still combinable.
            parts.append(compute(leavers, results, seed=seed, establishment_ids=members, years=years, draws=draws))
    one_shot = compute(leavers, results, seed=seed, draws=draws)
    assert_same(combine(parts), one_shot)
    assert_same(finalise(combine(parts)), finalise(one_shot))


@PROPERTY
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 8), st.just(3)),
        elements=st.one_of(st.floats(-5, 5), st.just(NAN)),
    )
)
def test_distance_is_symmetric_and_zero_to_itself(points: np.ndarray) -> None:
    matrix = distance_matrix(points)
    assert np.array_equal(matrix, matrix.T, equal_nan=True)
    assert (np.diag(matrix) == 0).all()
    finite = ~np.isnan(matrix)
    assert (matrix[finite] >= 0).all()
    schools = pd.DataFrame(points, columns=[c.weighted(g) for g in c.ATTAINMENT_GROUPS])
    schools.insert(0, c.ESTABLISHMENT_ID, np.arange(1, len(points) + 1))
    schools.insert(1, c.SEED_CODE, [f"{5_000_000 + (7 * i) % 11}" for i in range(len(points))])
    ranked = score_distances(schools)
    # Ranks run 1..n-1, distances never decrease down a ranking, missing ones come last.
    for _, mine in ranked.groupby(c.ESTABLISHMENT_ID):
        assert mine[c.RANK].tolist() == list(range(1, len(points)))
        known = mine[c.DISTANCE].dropna()
        assert known.is_monotonic_increasing
        assert mine[c.DISTANCE].isna().to_numpy().tolist() == sorted(mine[c.DISTANCE].isna().tolist())


@PROPERTY
@given(st.lists(st.floats(0, 3000, allow_nan=False), min_size=1, max_size=60))
def test_attainment_groups_partition_the_cohort_in_rank_order(tariffs: list[float]) -> None:
    n = len(tariffs)
    frame = pd.DataFrame(
        {
            c.YEAR: 2024,
            c.LEAVER_ID: np.arange(n),
            c.TOTAL_TARIFF: tariffs,
            c.LITERACY_LEVEL: 5,
            c.NUMERACY_LEVEL: 5,
            c.INITIAL_POSITIVE: 1.0,
            c.FOLLOWUP_POSITIVE: 1.0,
            c.SIMD_DECILE: 5,
            c.SIMD_QUINTILE: 3,
        }
    )
    row = headline_measures(frame, [c.YEAR]).iloc[0]
    low, mid, high = (int(x) for x in attainment_group_sizes(n))
    assert low + mid + high == n
    assert low == math.ceil(n / 5) and high <= low
    ordered = sorted(tariffs)
    assert row[c.avg_tariff(c.LOWEST20)] == np.mean(ordered[:low]) or math.isclose(
        row[c.avg_tariff(c.LOWEST20)], np.mean(ordered[:low])
    )
    averages = [row[c.avg_tariff(g)] for g in c.ATTAINMENT_GROUPS]
    present = [a for a in averages if not math.isnan(a)]
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(present))


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(1, 500), st.one_of(st.floats(-2, 2), st.just(NAN))),
        min_size=1,
        max_size=5,
    )
)
def test_weighted_score_lies_between_the_yearly_scores(years: list[tuple[int, float]]) -> None:
    frame = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: 1,
            c.YEAR: np.arange(2020, 2020 + len(years)),
            c.N_LEAVERS: [n for n, _ in years],
            c.norm(c.LOWEST20): [s for _, s in years],
            c.norm(c.MIDDLE60): 0.0,
            c.norm(c.HIGHEST20): 0.0,
        }
    )
    value = weighted_scores(frame).iloc[0][c.weighted(c.LOWEST20)]
    scores = [s for _, s in years if not math.isnan(s)]
    if not scores:
        assert math.isnan(value)
    else:
        assert min(scores) - 1e-12 <= value <= max(scores) + 1e-12
