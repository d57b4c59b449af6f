"""The public suppression pattern of a benchmark run, and the memory that keeps it.

The public pattern (``public_pattern``) is computed once per run over every cohort the run
stores (schools, authorities, Regional Improvement Collaboratives, Scotland), every breakdown and
every count a figure is built on, with the relations that tie them together (a school's total =
its groups; an authority = its schools; a collaborative = its authorities, by the membership the
run recorded; Scotland = its collaboratives and any authority in none; SIMD quintile = its two
deciles). So a cell is hidden on
every page and in every export alike, and no hidden cell can be worked out from visible ones
(``datahub.disclosure.protect``). The pattern depends only on the run's stored results, so every
web process computes the same one; it is kept in memory and in the shared cache (``remember``).

Layers: a figure is hidden when its cell is hidden in the ``n_leavers`` layer or in the layer of
the count it is built on (percentages of known destinations are built on ``n_initial_known``...).
The layers are protected together, against an observer who holds them all: leavers with a known
destination are some of the leavers (``WITHIN``), and a percentage shown is a count that its base
cannot fall below (``FLOOR_PERCENTAGES``). A move that raises a small cell keeps every other layer
in order with the cells it changes, or shifts the layers above with it (``disclosure.Layers``).
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import Any, Final

from django.core.cache import cache

from datahub import disclosure
from datahub.models import Establishment, EstablishmentType

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CohortResult
from .catalogue import LAYERS

# --- Memory of per-run computations -----------------------------------------------------------

PATTERN_VERSION: Final = 3  # 3: Regional Improvement Collaboratives between authority and Scotland
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
# VC), "A" (authority), "C" (Regional Improvement Collaborative) or "N" (Scotland, id 0);
# breakdown "" and value "" for all leavers.
PatternKey = tuple[str, int, int, str, str]
LEVEL: Final = {c.COHORT_ESTABLISHMENT: "E", c.COHORT_VC: "E", c.COHORT_AUTHORITY: "A",
                c.COHORT_COLLABORATIVE: "C", c.COHORT_NATIONAL: "N"}


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
    counts: dict[PatternKey, int], establishment_authority: dict[int, int], breakdowns: dict[str, list[str]],
    authority_collaborative: Mapping[int, int] | None = None,
) -> dict[int, disclosure.Hierarchy]:
    """One hierarchy per leaver year: schools in authorities in their Regional Improvement
    Collaboratives (``authority_collaborative``, the run's membership) in Scotland, each with its
    breakdowns. An authority in no collaborative sits directly under Scotland.

    Insiders: a school's staff know their school; an authority's staff know it and its schools;
    nobody is an insider of a collaborative (no role covers one).
    """
    authority_collaborative = authority_collaborative or {}
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
                k = authority_collaborative.get(uid)
                if k is not None and ("C", k) in units:
                    parent[(level, uid)] = ("C", k)
                else:
                    parent[(level, uid)] = ("N", 0) if ("N", 0) in units else None
            elif level == "C":
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


# An observer holds every layer at once: the four count layers, and the counts behind the
# percentages shown (a percentage x its base), each withheld wherever its base is.
POSITIVE: Final = {c.N_INITIAL_KNOWN: "positive_initial", c.N_FOLLOWUP_KNOWN: "positive_followup",
                   c.N_SUSTAINED_KNOWN: "positive_sustained"}
POSITIVE_PCT: Final = {c.N_INITIAL_KNOWN: c.PCT_INITIAL_POSITIVE, c.N_FOLLOWUP_KNOWN: c.PCT_FOLLOWUP_POSITIVE,
                       c.N_SUSTAINED_KNOWN: c.PCT_SUSTAINED_POSITIVE}
LIT_NUM: Final = {level: f"lit_num_{level}" for level in c.LIT_NUM_LEVELS}
SHOWN_AS_PERCENTAGES: Final = {
    **{name: (POSITIVE_PCT[known], known) for known, name in POSITIVE.items()},
    **{name: (c.pct_lit_num(level), c.N_LEAVERS) for level, name in LIT_NUM.items()},
}
_I, _F, _S = c.N_INITIAL_KNOWN, c.N_FOLLOWUP_KNOWN, c.N_SUSTAINED_KNOWN
# Order between them (a, b: a count of a subset is at most the whole's): known <= leavers; a
# sustained destination is known initially and at follow-up; positive <= known; literacy and
# numeracy at a level <= at the level below <= leavers.
_LEVELS = sorted(LIT_NUM)
WITHIN: Final = (
    (_I, c.N_LEAVERS), (_F, c.N_LEAVERS), (_S, _I), (_S, _F),
    *((POSITIVE[k], k) for k in POSITIVE),
    (POSITIVE[_S], POSITIVE[_I]), (POSITIVE[_S], POSITIVE[_F]),
    (LIT_NUM[_LEVELS[0]], c.N_LEAVERS),
    *((LIT_NUM[hi], LIT_NUM[lo]) for lo, hi in pairwise(_LEVELS)),
)


def _kinds() -> list[frozenset]:
    """What a move may shift together. A young person of one kind: destinations (unknown,
    negative or positive) at the initial and follow-up surveys and sustained (known only when
    both are), and literacy and numeracy up to one level; and one status changing: an unknown
    destination becoming known (negative or positive), with the sustained one if it follows."""
    out: list[frozenset] = []
    statuses = ("unknown", "negative", "positive")
    for first in statuses:
        for follow in statuses:
            both = first != "unknown" and follow != "unknown"
            kept = ("unknown", "negative", "positive") if first == follow == "positive" else (
                ("unknown", "negative") if both else ("unknown",))
            for sustained in kept:
                dest = set()
                for layer, status in ((_I, first), (_F, follow), (_S, sustained)):
                    if status != "unknown":
                        dest.add(layer)
                    if status == "positive":
                        dest.add(POSITIVE[layer])
                for top in (None, *_LEVELS):
                    lit = {LIT_NUM[v] for v in _LEVELS if top is not None and v <= top}
                    out.append(frozenset({c.N_LEAVERS, *dest, *lit}))
    for known in (_I, _F):
        for positive in (False, True):
            own = {known, *((POSITIVE[known],) if positive else ())}
            out.append(frozenset(own))
            out.append(frozenset({*own, _S}))
            if positive:
                out.append(frozenset({*own, _S, POSITIVE[_S]}))
    out += [frozenset({_S}), frozenset({_S, POSITIVE[_S]})]
    return out


KINDS: Final = _kinds()


def protect_layers(counts: dict[str, dict[PatternKey, int]], establishment_authority: dict[int, int],
                   breakdowns: dict[str, list[str]], tier: Callable[[tuple], int],
                   authority_collaborative: Mapping[int, int] | None = None) -> dict[str, frozenset]:
    """The count layers (``LAYERS``, leavers first) protected against an observer who holds them
    all and the counts behind the percentages shown (``counts`` has both): each count layer's
    hidden cells. A known-destination layer is hidden wherever the leavers are."""
    first = LAYERS[0]
    per_year = hierarchies(counts[first], establishment_authority, breakdowns, authority_collaborative)
    present = set(counts)
    covered = {**{layer: first for layer in LAYERS[1:]}, **{n: base for n, (_, base) in SHOWN_AS_PERCENTAGES.items()}}

    def by_year(flat: dict[PatternKey, int], year: int) -> dict[tuple, int]:
        return {((lv, uid), dim, value): n for (lv, uid, yr, dim, value), n in flat.items() if yr == year}

    hidden: dict[str, set] = {layer: set() for layer in LAYERS}
    for year, h in sorted(per_year.items()):
        layers = disclosure.Layers(
            counts={layer: by_year(counts[layer], year) for layer in counts},
            protected=LAYERS,
            within=[(a, b) for a, b in WITHIN if a in present and b in present],
            covered_by={k: v for k, v in covered.items() if k in present},
            kinds=[kind for kind in KINDS if kind <= present],
        )
        for layer, cells in disclosure.protect_layers(h, layers, tier=lambda k: tier(k[0])).items():
            hidden[layer].update((level, uid, year, dim, value) for (level, uid), dim, value in cells)
    return {layer: frozenset(cells) for layer, cells in hidden.items()}


@dataclass(frozen=True)
class PatternInputs:
    """What a run's pattern is computed from (``protect_layers``'s arguments)."""

    counts: dict[str, dict[PatternKey, int]]  # the count layers and the counts behind percentages shown
    establishment_authority: dict[int, int]
    breakdowns: dict[str, list[str]]
    tier: Callable[[tuple], int]
    authority_collaborative: dict[int, int]  # the run's membership (BenchmarkRun.collaboratives)


def pattern_inputs(run: BenchmarkRun) -> PatternInputs:
    """The run's stored counts by layer, and the counts behind the percentages shown."""
    counts: dict[str, dict[PatternKey, int]] = {layer: {} for layer in (*LAYERS, *SHOWN_AS_PERCENTAGES)}
    units: set[tuple[str, int]] = set()
    dims: dict[str, set[str]] = defaultdict(set)
    shown_as = list(SHOWN_AS_PERCENTAGES.items())
    rows = (
        CohortResult.objects.filter(run=run)
        .exclude(cohort=c.COHORT_VC)
        .values_list("cohort", "cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *LAYERS,
                     *(pct for _, (pct, _) in shown_as))
    )
    for cohort, cid, year, dim, value, *numbers in rows.iterator(chunk_size=5000):
        key = (LEVEL[cohort], cid, year, dim, value)
        units.add((key[0], cid))
        if dim:
            dims[dim].add(value)
        layer_counts = dict(zip(LAYERS, (n or 0 for n in numbers[: len(LAYERS)]), strict=True))
        for layer, n in layer_counts.items():
            counts[layer][key] = n
        for (name, (_, base)), pct in zip(shown_as, numbers[len(LAYERS):], strict=True):
            counts[name][key] = round(pct * layer_counts[base] / 100) if pct is not None else 0
    est_authority, tier = establishment_tiers([uid for level, uid in units if level == "E"])
    ordered = {d: sorted(v, key=value_order) for d, v in dims.items()}
    membership = {int(a): int(k) for a, k in (run.collaboratives or {}).items()}
    return PatternInputs(counts, est_authority, ordered, tier, membership)


def _build_pattern(run: BenchmarkRun) -> DisclosurePattern:
    i = pattern_inputs(run)
    return DisclosurePattern(protect_layers(i.counts, i.establishment_authority, i.breakdowns, i.tier,
                                            i.authority_collaborative))


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
