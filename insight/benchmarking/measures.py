"""The four national measures, for any grouping of leavers.

A *cohort* frame has one row per leaver counted (for a VC, one row per drawn comparator,
duplicates included) with the columns of :data:`.cohort.COHORT_VALUE_COLUMNS` plus the grouping
keys. The same code serves every cohort: a school (keys ``establishment_id, year``), its VC (same
keys, VC rows), an authority (``authority_id, year``) and Scotland (``year``). Insight
(published): "every VC measure is computed on it exactly as for the school".

How it is vectorised (no per-group Python loop):

1. :class:`PreparedCohort` sorts the cohort once by (``total_tariff``, ``leaver_id``), the rank
   order of the attainment measure, keeping only the columns the measures read.
2. A grouping gives every row an integer group code (mixed radix over the key columns, then
   compacted in ascending key order) and a stable sort by code, so each group is one contiguous
   run, in rank order inside.
3. Every figure is one ``np.bincount`` over ``group code x category``: tariff sums per
   attainment group, counts per literacy/numeracy level, counts per destination state.

Sums accumulate in a canonical order inside each group, so a group's figures are bit-for-bit
the same however the input was ordered or chunked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .cohort import VCCohort
from .ordering import order_by, stable_order

ATTAINMENT_SHARE_DENOMINATOR: Final = 5  # 20% = 1/5, kept integral to avoid float ceil errors.


def attainment_group_sizes(n: int | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sizes of the lowest 20%, middle 60% and highest 20% of a group of ``n`` leavers.

    * lowest 20% = the first ``ceil(0.2 n)`` leavers by rank (Insight, published);
    * highest 20% = the last ``ceil(0.2 n)`` leavers, but at most ``n - ceil(0.2 n)`` so the two
      never overlap (our rule; Insight publishes only the lowest-20% boundary);
    * middle 60% = the rest (our rule).

    ``ceil(0.2 n)`` is computed as ``(n + 4) // 5`` in integers: ``0.2 * 15`` is
    ``3.0000000000000004`` in floating point and would round up to 4.

    ===  ======  ======  =======
    n    lowest  middle  highest
    ===  ======  ======  =======
    1    1       0       0
    2    1       0       1
    3    1       1       1
    4    1       2       1
    5    1       3       1
    6    2       2       2
    ===  ======  ======  =======
    """
    size = np.asarray(n, dtype=np.int64)
    low = (size + ATTAINMENT_SHARE_DENOMINATOR - 1) // ATTAINMENT_SHARE_DENOMINATOR
    high = np.minimum(low, size - low)
    return low, size - low - high, high


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale * numerator / denominator``, NaN where the denominator is 0."""
    safe = np.where(denominator > 0, denominator, 1)
    return np.where(denominator > 0, scale * numerator / safe, np.nan)


# Literacy/numeracy levels above this count as this: the measures ask "level >= L" for L <= 6.
_TOP_LEVEL: Final = 7
# Per-row category for the count tables: min(literacy, numeracy) level (0..7) x destination pair.
_N_DESTINATION_STATES: Final = 9
_N_CATEGORIES: Final = (_TOP_LEVEL + 1) * _N_DESTINATION_STATES


class _Grouping:
    """Rows of a prepared cohort split into groups of ``keys``.

    ``code`` gives each row (in the cohort's stored order) its group, 0..G-1 in ascending key
    order; ``order`` lists the rows group by group, each group in rank order (``None`` when the
    stored order is that already); ``size`` and ``start`` describe the groups in that order;
    ``keys`` holds one row of key values per group.

    Steps: a mixed-radix integer over the keys' codes, made dense (``np.bincount`` of the codes
    present, or a sorted factorisation when the code space is large), then one packed-key sort
    (:func:`.ordering.order_by`) by (group, rank). The cohort's stored order is rank order
    inside each group of :attr:`PreparedCohort.base_keys`, so for keys that refine those the
    row position stands for the rank.
    """

    def __init__(
        self,
        cohort: PreparedCohort,
        keys: Sequence[str],
        code: np.ndarray | None = None,
        span: int = 1,
        *,
        ascending: bool = False,
    ) -> None:
        n = cohort.n
        if code is None:
            code = np.zeros(n, dtype=np.int64)
            for key in keys:
                values, size = cohort.encoded(key)
                if span * size > 2**40:  # keep the mixed-radix code far from int64 overflow
                    code = pd.factorize(code, sort=True)[0].astype(np.int64)
                    span = int(code.max()) + 1 if n else 1
                code = code * size + values
                span *= size
        if span <= max(4 * n, 2**16):
            # Small code space: the codes are group numbers as they are (ascending key order);
            # numbers no row has are empty groups, left out of every result (``present``).
            self.code = code
            self.n_groups = span
        else:
            dense, uniques = pd.factorize(code, sort=True)
            self.code = dense.astype(np.int64)
            self.n_groups = len(uniques)
        self.order: np.ndarray | None
        if set(cohort.base_keys) <= set(keys):
            # Position is rank inside every group: a stable sort by group code alone.
            sorted_already = ascending or n < 2 or bool((self.code[1:] >= self.code[:-1]).all())
            self.order = None if sorted_already else order_by(self.code)
            self.stored_in_rank_order = True
        else:
            self.order = order_by(self.code, cohort.rank_key())
            self.stored_in_rank_order = False
        if ascending:  # codes known ascending (a VC's school-years): sizes from the boundaries
            self.size = np.diff(np.searchsorted(self.code, np.arange(self.n_groups + 1)))
        else:
            self.size = np.bincount(self.code, minlength=self.n_groups)
        self.start = np.cumsum(self.size) - self.size
        self.present = np.flatnonzero(self.size)
        first = self.start[self.present]
        first = first if self.order is None else self.order[first]
        self.keys = pd.DataFrame({key: cohort.values(key, first) for key in keys})

    def grouped(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per stored row) in group order (:attr:`order`)."""
        return values if self.order is None else values[self.order]

    def run_codes(self, sizes: np.ndarray) -> np.ndarray:
        """For rows in group order: 0.. numbering consecutive runs of the given ``sizes``
        (e.g. ``size`` gives each row its group; sizes per group and band give (group, band))."""
        return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)

    def table(self, category: np.ndarray, n_categories: int, weights: np.ndarray | None = None) -> np.ndarray:
        """(groups x categories) counts of rows (any order), or sums of ``weights`` (group order:
        ``category`` and ``weights`` must be :meth:`grouped`)."""
        if weights is None:
            flat = self.code * n_categories + category
        else:
            flat = self.run_codes(self.size) * n_categories + category
        cells = self.n_groups * n_categories
        return np.bincount(flat, weights=weights, minlength=cells).reshape(self.n_groups, n_categories)


