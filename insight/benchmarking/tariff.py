"""Tariff scores: latest and best, total tariff, literacy and numeracy levels.

Tariff points per result are looked up by the loader from the tariff table (data, versioned by
data managers); this module only combines them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import columns as c


def _leaver_index(leaver_ids: Iterable[int] | pd.Index) -> pd.Index:
    values = leaver_ids if isinstance(leaver_ids, pd.Index) else list(leaver_ids)
    return pd.Index(np.asarray(values, dtype=np.int64), name=c.LEAVER_ID)


def latest_and_best(results: pd.DataFrame) -> pd.DataFrame:
    """Keep, per leaver and subject, only the result that counts.

    Steps:

    1. Sort results by (``leaver_id``, ``subject_id``), then by ``points`` descending, then by
       ``scqf_level`` descending. *Insight (published)*: per learner and subject only the best
       result counts, e.g. a Higher in a subject supersedes the National 5 in it.
    2. Keep the first row of every (leaver, subject). *Our rule*: equal points are settled by the
       higher SCQF level; rows equal on both are interchangeable for every measure, and a final
       sort on the literacy/numeracy flags makes the pick independent of input row order.

    Returns the kept rows (input columns), sorted by (``leaver_id``, ``subject_id``).
    """
    if results.empty:
        return results.iloc[0:0].reset_index(drop=True)
    leaver = results[c.LEAVER_ID].to_numpy(dtype=np.int64)
    subject = results[c.SUBJECT_ID].to_numpy(dtype=np.int64)
    # np.lexsort sorts by the last key first; negate to get "descending".
    order = np.lexsort(
        (
            -results[c.NUMERACY].to_numpy(dtype=np.int8),
            -results[c.LITERACY].to_numpy(dtype=np.int8),
            -results[c.SCQF_LEVEL].to_numpy(dtype=np.int64),
            -results[c.POINTS].to_numpy(dtype=np.float64),
            subject,
            leaver,
        )
    )
    leaver, subject = leaver[order], subject[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (leaver[1:] != leaver[:-1]) | (subject[1:] != subject[:-1])
    return results.iloc[order[first]].reset_index(drop=True)


def total_tariff(results: pd.DataFrame, leaver_ids: Iterable[int] | pd.Index) -> pd.Series:
    """Total tariff score per leaver: the sum over subjects of the best result's points.

    Steps:

    1. Per (leaver, subject) take the most points: exactly the points of the row
       :func:`latest_and_best` keeps (Insight, published: only the best result per subject counts).
       Taking the maximum directly avoids a multi-key sort of every result row.
    2. Sum those points per leaver, subjects in ascending ``subject_id`` order so the float sum is
       the same however the input rows are ordered (Insight, published: "the sum over subjects of
       their best result's points across the senior phase").
    3. Reindex on ``leaver_ids``: a leaver with no results scores 0.0 (our rule: no award means no
       points, and the leaver still counts in every cohort). Results of leavers not in
       ``leaver_ids`` are ignored.

    Returns a float Series named ``total_tariff`` indexed by ``leaver_id`` in the order given.
    """
    index = _leaver_index(leaver_ids)
    best = results.groupby([c.LEAVER_ID, c.SUBJECT_ID], sort=True)[c.POINTS].max()
    sums = best.groupby(level=c.LEAVER_ID, sort=True).sum()
    return sums.reindex(index, fill_value=0.0).astype(np.float64).rename(c.TOTAL_TARIFF)


def literacy_numeracy_levels(results: pd.DataFrame, leaver_ids: Iterable[int] | pd.Index) -> pd.DataFrame:
    """Highest SCQF level attained in a literacy subject and in a numeracy subject, per leaver.

    Steps:

    1. Take every result row whose subject counts for literacy (``literacy`` true); the leaver's
       ``literacy_level`` is the highest ``scqf_level`` among them. Same for numeracy.
       *Our rule*: every row of ``results`` is an attained award (the loader passes awards
       only), so all rows count, not only the latest-and-best one per subject.
    2. A leaver with no literacy (numeracy) result has level 0 (our rule).

    Returns an int64 DataFrame with columns ``literacy_level``, ``numeracy_level`` indexed by
    ``leaver_id`` in the order given.
    """
    index = _leaver_index(leaver_ids)
    out = {}
    for flag, name in ((c.LITERACY, c.LITERACY_LEVEL), (c.NUMERACY, c.NUMERACY_LEVEL)):
        rows = results.loc[results[flag].to_numpy(dtype=bool), [c.LEAVER_ID, c.SCQF_LEVEL]]
        levels = rows.groupby(c.LEAVER_ID, sort=True)[c.SCQF_LEVEL].max()
        out[name] = levels.reindex(index, fill_value=0).to_numpy(dtype=np.int64)
    return pd.DataFrame(out, index=index)
