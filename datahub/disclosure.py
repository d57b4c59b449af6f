"""Disclosure control: the one module that decides what an aggregate may show a viewer.

Primary rule (DOMAIN.md): for viewers not entitled to unsuppressed figures, a count under
DISCLOSURE_MIN_COUNT (5), and any percentage or average built on such a count, is shown as ``c``.
Secondary suppression (so a hidden cell cannot be recovered from totals or sibling cells) is
applied per table by ``suppress_table``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from .access import Entitlement

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

    Primary: each count in 1..min-1. Secondary: if exactly one cell is hidden and the total is
    shown, the next smallest non-zero sibling is hidden too, so total minus the visible cells
    cannot reveal the hidden one; repeated until the hidden cells together reach min_count.
    """
    if entitlement.unsuppressed:
        return [False] * len(counts)
    limit = min_count()
    hidden = [0 < c < limit for c in counts]
    if any(hidden) and total is not None:
        while True:
            hidden_sum = sum(c for c, h in zip(counts, hidden, strict=True) if h)
            n_hidden = sum(hidden)
            if n_hidden >= 2 and hidden_sum >= limit:
                break
            candidates = [(c, i) for i, (c, h) in enumerate(zip(counts, hidden, strict=True)) if not h and c > 0]
            if not candidates:
                break
            hidden[min(candidates)[1]] = True
    return hidden
