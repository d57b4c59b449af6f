"""Disclosure control: the one module that decides what an aggregate may show a viewer.

Primary rule (docs/domain.md): for viewers not entitled to unsuppressed figures, a count under
DISCLOSURE_MIN_COUNT (5), and any percentage or average built on such a count, is shown as ``c``.

Secondary suppression (so a hidden cell cannot be recovered from totals or sibling cells):

- ``suppress_table``: one breakdown whose cells add up to a shown total.
- ``protect``: linked tables. Cells are keyed counts; ``Relation``s say which cells add up to
  which (a school's total = its girls + its boys; an authority's girls = the girls of its schools;
  SIMD quintile 1 = deciles 1 + 2). The pattern is computed once per measure and viewer class over
  every table a measure appears in, so the same cell is hidden on every page and in every export,
  and no hidden cell can be narrowed below the threshold by combining visible numbers.

The rules ``protect`` enforces, for every relation ``total = part_1 + ... + part_k`` (our rules;
the published guidance only says "suppress small numbers and whatever would reveal them"):

1. Primary: a count from 1 to DISCLOSURE_MIN_COUNT - 1 is hidden. Zero is shown (it reveals
   nobody), so an observer knows every hidden cell is at least 1.
2. A relation never has exactly one hidden cell (total minus the visible parts would give it).
3. With the total shown, the hidden parts' sum S is known. For every primary part p, the largest
   value p could take, S - (number of other hidden parts), must reach the threshold: an observer
   cannot tell that p is small.
4. ``insider`` relations (an authority = its schools; Scotland = its authorities) assume the
   observer knows one part exactly (their own school or authority, seen unsuppressed). There,
   at least three parts are hidden when the total is shown, and rule 3 must hold after removing
   any one other hidden part; when the total is hidden, at least two parts are.
5. To mend a relation, the smallest non-zero visible part is hidden (least information lost);
   when every part is hidden, the total is. Repeated over all relations until nothing changes,
   so the result is deterministic and the same in every process.

A hidden count hides every figure built on it (percentages and averages of that cell).

``protect`` is exact for a single table (one relation). Linked tables can leak across relations
(a hidden cell's lower bound raised by a relation elsewhere narrows its partner), so tables
nested in a hierarchy (schools in authorities in Scotland, each broken down by fixed groups) go
through ``protect_hierarchy``, which proves protection cell by cell instead:

- For every primary cell p (count c < threshold) it finds a *move*: a set of hidden cells that
  can all change together, keeping every shown total and every shown cell the same, so that p
  rises to the threshold while no other hidden cell falls below 1. Such a move is a feasible
  direction of the linear system an observer can write from the shown figures, so the largest
  value p could take is at least the threshold: nobody can tell that p is small. This is the
  "hypercube" idea of statistical offices' cell suppression (tau-Argus), on our hierarchy.
- A move for an interior cell (unit U, group g of breakdown d) shifts d-groups inside U (g up,
  another group h down), and the opposite inside one or more sibling units under the same
  parent (g down, h up), carried down to the schools when the units are authorities. A move for
  a unit's total shifts one group of every breakdown with it.
- Insiders: a school's staff know their school exactly; an authority's staff know it and all its
  schools. Each primary cell gets two moves through disjoint sets of such insiders (or one that
  touches nobody but the cell's own school and authority), so any one insider can block at most
  one of them. Staff of the cell's own school and authority are entitled to it anyway.
- Every cell a move uses is hidden. Cells are preferred that are hidden already, then cells of
  units no page shows on their own (``tier``), then units that can absorb the most.
- Several layers of counts of the same cells (leavers; leavers with a known destination; the
  counts behind percentages shown, such as positive destinations) are held by one observer at
  once, with an order between them (positive <= known <= leavers). ``protect_layers`` moves
  *kinds*: a set of layers that shift together (a young person of one kind, e.g. with a positive
  destination and literacy at level 4, counts in all of those layers; or one status changing, an
  unknown destination becoming known). A cell that falls keeps at least what the layers below
  it that stay put hold in it, a cell that rises stays within the layers above it that stay put,
  and the move's cells are withheld in every layer it shifts (a percentage's by its base). So the
  table a move leads to satisfies everything the observer can write down from all layers.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.conf import settings

from .access import Entitlement
from .hierarchy import Hierarchy, Layers, U, _Prover

SUPPRESSED = "c"
EXPLANATION = (
    "c: figure withheld to protect confidentiality, because it is based on fewer than "
    "{n} young people or could be used to work out such a figure."
)


def min_count() -> int:
    return int(settings.DISCLOSURE_MIN_COUNT)


def explanation() -> str:
    return EXPLANATION.format(n=min_count())


@dataclass(frozen=True)
class Cell:
    """A figure with the cohort count it is built on. ``shown`` is what the viewer may see."""

    value: float | int | None
    base: int
    suppressed: bool

    @property
    def shown(self) -> float | int | str | None:
        return SUPPRESSED if self.suppressed else self.value


def cell(value: float | int | None, base: int, entitlement: Entitlement) -> Cell:
    """Primary suppression of one figure whose cohort is ``base`` young people."""
    hide = (not entitlement.unsuppressed) and 0 < base < min_count()
    return Cell(value, base, hide)


def suppress_table(counts: Sequence[int], total: int | None, entitlement: Entitlement) -> list[bool]:
    """Which cells of one breakdown (siblings that add up to ``total``) to hide.

    Primary: each count in 1..min-1. Secondary: the rules of ``protect`` for the one relation
    ``total = sum(counts)`` (with no total shown, primary suppression only).
    """
    if entitlement.unsuppressed:
        return [False] * len(counts)
    cells: dict[object, int] = dict(enumerate(counts))
    relations: list[Relation[object]] = []
    if total is not None:
        cells["total"] = total
        relations.append(Relation("total", tuple(range(len(counts)))))
    hidden = protect(cells, relations)
    return [i in hidden for i in range(len(counts))]


# --- Linked tables ----------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Relation(Generic[K]):
    """``total`` = the sum of ``parts`` (cells keyed as in the counts given to ``protect``).

    ``total`` None: the parts add up to nothing shown, so the relation constrains nothing.
    ``insider``: a viewer may know one part exactly (see rule 4 in the module docstring).
    """

    total: K | None
    parts: tuple[K, ...]
    insider: bool = False


@dataclass
class _State(Generic[K]):
    counts: Mapping[K, int]
    limit: int
    hidden: set[K] = field(default_factory=set)
    tier: Callable[[K], int] | None = None

    def count(self, key: K) -> int:
        return int(self.counts.get(key, 0))

    def violated(self, r: Relation[K]) -> bool:
        if r.total is None:
            return False
        hidden_parts = [self.count(p) for p in r.parts if p in self.hidden]
        total_hidden = r.total in self.hidden
        if not hidden_parts and not total_hidden:
            return False
        if total_hidden:
            return len(hidden_parts) < (2 if r.insider else 1)
        k = len(hidden_parts)
        if k < (3 if r.insider else 2):
            return True
        s = sum(hidden_parts)
        primaries = [i for i, v in enumerate(hidden_parts) if v < self.limit]
        for i in primaries:
            others = hidden_parts[:i] + hidden_parts[i + 1 :]
            upper = s - (k - 1)  # the others are at least 1 each
            if r.insider:
                upper = s - max(others) - (k - 2)  # ... and one of them is known exactly
            if upper < self.limit:
                return True
        return False

    def mend(self, r: Relation[K]) -> K | None:
        """The cell to hide next: the smallest non-zero visible part (in the lowest tier), else the total."""
        best: tuple[int, int, int] | None = None
        for i, p in enumerate(r.parts):
            v = self.count(p)
            if v > 0 and p not in self.hidden:
                rank = (self.tier(p) if self.tier else 0, v, i)
                if best is None or rank < best:
                    best = rank
        if best is not None:
            return r.parts[best[2]]
        if r.total is not None and r.total not in self.hidden and self.count(r.total) > 0:
            return r.total
        return None


def protect(
    counts: Mapping[K, int],
    relations: Sequence[Relation[K]],
    *,
    limit: int | None = None,
    tier: Callable[[K], int] | None = None,
) -> set[K]:
    """The cells to hide from viewers without entitlement: primary and secondary suppression.

    ``counts``: every cell's count (a cell missing from it counts 0). ``relations``: which cells
    add up to which. ``tier``: optional preference when a relation needs one more hidden cell,
    lower first (e.g. cells no page shows on their own before those that are shown); within a
    tier the smallest count goes first. Returns the set of hidden keys. Deterministic: the same
    counts and relations in the same order always give the same set.
    """
    state = _State(counts, limit if limit is not None else min_count(), tier=tier)
    state.hidden = {k for k, v in counts.items() if 0 < v < state.limit}
    by_cell: dict[K, list[int]] = defaultdict(list)
    for i, r in enumerate(relations):
        if r.total is not None:
            by_cell[r.total].append(i)
        for p in r.parts:
            by_cell[p].append(i)
    queue = deque(i for i, r in enumerate(relations) if state.violated(r))
    queued = set(queue)
    while queue:
        i = queue.popleft()
        queued.discard(i)
        r = relations[i]
        while state.violated(r):
            key = state.mend(r)
            if key is None:
                break  # nothing left to hide here: every cell of the relation is hidden or zero
            state.hidden.add(key)
            for j in by_cell[key]:
                if j != i and j not in queued:
                    queue.append(j)
                    queued.add(j)
    return state.hidden


def shown(value: float | int | None, base: int, hidden: bool, entitlement: Entitlement) -> Cell:
    """A figure under a precomputed pattern: hidden when the pattern hides its cell (or, as a
    safety net, when its own base is small) and the viewer is not entitled to it."""
    if entitlement.unsuppressed:
        return Cell(value, base, False)
    return Cell(value, base, hidden or 0 < base < min_count())


# --- Hierarchies of tables (the prover: ``datahub.hierarchy``) --------------------------------

def protect_hierarchy(
    h: Hierarchy[U], *, limit: int | None = None, tier: Callable[[tuple], int] | None = None
) -> set[tuple[U, str, str]]:
    """The cells of a hierarchy of tables to hide from viewers without entitlement.

    Primary: counts 1..threshold-1. Secondary: for every primary cell, moves (see the module
    docstring) that prove an observer cannot tell it is under the threshold, even knowing one
    school or authority exactly. ``tier(key)``: lower tiers are hidden first when there is a
    choice. Deterministic for the same input.
    """
    return _Prover(h, limit if limit is not None else min_count(), tier).protect()[""]


def protect_layers(
    h: Hierarchy[U], layers: Layers, *, limit: int | None = None, tier: Callable[[tuple], int] | None = None
) -> dict[str, set[tuple[U, str, str]]]:
    """``protect_hierarchy`` for several layers of counts of the same cells held by one observer
    at once (``Layers``): each layer's hidden cells. ``h.counts`` is not read (each layer has
    its own); the structure (parents, breakdowns, insiders) is shared. Returns the hidden cells
    of each protected layer."""
    return _Prover(h, limit if limit is not None else min_count(), tier, layers).protect()


# --- Cumulative distributions ("k or more") ---------------------------------------------------


def suppress_at_least(total: int, at_least: Sequence[int], entitlement: Entitlement) -> list[bool]:
    """Which of a distribution's "k or more" counts to hide (Breadth and Depth: members of a
    cohort of ``total`` with 1 or more, 2 or more ... awards; ``at_least`` non-increasing).

    Any two shown counts give by subtraction the number of members between them (those with
    exactly k awards, or k to j), so (our rule) the shown counts, with ``total`` above and 0 below
    the last, must cut the cohort into groups that are empty or at least DISCLOSURE_MIN_COUNT:

    1. A cohort of 1 to DISCLOSURE_MIN_COUNT - 1 hides every count.
    2. From the largest k down, a count is shown when it differs from the last shown one (0 to
       begin with) by 0 or by at least the minimum; otherwise hidden.
    3. If the members above the smallest shown count (``total`` minus it) are 1 to minimum - 1,
       that count is hidden too, and so on up, until the group is empty or large enough.

    Within one distribution no hidden group can then be narrowed below the threshold. Relations
    between distributions (other levels, filters, a school's authority) are not taken into
    account: see docs/methodology.md, "Local measures: disclosure"."""
    if entitlement.unsuppressed:
        return [False] * len(at_least)
    limit = min_count()
    if 0 < total < limit:
        return [True] * len(at_least)
    hidden = [True] * len(at_least)
    shown_positions: list[int] = []
    last = 0
    for k in range(len(at_least) - 1, -1, -1):
        gap = at_least[k] - last
        if gap == 0 or gap >= limit:
            hidden[k] = False
            shown_positions.append(k)
            last = at_least[k]
    while shown_positions and 0 < total - last < limit:
        hidden[shown_positions.pop()] = True
        last = at_least[shown_positions[-1]] if shown_positions else 0
    return hidden