class PreparedCohort:
    """The columns of a cohort that the measures read, as arrays in rank order.

    Rank order (our tie rule; Insight publishes none): ascending ``total_tariff``, ties by
    ``leaver_id``. The tie rule only fixes *which* tied leaver falls either side of a 20%
    boundary: tied leavers have equal tariffs, so no average changes. When the cohort carries
    ``tariff_rank`` (added by :func:`.cohort.leaver_table`) that integer is sorted on instead of
    the (float, int) pair, which is several times faster and gives the same order.

    A :class:`.cohort.VCCohort` is stored grouped by school and year instead, rank order inside
    each (``base_keys``; its own :meth:`~.cohort.VCCohort.group_major_rows`): every VC measure
    is per school and year, so that order serves them all without a second sort, and only the
    columns a measure reads are gathered from the leaver table.

    ``extra_columns`` are the grouping keys and breakdown dimensions to keep. Text and
    categorical columns are held as integer codes (sorted labels) so grouping never hashes text.
    Every column is prepared when a measure first needs it.
    """

    def __init__(
        self,
        cohort: pd.DataFrame | Mapping[str, np.ndarray | pd.Categorical],
        extra_columns: Sequence[str] = (),
    ) -> None:
        self._cohort = cohort
        self._extra = tuple(dict.fromkeys(extra_columns))
        self.base_keys: tuple[str, ...] = ()
        self._groupings: dict[tuple[str, ...], _Grouping] = {}
        self._encoded: dict[str, tuple[np.ndarray, int]] = {}
        self._data: dict[str, np.ndarray] = {}
        self.labels: dict[str, np.ndarray] = {}
        self._rank_key: np.ndarray | None = None
        self._vc: VCCohort | None = cohort if isinstance(cohort, VCCohort) else None
        self._order: np.ndarray | slice = slice(None)
        self._vc_group: tuple[np.ndarray, int] | None = None
        self._group_keys: dict[str, np.ndarray] = {}
        self._ranks: np.ndarray = np.zeros(0, dtype=np.int64)
        self._row_of_rank: np.ndarray | None = None
        if self._vc is not None:
            self.n = self._vc.n_rows
            self._ranks, group, self._group_keys, self._row_of_rank = self._vc.group_major_rows()
            self._vc_group = (group, len(self._group_keys[c.YEAR]))
            self.base_keys = (c.ESTABLISHMENT_ID, c.YEAR)
        else:
            self.n = len(cohort[c.TOTAL_TARIFF])
            if c.TARIFF_RANK in cohort:
                rank = np.asarray(cohort[c.TARIFF_RANK])
                # Already in rank order: no sort, and no gathers below.
                if not (rank[1:] >= rank[:-1]).all():
                    self._order = stable_order(rank)
            else:
                ids = np.asarray(cohort[c.LEAVER_ID], dtype=np.int64)
                self._order = np.lexsort((ids, np.asarray(cohort[c.TOTAL_TARIFF], dtype=np.float64)))
        self.tariff = self._column(c.TOTAL_TARIFF).astype(np.float64, copy=False)
        self.category = self._categories()
        # Whole tariffs whose sum of magnitudes stays below 2**53 add exactly in any order, so
        # run sums may come from one running total (checked on the leaver table for a VC).
        source = self.tariff if self._vc is None else self._vc.table[c.TOTAL_TARIFF].to_numpy(dtype=np.float64)
        self.exact_sums = len(source) == 0 or bool(
            np.isfinite(source).all()
            and float(np.abs(source).max()) * max(self.n, 1) < 2.0**53
            and (np.floor(source) == source).all()
        )

    # --- columns -------------------------------------------------------------------------------

    def _column(self, name: str, pool: np.ndarray | None = None, rows: np.ndarray | None = None) -> np.ndarray:
        """Column ``name`` in stored order, or at stored ``rows`` only.

        For a VC, ``pool`` gives values per leaver-table row to gather instead of the column
        (``establishment_id`` and ``year`` are the target's, everything else the comparator's).
        """
        if self._vc is not None:
            if name in self._group_keys:  # the target's school and year: from the group number
                assert self._vc_group is not None
                group = self._vc_group[0]
                return self._group_keys[name][group if rows is None else group[rows]]
            values = self._vc.table[name].to_numpy() if pool is None else pool
            if self._row_of_rank is not None:
                values = values[self._row_of_rank]  # per rank: one small gather, then by rank
            return values[self._ranks if rows is None else self._ranks[rows]]
        column = np.asarray(self._cohort[name])[self._order]
        return column if rows is None else column[rows]

    def _categories(self) -> np.ndarray:
        """Per row: min(literacy, numeracy) level (clipped to 0..7) x 9 + destination pair.

        Destination pair: 0 unknown, 1 not positive, 2 positive; initial x 3 + follow-up. A VC
        computes it once per leaver-table row and gathers one small integer per comparator.
        """

        def categories(frame: pd.DataFrame | Mapping[str, np.ndarray | pd.Categorical]) -> np.ndarray:
            level = np.minimum(
                np.asarray(frame[c.LITERACY_LEVEL], dtype=np.int64), np.asarray(frame[c.NUMERACY_LEVEL], dtype=np.int64)
            )
            out = np.clip(level, 0, _TOP_LEVEL) * _N_DESTINATION_STATES
            for name, weight in ((c.INITIAL_POSITIVE, 3), (c.FOLLOWUP_POSITIVE, 1)):
                value = np.asarray(frame[name], dtype=np.float64)
                out += weight * np.where(np.isnan(value), 0, np.where(value == 1.0, 2, 1))
            return out

        if self._vc is not None:
            return self._column(c.LEAVER_ID, pool=categories(self._vc.table).astype(np.int8))
        if isinstance(self._order, slice):
            return categories(self._cohort)
        return categories(self._cohort)[self._order]

    def _band(self, name: str) -> np.ndarray | None:
        """SIMD decile or quintile, 0-based (the quintile from the decile when not carried)."""
        key = f"band:{name}"
        if key not in self._data:
            if name in self._cohort:
                self._data[key] = self._column(name).astype(np.int64) - 1
            elif name == c.SIMD_QUINTILE and c.SIMD_DECILE in self._cohort:
                decile = self._band(c.SIMD_DECILE)
                assert decile is not None
                self._data[key] = decile // 2
            else:
                return None
        return self._data[key]

    @property
    def decile(self) -> np.ndarray | None:
        return self._band(c.SIMD_DECILE)

    @property
    def quintile(self) -> np.ndarray | None:
        return self._band(c.SIMD_QUINTILE)

    def data(self, column: str) -> np.ndarray:
        """Values (or codes, see :attr:`labels`) of an extra column in stored order."""
        if column not in self._data:
            if column not in self._extra:
                raise KeyError(column)
            if self._vc is not None:
                values = self._vc.table[column].to_numpy()
                if values.dtype == object:
                    codes, self.labels[column] = pd.factorize(values, sort=True)
                    self._data[column] = self._column(column, pool=codes.astype(np.int64))
                else:
                    self._data[column] = self._column(column)
                return self._data[column]
            cohort = self._cohort
            series = cohort[column] if isinstance(cohort, pd.DataFrame) else pd.Series(cohort[column], copy=False)
            if isinstance(series.dtype, pd.CategoricalDtype):
                codes, labels = series.cat.codes.to_numpy(), np.asarray(series.cat.categories)
            elif series.dtype == object:
                codes, labels = pd.factorize(series.to_numpy(), sort=True)
            else:
                self._data[column] = series.to_numpy()[self._order]
                return self._data[column]
            self._data[column], self.labels[column] = codes.astype(np.int64)[self._order], labels
        return self._data[column]

    def values(self, column: str, rows: np.ndarray) -> np.ndarray:
        """The original values of ``column`` at ``rows`` (labels restored for coded columns)."""
        if self._vc is not None and column not in self._data and column in self._extra:
            return self._column(column, rows=rows)  # a few rows of a VC: no need for the column
        data = self.data(column)
        if column in self.labels:
            return self.labels[column][data[rows]]
        return data[rows]

    def encoded(self, column: str) -> tuple[np.ndarray, int]:
        """Integer codes of ``column`` in ascending value order, and how many codes there are."""
        if column not in self._encoded:
            values = self.data(column)
            if values.dtype.kind in "iu" and self.n:
                low, high = int(values.min()), int(values.max())
                if high - low < 2**20:  # small integer range: offsets are codes, no hashing
                    self._encoded[column] = (values.astype(np.int64) - low, high - low + 1)
                    return self._encoded[column]
            codes, uniques = pd.factorize(values, sort=True)
            self._encoded[column] = (codes.astype(np.int64), max(len(uniques), 1))
        return self._encoded[column]

    def rank_key(self) -> np.ndarray:
        """Per stored row, an integer whose order is rank order (for groupings across schools)."""
        if self._rank_key is None:
            if self._vc is not None:
                self._rank_key = self._column(c.TARIFF_RANK)
            else:
                self._rank_key = np.arange(self.n, dtype=np.int64)
        return self._rank_key

    def grouping(self, keys: Sequence[str]) -> _Grouping:
        """The (cached) split of the rows into groups of ``keys``.

        A grouping that adds one key to a cached one (a breakdown of the school's groups) builds
        its code from the cached group numbers; a VC's school-year grouping is the stored order.
        """
        wanted = tuple(keys)
        if wanted not in self._groupings:
            parent = self._groupings.get(wanted[:-1]) if len(wanted) > 1 else None
            if parent is not None:
                values, size = self.encoded(wanted[-1])
                grouping = _Grouping(self, wanted, parent.code * size + values, parent.n_groups * size)
            elif self._vc_group is not None and wanted == self.base_keys:
                grouping = _Grouping(self, wanted, self._vc_group[0], self._vc_group[1], ascending=True)
            else:
                grouping = _Grouping(self, wanted)
            self._groupings[wanted] = grouping
        return self._groupings[wanted]

    # --- measures ------------------------------------------------------------------------------

    def headline(self, keys: Sequence[str]) -> pd.DataFrame:
        """See :func:`headline_measures`.

        Steps, for all groups at once:

        1. Group the rows (:class:`_Grouping`): each group contiguous, in rank order.
        2. Average total tariff: the tariffs summed group by group in rank order
           (``np.bincount`` adds in row order), over the group size.
        3. Improving attainment for all: sizes of the lowest 20%, middle 60% and highest 20%
           (:func:`attainment_group_sizes`); since each group is in rank order, its bands are
           three consecutive runs, and one ``np.bincount`` sums the tariffs of every
           (group, band) run in rank order.
        4. Literacy/numeracy and destinations: one table of counts of (group, category), the
           category being min(literacy, numeracy) level x destination pair; counts do not
           depend on order. "Level >= L" is the cumulative count from the top.
        """
        groups = self.grouping(keys)
        size = groups.size
        tariff = groups.grouped(self.tariff)
        out: dict[str, np.ndarray] = {c.N_LEAVERS: size}
        n_low, n_mid, n_high = attainment_group_sizes(size)
        runs = np.stack([n_low, n_mid, n_high], axis=1).reshape(-1)
        tariff_sums: np.ndarray
        if self.exact_sums:
            # Every partial sum is exact, so any order of adding gives the rank-order sums:
            # the runs (which tile the rows) are summed by one ``np.add.reduceat``, and a
            # group's total is the sum of its three runs.
            sums = np.zeros(len(runs), dtype=np.float64)
            filled = np.flatnonzero(runs)
            if len(filled):
                sums[filled] = np.add.reduceat(tariff, (np.cumsum(runs) - runs)[filled]) + 0.0  # no -0.0
            tariff_sums = sums.reshape(-1, 3)
            total = tariff_sums.sum(axis=1)
        else:
            if groups.stored_in_rank_order:  # each group's rows are in rank order where they are
                total = np.bincount(groups.code, self.tariff, groups.n_groups)
            else:
                total = np.bincount(groups.run_codes(size), tariff, groups.n_groups)
            tariff_sums = np.bincount(groups.run_codes(runs), tariff, 3 * groups.n_groups).reshape(-1, 3)
        out[c.AVG_TOTAL_TARIFF] = _ratio(total, size)
        for index, (group, n_in) in enumerate(((c.LOWEST20, n_low), (c.MIDDLE60, n_mid), (c.HIGHEST20, n_high))):
            out[c.n_group(group)] = n_in
            out[c.avg_tariff(group)] = _ratio(tariff_sums[:, index], n_in)

        counts = groups.table(self.category, _N_CATEGORIES).reshape(-1, _TOP_LEVEL + 1, 3, 3)
        by_level = counts.sum(axis=(2, 3))
        at_least = by_level[:, ::-1].cumsum(axis=1)[:, ::-1]  # column L: leavers with level >= L
        for level in c.LIT_NUM_LEVELS:
            out[c.pct_lit_num(level)] = _ratio(at_least[:, level], size, 100.0)

        states = counts.sum(axis=1)  # (groups x 3 x 3) table of (initial, follow-up) states
        initial_known = states[:, 1:, :].sum(axis=(1, 2))
        followup_known = states[:, :, 1:].sum(axis=(1, 2))
        both_known = states[:, 1:, 1:].sum(axis=(1, 2))
        out[c.N_INITIAL_KNOWN] = initial_known
        out[c.PCT_INITIAL_POSITIVE] = _ratio(states[:, 2, :].sum(axis=1), initial_known, 100.0)
        out[c.N_FOLLOWUP_KNOWN] = followup_known
        out[c.PCT_FOLLOWUP_POSITIVE] = _ratio(states[:, :, 2].sum(axis=1), followup_known, 100.0)
        out[c.N_SUSTAINED_KNOWN] = both_known
        out[c.PCT_SUSTAINED_POSITIVE] = _ratio(states[:, 2, 2], both_known, 100.0)

        measures = pd.DataFrame(
            {
                col: np.asarray(out[col][groups.present], dtype=np.int64 if col.startswith("n_") else np.float64)
                for col in c.HEADLINE_MEASURES
            }
        )
        return pd.concat([groups.keys, measures], axis=1)

    def deprivation(self, keys: Sequence[str]) -> pd.DataFrame:
        """See :func:`deprivation_measures`. Counts and tariff sums of (group, band), the sums
        taken group by group in rank order."""
        if self.quintile is None or self.decile is None:
            raise ValueError("attainment versus deprivation needs simd_decile")
        groups = self.grouping(keys)
        tariff = self.tariff if groups.stored_in_rank_order else groups.grouped(self.tariff)
        n_cells, totals = [], []
        for band, n_bands in ((self.quintile, 5), (self.decile, 10)):
            n_cells.append(groups.table(band, n_bands)[groups.present])
            if groups.stored_in_rank_order:
                sums = np.bincount(groups.code * n_bands + band, self.tariff, groups.n_groups * n_bands)
                totals.append(sums.reshape(groups.n_groups, n_bands)[groups.present])
            else:
                totals.append(groups.table(groups.grouped(band), n_bands, tariff)[groups.present])
        n_groups = len(groups.present)
        n = np.hstack(n_cells).reshape(-1)  # per group: quintiles 1-5, then deciles 1-10
        out = groups.keys.loc[groups.keys.index.repeat(15)].reset_index(drop=True)
        out[c.SIMD_BAND_KIND] = np.tile(np.array([c.BAND_QUINTILE] * 5 + [c.BAND_DECILE] * 10, dtype=object), n_groups)
        out[c.SIMD_BAND] = np.tile(np.r_[1:6, 1:11].astype(np.int64), n_groups)
        out[c.N_LEAVERS] = n.astype(np.int64)
        out[c.AVG_TOTAL_TARIFF] = _ratio(np.hstack(totals).reshape(-1), n)
        return out

    def breakdowns(self, keys: Sequence[str], dimensions: Sequence[str]) -> pd.DataFrame:
        """See :func:`breakdown_measures`."""
        parts = []
        for dimension in dimensions:
            part = self.headline([*keys, dimension])
            part.insert(len(keys), c.BREAKDOWN, dimension)
            part.insert(len(keys) + 1, c.BREAKDOWN_VALUE, _label(part.pop(dimension)))
            parts.append(part)
        return pd.concat(parts, ignore_index=True)


