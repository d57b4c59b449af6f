"""Primary and secondary suppression of small numbers."""

from __future__ import annotations

from datahub.access import Entitlement
from datahub.disclosure import SUPPRESSED, cell, suppress_table


def test_counts_under_five_are_hidden_from_the_public() -> None:
    assert cell(3, 3, Entitlement.PUBLIC).shown == SUPPRESSED
    assert cell(75.0, 4, Entitlement.PUBLIC).shown == SUPPRESSED  # a percentage built on 4
    assert cell(5, 5, Entitlement.PUBLIC).shown == 5
    assert cell(0, 0, Entitlement.PUBLIC).shown == 0  # zero reveals nobody


def test_entitled_viewers_see_small_numbers() -> None:
    for ent in (Entitlement.OWN, Entitlement.AUTHORITY, Entitlement.PARTNER):
        assert cell(3, 3, ent).shown == 3


def test_a_single_hidden_cell_gets_a_secondary_partner() -> None:
    counts = [3, 40, 12, 25]
    hidden = suppress_table(counts, total=sum(counts), entitlement=Entitlement.PUBLIC)
    assert hidden == [True, False, True, False]
    visible = sum(c for c, h in zip(counts, hidden, strict=True) if not h)
    # total minus the visible cells gives only the sum of two hidden cells (15), not the 3.
    assert sum(counts) - visible == 15


def test_secondary_suppression_continues_until_hidden_cells_reach_the_threshold() -> None:
    counts = [1, 1, 30, 30]
    hidden = suppress_table(counts, total=62, entitlement=Entitlement.PUBLIC)
    assert hidden[:2] == [True, True]
    assert sum(c for c, h in zip(counts, hidden, strict=True) if h) >= 5


def test_no_suppression_for_partners() -> None:
    assert suppress_table([1, 2, 50], total=53, entitlement=Entitlement.PARTNER) == [False, False, False]
