"""Normalised scores (school against its VC) and their leaver-weighted multi-year average.

Our rules: Insight publishes neither the normalised-score formula nor the weighting (DOMAIN,
Learning Partners); the Euclidean distance over the three scores is confirmed by its worked
example (see :mod:`.distance`).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from . import columns as c

WEIGHTED_WINDOW: Final = 5  # years: Insight's national measures cover the last five leaver years.

_KEYS: Final = [c.ESTABLISHMENT_ID, c.YEAR]


def normalised_scores(establishment_measures: pd.DataFrame, vc_measures: pd.DataFrame) -> pd.DataFrame:
    """Normalised score per establishment, year and attainment group.

    For each attainment group g (lowest 20%, middle 60%, highest 20%) and year y (our rule)::

        norm_g = (school average tariff of g - VC average tariff of g) / VC average tariff of g

    so 0 means level with the VC and -0.1 means 10% below it. NaN when the VC average is 0 or
    missing (no VC for that year, or the group is empty) or the school's own average is missing.

    Inputs are :func:`.measures.headline_measures` frames keyed by ``establishment_id, year``.
    Returns ``establishment_id``, ``year``, ``n_leavers`` (the school's, used as the weight) and
    ``norm_lowest20``, ``norm_middle60``, ``norm_highest20``; one row per school row, sorted.
    """
    school_cols = [*_KEYS, c.N_LEAVERS, *(c.avg_tariff(g) for g in c.ATTAINMENT_GROUPS)]
    vc_cols = [*_KEYS, *(c.avg_tariff(g) for g in c.ATTAINMENT_GROUPS)]
    merged = establishment_measures[school_cols].merge(
        vc_measures[vc_cols], how="left", on=_KEYS, suffixes=("", "_vc"), validate="one_to_one"
    )
    out = merged[[*_KEYS, c.N_LEAVERS]].copy()
    for group in c.ATTAINMENT_GROUPS:
        school = merged[c.avg_tariff(group)].to_numpy(dtype=np.float64)
        vc = merged[c.avg_tariff(group) + "_vc"].to_numpy(dtype=np.float64)
        usable = (vc != 0) & ~np.isnan(vc)
        out[c.norm(group)] = np.where(usable, (school - vc) / np.where(usable, vc, 1.0), np.nan)
    return out.sort_values(_KEYS, kind="stable", ignore_index=True)


def weighted_scores(
    normalised: pd.DataFrame, *, window: int = WEIGHTED_WINDOW, end_year: int | None = None
) -> pd.DataFrame:
    """Leaver-weighted average of each normalised score over the last ``window`` leaver years.

    Steps (our rule; Insight publishes no weighting):

    1. Keep years ``end_year - window + 1 .. end_year``; ``end_year`` defaults to the latest
       year in ``normalised``.
    2. Per establishment and group g::

           weighted_g = sum_y(n_leavers_y * norm_g,y) / sum_y(n_leavers_y)

       over the years where ``norm_g,y`` is not NaN (a missing year is skipped, not counted as
       0). NaN when no year has a score.

    Returns ``establishment_id``, ``n_years`` (years in the window with a row), then
    ``weighted_lowest20``, ``weighted_middle60``, ``weighted_highest20``; sorted by establishment.
    """
    frame = normalised.sort_values(_KEYS, kind="stable", ignore_index=True)
    if len(frame):
        last = int(frame[c.YEAR].max()) if end_year is None else end_year
        frame = frame[(frame[c.YEAR] > last - window) & (frame[c.YEAR] <= last)].reset_index(drop=True)
    codes, establishments = pd.factorize(frame[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64), sort=True)
    n = len(establishments)
    out = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: np.asarray(establishments, dtype=np.int64),
            c.N_YEARS: np.bincount(codes, minlength=n).astype(np.int64),
        }
    )
    weight = frame[c.N_LEAVERS].to_numpy(dtype=np.float64)
    for group in c.ATTAINMENT_GROUPS:
        score = frame[c.norm(group)].to_numpy(dtype=np.float64)
        has = ~np.isnan(score)
        total_weight = np.bincount(codes[has], weights=weight[has], minlength=n)
        total = np.bincount(codes[has], weights=weight[has] * score[has], minlength=n)
        safe = np.where(total_weight > 0, total_weight, 1.0)
        out[c.weighted(group)] = np.where(total_weight > 0, total / safe, np.nan)
    return out
