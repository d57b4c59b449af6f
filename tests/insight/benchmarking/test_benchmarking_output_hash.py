"""Every output of the engine, bit for bit, against hashes recorded before the speed work (issue 19).

Speed changes must not move a single number. Each frame is hashed over its column names, dtypes,
index and values (floats by their IEEE bytes, so even a NaN's bit pattern or a last-bit rounding
difference shows), rows in the order the engine returns them. The constants below were recorded
from the code as it was before it was optimised; a change that alters any of them changes an
output and must be explained, not re-recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.cohort import MEASURE_COLUMNS, leaver_table, vc_cohort, vc_cohort_arrays
from insight.benchmarking.comparator import draw_comparators, draw_rows, find_candidates
from insight.benchmarking.engine import BenchmarkResult, combine, compute, compute_table, finalise, frames_of
from insight.benchmarking.measures import PreparedCohort, breakdown_measures, deprivation_measures, headline_measures
from insight.benchmarking.synthetic import synthetic_frames
from insight.benchmarking.tariff import latest_and_best, literacy_numeracy_levels, total_tariff
from insight.benchmarking.uncertainty import vc_intervals

YEARS = (2022, 2023, 2024)
KEYS = [c.ESTABLISHMENT_ID, c.YEAR]


def _array_bytes(values: np.ndarray | pd.Index | pd.Categorical) -> bytes:
    """Canonical bytes of one column: raw little-endian bytes for numbers, text for objects."""
    if isinstance(values, pd.Categorical):
        return b"categorical\x00" + _array_bytes(np.asarray(values.categories)) + _array_bytes(values.codes)
    array = np.asarray(values)
    if array.dtype == object:
        return "\x1f".join(f"{type(v).__name__}:{v!r}" for v in array).encode()
    return np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


def frame_digest(frame: pd.DataFrame) -> str:
    """sha256 over a frame's columns in order: name, dtype, values; then the index."""
    h = hashlib.sha256()
    h.update(f"{frame.shape}".encode())
    for name in frame.columns:
        column = frame[name]
        h.update(f"\x1e{name}\x1d{column.dtype}\x1d".encode())
        h.update(_array_bytes(column.array if isinstance(column.dtype, pd.CategoricalDtype) else column.to_numpy()))
    h.update(f"\x1eindex\x1d{frame.index.dtype}\x1d".encode())
    h.update(_array_bytes(frame.index.to_numpy()))
    return h.hexdigest()[:24]


def columns_digest(columns: Mapping[str, np.ndarray | pd.Categorical]) -> str:
    """sha256 over a dict of columns (the VC cohort arrays), in key order."""
    h = hashlib.sha256()
    for name, values in columns.items():
        h.update(f"\x1e{name}\x1d{values.dtype}\x1d".encode())
        h.update(_array_bytes(values))
    return h.hexdigest()[:24]


def result_digests(result: BenchmarkResult, prefix: str) -> dict[str, str]:
    out = {f"{prefix}.{name}": frame_digest(frame) for name, frame in frames_of(result).items()}
    out[f"{prefix}.seed_draws"] = f"{result.seed}/{result.draws}"
    return out


