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
from itertools import islice
from typing import Generic, TypeVar

from django.conf import settings

from .access import Entitlement

SUPPRESSED = "c"
# A move tries at most this many kinds (those its own unit has room for, the commonest first).
KINDS_TRIED = 8
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


# --- Hierarchies of tables ------------------------------------------------------------------

TOTAL: tuple[str, str] = ("", "")
U = TypeVar("U", bound=Hashable)
GroupCell = tuple[str, str]  # (breakdown, group); TOTAL for all leavers


@dataclass(frozen=True)
class Hierarchy(Generic[U]):
    """Counts of units nested in a tree (schools in authorities in Scotland), each broken down.

    ``counts[(unit, breakdown, group)]``; ``(unit, "", "")`` is the unit's total. Every breakdown
    of a unit adds up to its total, and every cell of a unit with children is the sum of the same
    cell of its children. ``knows(unit)``: the insiders who see that unit's cells unsuppressed
    (e.g. {"school 12", "authority 3"} for school 12 of authority 3).
    """

    counts: Mapping[tuple[U, str, str], int]
    parent: Mapping[U, U | None]
    breakdowns: Mapping[str, Sequence[str]]
    knows: Callable[[U], frozenset] = field(default=lambda u: frozenset())


def _natural(key: object) -> tuple:
    """An order of keys that does not depend on how many digits an id has (a text order put
    school 10 before school 9, so the same schools numbered from 1 or from 2,600 got different
    patterns): numbers as numbers, text as text, tuples element by element."""
    if isinstance(key, tuple):
        return (2, tuple(_natural(k) for k in key))
    if isinstance(key, int | float):
        return (0, key)
    return (1, str(key))


@dataclass
class _Move:
    cells: set  # (unit, breakdown, group) to hide
    insiders: frozenset  # who could block it
    cost: tuple[int, int]
    layers: frozenset = frozenset()  # the layers it moves together


@dataclass(frozen=True)
class Layers:
    """Several layers of counts over one hierarchy's cells, held by one observer at once.

    ``counts[layer]``: the layer's counts, keyed as ``Hierarchy.counts``. ``protected``: the
    layers whose small cells are withheld (the others are shown as percentages of a base, so
    they are withheld wherever their base is: ``covered_by[layer]``, followed to a protected
    layer; a protected layer can be covered too, e.g. known destinations by the leavers).
    ``within``: pairs ``(a, b)``, layer a's count of a cell is at most layer b's (leavers with a
    known destination are some of the leavers). ``kinds``: the sets of layers a move may shift
    together, each a kind of young person (a leaver with a positive destination and literacy at
    level 4 moves in all those layers) or a change of one status (a leaver whose initial
    destination becomes known); tried cheapest first. Default: each protected layer alone."""

    counts: Mapping[str, Mapping[tuple, int]]
    protected: Sequence[str]
    within: Sequence[tuple[str, str]] = ()
    covered_by: Mapping[str, str] = field(default_factory=dict)
    kinds: Sequence[frozenset] = ()


