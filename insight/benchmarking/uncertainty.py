"""How much a VC figure owes to the luck of the draw (going beyond Insight; our method).

Insight draws the VC once. We repeat the draw with K seeds and report, per establishment, year
and measure, the minimum, 5th percentile, 95th percentile and maximum of each VC figure and of
each normalised score. A narrow interval means the comparison is robust to the draw.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .cohort import MEASURE_COLUMNS, vc_cohort_arrays
from .comparator import N_COMPARATORS, CandidateCells, draw_rows, find_candidates
from .measures import PreparedCohort, headline_measures
from .normalise import normalised_scores

DEFAULT_DRAWS: Final = 20

# The VC figures and scores that get an interval (counts do not vary between draws).
VC_INTERVAL_MEASURES: Final = (
    c.AVG_TOTAL_TARIFF,
    *(c.avg_tariff(g) for g in c.ATTAINMENT_GROUPS),
    *(c.pct_lit_num(level) for level in c.LIT_NUM_LEVELS),
    c.PCT_INITIAL_POSITIVE,
    c.PCT_FOLLOWUP_POSITIVE,
    c.PCT_SUSTAINED_POSITIVE,
)
NORMALISED_INTERVAL_MEASURES: Final = tuple(c.norm(g) for g in c.ATTAINMENT_GROUPS)

_KEYS: Final = [c.ESTABLISHMENT_ID, c.YEAR]


def draw_seeds(seed: int, draws: int) -> list[int]:
    """The K seeds of an uncertainty run, derived deterministically from the run seed.

    Draw 0 uses the run seed itself, so the headline VC is one of the K draws. Draw k >= 1 uses
    the first 32-bit word of ``np.random.SeedSequence([seed, k])``: well mixed, reproducible, and
    never equal to a neighbouring run seed by accident of arithmetic.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    derived = (int(np.random.SeedSequence([seed, k]).generate_state(1)[0]) for k in range(1, draws))
    return [seed, *derived]


def nan_percentile(stack: np.ndarray, q: float) -> np.ndarray:
    """Percentile ``q`` over axis 0 ignoring NaN, numpy's default "linear" method.

    Same definition as ``np.nanpercentile(stack, q, axis=0)`` (virtual index ``(n - 1) q / 100``
    over the sorted non-missing values, linear interpolation), vectorised: numpy falls back to a
    Python loop over slices as soon as one value is NaN. NaN where every draw is NaN.
    """
    ordered = np.sort(stack, axis=0)  # NaN sorts last
    n = (~np.isnan(stack)).sum(axis=0)
    position = np.maximum(n - 1, 0) * (q / 100.0)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, np.maximum(n - 1, 0))
    low = np.take_along_axis(ordered, below[None], axis=0)[0]
    high = np.take_along_axis(ordered, above[None], axis=0)[0]
    value = low + (high - low) * (position - below)
    return np.where(n > 0, value, np.nan)


def _summarise(stack: np.ndarray) -> dict[str, np.ndarray]:
    """n_draws, min, p05, p95, max over axis 0 (the draws), ignoring NaN draws."""
    valid = ~np.isnan(stack)
    any_valid = valid.any(axis=0)
    with np.errstate(invalid="ignore"):
        low = np.where(any_valid, np.nanmin(np.where(valid, stack, np.inf), axis=0), np.nan)
        high = np.where(any_valid, np.nanmax(np.where(valid, stack, -np.inf), axis=0), np.nan)
    return {
        c.N_DRAWS: valid.sum(axis=0).astype(np.int64),
        c.MIN: low,
        c.P05: nan_percentile(stack, 5),
        c.P95: nan_percentile(stack, 95),
        c.MAX: high,
    }


def _long(keys: pd.DataFrame, source: str, measures: tuple[str, ...], stack: np.ndarray) -> pd.DataFrame:
    """Stack (draws, rows, measures) into rows (keys x measures) of summary statistics."""
    n_rows, n_measures = stack.shape[1], stack.shape[2]
    out = keys.loc[keys.index.repeat(n_measures)].reset_index(drop=True)
    out[c.SOURCE] = source
    out[c.MEASURE] = np.tile(np.asarray(measures, dtype=object), n_rows)
    for name, values in _summarise(stack).items():
        out[name] = values.reshape(-1)
    return out


def vc_intervals(
    table: pd.DataFrame,
    *,
    seed: int,
    draws: int = DEFAULT_DRAWS,
    establishment_ids: Iterable[int] | None = None,
    establishment_measures: pd.DataFrame | None = None,
    cells: CandidateCells | None = None,
    n_comparators: int = N_COMPARATORS,
) -> pd.DataFrame:
    """Spread of VC figures and normalised scores over ``draws`` VC draws.

    Steps:

    1. Locate candidates once (:func:`.comparator.find_candidates`; it does not depend on the
       seed) unless ``cells`` is given.
    2. For each seed of :func:`draw_seeds`: draw the VC, compute its headline measures and the
       school's normalised scores, exactly as the headline run does.
    3. Per establishment, year and measure: ``n_draws`` (draws with a value), ``min``, ``p05``,
       ``p95``, ``max`` ignoring draws where the figure is NaN (:func:`nan_percentile`).

    ``table`` is a :func:`.cohort.leaver_table` of the whole pool. ``establishment_measures``
    (the school's headline measures) is recomputed when not given.

    Returns ``establishment_id``, ``year``, ``source`` ("vc" or "normalised"), ``measure``,
    ``n_draws``, ``min``, ``p05``, ``p95``, ``max``; sorted by establishment and year, then
    source and measure in the order of :data:`VC_INTERVAL_MEASURES` and
    :data:`NORMALISED_INTERVAL_MEASURES`.
    """
    if cells is None:
        cells = find_candidates(table, establishment_ids=establishment_ids)
    if establishment_measures is None:
        chunk = np.isin(table[c.ESTABLISHMENT_ID].to_numpy(), np.unique(cells.establishment_id))
        establishment_measures = headline_measures(table[chunk], _KEYS)

    vc_keys: pd.DataFrame | None = None
    norm_keys: pd.DataFrame | None = None
    vc_stack, norm_stack = [], []
    for draw_seed in draw_seeds(seed, draws):
        leaver_rows, comparator_rows = draw_rows(cells, seed=draw_seed, n_comparators=n_comparators)
        vc_rows = vc_cohort_arrays(table, leaver_rows, comparator_rows, MEASURE_COLUMNS)
        vc = PreparedCohort(vc_rows, _KEYS).headline(_KEYS)
        normalised = normalised_scores(establishment_measures, vc)
        # Which schools have a VC depends on the candidates, not the seed: rows align across draws.
        vc_keys = vc[_KEYS] if vc_keys is None else vc_keys
        norm_keys = normalised[_KEYS] if norm_keys is None else norm_keys
        vc_stack.append(vc[list(VC_INTERVAL_MEASURES)].to_numpy(dtype=np.float64))
        norm_stack.append(normalised[list(NORMALISED_INTERVAL_MEASURES)].to_numpy(dtype=np.float64))

    assert vc_keys is not None and norm_keys is not None  # draws >= 1
    parts = [
        _long(vc_keys, c.SOURCE_VC, VC_INTERVAL_MEASURES, np.stack(vc_stack)),
        _long(norm_keys, c.SOURCE_NORMALISED, NORMALISED_INTERVAL_MEASURES, np.stack(norm_stack)),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(_KEYS, kind="stable", ignore_index=True)
