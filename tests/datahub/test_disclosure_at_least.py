"""Suppression of a "k or more" distribution (Breadth and Depth)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from datahub.access import Entitlement
from datahub.disclosure import suppress_at_least


def _groups(total: int, at_least: list[int], hidden: list[bool]) -> list[int]:
    """The group sizes an observer can work out from the shown counts."""
    edges = [total] + [v for v, h in zip(at_least, hidden, strict=True) if not h] + [0]
    return [a - b for a, b in itertools.pairwise(edges)]


def test_own_school_sees_everything_and_a_small_cohort_nothing() -> None:
    assert suppress_at_least(3, [3, 2, 1], Entitlement.OWN) == [False, False, False]
    assert suppress_at_least(3, [3, 2, 1], Entitlement.PUBLIC) == [True, True, True]


def test_worked_distribution() -> None:
    # 30 members: 28 with 1+, 27 with 2+, 20 with 3+, 12 with 4+, 3 with 5+, 0 with 6+.
    at_least = [28, 27, 20, 12, 3, 0]
    hidden = suppress_at_least(30, at_least, Entitlement.PUBLIC)
    # 6+ (0) shown; 5+ (3) would leave a group of 3: hidden; 4+ (12, 12 from 0) shown; 3+ (20) shown;
    # 2+ (27, 7 more) shown; 1+ (28) would leave 1: hidden; then 30 - 27 = 3 above 2+: 2+ hidden too.
    assert hidden == [True, True, False, False, True, False]
    assert _groups(30, at_least, hidden) == [10, 8, 12, 0]


def test_no_visible_difference_is_a_small_group() -> None:
    for total in range(0, 40):
        for at_least in itertools.islice(_distributions(total), 400):
            hidden = suppress_at_least(total, at_least, Entitlement.PUBLIC)
            if 0 < total < 5:
                assert all(hidden)
                continue
            assert all(g == 0 or g >= 5 for g in _groups(total, at_least, hidden)), (total, at_least, hidden)


def _distributions(total: int) -> Iterator[list[int]]:
    for cuts in itertools.combinations_with_replacement(range(total, -1, -1), 4):
        yield list(cuts)
