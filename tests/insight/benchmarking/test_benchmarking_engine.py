"""The engine entry points: chunked runs equal one-shot runs; combine and finalise."""

from __future__ import annotations

import ast
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table, vc_cohort
from insight.benchmarking.comparator import draw_comparators, relaxation_counts
from insight.benchmarking.engine import (
    BenchmarkResult,
    combine,
    combine_scores,
    compute,
    compute_table,
    finalise,
    frames_of,
    scores_only,
)
from insight.benchmarking.measures import headline_measures
from insight.benchmarking.synthetic import synthetic_frames
from insight.benchmarking.uncertainty import draw_seeds, nan_percentile

ENGINE_DIR = Path(__file__).resolve().parents[3] / "insight" / "benchmarking"
YEARS = (2022, 2023, 2024)


def assert_same(actual: BenchmarkResult, expected: BenchmarkResult) -> None:
    for field in fields(BenchmarkResult):
        left, right = getattr(actual, field.name), getattr(expected, field.name)
        if isinstance(right, pd.DataFrame):
            assert isinstance(left, pd.DataFrame), field.name
            pd.testing.assert_frame_equal(left, right, check_exact=True, obj=field.name)
        else:
            assert left == right, field.name


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic_frames(n_leavers=4000, years=YEARS, n_establishments=24, n_authorities=6, seed=11)


@pytest.fixture(scope="module")
def one_shot(data: tuple[pd.DataFrame, pd.DataFrame]) -> BenchmarkResult:
    return compute(*data, seed=99, draws=3)


