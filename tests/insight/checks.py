"""Checks the disclosure tests share (no tests here).

- ``lp_max``: the exact attacker: the largest value a withheld cell can take given every shown
  figure and every relation between them (a linear programme, scipy's HiGHS).
- ``hierarchy_relations``: every additive relation of a ``datahub.disclosure.Hierarchy``.
- ``lp_max_many``: the same attacker for many cells at once, with inequalities between layers too.
- ``page_table``: a table of a rendered page as the text a sighted user reads, cell by cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser

import numpy as np

# --- The exact attacker ---------------------------------------------------------------------------


def hierarchy_relations(h: object) -> list:
    """Every additive relation of a disclosure.Hierarchy: breakdowns within units, units within parents."""
    from datahub.disclosure import Relation

    kids: dict = defaultdict(list)
    for unit, par in h.parent.items():  # type: ignore[attr-defined]
        if par is not None:
            kids[par].append(unit)
    cells = [("", "")] + [(d, v) for d, vals in h.breakdowns.items() for v in vals]  # type: ignore[attr-defined]
    rels = [Relation((u, "", ""), tuple((u, d, v) for v in vals))
            for u in h.parent for d, vals in h.breakdowns.items()]  # type: ignore[attr-defined]
    rels += [Relation((p, d, v), tuple((k, d, v) for k in ks)) for p, ks in kids.items() for d, v in cells]
    return rels


def lp_max(counts: Mapping, relations: Iterable, hidden: set, target: object, *, known: Iterable = (),
           unknown_zero: Iterable = ()) -> float:
    """The largest value ``target`` can take: hidden cells are unknowns (at least 1 where the true
    value is, a stronger attacker than the real one, except ``unknown_zero`` cells: withheld
    whatever their value, zeros included, so nobody knows they are not 0), shown cells and
    ``known`` ones are fixed."""
    floor_zero = set(unknown_zero)
    from scipy.optimize import linprog

    known = set(known)
    unknown = sorted((k for k in hidden if k not in known), key=repr)
    idx = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for r in relations:
        cells = ((r.total, -1.0), *((p, 1.0) for p in r.parts)) if r.total is not None else ()
        if not any(c in idx for c, _ in cells):
            continue
        row = np.zeros(len(unknown))
        b = 0.0
        for c, coef in cells:
            if c in idx:
                row[idx[c]] += coef
            else:
                b -= coef * counts.get(c, 0)
        rows.append(row)
        rhs.append(b)
    objective = np.zeros(len(unknown))
    objective[idx[target]] = -1.0
    bounds = [(0 if k in floor_zero else min(1, counts.get(k, 0)), None) for k in unknown]
    res = linprog(objective, A_eq=np.array(rows) if rows else None, b_eq=np.array(rhs) if rows else None,
                  bounds=bounds, method="highs")
    if res.status == 3:
        return float("inf")
    assert res.status == 0, res.message
    return -float(res.fun)


# --- Reading a page's table -------------------------------------------------------------------------


class _TableReader(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # >0 inside the wanted table
        self.hidden_depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == f"table-{self.table_id}":
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "table":
            self.depth += 1
        hidden = "visually-hidden" in (a.get("class") or "").split() or (a.get("aria-hidden") == "true" and tag == "svg")
        self.stack.append(hidden)
        if hidden:
            self.hidden_depth += 1
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
            return
        if self.stack and self.stack.pop():
            self.hidden_depth -= 1
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.depth and self.cell is not None and not self.hidden_depth:
            self.cell.append(data)


def page_table(html: str, table_id: str, *, drop_trend: bool = False) -> list[list[str]]:
    """The rows (header row first) of ``<table id="table-<table_id>">`` as shown on screen."""
    reader = _TableReader(table_id)
    reader.feed(html)
    rows = [r for r in reader.rows if r]
    if drop_trend and rows and rows[0][-1] == "Trend":
        rows = [r[:-1] for r in rows]
    return rows


def lp_max_many(counts: Mapping, relations: Iterable, hidden: set, targets: Iterable, *,
                orders: Iterable[tuple] = (), floor_zero: Iterable = ()) -> dict:
    """``lp_max`` for many targets over one system, with ``orders``: pairs (a, b) meaning a <= b
    (a count of a subset is at most the count of the whole, in another layer). Hidden cells are
    unknowns at least min(1, true value), except ``floor_zero`` cells (at least 0); shown cells are
    fixed. Returns target -> largest value."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    unknown = sorted(hidden, key=repr)
    idx = {k: i for i, k in enumerate(unknown)}

    def matrix(systems: Iterable[Iterable[tuple]]) -> tuple[csr_array, np.ndarray] | tuple[None, None]:
        """Sparse rows (each relation touches a handful of cells among thousands): HiGHS reads
        them as they are, where a dense matrix is scanned whole for every target."""
        data: list[float] = []
        cols: list[int] = []
        row_ids: list[int] = []
        rhs: list[float] = []
        for cells in systems:
            cells = list(cells)
            if not any(cell in idx for cell, _ in cells):
                continue
            b = 0.0
            for cell, coef in cells:
                if cell in idx:
                    data.append(coef)
                    cols.append(idx[cell])
                    row_ids.append(len(rhs))
                else:
                    b -= coef * counts.get(cell, 0)
            rhs.append(b)
        if not rhs:
            return None, None
        # Repeated (row, column) pairs are summed, as += on a dense row would.
        return csr_array((data, (row_ids, cols)), shape=(len(rhs), len(unknown))), np.array(rhs)

    a_eq, b_eq = matrix(((r.total, -1.0), *((p, 1.0) for p in r.parts)) for r in relations if r.total is not None)
    a_ub, b_ub = matrix(((a, 1.0), (b, -1.0)) for a, b in orders)
    zero = set(floor_zero)
    bounds = [(0 if k in zero else min(1, counts.get(k, 0)), None) for k in unknown]
    out = {}
    for target in targets:
        objective = np.zeros(len(unknown))
        objective[idx[target]] = -1.0
        res = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if res.status == 3:
            out[target] = float("inf")
            continue
        assert res.status == 0, res.message
        out[target] = -float(res.fun)
    return out
