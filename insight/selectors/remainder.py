"""The per-viewer remainder rule for aggregates of figures a viewer is not shown for other schools
(ours; docs/methodology.md section 17, "Disclosure").

Some figures of a school are shown only to viewers entitled to it (its staff, its authority, its
learning partners): graded course figures, Breadth and Depth, curricular areas. An authority's,
a collaborative's and Scotland's figures are sums of their schools', so shown as they are they
could give a school's away by differencing: an authority with one other school, minus the
viewer's own school, *is* that school. So for each viewer the aggregates are decided bottom up
(authorities, then collaboratives, then Scotland):

* an aggregate's *covered* part is what the viewer can already take away from it: the largest
  aggregates under it this viewer is shown, and the schools under it the viewer is shown (own,
  partners, every school of the viewer's own authorities);
* the *remainder* is the rest. An aggregate is shown only where the remainder is empty (nothing
  new) or passes the caller's test (``ok``: at least three schools, no dominant school, ...).

The shown aggregates nest, so each one adds exactly its remainder to what the viewer can compute.

A *vector* is a tuple of counts that add up the hierarchy; its first element is the number of
schools with something in it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Protocol

from ..benchmarking import columns as c

MIN_SCHOOLS = 3
TOP = 4  # largest schools kept per aggregate: the remainder's largest is among them, or at most the smallest
Vector = tuple[int, ...]
Unit = tuple[str, int]  # (cohort, id) of an authority, collaborative or Scotland
Top = tuple[tuple[int, int], ...]  # largest (value, school) first


class Scope(Protocol):
    """What a viewer already sees: schools (own and partners) and whole authorities."""

    @property
    def schools(self) -> frozenset[int]: ...

    @property
    def authorities(self) -> frozenset[int]: ...


def add(a: Vector, b: Vector) -> Vector:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def sub(a: Vector, b: Vector) -> Vector:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def largest_kept(values: Collection[tuple[int, int]]) -> Top:
    """The ``TOP`` largest (value, school) of an aggregate, largest first, zeros left out."""
    return tuple(sorted((v for v in values if v[0]), reverse=True)[:TOP])


class Decision:
    """One unit of figures (a course, a layer of a distribution) in one year for one viewer: which
    aggregates to withhold, authorities first.

    ``cells``: each aggregate's vector; ``tops``: each aggregate's largest schools by one or more
    measures (``largest(unit, which)`` reads the ``which``-th); ``known``: the vectors of the
    schools the viewer is shown (outside their whole authorities, which are shown whole);
    ``eligible``: the aggregates that may be shown at all (e.g. whose entries are shown);
    ``ok(rest, largest)``: whether a non-empty remainder may be shown, ``largest(which)`` giving its
    largest school's value (or a bound on it); ``preset``: aggregates already decided (shown or
    not), taken as they are."""

    def __init__(self, cells: Mapping[Unit, Vector], tops: Mapping[Unit, tuple[Top, ...]],
                 known: Mapping[int, Vector], authority_of: Mapping[int, int], membership: Mapping[int, int],
                 scope: Scope, eligible: Collection[Unit],
                 ok: Callable[[Vector, Callable[[int], int]], bool],
                 preset: Mapping[Unit, bool] | None = None) -> None:
        self.cells, self.tops, self.known = cells, tops, known
        self.authority_of, self.membership, self.scope = authority_of, membership, scope
        self.eligible, self.ok = eligible, ok
        self.preset = preset or {}  # aggregates decided already (shown or not), e.g. as for anyone
        self.zero: Vector = tuple(0 for _ in next(iter(cells.values()), ()))
        self.every = {a for s in known if (a := authority_of.get(s)) is not None} | {
            u[1] for u in cells if u[0] == c.COHORT_AUTHORITY}
        self.shown: set[Unit] = set()
        self.hidden: set[Unit] = set()

    def covered(self, school: int, unit: Unit) -> bool:
        """Whether the viewer can take ``school`` away from ``unit``: they see it, or a shown aggregate under ``unit`` holds it."""
        a = self.authority_of.get(school)
        if school in self.known or a in self.scope.authorities:
            return True
        if unit[0] == c.COHORT_AUTHORITY or a is None:
            return False
        if (c.COHORT_AUTHORITY, a) in self.shown:
            return True
        return unit[0] == c.COHORT_NATIONAL and (c.COHORT_COLLABORATIVE, self.membership.get(a, -1)) in self.shown

    def largest(self, unit: Unit, which: int) -> int:
        """The largest uncovered school's value by measure ``which``, or a bound on it."""
        tops = self.tops.get(unit, ())
        top = tops[which] if which < len(tops) else ()
        for value, school in top:
            if not self.covered(school, unit):
                return value
        return top[-1][0] if len(top) == TOP else 0

    def judge(self, unit: Unit, covered: Vector) -> None:
        entitled = unit[0] == c.COHORT_AUTHORITY and unit[1] in self.scope.authorities
        rest = sub(self.cells[unit], covered)
        if entitled:
            shown = unit in self.eligible
        elif rest[0] == 0:
            shown = unit in self.eligible and not any(rest)
        else:
            shown = unit in self.eligible and self.ok(rest, lambda which: self.largest(unit, which))
        (self.shown if shown else self.hidden).add(unit)

    def known_in(self, authorities: Collection[int]) -> Vector:
        """The viewer's schools in ``authorities`` (outside the viewer's own authorities)."""
        total = self.zero
        for school, counts in self.known.items():
            a = self.authority_of.get(school)
            if a in authorities and a not in self.scope.authorities:
                total = add(total, counts)
        return total

    def parts(self, unit: Unit) -> tuple[list[Unit], Vector]:
        """What the viewer can take away from ``unit`` (once the units under it are judged): the
        shown aggregates right under it, and the viewer's schools under it outside those."""
        if unit[0] == c.COHORT_AUTHORITY:
            return [], self.known_in({unit[1]})
        shown = {u[1] for u in self.shown if u[0] == c.COHORT_AUTHORITY}
        if unit[0] == c.COHORT_COLLABORATIVE:
            authorities = {a for a in self.every if self.membership.get(a) == unit[1]}
            return [(c.COHORT_AUTHORITY, a) for a in sorted(authorities & shown)], self.known_in(authorities - shown)
        collaboratives = sorted(u[1] for u in self.shown if u[0] == c.COHORT_COLLABORATIVE)
        authorities = {a for a in self.every if self.membership.get(a, -1) not in collaboratives}
        return ([(c.COHORT_COLLABORATIVE, k) for k in collaboratives]
                + [(c.COHORT_AUTHORITY, a) for a in sorted(authorities & shown)], self.known_in(authorities - shown))

    def order(self) -> list[Unit]:
        """The aggregates bottom up: authorities, collaboratives, Scotland."""
        rank = {c.COHORT_AUTHORITY: 0, c.COHORT_COLLABORATIVE: 1, c.COHORT_NATIONAL: 2}
        return sorted(self.cells, key=lambda u: (rank[u[0]], u[1]))

    def withheld(self) -> set[Unit]:
        for unit in self.order():
            if unit in self.preset:
                (self.shown if self.preset[unit] else self.hidden).add(unit)
                continue
            children, covered = self.parts(unit)
            for child in children:
                covered = add(covered, self.cells[child])
            self.judge(unit, covered)
        return self.hidden
