"""Cohort frames: the per-leaver table every measure is computed on, and a school's VC cohort."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .contract import check_leavers, check_results
from .measures import stable_order
from .tariff import literacy_numeracy_levels, total_tariff

# The columns the headline measures read (besides the grouping keys).
MEASURE_COLUMNS: Final = (
    c.LEAVER_ID,
    c.SIMD_DECILE,
    c.SIMD_QUINTILE,
    c.INITIAL_POSITIVE,
    c.FOLLOWUP_POSITIVE,
    c.TOTAL_TARIFF,
    c.LITERACY_LEVEL,
    c.NUMERACY_LEVEL,
    c.TARIFF_RANK,
)

# The columns a cohort row carries into the measures and breakdowns (besides the grouping keys).
COHORT_VALUE_COLUMNS: Final = (
    c.LEAVER_ID,
    c.SEX,
    c.ASN,
    c.STAGE,
    c.SIMD_DECILE,
    c.SIMD_QUINTILE,
    c.CARE_EXPERIENCED,
    c.FSM,
    c.INITIAL_POSITIVE,
    c.FOLLOWUP_POSITIVE,
    c.TOTAL_TARIFF,
    c.LITERACY_LEVEL,
    c.NUMERACY_LEVEL,
    c.TARIFF_RANK,
)


def simd_quintile(decile: np.ndarray | pd.Series) -> np.ndarray:
    """SIMD quintile from decile: deciles 1-2 are quintile 1, ..., 9-10 quintile 5.

    Source: SIMD 2020 definition (quintile = (decile + 1) // 2).
    """
    return (np.asarray(decile, dtype=np.int64) + 1) // 2


def leaver_table(leavers: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One row per leaver with everything the measures need.

    Steps:

    1. Check both frames against the input contract (:mod:`.contract`).
    2. Sort leavers by ``leaver_id`` (canonical order: output never depends on input row order).
    3. Add ``simd_quintile``, ``total_tariff`` (:func:`.tariff.total_tariff`) and
       ``literacy_level`` / ``numeracy_level`` (:func:`.tariff.literacy_numeracy_levels`).
    4. Add ``tariff_rank``: the leaver's position in (``total_tariff``, ``leaver_id``) order, so
       the measures can sort any cohort by one integer (:class:`.measures.PreparedCohort`).

    Returns the contract columns plus the five derived ones, index 0..n-1.
    """
    table = check_leavers(leavers).sort_values(c.LEAVER_ID, kind="stable", ignore_index=True)
    checked_results = check_results(results)
    ids = pd.Index(table[c.LEAVER_ID].to_numpy(), name=c.LEAVER_ID)
    table[c.SIMD_QUINTILE] = simd_quintile(table[c.SIMD_DECILE].to_numpy())
    table[c.TOTAL_TARIFF] = total_tariff(checked_results, ids).to_numpy()
    levels = literacy_numeracy_levels(checked_results, ids)
    table[c.LITERACY_LEVEL] = levels[c.LITERACY_LEVEL].to_numpy()
    table[c.NUMERACY_LEVEL] = levels[c.NUMERACY_LEVEL].to_numpy()
    rank = np.empty(len(table), dtype=np.int64)
    order = np.lexsort((table[c.LEAVER_ID].to_numpy(), table[c.TOTAL_TARIFF].to_numpy()))
    rank[order] = np.arange(len(table))
    table[c.TARIFF_RANK] = rank
    return table


def vc_cohort(table: pd.DataFrame, comparators: pd.DataFrame) -> pd.DataFrame:
    """The virtual comparator cohorts: one row per drawn comparator, duplicates kept.

    Steps:

    1. For every (``leaver_id``, ``comparator_id``) pair, take the school (``establishment_id``)
       and ``year`` of the leaver the comparator was drawn *for*: the VC of a school and year is
       the union of its leavers' comparators (Insight, published).
    2. Take every other column (tariff, literacy, destinations, characteristics) from the
       *comparator*; ``leaver_id`` becomes the comparator's id so tie ordering in the measures
       stays by leaver id.
    3. Keep duplicates: a leaver drawn twice counts twice, exactly like a draw with replacement
       (our rule: draws are with replacement).

    ``table`` must be a :func:`leaver_table` (sorted by ``leaver_id``) holding every leaver and
    every comparator. Returns ``establishment_id``, ``year`` and :data:`COHORT_VALUE_COLUMNS`,
    rows in rank order (total tariff, then leaver id), the order the measures use.
    """
    ids = table[c.LEAVER_ID].to_numpy()
    rows = []
    for column in (c.LEAVER_ID, c.COMPARATOR_ID):
        wanted = comparators[column].to_numpy()
        found = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
        if len(wanted) and (len(ids) == 0 or (ids[found] != wanted).any()):
            raise ValueError(f"comparators.{column} holds leavers missing from the table")
        rows.append(found)
    return vc_cohort_from_rows(table, rows[0], rows[1])


def vc_cohort_from_rows(table: pd.DataFrame, target_rows: np.ndarray, source_rows: np.ndarray) -> pd.DataFrame:
    """:func:`vc_cohort` from table row positions (the draw's own output, no id look-up)."""
    return pd.DataFrame(vc_cohort_arrays(table, target_rows, source_rows))


def vc_cohort_arrays(
    table: pd.DataFrame,
    target_rows: np.ndarray,
    source_rows: np.ndarray,
    columns: Sequence[str] = COHORT_VALUE_COLUMNS,
) -> dict[str, np.ndarray | pd.Categorical]:
    """The VC cohort as a dict of columns, for :class:`.measures.PreparedCohort`.

    Skips building a DataFrame: consolidating millions of rows into blocks costs more than
    every measure computed on them. Rows come in rank order (``tariff_rank``; stable, so draw
    order among equals), which the measures would sort into anyway: each column is gathered
    once, and the measures find the rows already sorted. ``columns`` limits the comparator
    columns carried (the uncertainty draws need no breakdown columns).
    """
    order = stable_order(table[c.TARIFF_RANK].to_numpy()[source_rows])
    target_rows, source_rows = target_rows[order], source_rows[order]
    out: dict[str, np.ndarray | pd.Categorical] = {
        c.ESTABLISHMENT_ID: table[c.ESTABLISHMENT_ID].to_numpy()[target_rows],
        c.YEAR: table[c.YEAR].to_numpy()[target_rows],
    }
    for col in columns:
        values = table[col].to_numpy()
        if values.dtype == object:
            # Text (sex) travels as categorical codes: gathering millions of objects is slow.
            codes, labels = pd.factorize(values, sort=True)
            out[col] = pd.Categorical.from_codes(codes[source_rows], categories=labels)
        else:
            out[col] = values[source_rows]
    return out
