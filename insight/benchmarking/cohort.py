"""Cohort frames: the per-leaver table every measure is computed on, and a school's VC cohort."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .contract import checked_leaver_columns, checked_result_columns
from .ordering import dense_codes, float_order, inverse, order_by, stable_order
from .tariff import leaver_scores

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

    1. Check both frames against the input contract (:mod:`.contract`), as arrays: no frame is
       built until the table itself.
    2. Sort leavers by ``leaver_id`` (canonical order: output never depends on input row order);
       input already in that order (the loader's) is taken as it is.
    3. Add ``simd_quintile``, ``total_tariff`` and ``literacy_level`` / ``numeracy_level``
       (:func:`.tariff.leaver_scores`: the rules of :func:`.tariff.total_tariff` and
       :func:`.tariff.literacy_numeracy_levels` in one pass over the results).
    4. Add ``tariff_rank``: the leaver's position in (``total_tariff``, ``leaver_id``) order, so
       the measures can sort any cohort by one integer (:class:`.measures.PreparedCohort`). The
       rows are in ``leaver_id`` order already, so a stable sort on the tariff alone gives it.

    Returns the contract columns plus the five derived ones, index 0..n-1. Each column is its
    own array (the frame is built without consolidating, so no column is copied twice).
    """
    columns = checked_leaver_columns(leavers, sort_by_id=True)
    ids = columns[c.LEAVER_ID]
    res = checked_result_columns(results)
    tariff, literacy, numeracy = leaver_scores(
        ids,
        res[c.LEAVER_ID],
        res[c.SUBJECT_ID],
        res[c.SCQF_LEVEL],
        res[c.POINTS],
        res[c.LITERACY],
        res[c.NUMERACY],
    )
    columns[c.SIMD_QUINTILE] = simd_quintile(columns[c.SIMD_DECILE])
    columns[c.TOTAL_TARIFF] = tariff
    columns[c.LITERACY_LEVEL] = literacy
    columns[c.NUMERACY_LEVEL] = numeracy
    columns[c.TARIFF_RANK] = inverse(float_order(tariff))
    return pd.DataFrame(columns, copy=False)


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
    return pd.DataFrame(dict(vc_cohort_arrays(table, target_rows, source_rows).items()))


