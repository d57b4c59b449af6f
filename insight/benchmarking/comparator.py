"""The virtual comparator (VC) draw.

Insight (published): for every leaver in a school, 10 leavers are drawn at random from schools in
other local authorities who share the same sex, ASN status, stage of leaving and SIMD.

Our rules, where Insight publishes none:

* SIMD is matched by decile, and comparators come from the same leaver year.
* Draws are with replacement (a comparator may be drawn twice for one leaver, or for two).
* If a leaver's cell has no candidate in another authority, SIMD is relaxed from decile to
  quintile (level 1), then ASN status is dropped as well (level 2). A leaver with no candidate
  even then (level 3) gets no comparators: it is left out of its school's VC and counted.
* Seeding: one ``numpy.random.Generator`` per (run seed, year, establishment), made with
  ``np.random.default_rng([seed, year, establishment_id])``; its leavers draw in ``leaver_id``
  order, 10 draws each. A school's VC therefore depends only on the seed and the pool, never on
  how the run is chunked (by year, by authority) or on input row order.

How the draw is vectorised (no per-leaver Python loop):

1. Encode each match level's cell (e.g. year, sex, ASN, stage, decile) as one integer, and the
   authority as a second integer, giving a composite ``cell * n_authorities + authority``.
2. Sort the pool by (composite, ``leaver_id``). Each cell is then one contiguous run of rows and,
   inside it, each authority is one contiguous block.
3. For a leaver, find the cell's run ``[lo, hi)`` and its own authority's block
   ``[block_lo, block_hi)`` in the sorted pool (run boundaries, no per-leaver search). Its
   candidates are the cell minus its own block: ``count = (hi - lo) - (block_hi - block_lo)``.
4. Draw ``u`` uniformly in ``[0, count)``; map it to a pool row by skipping the own block:
   ``row = lo + u + (block_len if u >= block_lo - lo else 0)``.

The Python loop that remains is over (year, establishment) groups, one generator each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from . import seeding
from .cohort import simd_quintile
from .ordering import dense_codes, inverse, order_by

N_COMPARATORS: Final = 10  # Insight (published): ten comparator leavers per leaver.

RELAX_EXACT: Final = 0
RELAX_QUINTILE: Final = 1
RELAX_QUINTILE_NO_ASN: Final = 2
RELAX_UNMATCHED: Final = 3

# The cell definition at each relaxation level (ours: decile -> quintile -> quintile without ASN).
MATCH_KEYS: Final = (
    (c.YEAR, c.SEX, c.ASN, c.STAGE, c.SIMD_DECILE),
    (c.YEAR, c.SEX, c.ASN, c.STAGE, c.SIMD_QUINTILE),
    (c.YEAR, c.SEX, c.STAGE, c.SIMD_QUINTILE),
)


@dataclass(frozen=True)
class CandidateCells:
    """Where every chunk leaver's candidates sit in the sorted pool. Independent of the seed.

    Arrays are aligned, one entry per chunk leaver, in canonical draw order
    (``establishment_id``, ``year``, ``leaver_id``); ``row`` is the leaver's row in the pool
    frame. ``cell_start`` indexes ``pool_rows``, which concatenates the pool's row numbers sorted
    for each match level in turn; ``pool_leaver_ids`` maps a pool row to its leaver id.
    """

    row: np.ndarray
    leaver_id: np.ndarray
    establishment_id: np.ndarray
    year: np.ndarray
    relaxation: np.ndarray
    n_candidates: np.ndarray
    cell_start: np.ndarray
    block_offset: np.ndarray
    block_len: np.ndarray
    pool_rows: np.ndarray
    pool_leaver_ids: np.ndarray

    def relaxation_frame(self) -> pd.DataFrame:
        """Per chunk leaver: ``leaver_id``, ``establishment_id``, ``year``, ``relaxation``,
        ``n_candidates`` (candidates at the level used; 0 when unmatched)."""
        return pd.DataFrame(
            {
                c.LEAVER_ID: self.leaver_id,
                c.ESTABLISHMENT_ID: self.establishment_id,
                c.YEAR: self.year,
                c.RELAXATION: self.relaxation,
                c.N_CANDIDATES: self.n_candidates,
            }
        )


@dataclass(frozen=True)
class ComparatorDraw:
    """One VC draw: ``comparators`` (``leaver_id``, ``comparator_id``; ten rows per matched leaver
    in draw order) and ``relaxation`` (see :meth:`CandidateCells.relaxation_frame`)."""

    comparators: pd.DataFrame
    relaxation: pd.DataFrame


def _codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense integer codes in sorted value order (so codes never depend on row order)."""
    return dense_codes(values)


