"""Dashboard tables, and their CSV and XLSX exports.

A ``Table`` holds exactly the text every cell shows on the page, already through disclosure
control (``c`` for a withheld figure, an en dash for no data). The page template and both
exports read that same object, so an export matches the page cell for cell: CSV carries the
text; XLSX carries numbers as numbers (rounded to what the page shows, formatted to read the
same) and everything else as text. The trend sparklines are pictures of figures already in
the row, so they are not exported.

Formula injection: a text cell beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) is written with a leading apostrophe, so a spreadsheet shows it as text and never runs it.
Every export is written to the audit log by ``export_response``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from datahub import disclosure
from datahub.disclosure import Cell
from datahub.models import Establishment
from datahub.services import audit_event_create
from datahub.spreadsheet import neutralise

NO_DATA = "\u2013"  # en dash
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class TCell:
    """One cell as shown. ``value`` is the number the text shows (for XLSX and sorting)."""

    text: str
    value: float | int | None = None
    number_format: str | None = None
    hidden: bool = False
    href: str | None = None
    numeric: bool = True  # right-aligned figure (False: words)
    sort: float | int | None = None  # sort key of a cell in words ("12 points above"); else ``value``

    @property
    def sort_value(self) -> float | int | None:
        """Sort on what is shown: a withheld figure sorts with the missing ones, never by its value."""
        if self.hidden:
            return None
        return self.sort if self.sort is not None else self.value

    @property
    def no_data(self) -> bool:
        return self.text == NO_DATA


@dataclass
class TColumn:
    label: str
    numeric: bool = True
    sort_key: str = ""  # the ?sort= value that sorts on this column ("" = not sortable)
    sort_href: str = ""
    aria_sort: str = ""  # "ascending"/"descending" on the column the table is sorted by


@dataclass
class TRow:
    header: TCell
    cells: list[TCell]
    spark: Sequence[float | int | None] = ()  # the figures the trend sparkline draws (insight_tags.sparkline)
    html: str = field(default="", compare=False, repr=False)  # the row's markup once rendered (insight_tags.table_rows)


@dataclass
class Table:
    id: str
    caption: str
    columns: list[TColumn]  # the first is the row-header column
    rows: list[TRow]
    notes: list[str] = field(default_factory=list)
    sparklines: bool = False
    export_query: str = ""  # the query string that rebuilds this table (kept by the export links)
    csv_url: str = ""
    xlsx_url: str = ""

    @property
    def suppressed(self) -> bool:
        return any(cell.hidden for row in self.rows for cell in row.cells)

    def grid(self) -> list[list[str]]:
        """Header row and body rows as the page shows them (without the sparkline column)."""
        out = [[col.label for col in self.columns]]
        out += [[row.header.text, *(cell.text for cell in row.cells)] for row in self.rows]
        return out

    def sort(self, key: str, descending: bool) -> None:
        """Sort rows by a sortable column; missing and withheld figures always come last."""
        index = next((i for i, col in enumerate(self.columns) if col.sort_key == key), None)
        if index is None:
            return
        if index == 0:
            self.rows.sort(key=lambda r: r.header.text.casefold(), reverse=descending)
        else:
            present = [r for r in self.rows if r.cells[index - 1].sort_value is not None]
            missing = [r for r in self.rows if r.cells[index - 1].sort_value is None]
            present.sort(key=lambda r: (r.cells[index - 1].sort_value, r.header.text.casefold()), reverse=descending)
            missing.sort(key=lambda r: r.header.text.casefold())
            self.rows = present + missing
        for i, col in enumerate(self.columns):
            col.aria_sort = ("descending" if descending else "ascending") if i == index else ""


# --- Formatting ---------------------------------------------------------------------------------


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def figure(cell: Cell, kind: str) -> TCell:
    """A disclosure Cell as page text: kind "pct" (one decimal and %), "tariff" (whole points) or "count"."""
    if cell.suppressed:
        return TCell(disclosure.SUPPRESSED, hidden=True)
    v = cell.value
    if _is_missing(v):
        return TCell(NO_DATA)
    if kind == "pct":
        r = round(float(v), 1)  # type: ignore[arg-type]
        return TCell(f"{r:.1f}%", r, '0.0"%"')
    if kind == "tariff":
        r = round(float(v))  # type: ignore[arg-type]
        return TCell(f"{r:,}", r, "#,##0")
    n = int(v)  # type: ignore[arg-type]
    return TCell(f"{n:,}", n, "#,##0")


def text(value: str, href: str | None = None) -> TCell:
    return TCell(value, href=href, numeric=False)


# --- Writers --------------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in table.grid():
        writer.writerow([neutralise(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheets read UTF-8


DEMO_NOTE = ("Demonstration data: pupils, results and destinations here are synthetic, made by the demo "
             "generator; no figure is a real school's result.")


def to_xlsx(table: Table, *, source: str, viewer_note: str, synthetic: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Table"
    bold = Font(bold=True)
    for j, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=j, value=neutralise(col.label))
        cell.font = bold
    for i, row in enumerate(table.rows, start=2):
        ws.cell(row=i, column=1, value=neutralise(row.header.text))
        for j, tc in enumerate(row.cells, start=2):
            if tc.value is not None and not tc.hidden and isinstance(tc.value, int | float):
                cell = ws.cell(row=i, column=j, value=tc.value)
                if tc.number_format:
                    cell.number_format = tc.number_format
            else:
                ws.cell(row=i, column=j, value=neutralise(tc.text))
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = max(12, min(60, max((len(r.header.text) for r in table.rows), default=12) + 2))
    notes = wb.create_sheet("Notes")
    lines = [table.caption, *([DEMO_NOTE] if synthetic else []), source, viewer_note, *table.notes]
    if table.suppressed:
        lines.append(disclosure.explanation())
    lines.append(f"{NO_DATA}: no data.")
    now = timezone.localtime()
    lines.append(f"Exported {now.day} {now:%B %Y %H:%M}.")
    for i, line in enumerate(lines, start=1):
        notes.cell(row=i, column=1, value=neutralise(line))
    notes.column_dimensions["A"].width = 120
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(*parts: str) -> str:
    return re.sub(r"-+", "-", "-".join(slugify(p) for p in parts if p)).strip("-")[:150] or "table"


def export_response(
    request: Any,
    table: Table,
    fmt: str,
    *,
    name: str,
    source: str,
    viewer_note: str,
    object_type: str,
    object_id: str | int,
    establishment: Any = None,
    authority: Any = None,
) -> HttpResponse:
    """The file for ``table`` in ``fmt``, after writing the export to the audit log."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    audit_event_create(
        actor=request.user,
        action="export_benchmarks",
        object_type=object_type,
        object_id=object_id,
        establishment=establishment,
        authority=authority,
        detail={"table": table.id, "format": fmt, "rows": len(table.rows), "query": request.GET.urlencode()[:500],
                "suppressed": table.suppressed},
    )
    if fmt == "csv":
        resp = HttpResponse(to_csv(table), content_type="text/csv; charset=utf-8")
    else:
        # As every page says (the synthetic-data banner, insight.nav), so does the spreadsheet's Notes sheet.
        synthetic = Establishment.objects.filter(synthetic=True).exists()
        xlsx = to_xlsx(table, source=source, viewer_note=viewer_note, synthetic=synthetic)
        resp = HttpResponse(xlsx, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    resp["Cache-Control"] = "no-store"
    return resp
