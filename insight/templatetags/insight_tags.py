"""Markup the insight pages build from numbers: trend sparklines, the "Change establishment"
options and the figures of a Find Partners row. Tags rather than includes because a page shows
hundreds of them (every school of Scotland); every value is escaped by format_html or is a number."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

from datahub import disclosure

from ..benchmarking import columns as c
from ..exports import Table, TCell, TRow
from ..selectors.catalogue import year_label
from ..selectors.partners import PartnerRow

register = template.Library()


@register.filter
def leaver_years(years: Sequence[int]) -> str:
    """A run's leaver years as the pages write them: "2020/21 to 2024/25" when consecutive."""
    ys = sorted(years)
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{year_label(ys[0])} to {year_label(ys[-1])}"
    return ", ".join(year_label(y) for y in ys)


# --- Trend sparklines ---------------------------------------------------------------------------------


@register.simple_tag
def sparkline(values: Sequence[float | int | None]) -> SafeString:
    """A small inline SVG of a row's figures (decorative: the figures are in the row)."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if not points:
        return mark_safe("")
    width, height, pad = 96, 24, 3
    low, high = min(v for _, v in points), max(v for _, v in points)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (v - low) / span * (height - 2 * pad)

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(xy(i, float(v)))
    parts = []
    for run in runs:
        if len(run) > 1:
            parts.append('<polyline fill="none" stroke="#0072b2" stroke-width="2" points="'
                         + " ".join(f"{x:.1f},{y:.1f}" for x, y in run) + '"/>')
    last_x, last_y = xy(*points[-1])
    for x, y in (xy(i, v) for i, v in points):
        r = 3 if (x, y) == (last_x, last_y) else 1.8
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#0072b2"/>')
    svg = (f'<svg class="portal-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'aria-hidden="true" focusable="false">{"".join(parts)}</svg>')
    return mark_safe(svg)  # noqa: S308 - built from numbers only


# --- The body of a dashboard table ---------------------------------------------------------------------

_CELL_NO_DATA = '<span aria-hidden="true">&ndash;</span><span class="visually-hidden">no data</span>'


def _table_cell(cell: TCell) -> str:
    content = _CELL_NO_DATA if cell.no_data else conditional_escape(cell.text)
    return f'<td class="portal-num">{content}</td>' if cell.numeric else f"<td>{content}</td>"


@register.simple_tag
def table_rows(table: Table) -> SafeString:
    """The rows of templates/insight/includes/_table.html's ``<tbody>`` (a row header, the cells, the
    trend sparkline): a tag, not a template loop, because the national view shows every school of
    Scotland and rendering its ~3,000 cells through the template engine cost most of the page's
    time. The markup is what the loop wrote, byte for byte; every text is escaped."""
    out = [_INDENT]
    for row in table.rows:
        if not row.html:  # a row kept in memory (the national view's tables) is rendered once
            row.html = _table_row(row, table.sparklines)
        out.append(row.html)
    out.append("\n        ")
    return mark_safe("".join(out))  # noqa: S308 - every text went through conditional_escape (_table_row)


_INDENT, _INNER = "\n            ", "\n                "


def _table_row(row: TRow, sparklines: bool) -> str:
    head: str = conditional_escape(row.header.text)
    if row.header.href:
        head = f'<a href="{conditional_escape(row.header.href)}">{head}</a>'
    spark = f'<td class="portal-spark-cell">{sparkline(row.spark)}</td>' if sparklines else ""
    return (f'{_INDENT}<tr>{_INNER}<th scope="row">{head}</th>{_INNER}'
            f'{"".join(_table_cell(cell) for cell in row.cells)}{_INNER}{spark}{_INDENT}</tr>{_INDENT}')


# --- "Change establishment" ------------------------------------------------------------------------------


@register.simple_tag
def school_options(schools: Sequence[tuple[str, str, str]], current: str) -> SafeString:
    """The <option>s of the "Change establishment" list from (SEED code, name, authority name)
    triples, by name, each reading "Name, Authority (SEED)" so typing any of the three finds it
    (a tag, not a template loop: ~360 options per page render). ``current`` is left out."""
    rows = sorted((name, authority_name, seed) for seed, name, authority_name in schools if seed != current)
    return format_html_join("", '<option value="{}, {} ({})"></option>', rows)


# --- Figures of a Find Partners row ---------------------------------------------------------------------

_NO_DATA = mark_safe('<span aria-hidden="true">\u2013</span><span class="visually-hidden">no data</span>')
_NO_SCORE = mark_safe('<span aria-hidden="true">\u2013</span><span class="visually-hidden">no score</span>')
_NOT_KNOWN = mark_safe('<span aria-hidden="true">\u2013</span><span class="visually-hidden">not known</span>')
_NOT_APPLICABLE = mark_safe(
    '<span aria-hidden="true">\u2013</span><span class="visually-hidden">not applicable</span>'
)


def _pct(v: float) -> str:
    return f"{v:.1f}%"


def _score(v: float) -> str:
    return f"{v:+.3f}"


# column -> (the row's cell, how a value is written, what a missing value says, not for the own school)
_PARTNER_FIGURES: dict[str, tuple[Callable[[PartnerRow], disclosure.Cell], Callable[[float], str], str, bool]] = {
    "lowest20": (lambda r: r.scores[c.LOWEST20], _score, _NO_SCORE, False),
    "middle60": (lambda r: r.scores[c.MIDDLE60], _score, _NO_SCORE, False),
    "highest20": (lambda r: r.scores[c.HIGHEST20], _score, _NO_SCORE, False),
    "distance": (lambda r: r.distance, lambda v: f"{v:.3f}", _NOT_KNOWN, True),
    "gap": (lambda r: r.score_gap, _score, _NOT_KNOWN, True),
    "positive": (lambda r: r.positive, _pct, _NO_DATA, False),
    "litnum4": (lambda r: r.lit_num4, _pct, _NO_DATA, False),
    "litnum5": (lambda r: r.lit_num5, _pct, _NO_DATA, False),
    "tariff": (lambda r: r.tariff_lowest20, lambda v: f"{round(v):,}", _NO_DATA, False),
}


@register.filter
def partner_figure(row: PartnerRow, column: str) -> Any:
    """One figure of a Find Partners row as the page writes it: "c" when withheld, a dash with a
    spoken "no data" (or "no score", "not known") when missing, "not applicable" for the distance
    and advantage of the user's own school."""
    get, fmt, missing, not_own = _PARTNER_FIGURES[column]
    if not_own and row.is_own:
        return _NOT_APPLICABLE
    cell = get(row)
    if cell.suppressed:
        return disclosure.SUPPRESSED
    if cell.value is None or (isinstance(cell.value, float) and math.isnan(cell.value)):
        return missing
    return fmt(float(cell.value))  # digits, signs, "." "," and "%": nothing to escape