class VCCohort(Mapping[str, "np.ndarray | pd.Categorical"]):
    """The VC cohort as a read-only mapping of columns: a view over the leaver table.

    Holds only the draw (``target_rows``: the leaver each comparator was drawn for;
    ``source_rows``: the comparator), both table row numbers in draw order. A column is gathered
    from the table when first read, rows in rank order (``tariff_rank`` of the comparator;
    stable, so draw order among equals): ``establishment_id`` and ``year`` from the target, every
    other column from the comparator. Text (sex) reads as a categorical with sorted labels.

    :class:`.measures.PreparedCohort` does not read these columns: it gathers only what each
    measure needs, already grouped by school and year (:meth:`group_major_rows`), so the
    2.5 million-row columns of a national VC are never built when only measures are wanted.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        target_rows: np.ndarray,
        source_rows: np.ndarray,
        columns: Sequence[str] = COHORT_VALUE_COLUMNS,
    ) -> None:
        self.table = table
        self.target_rows = np.asarray(target_rows, dtype=np.int64)
        self.source_rows = np.asarray(source_rows, dtype=np.int64)
        self.columns = (
            c.ESTABLISHMENT_ID,
            c.YEAR,
            *dict.fromkeys(col for col in columns if col not in _TARGET_COLUMNS),
        )
        self._rank_order: np.ndarray | None = None
        self._cache: dict[str, np.ndarray | pd.Categorical] = {}

    def __len__(self) -> int:
        return len(self.columns)

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __contains__(self, key: object) -> bool:
        return key in self.columns

    def __getitem__(self, key: str) -> np.ndarray | pd.Categorical:
        if key not in self.columns:
            raise KeyError(key)
        if key not in self._cache:
            if self._rank_order is None:
                self._rank_order = stable_order(self.source_values(c.TARIFF_RANK))
            rows = (self.target_rows if key in _TARGET_COLUMNS else self.source_rows)[self._rank_order]
            values = self.table[key].to_numpy()
            if values.dtype == object:
                # Text (sex) travels as categorical codes: gathering millions of objects is slow.
                codes, labels = pd.factorize(values, sort=True)
                self._cache[key] = pd.Categorical.from_codes(codes[rows], categories=labels)
            else:
                self._cache[key] = values[rows]
        return self._cache[key]

    @property
    def n_rows(self) -> int:
        return len(self.source_rows)

    def source_values(self, column: str, pool_values: np.ndarray | None = None) -> np.ndarray:
        """``column`` (or ``pool_values``, one per table row) of each comparator, in draw order."""
        values = self.table[column].to_numpy() if pool_values is None else pool_values
        return values[self.source_rows]

    def group_major_rows(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], np.ndarray | None]:
        """The cohort sorted by (school, year) of the target, then the comparator's rank.

        Returns ``(ranks, group, group_keys, row_of_rank)``: each row's comparator as its
        ``tariff_rank``, each row's (school, year) number (ascending key order),
        ``establishment_id`` and ``year`` of every number, and the leaver-table row of every
        rank (``row_of_rank[ranks]`` are the comparator rows; a column read through
        ``column[row_of_rank][ranks]`` needs no row numbers at all). ``row_of_rank`` is ``None``
        when ``ranks`` are table rows already. Every school-year is one contiguous run in rank
        order: the order every measure of the VC sums in.

        Steps: number the target's (school, year) and take the comparator's ``tariff_rank``;
        sort the packed values ``group << bits | rank`` (a plain ``np.sort``, no positions:
        rows equal on both are the same comparator drawn twice, interchangeable for every
        measure), unpack, and map each rank back to its table row. When the ranks are not
        unique (not a leaver table) the rows are sorted with their positions instead.
        """
        school, n_schools = dense_codes(self.table[c.ESTABLISHMENT_ID].to_numpy())
        year, n_years = dense_codes(self.table[c.YEAR].to_numpy())
        group_keys = {}
        for name, codes, size in ((c.ESTABLISHMENT_ID, school, n_schools), (c.YEAR, year, n_years)):
            values = np.zeros(size, dtype=self.table[name].dtype)
            values[codes] = self.table[name].to_numpy()
            group_keys[name] = values
        number = np.arange(n_schools * n_years)
        group_keys = {
            c.ESTABLISHMENT_ID: group_keys[c.ESTABLISHMENT_ID][number // n_years],
            c.YEAR: group_keys[c.YEAR][number % n_years],
        }
        group_of_row = school * n_years + year
        ranks = self.table[c.TARIFF_RANK].to_numpy().astype(np.int64, copy=False)
        n = len(ranks)
        shift = max(int(ranks.max()).bit_length(), 1) if n else 1
        unique = n > 0 and ranks.min() >= 0 and np.bincount(ranks).max() <= 1
        if not unique or len(number).bit_length() + shift > 63:
            group = group_of_row[self.target_rows]
            order = order_by(group, ranks[self.source_rows])
            return self.source_rows[order], group[order], group_keys, None
        # 32-bit words when (group, rank) fits in 31 bits: the sort is about three times faster.
        dtype = np.int32 if len(number).bit_length() + shift <= 31 else np.int64
        packed = group_of_row.astype(dtype)[self.target_rows]
        packed <<= shift
        packed |= ranks.astype(dtype)[self.source_rows]
        packed.sort()
        row_of_rank = np.zeros(int(ranks.max()) + 1, dtype=np.int64)
        row_of_rank[ranks] = np.arange(n, dtype=np.int64)
        return packed & ((1 << shift) - 1), (packed >> shift).astype(np.int64), group_keys, row_of_rank


_TARGET_COLUMNS: Final = (c.ESTABLISHMENT_ID, c.YEAR)


def vc_cohort_arrays(
    table: pd.DataFrame,
    target_rows: np.ndarray,
    source_rows: np.ndarray,
    columns: Sequence[str] = COHORT_VALUE_COLUMNS,
) -> VCCohort:
    """The VC cohort as a mapping of columns, for :class:`.measures.PreparedCohort`.

    Skips building a DataFrame: consolidating millions of rows into blocks costs more than
    every measure computed on them. Returns a :class:`VCCohort`, a view that gathers a column
    only when it is read: rows in rank order (``tariff_rank``; stable, so draw order among
    equals), ``establishment_id`` and ``year`` of the leaver drawn for, ``columns`` of the
    comparator. ``columns`` limits the comparator columns carried (the uncertainty draws need
    no breakdown columns).
    """
    return VCCohort(table, target_rows, source_rows, columns)