def small_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A fixed small input: 3,000 leavers, 3 years, 24 schools in 6 authorities (some relaxed)."""
    return synthetic_frames(n_leavers=3000, years=YEARS, n_establishments=24, n_authorities=6, seed=5)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return small_data()


def all_digests(data: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, str]:
    """Hashes of every output the engine's entry points and building blocks produce."""
    leavers, results = data
    out: dict[str, str] = {"synthetic.leavers": frame_digest(leavers), "synthetic.results": frame_digest(results)}
    # Building blocks: tariff, leaver table, candidates, the draw, VC cohort, measures.
    ids = pd.Index(np.sort(leavers[c.LEAVER_ID].to_numpy()), name=c.LEAVER_ID)
    out["latest_and_best"] = frame_digest(latest_and_best(results))
    out["total_tariff"] = frame_digest(total_tariff(results, ids).to_frame())
    out["literacy_numeracy_levels"] = frame_digest(literacy_numeracy_levels(results, ids))
    table = leaver_table(leavers, results)
    out["leaver_table"] = frame_digest(table)
    cells = find_candidates(table)
    out["candidates"] = columns_digest({name: np.asarray(v) for name, v in vars(cells).items()})
    out["candidates.relaxation_frame"] = frame_digest(cells.relaxation_frame())
    leaver_rows, comparator_rows = draw_rows(cells, seed=7)
    out["draw_rows"] = columns_digest({"leaver_rows": leaver_rows, "comparator_rows": comparator_rows})
    vc_columns = vc_cohort_arrays(table, leaver_rows, comparator_rows)
    out["vc_cohort_arrays"] = columns_digest(vc_columns)
    out["vc_cohort_arrays.measure_columns"] = columns_digest(
        vc_cohort_arrays(table, leaver_rows, comparator_rows, MEASURE_COLUMNS)
    )
    out["school_headline"] = frame_digest(PreparedCohort(table, KEYS).headline(KEYS))
    out["vc_headline"] = frame_digest(PreparedCohort(vc_columns, KEYS).headline(KEYS))
    draw = draw_comparators(table, seed=7)
    out["draw_comparators.comparators"] = frame_digest(draw.comparators)
    out["draw_comparators.relaxation"] = frame_digest(draw.relaxation)
    vc_frame = vc_cohort(table, draw.comparators)
    out["vc_cohort"] = frame_digest(vc_frame)
    out["headline_measures.vc_frame"] = frame_digest(headline_measures(vc_frame, KEYS))
    out["breakdown_measures.table"] = frame_digest(breakdown_measures(table, KEYS))
    out["deprivation_measures.table"] = frame_digest(deprivation_measures(table, [c.AUTHORITY_ID, c.YEAR]))
    out["vc_intervals.chunk"] = frame_digest(vc_intervals(table, seed=3, draws=4, establishment_ids=[2, 5, 11]))
    # Entry points: one shot with intervals, chunked by year and authority, finalised.
    one_shot = compute_table(table, seed=99, draws=3)
    out.update(result_digests(one_shot, "compute_table"))
    out.update(result_digests(compute(leavers, results, seed=99), "compute.one_draw"))
    parts = []
    for year in YEARS:
        for authority in sorted(leavers[c.AUTHORITY_ID].unique()):
            schools = leavers.loc[leavers[c.AUTHORITY_ID] == authority, c.ESTABLISHMENT_ID].unique()
            parts.append(compute(leavers, results, seed=99, years=[year], establishment_ids=schools, draws=3))
    out.update(result_digests(finalise(combine(parts)), "combine.finalise"))
    types = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: np.arange(1, 25, dtype=np.int64),
            c.ESTABLISHMENT_TYPE: np.where(np.arange(24) % 3 == 0, "special", "secondary"),
        }
    )
    context = pd.DataFrame({c.ESTABLISHMENT_ID: np.arange(1, 25, dtype=np.int64), "roll": np.arange(24) * 37.5 % 11})
    final = finalise(one_shot, establishments=types, context=context, context_columns=["roll"])
    out.update(result_digests(final, "finalise.typed"))
    return out


