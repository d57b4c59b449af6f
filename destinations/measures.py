"""Display cells of the destination measures: every figure through datahub.disclosure."""

from __future__ import annotations

from typing import Any

from datahub import disclosure
from datahub.access import Entitlement

from .selectors import DestinationMeasures


def _cell(value: float | int | None, base: int, ent: Entitlement, hide: bool = False) -> disclosure.Cell:
    c = disclosure.cell(value, base, ent)
    return disclosure.Cell(c.value, base, c.suppressed or hide)


def measure_cells(m: DestinationMeasures | None, ent: Entitlement, *, hide: bool = False) -> dict[str, Any]:
    """Display cells of one group's destination measures, each suppressed on its own base."""
    m = m or DestinationMeasures()
    n = m.leavers
    cells: dict[str, Any] = {
        "leavers": _cell(n, n, ent, hide),
        "initial_known_pct": _cell(m.initial_known_pct, n, ent, hide),
        "follow_up_known_pct": _cell(m.follow_up_known_pct, n, ent, hide),
        "initial_positive_pct": _cell(m.initial_positive_pct, m.initial_known, ent, hide),
        "follow_up_positive_pct": _cell(m.follow_up_positive_pct, m.follow_up_known, ent, hide),
        "sustained_pct": _cell(m.sustained_pct, m.sustained_known, ent, hide),
    }
    known = [cells["initial_known_pct"], cells["follow_up_known_pct"]]
    cells["known_target_met"] = (
        None if any(c.suppressed or c.value is None for c in known) else all((c.value or 0) >= 100.0 for c in known)
    )
    cells["any_suppressed"] = any(isinstance(c, disclosure.Cell) and c.suppressed for c in cells.values())
    return cells
