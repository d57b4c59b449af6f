"""A comparator group's figures as a table (its own page) and as data (the API), for one viewer."""

from __future__ import annotations

import math
from typing import Any

from ..benchmarking import columns as c
from ..exports import Table, TColumn, TRow, figure, text
from ..selectors.catalogue import HEADLINE_MEASURES, MEASURES, year_label
from .figures import GroupFigures

GROUP_MEASURES = (c.N_LEAVERS, *HEADLINE_MEASURES)


def _kind(measure: str) -> str:
    return "count" if measure == c.N_LEAVERS else MEASURES[measure].kind


def _label(measure: str) -> str:
    return "Leavers" if measure == c.N_LEAVERS else MEASURES[measure].short


def group_table(gf: GroupFigures) -> Table:
    years = gf.figures.years
    cols = [TColumn("Year of leaving", numeric=False)] + [TColumn(_label(m)) for m in GROUP_MEASURES]
    rows = [TRow(text(year_label(y)), [figure(gf.cell(y, m), _kind(m)) for m in GROUP_MEASURES]) for y in years]
    return Table("group-figures", f"{gf.group.name}: the national measures of its schools' leavers together", cols, rows)


def group_data(gf: GroupFigures) -> list[dict[str, Any]]:
    """Per year: each measure's value, or "c" when withheld from this viewer, or null (no data)."""
    out = []
    for y in gf.figures.years:
        row: dict[str, Any] = {"year": y}
        for m in GROUP_MEASURES:
            shown = gf.cell(y, m).shown
            row[m] = None if isinstance(shown, float) and math.isnan(shown) else shown
        out.append(row)
    return out
