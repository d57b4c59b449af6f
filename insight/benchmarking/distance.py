"""Partner finding: rank other schools by closeness.

Callers pass schools of one type only (Insight finds partners among schools of the same type);
:func:`.engine.finalise` does that split. Every ranking returns a long frame with one row per
(establishment, other establishment), never the establishment itself (the Find Partners page
shows the user's own school on top, unranked).

Ranking rules (ours unless stated):

* ascending distance (Insight, published: Euclidean distance, closest first);
* equal distances are ordered by the other school's SEED code (DOMAIN), then by its id;
* a pair whose distance is missing (either school lacks one of the scores) is ranked after
  every pair with a distance, among themselves by SEED code: a school with no score is never
  "close", but still appears so a partnership can be proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c

SCORE_COLUMNS: Final = tuple(c.weighted(g) for g in c.ATTAINMENT_GROUPS)


def distance_matrix(points: np.ndarray) -> np.ndarray:
    """Euclidean distance between every pair of rows of ``points`` (n schools x k scores).

    Computed from coordinate differences (not the ``|a|^2 + |b|^2 - 2ab`` shortcut) so the
    matrix is exactly symmetric, since ``(a - b)^2 == (b - a)^2`` in floating point. The diagonal
    is 0; a pair involving a row with any NaN is NaN.
    """
    values = np.asarray(points, dtype=np.float64)
    n = values.shape[0]
    squared = np.zeros((n, n), dtype=np.float64)
    for k in range(values.shape[1]):
        diff = values[:, k, None] - values[None, :, k]
        squared += diff * diff
    out = np.sqrt(squared)
    np.fill_diagonal(out, 0.0)
    return out


def _canonical(schools: pd.DataFrame) -> pd.DataFrame:
    if schools[c.ESTABLISHMENT_ID].duplicated().any():
        raise ValueError("each establishment may appear only once")
    return schools.sort_values(c.ESTABLISHMENT_ID, kind="stable", ignore_index=True)


def _rank_pairs(
    ids: np.ndarray,
    seed_codes: np.ndarray,
    keep: np.ndarray,
    sort_keys: Sequence[np.ndarray],
    columns: dict[str, np.ndarray],
) -> pd.DataFrame:
    """Rank, for every establishment i, the others j with ``keep[i, j]``.

    ``sort_keys`` are (n, n) arrays, most significant first; SEED code and id of j break ties.
    Returns ``establishment_id``, ``other_id``, the given (n, n) ``columns`` and ``rank`` (1..).
    """
    keep = keep.copy()
    np.fill_diagonal(keep, False)
    i, j = np.nonzero(keep)
    seed_rank = pd.factorize(seed_codes.astype(str), sort=True)[0]
    # np.lexsort: the last key is the primary one.
    order = np.lexsort((ids[j], seed_rank[j], *(key[i, j] for key in reversed(sort_keys)), i))
    i, j = i[order], j[order]
    counts = np.bincount(i, minlength=len(ids))
    starts = np.cumsum(counts) - counts
    rank = np.arange(len(i), dtype=np.int64) - starts[i] + 1
    out = {c.ESTABLISHMENT_ID: ids[i], c.OTHER_ID: ids[j]}
    out.update({name: values[i, j] for name, values in columns.items()})
    out[c.RANK] = rank
    return pd.DataFrame(out)


def rank_by_distance(ids: np.ndarray, seed_codes: np.ndarray, distances: np.ndarray) -> pd.DataFrame:
    """Long ranking from an (n, n) distance matrix: ascending, missing last, ties by SEED code.

    Returns ``establishment_id``, ``other_id``, ``distance``, ``rank`` (1 = closest), sorted by
    (``establishment_id``, ``rank``).
    """
    missing = np.isnan(distances)
    return _rank_pairs(
        np.asarray(ids, dtype=np.int64),
        np.asarray(seed_codes),
        np.ones_like(missing),
        [missing, np.where(missing, 0.0, distances)],
        {c.DISTANCE: distances},
    )


def score_distances(schools: pd.DataFrame, score_columns: Sequence[str] = SCORE_COLUMNS) -> pd.DataFrame:
    """*Insight closeness*: Euclidean distance between schools' weighted normalised scores.

    ``schools`` has ``establishment_id``, ``seed_code`` and the three weighted scores
    (:func:`.normalise.weighted_scores`). Distance: Euclidean over the three scores (Insight,
    confirmed by its worked example). Ranking: see module docstring.

    Returns ``establishment_id``, ``other_id``, ``distance``, ``rank``.
    """
    schools = _canonical(schools)
    points = schools[list(score_columns)].to_numpy(dtype=np.float64)
    return rank_by_distance(
        schools[c.ESTABLISHMENT_ID].to_numpy(), schools[c.SEED_CODE].to_numpy(), distance_matrix(points)
    )


def standardise(values: pd.DataFrame) -> np.ndarray:
    """z-scores per column: ``(x - mean) / std`` over the non-missing values (population std).

    A constant column (std 0), or one with no values at all, becomes 0 where a value exists: it
    cannot tell schools apart. Missing stays NaN.
    """
    array = values.to_numpy(dtype=np.float64)
    present = ~np.isnan(array)
    count = present.sum(axis=0)
    filled = np.where(present, array, 0.0)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    deviation = np.where(present, array - mean, 0.0)
    std = np.sqrt((deviation * deviation).sum(axis=0) / np.maximum(count, 1))
    z = np.where(std > 0, deviation / np.where(std > 0, std, 1.0), 0.0)
    return np.where(present, z, np.nan)


def context_distances(context: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """*Context closeness* (our rule): schools serving similar communities.

    1. Standardise each context column (e.g. roll, share of leavers in SIMD quintile 1, FSM
       share, ASN share) over the schools passed in (:func:`standardise`), so no column dominates
       by its units.
    2. Euclidean distance over the standardised columns; rank as in the module docstring
       (a school missing any context value is ranked last).

    ``context`` has ``establishment_id``, ``seed_code`` and ``columns``. Returns
    ``establishment_id``, ``other_id``, ``distance``, ``rank``.
    """
    context = _canonical(context)
    points = standardise(context[list(columns)])
    return rank_by_distance(
        context[c.ESTABLISHMENT_ID].to_numpy(), context[c.SEED_CODE].to_numpy(), distance_matrix(points)
    )


def stronger_where_weaker(
    schools: pd.DataFrame, *, group: str = c.LOWEST20, score_columns: Sequence[str] = SCORE_COLUMNS
) -> pd.DataFrame:
    """Schools doing better where this school is weak (our rule; DOMAIN gives the idea only).

    For each school i, the candidates are the other schools j whose weighted score for ``group``
    (default lowest 20%) is positive (above their own VC) and higher than i's. They are ranked by
    ``score_gap = score_j - score_i`` descending, then by the Insight distance ascending (missing
    last), then by SEED code. A school with no score of its own gets no list.

    Returns ``establishment_id``, ``other_id``, ``score_gap``, ``distance``, ``rank``.
    """
    schools = _canonical(schools)
    score = schools[c.weighted(group)].to_numpy(dtype=np.float64)
    distances = distance_matrix(schools[list(score_columns)].to_numpy(dtype=np.float64))
    gap = score[None, :] - score[:, None]
    with np.errstate(invalid="ignore"):
        keep = (score[None, :] > 0) & (gap > 0)
    missing = np.isnan(distances)
    return _rank_pairs(
        schools[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64),
        schools[c.SEED_CODE].to_numpy(),
        keep,
        [-gap, missing, np.where(missing, 0.0, distances)],
        {c.SCORE_GAP: gap, c.DISTANCE: distances},
    )
