"""Suppression rules of datahub.disclosure, checked by hand and against an exact (LP) attacker."""

from __future__ import annotations

import random

import pytest

from datahub.access import Entitlement
from datahub.disclosure import Hierarchy, Relation, protect, protect_hierarchy, shown, suppress_table
from tests.insight.checks import hierarchy_relations, lp_max

LIMIT = 5


# --- One table ----------------------------------------------------------------------------------


def test_primary_suppression_hides_counts_from_one_to_four_and_shows_zero() -> None:
    hidden = protect({"a": 0, "b": 1, "c": 4, "d": 5}, [])
    assert hidden == {"b", "c"}


def test_total_minus_the_visible_cells_cannot_reveal_a_single_hidden_cell() -> None:
    counts = {"t": 60, "a": 3, "b": 40, "c": 17}
    hidden = protect(counts, [Relation("t", ("a", "b", "c"))])
    assert hidden == {"a", "c"}  # c is the smallest sibling that can hide it
    visible = sum(counts[k] for k in "abc" if k not in hidden)
    assert counts["t"] - visible == 20  # the attacker learns a + c = 20, so a could be anything up to 19


def test_hidden_cells_together_must_leave_room_for_each_to_reach_the_threshold() -> None:
    counts = {"t": 62, "a": 1, "b": 2, "c": 29, "d": 30}
    hidden = protect(counts, [Relation("t", ("a", "b", "c", "d"))])
    assert {"a", "b", "c"} <= hidden  # a + b = 3: each could be at most 2 without c


def test_an_insider_knowing_one_part_still_cannot_isolate_another() -> None:
    counts = {"A": 90, "s1": 2, "s2": 40, "s3": 48}
    hidden = protect(counts, [Relation("A", ("s1", "s2", "s3"), insider=True)])
    # s1 and s2 alone would let s2's staff work out s1 = A - s3 - s2: a third part is hidden.
    assert hidden == {"s1", "s2", "s3"}


def test_a_hidden_total_needs_hidden_parts_or_it_would_be_their_sum() -> None:
    counts = {"q": 3, "d1": 0, "d2": 3, "t": 50, "q2": 47}
    hidden = protect(counts, [Relation("q", ("d1", "d2")), Relation("t", ("q", "q2"))])
    assert {"q", "d2", "q2"} <= hidden


def test_suppress_table_keeps_its_behaviour_for_one_breakdown() -> None:
    assert suppress_table([3, 40, 12, 25], 80, Entitlement.PUBLIC) == [True, False, True, False]
    assert suppress_table([3, 40], None, Entitlement.PUBLIC) == [True, False]
    assert suppress_table([3, 40], 43, Entitlement.OWN) == [False, False]


def test_entitled_viewers_never_get_a_hidden_figure() -> None:
    for ent in (Entitlement.OWN, Entitlement.AUTHORITY, Entitlement.PARTNER):
        assert shown(2, 2, True, ent).shown == 2
    assert shown(75.0, 40, True, Entitlement.PUBLIC).shown == "c"
    assert shown(75.0, 4, False, Entitlement.PUBLIC).shown == "c"  # built on 4 young people
    assert shown(75.0, 40, False, Entitlement.PUBLIC).shown == 75.0


# --- Hierarchies ---------------------------------------------------------------------------------------