def _label(values: pd.Series) -> pd.Series:
    """Breakdown values as text: booleans as "yes"/"no", everything else ``str``."""
    if values.dtype == bool:
        return values.map({True: "yes", False: "no"}).astype(object)
    return values.astype(str).astype(object)


def headline_measures(cohort: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """The headline figures of the four national measures per group of ``keys``.

    1. ``n_leavers``: rows in the group (a VC counts duplicate comparators twice).
       ``avg_total_tariff``: their mean total tariff.
    2. *Improving attainment for all* (Insight, published): rank by total tariff ascending
       (ties by ``leaver_id``, see :class:`PreparedCohort`); split into lowest 20% / middle 60% /
       highest 20% by :func:`attainment_group_sizes`; report ``n_<group>`` and
       ``avg_tariff_<group>`` (NaN for an empty group).
    3. *Literacy and numeracy* (Insight, published for levels 4 and 5; 3 and 6 offered for the
       3/4 and 5/6 pairs): ``pct_lit_num_scqf<L>`` = 100 x share of leavers with both
       ``literacy_level >= L`` and ``numeracy_level >= L``; denominator ``n_leavers``.
    4. *Destinations* (Insight, published): ``pct_initial_positive`` = 100 x positive / leavers
       with a known initial destination (``n_initial_known``); likewise follow-up.
       ``pct_sustained_positive``: positive at both, over leavers with both known
       (``n_sustained_known``; our rule for the denominator). NaN when nobody is known.

    *Attainment versus deprivation* is :func:`deprivation_measures`.

    Returns ``keys`` + :data:`.columns.HEADLINE_MEASURES`, one row per group with leavers,
    sorted by ``keys``.
    """
    return PreparedCohort(cohort, keys).headline(keys)


def deprivation_measures(cohort: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """*Attainment versus deprivation*: average total tariff by SIMD quintile and by decile.

    Insight (published): by SIMD quintile; deciles are offered as well (DOMAIN). Every group of
    ``keys`` gets a complete grid of bands (quintiles 1-5, deciles 1-10); an empty band has
    ``n_leavers`` 0 and ``avg_total_tariff`` NaN, so charts keep their axes and the disclosure
    layer sees every cell's n.

    Returns ``keys``, ``simd_band_kind`` ("quintile"/"decile"), ``simd_band``, ``n_leavers``,
    ``avg_total_tariff``; sorted by keys, kind (quintile first), band.
    """
    return PreparedCohort(cohort, keys).deprivation(keys)


def breakdown_measures(
    cohort: pd.DataFrame,
    keys: Sequence[str],
    dimensions: Sequence[str] = c.BREAKDOWN_DIMENSIONS,
) -> pd.DataFrame:
    """Headline measures per group of ``keys`` split by each breakdown dimension in turn.

    Dimensions default to sex, SIMD quintile, ASN and care experience. Each cell's measures are
    computed exactly as :func:`headline_measures` on the cell's leavers alone (e.g. the lowest
    20% of a school's girls). Every row carries ``n_leavers`` and the destination n's so the
    disclosure layer can suppress small cells. Only cells with leavers appear.

    Returns ``keys``, ``breakdown`` (dimension name), ``breakdown_value`` (text: "F", "3",
    "yes"...), then :data:`.columns.HEADLINE_MEASURES`; sorted by dimension (in the order
    given), then keys, then value.
    """
    return PreparedCohort(cohort, [*keys, *dimensions]).breakdowns(keys, dimensions)
