"""The cell-by-cell prover behind ``datahub.disclosure.protect_hierarchy`` and
``protect_layers``: moves over a hierarchy of tables, in one or several layers of counts (the
rules are in ``datahub.disclosure``'s docstring, which is where to start reading)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Generic, TypeVar

# A move tries at most this many kinds (those its own unit has room for, the commonest first).
KINDS_TRIED = 8

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