# Recorded from the code before the speed work of issue 19 (git 195d06c), numpy 2.4, pandas 2.3.
EXPECTED: dict[str, str] = {
    'synthetic.leavers': 'be73dee6913db035d2664652',
    'synthetic.results': 'f2223a84bac29d6a856ddbf7',
    'latest_and_best': 'f0e9695bbcea8eef36b55969',
    'total_tariff': 'dc2c7b34a0a02fb5e696d82b',
    'literacy_numeracy_levels': '284ba18a5a745a5c3ea8cecf',
    'leaver_table': '9e16abb61f3692af213716ed',
    'candidates': '6c3135c76848d2bee9d76721',
    'candidates.relaxation_frame': 'c7881963c522e0187fbc7a75',
    'draw_rows': '0241f21940e2694eacbe10fe',
    'vc_cohort_arrays': '70dbf5558dbdcf9a5fb30adc',
    'vc_cohort_arrays.measure_columns': '0e231287acf5d24eb6346bcc',
    'school_headline': 'd630570968bf5cdfb75c5736',
    'vc_headline': 'e48f7cd3ad0ed652eca8ada5',
    'draw_comparators.comparators': '13e73b60f6e46b0f8b7b0fa5',
    'draw_comparators.relaxation': 'c7881963c522e0187fbc7a75',
    'vc_cohort': 'f54f45c62b9dea4f997a13f9',
    'headline_measures.vc_frame': 'e48f7cd3ad0ed652eca8ada5',
    'breakdown_measures.table': '2a196254d2be9cc9db8227e8',
    'deprivation_measures.table': '4a6582a8480776cdaf8d62cf',
    'vc_intervals.chunk': '844be7bed3ba598a74af9a5c',
    'compute_table.establishments': 'a2c56c1cdf604fd54e96f4ee',
    'compute_table.establishment_measures': 'd630570968bf5cdfb75c5736',
    'compute_table.vc_measures': 'dc78c8a17caf4e17acf0ee99',
    'compute_table.authority_measures': '6fef2d8bfd442f1293d74c5e',
    'compute_table.national_measures': 'caad69bf78ea683bf580ae2d',
    'compute_table.breakdowns': '5aa55c560f7e75154cebf24c',
    'compute_table.deprivation': '2551e12a6cbcf7da2682ae2e',
    'compute_table.normalised': '628fc98c14b4fb4480a6604f',
    'compute_table.weighted': '16178fa3eb94302f6994ede9',
    'compute_table.relaxation': 'c7881963c522e0187fbc7a75',
    'compute_table.relaxation_counts': '116f9de5cdba0395ff921c37',
    'compute_table.comparators': 'afd9068acddea0a8d4ca5a9a',
    'compute_table.intervals': '3f406e1f6c55140fefb82837',
    'compute_table.seed_draws': '99/3',
    'compute.one_draw.establishments': 'a2c56c1cdf604fd54e96f4ee',
    'compute.one_draw.establishment_measures': 'd630570968bf5cdfb75c5736',
    'compute.one_draw.vc_measures': 'dc78c8a17caf4e17acf0ee99',
    'compute.one_draw.authority_measures': '6fef2d8bfd442f1293d74c5e',
    'compute.one_draw.national_measures': 'caad69bf78ea683bf580ae2d',
    'compute.one_draw.breakdowns': '5aa55c560f7e75154cebf24c',
    'compute.one_draw.deprivation': '2551e12a6cbcf7da2682ae2e',
    'compute.one_draw.normalised': '628fc98c14b4fb4480a6604f',
    'compute.one_draw.weighted': '16178fa3eb94302f6994ede9',
    'compute.one_draw.relaxation': 'c7881963c522e0187fbc7a75',
    'compute.one_draw.relaxation_counts': '116f9de5cdba0395ff921c37',
    'compute.one_draw.comparators': 'afd9068acddea0a8d4ca5a9a',
    'compute.one_draw.seed_draws': '99/1',
    'combine.finalise.establishments': 'a2c56c1cdf604fd54e96f4ee',
    'combine.finalise.establishment_measures': 'd630570968bf5cdfb75c5736',
    'combine.finalise.vc_measures': 'dc78c8a17caf4e17acf0ee99',
    'combine.finalise.authority_measures': '6fef2d8bfd442f1293d74c5e',
    'combine.finalise.national_measures': 'caad69bf78ea683bf580ae2d',
    'combine.finalise.breakdowns': '5aa55c560f7e75154cebf24c',
    'combine.finalise.deprivation': '2551e12a6cbcf7da2682ae2e',
    'combine.finalise.normalised': '628fc98c14b4fb4480a6604f',
    'combine.finalise.weighted': '16178fa3eb94302f6994ede9',
    'combine.finalise.relaxation': 'c7881963c522e0187fbc7a75',
    'combine.finalise.relaxation_counts': '116f9de5cdba0395ff921c37',
    'combine.finalise.comparators': 'afd9068acddea0a8d4ca5a9a',
    'combine.finalise.intervals': '3f406e1f6c55140fefb82837',
    'combine.finalise.distances': '701e27e51460f403daa11d0b',
    'combine.finalise.stronger': 'c04a29c9df8dfdc2257e816f',
    'combine.finalise.seed_draws': '99/3',
    'finalise.typed.establishments': 'a2c56c1cdf604fd54e96f4ee',
    'finalise.typed.establishment_measures': 'd630570968bf5cdfb75c5736',
    'finalise.typed.vc_measures': 'dc78c8a17caf4e17acf0ee99',
    'finalise.typed.authority_measures': '6fef2d8bfd442f1293d74c5e',
    'finalise.typed.national_measures': 'caad69bf78ea683bf580ae2d',
    'finalise.typed.breakdowns': '5aa55c560f7e75154cebf24c',
    'finalise.typed.deprivation': '2551e12a6cbcf7da2682ae2e',
    'finalise.typed.normalised': '628fc98c14b4fb4480a6604f',
    'finalise.typed.weighted': '16178fa3eb94302f6994ede9',
    'finalise.typed.relaxation': 'c7881963c522e0187fbc7a75',
    'finalise.typed.relaxation_counts': '116f9de5cdba0395ff921c37',
    'finalise.typed.comparators': 'afd9068acddea0a8d4ca5a9a',
    'finalise.typed.intervals': '3f406e1f6c55140fefb82837',
    'finalise.typed.distances': '3c8735440c38d2139145500c',
    'finalise.typed.context_distances': 'fe75d33f5717d5dab5b8cd53',
    'finalise.typed.stronger': '8f04dc7872aeafc1873772ad',
    'finalise.typed.seed_draws': '99/3',
}


def test_every_output_is_bit_for_bit_what_it_was(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    actual = all_digests(data)
    changed = sorted(name for name in set(actual) | set(EXPECTED) if actual.get(name) != EXPECTED.get(name))
    assert not changed, f"outputs changed: {changed}"


if __name__ == "__main__":  # print the constants (only when an output change is intended and explained)
    for name, digest in all_digests(small_data()).items():
        print(f"    {name!r}: {digest!r},")