def _knows(unit: tuple) -> frozenset:
    level, uid = unit
    if level == "E":
        return frozenset({("school", uid), ("authority", uid // 100)})
    return frozenset({("authority", uid)}) if level == "A" else frozenset()


def random_hierarchy(seed: int) -> Hierarchy:
    """A small Scotland: authorities of 1-5 schools (ids 100a + k), two breakdowns, small groups."""
    rng = random.Random(seed)
    breakdowns = {"sex": ["F", "M"], "ce": ["yes", "no"], "q": ["1", "2", "3"]}
    counts: dict = {}
    parent: dict = {("N", 0): None}
    for a in range(1, rng.randint(2, 5) + 1):
        parent[("A", a)] = ("N", 0)
        for k in range(rng.randint(1, 5)):
            e = ("E", 100 * a + k)
            parent[e] = ("A", a)
            n = rng.choice([rng.randint(2, 9), rng.randint(20, 80), rng.randint(20, 80)])
            ce = min(n, rng.choice([0, 1, 2, 3, rng.randint(4, 9)]))
            f = rng.randint(0, n)
            q1 = rng.randint(0, n // 4 + 1)
            q2 = rng.randint(0, n - q1)
            values = {("", ""): n, ("sex", "F"): f, ("sex", "M"): n - f, ("ce", "yes"): ce, ("ce", "no"): n - ce,
                      ("q", "1"): q1, ("q", "2"): q2, ("q", "3"): n - q1 - q2}
            for cell, v in values.items():
                counts[(e, *cell)] = v
                for up in (("A", a), ("N", 0)):
                    counts[(up, *cell)] = counts.get((up, *cell), 0) + v
    return Hierarchy(counts, parent, breakdowns, _knows)


def _primaries(h: Hierarchy) -> list:
    return [k for k, v in h.counts.items() if 0 < v < LIMIT]


def _entitled(h: Hierarchy, cell: tuple, insider: object) -> bool:
    """Is the insider entitled to the cell, or is the cell wholly their own data?"""
    unit = cell[0]
    chain = [unit]
    while h.parent.get(chain[-1]) is not None:
        chain.append(h.parent[chain[-1]])
    if any(insider in h.knows(u) for u in chain):
        return True
    kids = [u for u, p in h.parent.items() if p == unit]
    nonzero = [k for k in kids if h.counts.get((k, cell[1], cell[2]), 0) > 0]
    return bool(kids) and all(insider in h.knows(k) for k in nonzero)


@pytest.mark.parametrize("seed", range(24))
def test_no_withheld_cell_can_be_narrowed_below_five_by_any_combination_of_shown_figures(seed: int) -> None:
    h = random_hierarchy(seed)
    hidden = protect_hierarchy(h, limit=LIMIT)
    relations = hierarchy_relations(h)
    for cell in _primaries(h):
        assert cell in hidden
        assert lp_max(h.counts, relations, hidden, cell) >= LIMIT - 1e-6, cell


@pytest.mark.parametrize("seed", range(12))
def test_nor_by_someone_who_knows_one_school_or_authority_exactly(seed: int) -> None:
    h = random_hierarchy(100 + seed)
    hidden = protect_hierarchy(h, limit=LIMIT)
    relations = hierarchy_relations(h)
    insiders = sorted({i for u in h.parent for i in h.knows(u)}, key=repr)
    for insider in insiders:
        known = {k for k in hidden if insider in h.knows(k[0])}
        for cell in _primaries(h):
            if _entitled(h, cell, insider):
                continue
            assert lp_max(h.counts, relations, hidden, cell, known=known) >= LIMIT - 1e-6, (insider, cell)


def test_the_same_counts_always_give_the_same_pattern() -> None:
    h = random_hierarchy(7)
    assert protect_hierarchy(h, limit=LIMIT) == protect_hierarchy(h, limit=LIMIT)


def test_cells_of_units_no_page_shows_are_hidden_first() -> None:
    # Authority 1: schools 100 (2 care-experienced leavers), 101 and 102 (big), and 103, a
    # special school no dashboard shows. The second cell hidden should be the special school's.
    parent = {("N", 0): None, ("A", 1): ("N", 0), ("A", 2): ("N", 0), ("E", 200): ("A", 2), ("E", 201): ("A", 2)}
    counts: dict = {}
    for e, (n, ce) in {100: (50, 2), 101: (40, 9), 102: (45, 9), 103: (20, 8)}.items():
        parent[("E", e)] = ("A", 1)
        for cell, v in {("", ""): n, ("ce", "yes"): ce, ("ce", "no"): n - ce}.items():
            counts[(("E", e), *cell)] = v
    for e, n in {200: 60, 201: 60}.items():
        for cell, v in {("", ""): n, ("ce", "yes"): 10, ("ce", "no"): n - 10}.items():
            counts[(("E", e), *cell)] = v
    for unit in [("A", 1), ("A", 2), ("N", 0)]:
        for cell in [("", ""), ("ce", "yes"), ("ce", "no")]:
            counts[(unit, *cell)] = sum(v for (u, *c), v in counts.items() if u[0] == "E" and tuple(c) == cell
                                        and (parent[u] == unit or unit == ("N", 0)))
    h = Hierarchy(counts, parent, {"ce": ["yes", "no"]}, _knows)
    hidden = protect_hierarchy(h, limit=LIMIT, tier=lambda k: 0 if k[0] == ("E", 103) else 1)
    assert (("E", 103), "ce", "yes") in hidden
    relations = hierarchy_relations(h)
    assert lp_max(counts, relations, hidden, (("E", 100), "ce", "yes")) >= LIMIT