class _Prover(Generic[U]):
    """Moves (module docstring) over one or several layers of counts. A move shifts one kind
    (a set of layers) together. Every cell a move changes stays between the bounds the layers
    that stay put set on it, so the table the move leads to is one an observer holding every
    layer cannot rule out."""

    def __init__(self, h: Hierarchy[U], limit: int, tier: Callable[[tuple], int] | None,
                 layers: Layers | None = None) -> None:
        self.h = h
        self.limit = limit
        self.layers = layers or Layers({"": h.counts}, [""])
        names = list(self.layers.counts)
        self.below = {x: [a for a, b in self.layers.within if b == x] for x in names}
        self.above = {x: [b for a, b in self.layers.within if a == x] for x in names}
        self.kinds = list(self.layers.kinds) or [frozenset({x}) for x in self.layers.protected]
        self.children: dict[U, list[U]] = defaultdict(list)
        for unit, par in h.parent.items():
            if par is not None:
                self.children[par].append(unit)
        for kids in self.children.values():
            kids.sort(key=_natural)
        self.hidden: dict[str, set] = {
            x: {k for k, v in self.layers.counts[x].items() if 0 < v < limit} for x in self.layers.protected
        }
        self._cap: dict[tuple, int] = {}
        self._kinds: dict[str, list[list[frozenset]]] = {}
        self._room: dict[frozenset, int] = {}
        self.index = {x: i for i, x in enumerate(names)}
        self._rooms: dict[tuple, int] = {}
        self._bases: dict[frozenset, frozenset] = {}
        self._plans: dict[tuple, list] = {}
        self._vectors: dict[tuple, tuple] = {}
        self._ancestors: dict[U, list[U]] = {}
        # Tiers are per unit (a special school's cells are all unshown).
        self.unit_tier = {u: (tier((u, "", "")) if tier else 1) for u in h.parent}
        roots = [u for u, p in h.parent.items() if p is None]
        # The group a total moves with, per breakdown: the largest group nationally (first layer).
        self.largest = {
            d: max(vals, key=lambda v: (sum(self.n(self.layers.protected[0], r, (d, v)) for r in roots), v))
            for d, vals in h.breakdowns.items() if vals
        }

    def n(self, layer: str, unit: U, cell: GroupCell) -> int:
        return int(self.layers.counts[layer].get((unit, *cell), 0))

    def hides(self, layer: str, key: tuple) -> bool:
        if key in self.hidden.get(layer, ()):
            return True
        cover = self.layers.covered_by.get(layer)
        return cover is not None and self.hides(cover, key)

    def base(self, layer: str) -> str:
        """The protected layer whose hidden cells withhold ``layer``'s."""
        while layer not in self.hidden:
            layer = self.layers.covered_by[layer]
        return layer

    def bases(self, kind: frozenset) -> frozenset:
        """The protected layers a move of ``kind`` withholds cells in."""
        found = self._bases.get(kind)
        if found is None:
            found = self._bases[kind] = frozenset(self.base(x) for x in kind)
        return found

    def order_kinds(self, layer: str) -> list[list[frozenset]]:
        """The kinds a move for ``layer`` may shift, in classes tried in turn: first those that
        leave the first protected layer shown (it withholds every other), then the rest."""
        first = self.layers.protected[0]
        classes: list[list[frozenset]] = [[], []]
        for kind in self.kinds:
            if layer in kind:
                classes[int(layer != first and any(self.base(x) == first for x in kind))].append(kind)
        return [sorted(k, key=lambda kind: (-self.national_room(kind), sorted(kind))) for k in classes if k]

    def ancestors(self, unit: U) -> list[U]:
        if unit not in self._ancestors:
            out = []
            p = self.h.parent.get(unit)
            while p is not None:
                out.append(p)
                p = self.h.parent.get(p)
            self._ancestors[unit] = out
        return self._ancestors[unit]

    def room(self, moved: frozenset, unit: U, cell: GroupCell, rising: bool) -> int:
        """How far ``cell`` of ``unit`` can rise (or fall) in every layer of ``moved`` at once,
        with the layers that stay where they are still in order with it."""
        memo = (moved, unit, cell, rising)
        found = self._rooms.get(memo)
        if found is not None:
            return found
        plan = self._plans.get((moved, rising))
        if plan is None:
            plan = self._plans[(moved, rising)] = [
                (self.index[x], [self.index[y] for y in (self.above[x] if rising else self.below[x]) if y not in moved])
                for x in sorted(moved)
            ]
        key = (unit, *cell)
        vec = self._vectors.get(key)
        if vec is None:
            vec = self._vectors[key] = tuple(int(self.layers.counts[x].get(key, 0)) for x in self.index)
        most = 1 << 30
        for i, others in plan:
            if rising:
                for j in others:
                    most = min(most, vec[j] - vec[i])
            else:
                most = min(most, vec[i] - max([1, *(vec[j] for j in others)]))
        self._rooms[memo] = most
        return most

    def own_cap(self, moved: frozenset, unit: U, falling: tuple[GroupCell, ...], moving: tuple[GroupCell, ...]) -> int:
        """How far ``unit`` can carry a move: its ``falling`` cells fall, the rest of ``moving`` rise."""
        out = 1 << 30
        for c in moving:
            out = min(out, self.room(moved, unit, c, c not in falling))
        return out

    def cap(self, moved: frozenset, unit: U, falling: tuple[GroupCell, ...], moving: tuple[GroupCell, ...]) -> int:
        key = (moved, unit, falling, moving)
        if key not in self._cap:
            own = self.own_cap(moved, unit, falling, moving)
            kids = self.children.get(unit)
            if kids:
                own = min(own, sum(max(0, self.cap(moved, k, falling, moving)) for k in kids))
            self._cap[key] = own
        return self._cap[key]

    def spread(self, moved: frozenset, units: Sequence[U], falling: tuple[GroupCell, ...],
               moving: tuple[GroupCell, ...], flow: int, banned: frozenset, out: list[U]) -> bool:
        """Carry ``flow`` down through ``units`` (cheapest first); record every unit used in ``out``.

        Cheapest: units whose moving cells are hidden already, then units no page shows, then
        the unit that can carry the most (fewest units touched).
        """
        candidates = []
        for u in units:
            c = self.cap(moved, u, falling, moving)
            if c <= 0 or (banned and self.h.knows(u) & banned):
                continue
            fresh = sum(1 for cell in moving for x in self.bases(moved) if not self.hides(x, (u, *cell)))
            candidates.append((fresh and self.unit_tier[u], fresh, -c, u, c))
        candidates.sort(key=lambda t: (t[0], t[1], t[2], _natural(t[3])))
        left = flow
        for *_, u, c in candidates:
            take = min(c, left)
            kids = self.children.get(u)
            if kids:
                used: list[U] = []
                if not self.spread(moved, kids, falling, moving, take, banned, used):
                    continue
                out.extend(used)
            out.append(u)
            left -= take
            if left <= 0:
                return True
        return False

    def move(self, layer: str, unit: U, cell: GroupCell, banned: frozenset) -> _Move | None:
        """A move that raises ``(unit, *cell)`` of ``layer`` to the threshold touching no
        ``banned`` insider.

        Tried in order: each class of kinds the layer is part of (``order_kinds``); within it, the
        cell's group against each other group of its breakdown (the largest first), then with the
        unit's total; for each, the kinds the unit has room for, commonest first; for each, siblings
        under the same parent first, then siblings of the parent, and so on up to the root.
        """
        if layer not in self._kinds:
            self._kinds[layer] = self.order_kinds(layer)
        for kinds in self._kinds[layer]:
            found = self._move(layer, kinds, unit, cell, banned)
            if found is not None:
                return found
        return None

    def _move(self, layer: str, kinds: list[frozenset], unit: U, cell: GroupCell, banned: frozenset) -> _Move | None:
        delta = self.limit - self.n(layer, unit, cell)
        entitled = self.h.knows(unit).union(*(self.h.knows(a) for a in self.ancestors(unit)))
        groups = dict(self.largest)
        pairs: list[tuple[tuple[GroupCell, ...], tuple[GroupCell, ...]]] = []
        if cell != TOTAL:
            d, g = cell
            others = sorted((v for v in self.h.breakdowns.get(d, ()) if v != g),
                            key=lambda v: -self.n(layer, unit, (d, v)))
            pairs = [(((d, g),), ((d, v),)) for v in others]
            groups[d] = g
        # Last: the group rises with the unit's total (when no other group can fall far enough).
        pairs.append(((TOTAL, *groups.items()), ()))
        for rising, falling in pairs:
            moving = (*rising, *falling)
            # Kinds the unit has room for, the commonest nationally first; siblings as near as
            # possible for any kind before going further up.
            fits = list(islice((k for k in kinds if self.own_cap(k, unit, falling, moving) >= delta), KINDS_TRIED))
            below: dict[frozenset, list[U] | None] = {}
            for height in range(len(self.ancestors(unit)) + 1):
                for moved in fits:
                    if moved not in below:
                        kids, used = self.children.get(unit), []  # type: list[U] | None, list[U]
                        ok = not kids or self.spread(moved, kids, falling, moving, delta, banned, used)
                        below[moved] = used if ok else None
                    carried = below[moved]
                    if carried is None:
                        continue
                    found = self._carry(moved, unit, rising, falling, delta, banned, entitled, height, carried)
                    if found is not None:
                        return found
        return None

    def national_room(self, kind: frozenset) -> int:
        """How many of a kind the roots hold: a kind that is common is likely to fit a move."""
        if kind not in self._room:
            roots = [u for u, p in self.h.parent.items() if p is None]
            self._room[kind] = sum(max(0, self.room(kind, r, TOTAL, False)) for r in roots)
        return self._room[kind]

    def _carry(self, moved: frozenset, unit: U, rising: tuple[GroupCell, ...], falling: tuple[GroupCell, ...],
               delta: int, banned: frozenset, entitled: frozenset, height: int, below: list[U]) -> _Move | None:
        """The move of ``delta`` of kind ``moved`` from ``falling`` to ``rising`` cells of ``unit``
        and its ``height`` nearest ancestors, carried down to its children (``below``) and across
        to the siblings of the topmost (none at the root: the root's cells are hidden too)."""
        moving = (*rising, *falling)
        chain = [unit, *self.ancestors(unit)[:height]]
        if any(self.own_cap(moved, top, falling, moving) < delta for top in chain[1:]):
            return None
        used = list(below)
        par = self.h.parent.get(chain[-1])
        if par is not None:
            siblings = [s for s in self.children[par] if s != chain[-1]]
            if not self.spread(moved, siblings, rising, moving, delta, banned, used):
                return None
        units = [*chain, *used]
        cells = {(u, *c) for u in units for c in moving}
        insiders = frozenset().union(*(self.h.knows(u) for u in units)) - entitled
        return _Move(cells, insiders, (0, 0), moved)

    def protect(self) -> dict[str, set]:
        """Primaries of every layer, the first layer's first (deepest units first)."""
        primaries = [
            (x, k) for x in self.layers.protected
            for k in sorted(self.hidden[x], key=lambda k: (len(self.ancestors(k[0])), _natural(k)), reverse=True)
        ]
        for layer, (unit, d, g) in primaries:
            cell = (d, g)
            best = self.move(layer, unit, cell, frozenset())
            if best is None:
                continue  # nothing can protect it (the caller's audit would report it)
            chosen = [best]
            if best.insiders:
                second = self.move(layer, unit, cell, best.insiders)
                if second is not None and not (second.insiders & best.insiders):
                    chosen.append(second)
            for m in chosen:
                for x in self.bases(m.layers):
                    self.hidden[x] |= m.cells
        return self.hidden


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
