"""Tariff scores: latest and best, total tariff, literacy and numeracy levels.

Tariff points per result are looked up by the loader from the tariff table (data, versioned by
data managers); this module only combines them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import columns as c
from .ordering import compress, dense_codes, order_by


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


def rows_of(sorted_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each of ``wanted`` in ``sorted_ids`` (ascending, unique); -1 where absent.

    Ids spread over a range at most a few times their number (the usual case: database keys)
    are looked up in a table indexed by ``id - min``; others by binary search.
    """
    n = len(sorted_ids)
    wanted = np.asarray(wanted, dtype=np.int64)
    if n == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    low, high = int(sorted_ids[0]), int(sorted_ids[-1])
    if high - low <= 8 * n + 2**16:
        lookup = np.full(high - low + 2, -1, dtype=np.int64)  # the last slot answers "outside"
        lookup[sorted_ids - low] = np.arange(n, dtype=np.int64)
        offset = wanted - low
        return lookup[np.where((offset >= 0) & (offset <= high - low), offset, high - low + 1)]
    found = np.minimum(np.searchsorted(sorted_ids, wanted), n - 1)
    return np.where(sorted_ids[found] == wanted, found, -1)


def kahan_group_sums(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group, the sum of ``values`` in the order given, exactly as pandas' ``groupby().sum()``.

    ``group`` must be non-decreasing (each group one run). pandas sums each group with Kahan
    compensation (``y = v - comp; t = s + y; comp = (t - s) - y; s = t``, a NaN compensation
    reset to 0); this replays those steps for every group at once, one position in the group
    at a time. When every value is a whole number and the sum of their magnitudes is below
    2**52, every partial sum is exact, the compensation stays 0 and a plain sum per group
    (``np.add.reduceat``) gives the same bits, so that path is taken instead.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0 or (np.all(np.floor(values) == values) and float(np.abs(values).sum()) < 2.0**52):
        # Exact in any order: each group's run summed by one ``np.add.reduceat`` (the groups
        # tile the values), several times faster than a weighted ``np.bincount``.
        total = np.zeros(n_groups, dtype=np.float64)
        if len(values):
            first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
            total[group[first]] = np.add.reduceat(values, first) + 0.0  # + 0.0: no -0.0 sums
        return total
    size = np.bincount(group, minlength=n_groups)
    start = np.cumsum(size) - size
    total = np.zeros(n_groups, dtype=np.float64)
    compensation = np.zeros(n_groups, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # an infinite value makes the compensation NaN: reset below
        for j in range(int(size.max())):
            who = np.flatnonzero(size > j)
            y = values[start[who] + j] - compensation[who]
            before = total[who]
            t = before + y
            comp = (t - before) - y
            comp[np.isnan(comp)] = 0.0
            compensation[who] = comp
            total[who] = t
    return total


def leaver_scores(
    sorted_ids: np.ndarray,
    leaver_id: np.ndarray,
    subject_id: np.ndarray,
    scqf_level: np.ndarray,
    points: np.ndarray,
    literacy: np.ndarray,
    numeracy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Total tariff, literacy level and numeracy level of every leaver of ``sorted_ids``.

    The arrays after ``sorted_ids`` are the result columns. The method of :func:`total_tariff` and
    :func:`literacy_numeracy_levels`, in numpy on the result columns:

    1. Find each result's leaver row (:func:`rows_of`); results of other leavers are dropped.
    2. Sort results by (leaver row, subject) with one packed-key sort
       (:func:`.ordering.order_by`); each (leaver, subject) is then one run, subjects ascending.
    3. Best points per run (``np.maximum.at``), then per leaver the sum of its runs in
       subject order, compensated exactly as pandas sums (:func:`kahan_group_sums`); 0.0 for a
       leaver without results.
    4. Literacy (numeracy) level: the highest ``scqf_level`` of the leaver's literacy (numeracy)
       rows (``np.maximum.at``); 0 for a leaver without one.

    Returns three arrays aligned with ``sorted_ids``: float64 tariff, int64 levels.
    """
    n = len(sorted_ids)
    rows = rows_of(sorted_ids, leaver_id)
    keep = rows >= 0
    if not keep.all():
        rows, subject_id, scqf_level, points = rows[keep], subject_id[keep], scqf_level[keep], points[keep]
        literacy, numeracy = literacy[keep], numeracy[keep]
    points = np.asarray(points, dtype=np.float64)
    scqf_level = np.asarray(scqf_level, dtype=np.int64)
    subject, n_subjects = dense_codes(np.asarray(subject_id, dtype=np.int64))
    subject_bits = max(n_subjects - 1, 1).bit_length()
    key = (rows << subject_bits) | subject  # (leaver row, subject) order; the row is a shift away
    run_key, best = _best_per_run(key, points)
    tariff = kahan_group_sums(run_key >> subject_bits, best, n)

    levels = [_highest_level(n, rows, scqf_level, np.asarray(flag, dtype=bool)) for flag in (literacy, numeracy)]
    return tariff, levels[0], levels[1]


def _highest_level(n: int, rows: np.ndarray, scqf_level: np.ndarray, flagged: np.ndarray) -> np.ndarray:
    """Per leaver row ``0..n-1``, the highest ``scqf_level`` of its ``flagged`` results; 0 if none.

    Only the flagged rows are visited, gathered by position (a boolean index over millions of
    irregular flags costs several times more); ``np.maximum.at`` takes the maximum per row. A
    row left at the smallest int64, which no SCQF level is, has no flagged result: level 0.
    """
    where = np.flatnonzero(flagged)
    lowest = np.iinfo(np.int64).min
    highest = np.full(n, lowest, dtype=np.int64)
    np.maximum.at(highest, rows.take(where), scqf_level.take(where))
    return np.where(highest == lowest, 0, highest)


def _best_per_run(key: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``key`` (non-negative) ascending, and the most ``points`` of each.

    Points that are whole and non-negative (tariff points are) are replaced by their rank among
    the distinct point values (a tariff table has a few dozen; order kept, so the most points
    is the highest rank), packed with the key into one integer, ``key << bits | rank``, and the
    packed values sorted (32-bit words when they fit, about half the time of 64-bit ones): each
    key is then one run whose last value holds its most points, read back through the table of
    distinct values (exact: whole numbers below 2**53 are exact floats). Anything else sorts the
    rows by key (:func:`.ordering.order_by`) and takes ``np.maximum`` per run.
    """
    if len(key) == 0:
        return key[:0], points[:0]
    with np.errstate(invalid="ignore"):  # NaN or infinite points cast to garbage: not whole
        whole = points.astype(np.int64)
    key_bits = max(int(key.max()).bit_length(), 1)
    if int(whole.min()) >= 0 and (whole == points).all():
        distinct: np.ndarray | None = None
        if int(whole.max()) < 2**20:  # rank among the distinct values, by a table look-up
            present = np.bincount(whole) > 0
            distinct = np.flatnonzero(present)
            whole = (np.cumsum(present) - 1).take(whole)
        point_bits = max(int(whole.max()).bit_length(), 1)
        if key_bits + point_bits <= 63:
            dtype = np.int32 if key_bits + point_bits <= 31 else np.int64
            packed: npt.NDArray[np.signedinteger[Any]] = key.astype(dtype)
            packed <<= point_bits
            packed |= whole.astype(dtype, copy=False)
            packed.sort()
            keys = packed >> point_bits
            last = np.empty(len(keys), dtype=bool)
            last[-1] = True
            np.not_equal(keys[1:], keys[:-1], out=last[:-1])
            kept = compress(packed, last)  # one gather; key and points are unpacked from it
            best = kept & ((1 << point_bits) - 1)
            if distinct is not None:
                best = distinct.take(best)
            return (kept >> point_bits).astype(np.int64), best.astype(np.float64)
    order = order_by(key)
    key = key[order]
    new_run = np.r_[True, key[1:] != key[:-1]]
    run = np.flatnonzero(new_run)
    best = np.full(len(run), -np.inf, dtype=np.float64)
    np.maximum.at(best, np.cumsum(new_run) - 1, points[order])
    return key[run], best


def _scores_for(results: pd.DataFrame, leaver_ids: Iterable[int] | pd.Index) -> tuple[pd.Index, np.ndarray, tuple]:
    """:func:`leaver_scores` for the leavers ``leaver_ids`` in the order given (repeats allowed)."""
    index = _leaver_index(leaver_ids)
    unique = np.unique(index.to_numpy())
    scores = leaver_scores(
        unique,
        results[c.LEAVER_ID].to_numpy(dtype=np.int64),
        results[c.SUBJECT_ID].to_numpy(dtype=np.int64),
        results[c.SCQF_LEVEL].to_numpy(dtype=np.int64),
        results[c.POINTS].to_numpy(dtype=np.float64),
        results[c.LITERACY].to_numpy(dtype=bool),
        results[c.NUMERACY].to_numpy(dtype=bool),
    )
    return index, np.searchsorted(unique, index.to_numpy()), scores


def total_tariff(results: pd.DataFrame, leaver_ids: Iterable[int] | pd.Index) -> pd.Series:
    """Total tariff score per leaver: the sum over subjects of the best result's points.

    Steps:

    1. Per (leaver, subject) take the most points: exactly the points of the row
       :func:`latest_and_best` keeps (Insight, published: only the best result per subject counts).
       Taking the maximum directly avoids a multi-key sort of every result row.
    2. Sum those points per leaver, subjects in ascending ``subject_id`` order so the float sum is
       the same however the input rows are ordered (Insight, published: "the sum over subjects of
       their best result's points across the senior phase"). The sum is compensated (Kahan), as
       pandas' ``groupby().sum()`` which computed it before (:func:`kahan_group_sums`).
    3. Reindex on ``leaver_ids``: a leaver with no results scores 0.0 (our rule: no award means no
       points, and the leaver still counts in every cohort). Results of leavers not in
       ``leaver_ids`` are ignored.

    Computed in numpy by :func:`leaver_scores`. Returns a float Series named ``total_tariff``
    indexed by ``leaver_id`` in the order given.
    """
    index, position, (tariff, _, _) = _scores_for(results, leaver_ids)
    return pd.Series(tariff[position], index=index, name=c.TOTAL_TARIFF, dtype=np.float64)


def literacy_numeracy_levels(results: pd.DataFrame, leaver_ids: Iterable[int] | pd.Index) -> pd.DataFrame:
    """Highest SCQF level attained in a literacy subject and in a numeracy subject, per leaver.

    Steps:

    1. Take every result row whose subject counts for literacy (``literacy`` true); the leaver's
       ``literacy_level`` is the highest ``scqf_level`` among them. Same for numeracy.
       *Our rule*: every row of ``results`` is an attained award (the loader passes awards
       only), so all rows count, not only the latest-and-best one per subject.
    2. A leaver with no literacy (numeracy) result has level 0 (our rule).

    Computed in numpy by :func:`leaver_scores`. Returns an int64 DataFrame with columns
    ``literacy_level``, ``numeracy_level`` indexed by ``leaver_id`` in the order given.
    """
    index, position, (_, literacy, numeracy) = _scores_for(results, leaver_ids)
    return pd.DataFrame({c.LITERACY_LEVEL: literacy[position], c.NUMERACY_LEVEL: numeracy[position]}, index=index)