def _cell_codes(
    pool: pd.DataFrame, keys: Iterable[str], cache: dict[str, tuple[np.ndarray, int]] | None = None
) -> np.ndarray:
    """Mixed-radix integer code of the cell ``keys`` for every pool row (``cache``: codes per key,
    shared by the relaxation levels)."""
    cache = {} if cache is None else cache
    code = np.zeros(len(pool), dtype=np.int64)
    for key in keys:
        if key not in cache:
            cache[key] = _codes(pool[key].to_numpy())
        codes, size = cache[key]
        code = code * size + codes
    return code


def _run_bounds(sorted_values: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``[start, end)`` of the run of equal values containing each of ``positions``."""
    n = len(sorted_values)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = sorted_values[1:] != sorted_values[:-1]
    run_start = np.flatnonzero(new_run)
    run_end = np.append(run_start[1:], n)
    run_of = np.cumsum(new_run) - 1
    return run_start[run_of[positions]], run_end[run_of[positions]]


def _cell_bounds(
    cell: np.ndarray, composite: np.ndarray, n_authorities: int, order: np.ndarray, query: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per query row, ``[lo, hi)`` of its cell and ``[block_lo, block_hi)`` of its own
    authority's block in the pool sorted by ``composite`` (``order``).

    The pool sorted by ``cell * n_authorities + authority`` holds, before a cell's run, exactly
    the rows of smaller cells, and before a block the rows of smaller composites: so the bounds
    are running counts (``np.bincount``, no look-up in the sorted pool) when the code space is
    small; otherwise the runs are found in the sorted pool itself.
    """
    n_pool = len(cell)
    span = (int(cell.max()) + 1) * n_authorities if n_pool else 1
    if span <= 4 * n_pool + 2**16:
        block_count = np.bincount(composite, minlength=span)
        block_start = np.cumsum(block_count) - block_count
        cell_count = block_count.reshape(-1, n_authorities).sum(axis=1)
        cell_start = np.cumsum(cell_count) - cell_count
        in_cell, in_block = cell[query], composite[query]
        lo, block_lo = cell_start[in_cell], block_start[in_block]
        return lo, lo + cell_count[in_cell], block_lo, block_lo + block_count[in_block]
    # Where each pool row sits in the sorted pool, then the runs it belongs to there.
    p = inverse(order)[query]
    lo, hi = _run_bounds(cell[order], p)
    block_lo, block_hi = _run_bounds(composite[order], p)
    return lo, hi, block_lo, block_hi


def find_candidates(leavers: pd.DataFrame, *, establishment_ids: Iterable[int] | None = None) -> CandidateCells:
    """Locate every chunk leaver's candidate cell and pick its relaxation level.

    ``leavers`` is the pool: every leaver of the years concerned, all authorities (the loader's
    leavers frame or a :func:`.cohort.leaver_table`). ``establishment_ids`` restricts the leavers
    that *receive* comparators (the chunk); ``None`` means all of them. The pool is never
    restricted, so a chunk's draws equal the same schools' draws in a one-shot run.

    Steps per relaxation level 0, 1, 2 (see module docstring, steps 1-3): cell code, sort, run
    boundaries, ``count = cell size - own-authority block size``. The level used is the first with a
    positive count; level 3 (unmatched) when none has one. Each key is coded once for all levels
    (small integer ranges as offsets, no hashing), and every sort is a packed-key ``np.sort``
    (:func:`.ordering.order_by`); a pool already in ``leaver_id`` order (a leaver table) needs
    no id key, since row position breaks ties the same way.
    """
    n_pool = len(leavers)
    ids = leavers[c.LEAVER_ID].to_numpy(dtype=np.int64)
    establishment = leavers[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64)
    year = leavers[c.YEAR].to_numpy(dtype=np.int64)
    pool = leavers
    if c.SIMD_QUINTILE not in pool.columns:
        pool = pool.assign(**{c.SIMD_QUINTILE: simd_quintile(pool[c.SIMD_DECILE].to_numpy())})

    if establishment_ids is None:
        in_chunk = np.ones(n_pool, dtype=bool)
    else:
        in_chunk = np.isin(establishment, np.fromiter(establishment_ids, dtype=np.int64))
    query = np.flatnonzero(in_chunk)
    # Sorts below break ties by leaver id: by position when the pool is in id order already
    # (a leaver table is), otherwise by each row's rank among the ids.
    ids_sorted = n_pool < 2 or bool((ids[1:] > ids[:-1]).all())
    id_rank = None if ids_sorted else inverse(np.argsort(ids, kind="stable"))
    # Canonical draw order: establishment, year, leaver id.
    chunk_keys = [_codes(establishment[query])[0], _codes(year[query])[0]]
    query = query[order_by(*chunk_keys) if id_rank is None else order_by(*chunk_keys, id_rank[query])]

    authority, n_authorities = _codes(leavers[c.AUTHORITY_ID].to_numpy(dtype=np.int64))
    codes: dict[str, tuple[np.ndarray, int]] = {}
    counts, starts, offsets, lengths, sorted_rows = [], [], [], [], []
    for level, keys in enumerate(MATCH_KEYS):
        cell = _cell_codes(pool, keys, codes)
        composite = cell * n_authorities + authority
        order = order_by(composite) if id_rank is None else order_by(composite, id_rank)
        sorted_rows.append(order)
        lo, hi, block_lo, block_hi = _cell_bounds(cell, composite, n_authorities, order, query)
        counts.append((hi - lo) - (block_hi - block_lo))
        starts.append(lo + level * n_pool)  # index into the concatenated pool_rows
        offsets.append(block_lo - lo)
        lengths.append(block_hi - block_lo)

    has = [count > 0 for count in counts]
    relaxation = np.select(has, [RELAX_EXACT, RELAX_QUINTILE, RELAX_QUINTILE_NO_ASN], RELAX_UNMATCHED)
    zero = np.zeros(len(query), dtype=np.int64)

    def pick(per_level: list[np.ndarray]) -> np.ndarray:
        return np.select(has, per_level, zero).astype(np.int64)

    return CandidateCells(
        row=query,
        leaver_id=ids[query],
        establishment_id=establishment[query],
        year=year[query],
        relaxation=relaxation.astype(np.int64),
        n_candidates=pick(counts),
        cell_start=pick(starts),
        block_offset=pick(offsets),
        block_len=pick(lengths),
        pool_rows=np.concatenate(sorted_rows),
        pool_leaver_ids=ids,
    )


def skip_own_block(u: np.ndarray, block_offset: np.ndarray, block_len: np.ndarray) -> np.ndarray:
    """Map a draw ``u`` in ``[0, count)`` to an offset in the cell that skips the own-authority block.

    Offsets before the block are kept; offsets at or after its start move past it. E.g. a cell of
    7 rows whose rows 2-4 are the leaver's own authority (offset 2, length 3) has 4 candidates,
    and ``u = 0, 1, 2, 3`` map to rows ``0, 1, 5, 6``.
    """
    return u + (u >= block_offset) * block_len


def draw_rows(cells: CandidateCells, *, seed: int, n_comparators: int = N_COMPARATORS) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n_comparators`` comparators with replacement for every matched chunk leaver.

    Steps:

    1. Drop unmatched leavers (relaxation 3): they draw nothing and consume no random numbers.
    2. For each (establishment, year) group, in canonical order, make
       ``np.random.default_rng([seed, year, establishment_id])`` and draw an
       ``(n_leavers, n_comparators)`` array of integers, row ``i`` uniform in
       ``[0, n_candidates_i)`` (numpy's ``Generator.integers``: exact, no modulo bias).
       :func:`_draw_groups` computes exactly those numbers for all groups at once.
    3. Skip the own-authority block (:func:`skip_own_block`) and read the comparator's pool row.

    Returns ``(leaver_rows, comparator_rows)``: pool row numbers, ``n_comparators`` entries per
    matched leaver, leavers in canonical order and each leaver's draws in draw order.
    """
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    matched = cells.relaxation != RELAX_UNMATCHED
    establishment = cells.establishment_id[matched]
    year = cells.year[matched]
    count = cells.n_candidates[matched]
    m = len(count)
    draws = np.zeros((m, n_comparators), dtype=np.int64)
    if m:
        change = np.flatnonzero((establishment[1:] != establishment[:-1]) | (year[1:] != year[:-1])) + 1
        bounds = np.concatenate(([0], change, [m]))
        _draw_groups(draws, count, bounds, seed, year, establishment)
    # skip_own_block, then the cell's start, in place (one 2.5 million-row temporary).
    position = draws
    jump = draws >= cells.block_offset[matched, None]
    position += cells.cell_start[matched, None]
    position += jump * cells.block_len[matched, None]  # faster than np.add(..., where=jump)
    return np.repeat(cells.row[matched], n_comparators), cells.pool_rows[position.ravel()]


def _draw_groups(
    draws: np.ndarray, count: np.ndarray, bounds: np.ndarray, seed: int, year: np.ndarray, establishment: np.ndarray
) -> None:
    """Fill ``draws`` (leavers x comparators): row ``i`` uniform in ``[0, count[i])``, each
    (school, year) run ``bounds[k]:bounds[k+1]`` from its own generator, bit for bit what
    ``np.random.default_rng([seed, year, school]).integers(0, count[:, None], size=...)`` gives.

    Calling ``integers`` once per school-year costs more than the numbers. numpy draws each
    bounded integer with Lemire's method on 32-bit words (``count < 2**32``): a leaver with one
    candidate takes no word and gets 0; otherwise, with the next word ``w`` (the low then the
    high half of each 64-bit PCG64 output), ``w * count`` is computed in 64 bits, its high half
    is the draw, and its low half is rejected (a new word drawn) when below
    ``2**32 mod count``. So: take every group's raw 64-bit outputs (five per leaver with
    choice, no rejection assumed), do the multiplication for all groups at once, and replay any
    group where a rejection occurred (probability about ``count / 2**32`` a draw) with
    ``integers`` itself.
    """
    n_comparators = draws.shape[1]
    if n_comparators % 2 or count.max() >= 2**32:  # odd counts of words per leaver: numpy itself
        redo = range(len(bounds) - 1)
    else:
        choice = count > 1
        per_group = np.add.reduceat(choice, bounds[:-1]) if len(bounds) > 1 else np.zeros(0, dtype=np.int64)
        words = _raw_words(seed, year[bounds[:-1]], establishment[bounds[:-1]], per_group * (n_comparators // 2))
        word = np.concatenate(words).view(np.uint32).reshape(-1, n_comparators) if words else None
        if word is None or len(word) == 0:
            redo = range(0)
        else:
            span = count[choice].astype(np.uint64)[:, None]
            product = np.multiply(word, span, dtype=np.uint64)  # 64-bit products, one pass
            threshold = ((np.uint64(2**32) - span) % span).astype(np.uint32)
            rejected = np.zeros(len(count), dtype=bool)
            # Each product's low and high 32-bit halves, read in place (little-endian words).
            # Rejections are rare: the few rejected words are located, not every row reduced.
            halves = product.view(np.uint32).reshape(len(product), n_comparators, 2)
            low_below = np.flatnonzero(halves[:, :, 0] < threshold) // n_comparators
            rejected[np.flatnonzero(choice)[low_below]] = True
            if choice.all():
                np.copyto(draws, halves[:, :, 1], casting="unsafe")
            else:
                draws[choice] = halves[:, :, 1]
            group_of = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
            redo = np.unique(group_of[rejected]).tolist()
    for index in redo:
        start, end = int(bounds[index]), int(bounds[index + 1])
        rng = np.random.default_rng([seed, int(year[start]), int(establishment[start])])
        draws[start:end] = rng.integers(0, count[start:end, None], size=(end - start, n_comparators))


def _raw_words(seed: int, year: np.ndarray, establishment: np.ndarray, n_words: np.ndarray) -> list[np.ndarray]:
    """``np.random.PCG64([seed, year[k], establishment[k]]).random_raw(n_words[k])`` for every k.

    One generator is re-seeded per school-year with the state numpy would give it
    (:func:`.seeding.pcg64_states`, all hashed at once), instead of constructing each.
    """
    if not seeding.fits(seed, year, establishment):
        return [
            np.random.PCG64([seed, int(y), int(e)]).random_raw(int(n))
            for y, e, n in zip(year, establishment, n_words, strict=True)
        ]
    generator = np.random.PCG64()
    words = []
    for state, n in zip(seeding.pcg64_states(seed, year, establishment), n_words.tolist(), strict=True):
        generator.state = state
        words.append(generator.random_raw(n))
    return words


def draw_from(cells: CandidateCells, *, seed: int, n_comparators: int = N_COMPARATORS) -> pd.DataFrame:
    """:func:`draw_rows` as ids: ``leaver_id``, ``comparator_id``; ``n_comparators`` rows per
    matched leaver, leavers in canonical order (establishment, year, leaver id), draws in order."""
    leaver_rows, comparator_rows = draw_rows(cells, seed=seed, n_comparators=n_comparators)
    return pd.DataFrame(
        {
            c.LEAVER_ID: cells.pool_leaver_ids[leaver_rows],
            c.COMPARATOR_ID: cells.pool_leaver_ids[comparator_rows],
        }
    )


def draw_comparators(
    leavers: pd.DataFrame,
    *,
    seed: int,
    n_comparators: int = N_COMPARATORS,
    establishment_ids: Iterable[int] | None = None,
) -> ComparatorDraw:
    """Find candidates (:func:`find_candidates`) and draw once (:func:`draw_from`)."""
    cells = find_candidates(leavers, establishment_ids=establishment_ids)
    return ComparatorDraw(
        comparators=draw_from(cells, seed=seed, n_comparators=n_comparators),
        relaxation=cells.relaxation_frame(),
    )


def relaxation_counts(relaxation: pd.DataFrame) -> pd.DataFrame:
    """Per establishment and year: ``n_leavers`` and how many matched at each relaxation level.

    Columns: ``establishment_id``, ``year``, ``n_leavers``, ``n_exact``, ``n_relaxed_quintile``,
    ``n_relaxed_no_asn``, ``n_unmatched`` (the last are left out of the VC).
    """
    level = relaxation[c.RELAXATION].to_numpy()
    flags = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: relaxation[c.ESTABLISHMENT_ID].to_numpy(),
            c.YEAR: relaxation[c.YEAR].to_numpy(),
            c.N_LEAVERS: np.ones(len(level), dtype=np.int64),
            c.N_EXACT: (level == RELAX_EXACT).astype(np.int64),
            c.N_RELAXED_QUINTILE: (level == RELAX_QUINTILE).astype(np.int64),
            c.N_RELAXED_NO_ASN: (level == RELAX_QUINTILE_NO_ASN).astype(np.int64),
            c.N_UNMATCHED: (level == RELAX_UNMATCHED).astype(np.int64),
        }
    )
    return flags.groupby([c.ESTABLISHMENT_ID, c.YEAR], sort=True, as_index=False).sum()