def test_chunks_by_year_and_authority_combine_to_the_one_shot_run(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    leavers, results = data
    parts = []
    for year in YEARS:
        for authority in sorted(leavers[c.AUTHORITY_ID].unique()):
            schools = leavers.loc[leavers[c.AUTHORITY_ID] == authority, c.ESTABLISHMENT_ID].unique()
            parts.append(compute(leavers, results, seed=99, years=[year], establishment_ids=schools, draws=3))
    parts.reverse()  # the order chunks finish in must not matter
    assert_same(combine(parts), one_shot)
    assert_same(finalise(combine(parts)), finalise(one_shot))


def test_years_combined_one_at_a_time_give_the_one_shot_scores_and_rankings(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    """What a finaliser that writes a year at a time keeps (insight.services): each year's chunks
    combined alone, then only their schools and normalised scores put together."""
    leavers, results = data
    years = []
    for year in YEARS:
        parts = []
        for authority in sorted(leavers[c.AUTHORITY_ID].unique()):
            schools = leavers.loc[leavers[c.AUTHORITY_ID] == authority, c.ESTABLISHMENT_ID].unique()
            parts.append(compute(leavers, results, seed=99, years=[year], establishment_ids=schools, draws=3))
        year_result = combine(parts)
        kept = scores_only(year_result)
        assert all(len(frame) == 0 for name, frame in frames_of(kept).items()
                   if name not in ("establishments", "normalised"))
        years.append(kept)
    together = combine_scores(years)
    for name in ("establishments", "normalised", "weighted"):
        pd.testing.assert_frame_equal(getattr(together, name), getattr(one_shot, name), check_exact=True, obj=name)
    final, expected = finalise(together), finalise(one_shot)
    for name in ("distances", "stronger"):
        pd.testing.assert_frame_equal(getattr(final, name), getattr(expected, name), check_exact=True, obj=name)


def test_a_table_built_once_gives_the_same_chunks(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    table = leaver_table(*data)
    schools = np.unique(table[c.ESTABLISHMENT_ID])
    halves = [schools[::2], schools[1::2]]
    parts = [compute_table(table, seed=99, establishment_ids=half, draws=3) for half in halves]
    assert_same(combine(parts), one_shot)


def test_same_seed_same_result_and_row_order_does_not_matter(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    leavers, results = data
    shuffled = compute(
        leavers.sample(frac=1.0, random_state=4), results.sample(frac=1.0, random_state=5), seed=99, draws=3
    )
    assert_same(shuffled, one_shot)


def test_combine_of_one_part_is_the_part(one_shot: BenchmarkResult) -> None:
    assert_same(combine([one_shot]), one_shot)


def test_combine_refuses_overlapping_or_mismatched_chunks(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    with pytest.raises(ValueError, match="overlap"):
        combine([one_shot, one_shot])
    other_seed = compute(*data, seed=100, draws=3)
    with pytest.raises(ValueError, match="seed"):
        combine([one_shot, other_seed])
    leavers, results = data
    school = int(leavers[c.ESTABLISHMENT_ID].iloc[0])
    rest = leavers.loc[leavers[c.ESTABLISHMENT_ID] != school, c.ESTABLISHMENT_ID].unique()
    first = compute(leavers, results, seed=99, establishment_ids=[school])
    # A second chunk computed from a different pool (one leaver fewer) disagrees on Scotland.
    second = compute(leavers.iloc[1:], results, seed=99, establishment_ids=rest)
    with pytest.raises(ValueError, match="disagree"):
        combine([first, second])
    with pytest.raises(ValueError, match="nothing"):
        combine([])


def test_years_filter_keeps_only_those_years(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    result = compute(*data, seed=1, years=[2023])
    assert set(result.establishment_measures[c.YEAR]) == {2023}
    assert set(result.national_measures[c.YEAR]) == {2023}


def test_result_frames_have_the_documented_columns(one_shot: BenchmarkResult) -> None:
    keys = [c.ESTABLISHMENT_ID, c.YEAR]
    assert list(one_shot.establishment_measures.columns) == [*keys, *c.HEADLINE_MEASURES]
    assert list(one_shot.vc_measures.columns) == [*keys, *c.HEADLINE_MEASURES]
    assert list(one_shot.authority_measures.columns) == [c.AUTHORITY_ID, c.YEAR, *c.HEADLINE_MEASURES]
    assert list(one_shot.national_measures.columns) == [c.YEAR, *c.HEADLINE_MEASURES]
    assert list(one_shot.breakdowns.columns) == [
        c.COHORT,
        c.COHORT_ID,
        c.YEAR,
        c.BREAKDOWN,
        c.BREAKDOWN_VALUE,
        *c.HEADLINE_MEASURES,
    ]
    assert list(one_shot.deprivation.columns) == [
        c.COHORT,
        c.COHORT_ID,
        c.YEAR,
        c.SIMD_BAND_KIND,
        c.SIMD_BAND,
        c.N_LEAVERS,
        c.AVG_TOTAL_TARIFF,
    ]
    assert list(one_shot.normalised.columns) == [*keys, c.N_LEAVERS, *(c.norm(g) for g in c.ATTAINMENT_GROUPS)]
    assert list(one_shot.weighted.columns) == [
        c.ESTABLISHMENT_ID,
        c.N_YEARS,
        *(c.weighted(g) for g in c.ATTAINMENT_GROUPS),
    ]
    assert list(one_shot.relaxation.columns) == [*[c.LEAVER_ID], *keys, c.RELAXATION, c.N_CANDIDATES]
    assert list(one_shot.relaxation_counts.columns) == [
        *keys,
        c.N_LEAVERS,
        c.N_EXACT,
        c.N_RELAXED_QUINTILE,
        c.N_RELAXED_NO_ASN,
        c.N_UNMATCHED,
    ]
    assert list(one_shot.comparators.columns) == [c.LEAVER_ID, c.COMPARATOR_ID]
    assert one_shot.intervals is not None
    assert list(one_shot.intervals.columns) == [
        *keys,
        c.SOURCE,
        c.MEASURE,
        c.N_DRAWS,
        c.MIN,
        c.P05,
        c.P95,
        c.MAX,
    ]
    assert set(one_shot.breakdowns[c.COHORT]) == {
        c.COHORT_ESTABLISHMENT,
        c.COHORT_VC,
        c.COHORT_AUTHORITY,
        c.COHORT_NATIONAL,
    }
    assert "intervals" in frames_of(one_shot) and "distances" not in frames_of(one_shot)


def test_vc_has_ten_rows_per_matched_leaver(one_shot: BenchmarkResult) -> None:
    matched = one_shot.relaxation_counts.set_index([c.ESTABLISHMENT_ID, c.YEAR])
    vc = one_shot.vc_measures.set_index([c.ESTABLISHMENT_ID, c.YEAR])[c.N_LEAVERS]
    expected = 10 * (matched[c.N_LEAVERS] - matched[c.N_UNMATCHED])
    pd.testing.assert_series_equal(vc, expected.loc[vc.index], check_names=False)


def test_intervals_are_ordered_and_include_the_headline_draw(one_shot: BenchmarkResult) -> None:
    intervals = one_shot.intervals
    assert intervals is not None
    finite = intervals.dropna(subset=[c.MIN])
    assert (finite[c.MIN] <= finite[c.P05]).all()
    assert (finite[c.P05] <= finite[c.P95]).all()
    assert (finite[c.P95] <= finite[c.MAX]).all()
    # The headline VC (draw 0 uses the run seed) lies within [min, max].
    headline = one_shot.vc_measures.melt(id_vars=[c.ESTABLISHMENT_ID, c.YEAR], var_name=c.MEASURE)
    merged = finite[finite[c.SOURCE] == c.SOURCE_VC].merge(headline, on=[c.ESTABLISHMENT_ID, c.YEAR, c.MEASURE])
    assert len(merged) > 0
    assert ((merged["value"] >= merged[c.MIN]) & (merged["value"] <= merged[c.MAX])).all()


def test_draw_seeds_start_with_the_run_seed_and_are_reproducible() -> None:
    seeds = draw_seeds(42, 5)
    assert seeds[0] == 42
    assert seeds == draw_seeds(42, 5)
    assert len(set(seeds)) == 5
    assert draw_seeds(42, 3) == seeds[:3]


def test_finalise_ranks_only_within_a_type_and_adds_context_closeness(one_shot: BenchmarkResult) -> None:
    schools = np.unique(one_shot.establishments[c.ESTABLISHMENT_ID])
    types = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: schools,
            c.ESTABLISHMENT_TYPE: np.where(np.arange(len(schools)) < 4, "special", "secondary"),
        }
    )
    context = pd.DataFrame({c.ESTABLISHMENT_ID: schools, "roll": np.linspace(300, 1500, len(schools))})
    final = finalise(one_shot, establishments=types, context=context, context_columns=["roll"])
    kind = types.set_index(c.ESTABLISHMENT_ID)[c.ESTABLISHMENT_TYPE]
    for frame in (final.distances, final.context_distances, final.stronger):
        assert frame is not None
        assert (kind.loc[frame[c.ESTABLISHMENT_ID]].to_numpy() == kind.loc[frame[c.OTHER_ID]].to_numpy()).all()
    assert final.distances is not None
    assert len(final.distances) == 4 * 3 + (len(schools) - 4) * (len(schools) - 5)


def test_the_engine_imports_no_django_celery_or_rest_framework() -> None:
    forbidden = {"django", "celery", "rest_framework"}
    for path in ENGINE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & forbidden, f"{path.name} imports {roots & forbidden}"


def test_an_empty_chunk_combines_cleanly(data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult) -> None:
    leavers, results = data
    empty = compute(leavers, results, seed=99, establishment_ids=[999_999], draws=3)
    assert empty.establishment_measures.empty and empty.comparators.empty
    everything = compute(leavers, results, seed=99, establishment_ids=leavers[c.ESTABLISHMENT_ID].unique(), draws=3)
    assert_same(combine([empty, everything]), one_shot)


def test_nan_percentile_matches_numpy_linear_percentiles() -> None:
    rng = np.random.default_rng(0)
    stack = rng.normal(size=(7, 30, 4))
    stack[rng.random(stack.shape) < 0.3] = np.nan
    stack[:, 0, 0] = np.nan  # every draw missing
    for q in (0, 5, 50, 95, 100):
        with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
            expected = np.nanpercentile(stack, q, axis=0)
        np.testing.assert_allclose(nan_percentile(stack, q), expected, rtol=0, atol=1e-12)


def test_building_blocks_reproduce_the_engine(
    data: tuple[pd.DataFrame, pd.DataFrame], one_shot: BenchmarkResult
) -> None:
    """The separately usable functions give the engine's own frames."""
    table = leaver_table(*data)
    vc = headline_measures(vc_cohort(table, one_shot.comparators), [c.ESTABLISHMENT_ID, c.YEAR])
    pd.testing.assert_frame_equal(vc, one_shot.vc_measures, check_exact=True)
    draw = draw_comparators(table, seed=99)
    pd.testing.assert_frame_equal(draw.comparators, one_shot.comparators)
    pd.testing.assert_frame_equal(relaxation_counts(draw.relaxation), one_shot.relaxation_counts)
    with pytest.raises(ValueError, match="missing from the table"):
        vc_cohort(table, pd.DataFrame({c.LEAVER_ID: [-5], c.COMPARATOR_ID: [-6]}))
