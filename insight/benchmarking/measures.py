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

ATTAINMENT_SHARE_DENOMINATOR: Final = 5  # 20% = 1/5, kept integral to avoid float ceil errors.

_MAX_LEVEL: Final = 16  # SCQF levels run 1..12; 0 means "none".


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


def stable_order(values: np.ndarray) -> np.ndarray:
    """Stable argsort of non-negative integers below 2**32, by two 16-bit radix passes.

    numpy sorts 16-bit integers with a radix sort; chaining a pass on the low and then on the
    high 16 bits is a stable sort about 2.5 times faster than ``argsort(kind="stable")``.
    """
    values = np.asarray(values, dtype=np.int64)
    if len(values) and (values.min() < 0 or values.max() >= 2**32):
        return np.argsort(values, kind="stable")
    order = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    if len(values) and values.max() >= 2**16:
        order = order[np.argsort((values[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _ratio(numerator: np.ndarray, denominator: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """``scale * numerator / denominator``, NaN where the denominator is 0."""
    safe = np.where(denominator > 0, denominator, 1)
    return np.where(denominator > 0, scale * numerator / safe, np.nan)


class _Grouping:
    """Rows of a prepared cohort split into groups of ``keys``.

    ``code`` gives each row its group (0..G-1, groups in ascending key order); ``size`` and
    ``start`` describe the groups; ``keys`` holds one row of key values per group. Rows keep the
    cohort's rank order, so per-group sums accumulate in rank order.
    """

    def __init__(self, cohort: PreparedCohort, keys: Sequence[str]) -> None:
        n = cohort.n
        code = np.zeros(n, dtype=np.int64)
        span = 1
        for key in keys:
            values, size = cohort.encoded(key)
            if span * size > 2**40:  # keep the mixed-radix code far from int64 overflow
                code = pd.factorize(code, sort=True)[0].astype(np.int64)
                span = int(code.max()) + 1 if n else 1
            code = code * size + values
            span *= size
        if span <= max(4 * n, 2**16):
            # Small code space: mark the codes present and number them in ascending order.
            present = np.bincount(code, minlength=span) > 0
            self.code = (np.cumsum(present) - 1)[code]
            self.n_groups = int(present.sum())
        else:
            dense, uniques = pd.factorize(code, sort=True)
            self.code = dense.astype(np.int64)
            self.n_groups = len(uniques)
        self.size = np.bincount(self.code, minlength=self.n_groups)
        self.start = np.cumsum(self.size) - self.size
        first = np.full(self.n_groups, n, dtype=np.int64)
        np.minimum.at(first, self.code, np.arange(n, dtype=np.int64))
        self.keys = pd.DataFrame({key: cohort.values(key, first) for key in keys})

    def rank(self) -> np.ndarray:
        """Each row's 0-based rank inside its group (rows are in rank order already)."""
        order = stable_order(self.code)  # group by group, rank order inside
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order), dtype=np.int64) - np.repeat(self.start, self.size)
        return rank

    def table(self, category: np.ndarray, n_categories: int, weights: np.ndarray | None = None) -> np.ndarray:
        """(groups x categories) counts of rows, or sums of ``weights``."""
        flat = self.code * n_categories + category
        cells = self.n_groups * n_categories
        return np.bincount(flat, weights=weights, minlength=cells).reshape(self.n_groups, n_categories)


class PreparedCohort:
    """The columns of a cohort that the measures read, as arrays sorted by rank.

    Rank order (our tie rule; Insight publishes none): ascending ``total_tariff``, ties by
    ``leaver_id``. The tie rule only fixes *which* tied leaver falls either side of a 20%
    boundary: tied leavers have equal tariffs, so no average changes. When the cohort carries
    ``tariff_rank`` (added by :func:`.cohort.leaver_table`) that integer is sorted on instead of
    the (float, int) pair, which is several times faster and gives the same order.

    ``extra_columns`` are the grouping keys and breakdown dimensions to keep. Text and
    categorical columns are held as integer codes (sorted labels) so grouping never hashes text.
    """

    def __init__(
        self,
        cohort: pd.DataFrame | Mapping[str, np.ndarray | pd.Categorical],
        extra_columns: Sequence[str] = (),
    ) -> None:
        self.n = len(cohort[c.TOTAL_TARIFF])
        order: np.ndarray | slice
        if c.TARIFF_RANK in cohort:
            rank = np.asarray(cohort[c.TARIFF_RANK])
            # Already in rank order (e.g. a VC cohort): no sort, and no gathers below.
            order = slice(None) if (rank[1:] >= rank[:-1]).all() else stable_order(rank)
        else:
            ids = np.asarray(cohort[c.LEAVER_ID], dtype=np.int64)
            order = np.lexsort((ids, np.asarray(cohort[c.TOTAL_TARIFF], dtype=np.float64)))
        self.data: dict[str, np.ndarray] = {}
        self.labels: dict[str, np.ndarray] = {}
        for col in dict.fromkeys(extra_columns):
            series = cohort[col] if isinstance(cohort, pd.DataFrame) else pd.Series(cohort[col], copy=False)
            if isinstance(series.dtype, pd.CategoricalDtype):
                codes, labels = series.cat.codes.to_numpy(), np.asarray(series.cat.categories)
            elif series.dtype == object:
                codes, labels = pd.factorize(series.to_numpy(), sort=True)
            else:
                self.data[col] = series.to_numpy()[order]
                continue
            self.data[col], self.labels[col] = codes.astype(np.int64)[order], labels

        def column(name: str, dtype: type) -> np.ndarray:
            return np.asarray(cohort[name], dtype=dtype)[order]

        self.tariff = column(c.TOTAL_TARIFF, np.float64)
        both = np.minimum(column(c.LITERACY_LEVEL, np.int64), column(c.NUMERACY_LEVEL, np.int64))
        self.lit_num = np.clip(both, 0, _MAX_LEVEL - 1)
        # Destination state pair: 0 unknown, 1 not positive, 2 positive; initial * 3 + follow-up.
        states = []
        for name in (c.INITIAL_POSITIVE, c.FOLLOWUP_POSITIVE):
            value = column(name, np.float64)
            states.append(np.where(np.isnan(value), 0, np.where(value == 1.0, 2, 1)))
        self.destination = states[0] * 3 + states[1]
        # SIMD bands (0-based) are only needed for attainment versus deprivation.
        self.decile: np.ndarray | None = None
        self.quintile: np.ndarray | None = None
        if c.SIMD_DECILE in cohort:
            self.decile = column(c.SIMD_DECILE, np.int64) - 1
        if c.SIMD_QUINTILE in cohort:
            self.quintile = column(c.SIMD_QUINTILE, np.int64) - 1
        elif self.decile is not None:
            self.quintile = self.decile // 2
        self._encoded: dict[str, tuple[np.ndarray, int]] = {}

    def values(self, column: str, rows: np.ndarray) -> np.ndarray:
        """The original values of ``column`` at ``rows`` (labels restored for coded columns)."""
        if column in self.labels:
            return self.labels[column][self.data[column][rows]]
        return self.data[column][rows]

    def encoded(self, column: str) -> tuple[np.ndarray, int]:
        """Integer codes of ``column`` in ascending value order, and how many codes there are."""
        if column not in self._encoded:
            values = self.data[column]
            if values.dtype.kind in "iu" and self.n:
                low, high = int(values.min()), int(values.max())
                if high - low < 2**20:  # small integer range: offsets are codes, no hashing
                    self._encoded[column] = (values.astype(np.int64) - low, high - low + 1)
                    return self._encoded[column]
            codes, uniques = pd.factorize(values, sort=True)
            self._encoded[column] = (codes.astype(np.int64), max(len(uniques), 1))
        return self._encoded[column]

    def headline(self, keys: Sequence[str]) -> pd.DataFrame:
        """See :func:`headline_measures`."""
        groups = _Grouping(self, keys)
        size = groups.size
        out: dict[str, np.ndarray] = {c.N_LEAVERS: size}
        out[c.AVG_TOTAL_TARIFF] = _ratio(np.bincount(groups.code, self.tariff, groups.n_groups), size)

        # Improving attainment for all: rank inside the group, then 0 low / 1 middle / 2 high.
        rank = groups.rank()
        n_low, n_mid, n_high = attainment_group_sizes(size)
        band = np.where(rank < n_low[groups.code], 0, 1)
        band = np.where(rank >= (size - n_high)[groups.code], 2, band)
        tariff_sums = groups.table(band, 3, self.tariff)
        for index, (group, n_in) in enumerate(((c.LOWEST20, n_low), (c.MIDDLE60, n_mid), (c.HIGHEST20, n_high))):
            out[c.n_group(group)] = n_in
            out[c.avg_tariff(group)] = _ratio(tariff_sums[:, index], n_in)

        # Literacy and numeracy: count leavers by min(literacy level, numeracy level).
        by_level = groups.table(self.lit_num, _MAX_LEVEL)
        at_least = by_level[:, ::-1].cumsum(axis=1)[:, ::-1]  # column L: leavers with level >= L
        for level in c.LIT_NUM_LEVELS:
            out[c.pct_lit_num(level)] = _ratio(at_least[:, level], size, 100.0)

        # Destinations: one (groups x 3 x 3) table of (initial, follow-up) states.
        states = groups.table(self.destination, 9).reshape(-1, 3, 3)
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
                col: np.asarray(out[col], dtype=np.int64 if col.startswith("n_") else np.float64)
                for col in c.HEADLINE_MEASURES
            }
        )
        return pd.concat([groups.keys, measures], axis=1)

    def deprivation(self, keys: Sequence[str]) -> pd.DataFrame:
        """See :func:`deprivation_measures`."""
        if self.quintile is None or self.decile is None:
            raise ValueError("attainment versus deprivation needs simd_decile")
        groups = _Grouping(self, keys)
        n_cells, totals = [], []
        for band, n_bands in ((self.quintile, 5), (self.decile, 10)):
            n_cells.append(groups.table(band, n_bands))
            totals.append(groups.table(band, n_bands, self.tariff))
        n = np.hstack(n_cells).reshape(-1)  # per group: quintiles 1-5, then deciles 1-10
        out = groups.keys.loc[groups.keys.index.repeat(15)].reset_index(drop=True)
        out[c.SIMD_BAND_KIND] = np.tile(
            np.array([c.BAND_QUINTILE] * 5 + [c.BAND_DECILE] * 10, dtype=object), groups.n_groups
        )
        out[c.SIMD_BAND] = np.tile(np.r_[1:6, 1:11].astype(np.int64), groups.n_groups)
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
