"""The public suppression pattern of a benchmark run, and the memory that keeps it.

The public pattern (``public_pattern``) is computed once per run over every cohort the run
stores (schools, authorities, Scotland), every breakdown and every count a figure is built on,
with the relations that tie them together (a school's total = its groups; an authority = its
schools; Scotland = its authorities; SIMD quintile = its two deciles). So a cell is hidden on
every page and in every export alike, and no hidden cell can be worked out from visible ones
(``datahub.disclosure.protect``). The pattern depends only on the run's stored results, so every
web process computes the same one; it is kept in memory and in the shared cache (``remember``).

Layers: a figure is hidden when its cell is hidden in the ``n_leavers`` layer or in the layer of
the count it is built on (percentages of known destinations are built on ``n_initial_known``...).
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from django.core.cache import cache

from datahub import disclosure
from datahub.models import Establishment, EstablishmentType

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CohortResult
from .catalogue import LAYERS

# --- Memory of per-run computations -----------------------------------------------------------

PATTERN_VERSION: Final = 1
_MEMO: dict[tuple, Any] = {}
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE: Final = 8
CACHE_SECONDS: Final = 7 * 24 * 3600


def run_key(run: BenchmarkRun) -> tuple:
    # Ids can be reused by a test database; the finishing time cannot.
    return (run.pk, run.finished_at.isoformat() if run.finished_at else "", run.input_hash)


def shared_cache_key(key: tuple) -> str:
    """Where ``remember`` keeps ``key``'s value in the shared cache."""
    return f"insight:{key[0]}:" + hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def remember(key: tuple, build: Callable[[], Any]) -> Any:
    """Per-process memory in front of the shared cache in front of ``build``."""
    with _MEMO_LOCK:
        if key in _MEMO:
            return _MEMO[key]
    cache_key = shared_cache_key(key)
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, CACHE_SECONDS)
    with _MEMO_LOCK:
        while len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = value
    return value


def forget_computed() -> None:
    """Drop the in-process memory (tests; the shared cache keys carry the run's identity)."""
    with _MEMO_LOCK:
        _MEMO.clear()


# --- The public suppression pattern ------------------------------------------------------------

# A pattern key: (level, unit id, year, breakdown, value); level "E" (establishment, also its
# VC), "A" (authority) or "N" (Scotland, id 0); breakdown "" and value "" for all leavers.
PatternKey = tuple[str, int, int, str, str]
LEVEL: Final = {c.COHORT_ESTABLISHMENT: "E", c.COHORT_VC: "E", c.COHORT_AUTHORITY: "A", c.COHORT_NATIONAL: "N"}


@dataclass(frozen=True)
class DisclosurePattern:
    """The cells hidden from viewers without entitlement, per layer (count column)."""

    hidden: dict[str, frozenset]

    def hides(self, layer: str, key: tuple) -> bool:
        return key in self.hidden.get(layer, frozenset())

    def size(self) -> int:
        return sum(len(v) for v in self.hidden.values())


def value_order(value: str) -> tuple:
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def hierarchies(
    counts: dict[PatternKey, int], establishment_authority: dict[int, int], breakdowns: dict[str, list[str]]
) -> dict[int, disclosure.Hierarchy]:
    """One hierarchy per leaver year: schools in authorities in Scotland, each with its breakdowns.

    Insiders: a school's staff know their school; an authority's staff know it and its schools.
    """
    by_year: dict[int, dict] = defaultdict(dict)
    for (level, uid, year, dim, value), n in counts.items():
        by_year[year][((level, uid), dim, value)] = n
    out = {}
    for year, cells in by_year.items():
        units = {u for u, _, _ in cells}
        parent: dict[tuple[str, int], tuple[str, int] | None] = {}
        for level, uid in units:
            if level == "E":
                a = establishment_authority.get(uid)
                parent[(level, uid)] = ("A", a) if a is not None and ("A", a) in units else None
            elif level == "A":
                parent[(level, uid)] = ("N", 0) if ("N", 0) in units else None
            else:
                parent[(level, uid)] = None
        out[year] = disclosure.Hierarchy(cells, parent, breakdowns, partial(_knows, establishment_authority))
    return out


def _knows(establishment_authority: dict[int, int], unit: tuple[str, int]) -> frozenset:
    level, uid = unit
    if level == "E":
        return frozenset({("school", uid), ("authority", establishment_authority.get(uid))})
    return frozenset({("authority", uid)}) if level == "A" else frozenset()


def protect_counts(counts: dict[PatternKey, int], establishment_authority: dict[int, int],
                    breakdowns: dict[str, list[str]], tier: Callable[[tuple], int]) -> frozenset:
    hidden = set()
    for year, h in sorted(hierarchies(counts, establishment_authority, breakdowns).items()):
        for (level, uid), dim, value in disclosure.protect_hierarchy(h, tier=lambda k: tier(k[0])):
            hidden.add((level, uid, year, dim, value))
    return frozenset(hidden)


def _build_pattern(run: BenchmarkRun) -> DisclosurePattern:
    counts: dict[str, dict[PatternKey, int]] = {layer: {} for layer in LAYERS}
    units: set[tuple[str, int]] = set()
    dims: dict[str, set[str]] = defaultdict(set)
    rows = (
        CohortResult.objects.filter(run=run)
        .exclude(cohort=c.COHORT_VC)
        .values_list("cohort", "cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *LAYERS)
    )
    for cohort, cid, year, dim, value, *layer_counts in rows.iterator(chunk_size=5000):
        key = (LEVEL[cohort], cid, year, dim, value)
        units.add((key[0], cid))
        if dim:
            dims[dim].add(value)
        for layer, n in zip(LAYERS, layer_counts, strict=True):
            counts[layer][key] = n or 0
    est_authority, tier = establishment_tiers([uid for level, uid in units if level == "E"])
    ordered = {d: sorted(v, key=value_order) for d, v in dims.items()}
    return DisclosurePattern({layer: protect_counts(counts[layer], est_authority, ordered, tier) for layer in LAYERS})


def establishment_tiers(est_ids: Iterable[int]) -> tuple[dict[int, int], Callable[[tuple], int]]:
    """Authorities of the establishments, and the secondary-suppression preference: cells of
    schools no dashboard shows (special and primary schools) are hidden before shown ones.
    ``tier`` takes a unit, (level, id)."""
    rows = Establishment.objects.filter(id__in=list(est_ids)).values_list("id", "authority_id", "type")
    est_authority = {}
    unshown = set()
    for eid, aid, kind in rows:
        est_authority[eid] = aid
        if kind != EstablishmentType.SECONDARY:
            unshown.add(eid)

    def tier(unit: tuple) -> int:
        return 0 if unit[0] == "E" and unit[1] in unshown else 1

    return est_authority, tier


def public_pattern_key(run: BenchmarkRun) -> tuple:
    return ("pattern", PATTERN_VERSION, disclosure.min_count(), *run_key(run))


def public_pattern(run: BenchmarkRun) -> DisclosurePattern:
    """The run's suppression pattern for viewers not entitled to the figures (memoised)."""
    return remember(public_pattern_key(run), lambda: _build_pattern(run))
