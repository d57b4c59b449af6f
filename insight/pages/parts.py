"""Page assembly shared by the dashboards: ``Page`` and ``Panel``, cells, charts, captions, tables.

A page is built once per request from the selectors' figures (insight.selectors) into
``insight.exports.Table``s; the template shows the tables and the exports write the same
objects, so the files match the page cell for cell. Charts and captions read the tables' cells,
so they never carry or describe a withheld figure.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement
from datahub.sharing import share_url

from ..benchmarking import columns as c
from ..exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from ..groups.figures import GroupFigures
from ..selectors.catalogue import BREAKDOWNS, LIT_NUM_DEFAULT, LIT_NUM_PAIRS, MEASURES, lit_num_pair_label, year_label
from ..selectors.figures import Figures, Subject

ENTITLEMENT_NOTES = {
    Entitlement.OWN: "You see every figure unsuppressed because this is your own school.",
    Entitlement.AUTHORITY: "You see every figure unsuppressed because this school is in your authority.",
    Entitlement.PARTNER: "You see every figure unsuppressed because this school is one of your learning partners.",
    Entitlement.PUBLIC: (
        "Figures based on fewer than {n} young people, and figures that could be used to work them out, "
        "are withheld and shown as c."
    ),
}


def entitlement_note(ent: Entitlement) -> str:
    return ENTITLEMENT_NOTES[ent].format(n=disclosure.min_count())


def joined(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# The local measures (Breadth and Depth, curricular areas): who sees a school's, and why an
# aggregate's figure can be c (``insight.selectors.local_aggregates``).
LOCAL_NOTE = ("A school's Breadth and Depth and curricular areas are shown only to its own staff, its authority and "
              "its learning partners; to everyone else they show c.")
LOCAL_AGGREGATE_NOTE = ("Figures of {places} show c where, beside figures you already see, they could give a school's "
                        "away: once the schools and areas shown to you are taken away, fewer than three schools would "
                        "be left, or one of them would hold all but four or fewer of the pupils, or a group of 1 to 4 "
                        "pupils could be worked out.")


def local_aggregate_note(named: list[tuple[str, Any]], position: int | None = None) -> str:
    """The note for the aggregates (name, Distribution or None) with a figure withheld (the count
    at ``position``, 1-based, or any), or ""."""
    withheld: list[str] = []
    for name, d in named:
        if d is not None and name not in withheld and (
                d.total_hidden or (any(d.hidden) if position is None else d.hidden[position - 1])):
            withheld.append(name)
    return LOCAL_AGGREGATE_NOTE.format(places=joined(withheld)) if withheld else ""


# --- Small pieces -----------------------------------------------------------------------------


def _kind(measure: str) -> str:
    return "count" if measure == c.N_LEAVERS else MEASURES[measure].kind


def fig(figures: Figures, subject: Subject, year: int, measure: str, dim: str = "", value: str = "") -> TCell:
    if subject.kind == "authority_vc" and not MEASURES[measure].vc_aggregable:
        return TCell(NO_DATA)
    return figure(figures.cell(subject, year, measure, dim, value), _kind(measure))


def vc_range(figures: Figures, subject: Subject, year: int, measure: str) -> TCell:
    iv = figures.interval(subject, year, measure)
    if iv is None:
        return TCell(NO_DATA)
    low, high, _ = iv
    if low.suppressed:
        return TCell(disclosure.SUPPRESSED, hidden=True)
    lo, hi = figure(low, MEASURES[measure].kind), figure(high, MEASURES[measure].kind)
    if lo.no_data or hi.no_data:
        return TCell(NO_DATA)
    return TCell(f"{lo.text} to {hi.text}")


def shown(cell: TCell) -> float | int | None:
    return None if cell.hidden or cell.no_data else cell.value


def num(cell: TCell) -> float:
    return float(cell.value) if cell.value is not None else float("nan")


def spoken(cell: TCell) -> str:
    if cell.hidden:
        return "withheld (c)"
    return "no data" if cell.no_data else cell.text


# --- Charts, sorting and links --------------------------------------------------------------------


def against(subjects: Sequence[Subject]) -> str:
    """The comparisons' names as a title lists them: "Aberdeen City, Northern Alliance and Scotland"."""
    names = [s.label for s in subjects]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def lit_num_pair(page: Page, request: HttpRequest) -> str:
    """The pair of literacy and numeracy levels the page shows (``?litnum=34|45|56``, 4 and 5 by
    default), kept in the page's shareable state and offered to its template."""
    pair = choice(request.GET, "litnum", list(LIT_NUM_PAIRS), LIT_NUM_DEFAULT)
    if pair != LIT_NUM_DEFAULT:
        page.state["litnum"] = pair
    page.context.update(lit_num_pair=pair,
                        lit_num_options=[(key, lit_num_pair_label(key)) for key in LIT_NUM_PAIRS])
    print_filters(page, [("Literacy and numeracy", lit_num_pair_label(pair))])
    return pair


def keep_lit_num_pair(page: Page, pair: str) -> None:
    """The literacy and numeracy tables' export links rebuild the pair shown."""
    if pair == LIT_NUM_DEFAULT:
        return
    for table in page.tables.values():
        if table.id.startswith("m-pct-lit-num"):
            table.export_query = f"litnum={pair}"


def chart(table: Table, *, kind: str, unit: str, series_columns: Sequence[tuple[int, str]],
          band: tuple[int, int] | None = None, band_label: str = "") -> dict:
    """A chart's data, read from a table's cells (so it never carries a withheld figure).

    ``series_columns``: (column index, role) per line or bar; roles pick the colour and marker.
    ``band``: column indexes of a table holding low and high of the VC range (same rows).
    """
    labels = [row.header.text for row in table.rows]
    series = []
    for index, role in series_columns:
        series.append({
            "label": table.columns[index].label,
            "role": role,
            "data": [shown(row.cells[index - 1]) for row in table.rows],
        })
    out: dict[str, Any] = {"type": kind, "unit": unit, "labels": labels, "series": series, "band": None}
    if band is not None:
        low, high = band
        out["band"] = {"label": band_label, "low": [shown(r.cells[low - 1]) for r in table.rows],
                       "high": [shown(r.cells[high - 1]) for r in table.rows]}
    return out


def sort_links(request: HttpRequest, page: Page, table: Table, anchor: str, default: str) -> None:
    """Fill each sortable column's link and sort the table as the query asks (recorded in the
    page's shareable state)."""
    key = request.GET.get(f"{table.id}-sort", default)
    if key not in {col.sort_key for col in table.columns if col.sort_key}:
        key = default
    descending = request.GET.get(f"{table.id}-dir") == "desc"
    table.sort(key, descending)
    page.state.update({f"{table.id}-sort": key, f"{table.id}-dir": "desc" if descending else "asc"})
    for col in table.columns:
        if not col.sort_key:
            continue
        q = request.GET.copy()
        q[f"{table.id}-sort"] = col.sort_key
        if col.sort_key == key:
            q[f"{table.id}-dir"] = "asc" if descending else "desc"
        else:
            q[f"{table.id}-dir"] = "desc" if col.numeric else "asc"  # figures: largest first
        col.sort_href = f"?{q.urlencode()}#{anchor}"


def choice(params: QueryDict, name: str, allowed: Sequence[str], default: str) -> str:
    value = params.get(name, default)
    return value if value in allowed else default


def filter_form(page: Page, prefix: str, label: str, fields: Sequence[tuple[str, str, Any]]) -> None:
    """The local measures' filter form (templates/insight/_filter_form.html): ``fields`` are
    (query name, label, choices as a dict or (value, label) pairs), each showing the choice the
    page was built from (``page.state``); ``prefix`` keeps the controls' ids apart."""
    page.context["filter_form"] = {"label": label, "fields": [
        {"id": f"{prefix}-{name}", "name": name, "label": text_label,
         "options": list(options.items()) if isinstance(options, dict) else list(options),
         "chosen": page.state.get(name, "")}
        for name, text_label, options in fields]}


def kept_query(params: QueryDict, names: Sequence[str]) -> str:
    q = QueryDict(mutable=True)
    for name in names:
        if name in params:
            q.setlist(name, [str(params.get(name, ""))])
    return q.urlencode()


@dataclass
class Panel:
    id: str
    title: str
    caption: str
    table: Table
    chart: dict | None = None
    note: str = ""


@dataclass
class Page:
    """Everything a dashboard shows; ``tables`` are what the exports can write."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    export_name: str = ""
    source: str = ""
    viewer_note: str = ""
    audit: dict[str, Any] = field(default_factory=dict)
    # Every choice the page was built from, as resolved (defaults included): the query string of
    # its shareable link (datahub.sharing), in the order the choices were made.
    state: dict[str, str] = field(default_factory=dict)

    def add(self, table: Table) -> Table:
        self.tables[table.id] = table
        return table

    def add_panel(self, panel: Panel) -> Panel:
        self.add(panel.table)
        return panel


def link_share(page: Page, request: HttpRequest) -> None:
    """The page's *Copy link* address: this page with every choice it was built from."""
    page.context["share_url"] = share_url(request, request.path, page.state)


def link_exports(page: Page, url_name: str, **kwargs: Any) -> None:
    for table in page.tables.values():
        query = f"?{table.export_query}" if table.export_query else ""
        table.csv_url = reverse(url_name, kwargs={**kwargs, "table": table.id, "fmt": "csv"}) + query
        table.xlsx_url = reverse(url_name, kwargs={**kwargs, "table": table.id, "fmt": "xlsx"}) + query



def source_line(figures: Figures) -> str:
    run = figures.run
    when = f"{run.finished_at.day} {run.finished_at:%B %Y}" if run.finished_at else ""
    draws = f", {run.draws} comparator draws" if run.draws > 1 else ""
    return f"Benchmark run {run.pk} ({when}{draws}); leaver years {year_label(figures.years[0])} to {year_label(figures.years[-1])}."


# --- Captions -------------------------------------------------------------------------------------


def comparison(years: Sequence[int], own: Sequence[TCell], other: Sequence[TCell], name: str, other_name: str,
                highs: Sequence[TCell] | None = None, lows: Sequence[TCell] | None = None) -> str:
    """ "X was above its virtual comparator in 4 of 5 years ...", on the figures as shown."""
    pairs = [(a, b) for a, b in zip(own, other, strict=True) if shown(a) is not None and shown(b) is not None]
    if not pairs:
        return f"No year has both a figure for {name} and one for {other_name} shown."
    above = sum(1 for a, b in pairs if num(a) > num(b))
    below = sum(1 for a, b in pairs if num(a) < num(b))
    level = len(pairs) - above - below
    every = len(pairs) == len(years)
    span = f"{len(years)} years" if every else f"the {len(pairs)} years with both figures shown"
    if above == 0 and below == len(pairs):
        words = f"{name} was below {other_name} in all {span.removeprefix('the ')}."
    else:
        words = f"{name} was above {other_name} in {above if above else 'none'} of {span}"
        if below:
            words += f" and below it in {below}"
        if level:
            words += f", level with it in {level}"
        words += "."
    if highs is not None and lows is not None:
        n_above = sum(1 for a, h in zip(own, highs, strict=True)
                      if shown(a) is not None and shown(h) is not None and num(a) > num(h))
        n_below = sum(1 for a, lo in zip(own, lows, strict=True)
                      if shown(a) is not None and shown(lo) is not None and num(a) < num(lo))
        words += (f" It was above the whole range of its comparator's repeated draws in {n_above} "
                  f"{'year' if n_above == 1 else 'years'} and below it in {n_below}.")
    return words


def latest_sentence(year: int, pairs: Sequence[tuple[str, TCell]]) -> str:
    return f"In {year_label(year)}: " + "; ".join(f"{name} {spoken(cell)}" for name, cell in pairs) + "."


def trend_caption(name: str, years: Sequence[int], series: Sequence[TCell]) -> str:
    """ "Scotland: 61.2% in 2024/25, up from 58.0% in 2020/21", on the figures as shown."""
    visible = [(y, cell) for y, cell in zip(years, series, strict=True) if shown(cell) is not None]
    if len(visible) < 2:
        return f"Not enough years with figures shown for {name} to describe a trend."
    (y0, first), (y1, last) = visible[0], visible[-1]
    delta = float(last.value) - float(first.value)  # type: ignore[arg-type]
    direction = "up from" if delta > 0 else "down from" if delta < 0 else "the same as"
    return f"{name}: {last.text} in {year_label(y1)}, {direction} {first.text} in {year_label(y0)}."


# --- Breakdowns (shared by the school and authority pages) --------------------------------------


def _breakdown_params(params: QueryDict, available: Sequence[str], years: Sequence[int]) -> tuple[str, str, int]:
    dim = choice(params, "breakdown", list(available), available[0] if available else c.SEX)
    measures = BREAKDOWNS[dim].measures
    default_measure = c.AVG_TOTAL_TARIFF
    measure = choice(params, "measure", list(measures), default_measure)
    year_s = choice(params, "year", [str(y) for y in years], str(years[-1]))
    return dim, measure, int(year_s)


def breakdown_section(page: Page, figures: Figures, subjects: Sequence[Subject], params: QueryDict,
                       available: Sequence[str], place: str, group: GroupFigures | None = None) -> dict[str, Any]:
    """Groups of leavers (sex, SIMD, ASN, care experience, stage) for one measure and year; a
    comparator group, when one is chosen, beside the virtual comparator (``subjects[1]``)."""
    years = figures.years
    dim, measure, year = _breakdown_params(params, available, years)
    page.state.update(breakdown=dim, measure=measure, year=str(year))
    spec, m = BREAKDOWNS[dim], MEASURES[measure]
    main = subjects[0]
    cols = [TColumn(spec.label, numeric=False), TColumn(f"Leavers ({main.label})")]
    cols += [TColumn(s.label if s.kind not in ("vc", "authority_vc") else "Virtual comparator") for s in subjects]
    if group is not None:
        cols.insert(4, TColumn(group.label))
    rows = []
    for value, label in spec.values:
        cells = [fig(figures, main, year, c.N_LEAVERS, dim, value)]
        cells += [fig(figures, s, year, measure, dim, value) for s in subjects]
        if group is not None:
            cells.insert(3, figure(group.cell(year, measure, dim, value), m.kind))
        rows.append(TRow(text(label), cells))
    query = kept_query(params, ("breakdown", "measure", "year"))
    table = page.add(Table("breakdown", f"{m.label} by {spec.phrase}, {place}, {year_label(year)} leavers",
                           cols, rows, export_query=query))
    # The trend: one row per group of leavers for the school (or authority) and, when a comparator
    # group is chosen, the group's row under each, under the same rule as the table above.
    trend_cols = [TColumn(spec.label, numeric=False)] + [TColumn(year_label(y)) for y in years]
    trend_rows = []
    for value, label in spec.values:
        trend_rows.append(TRow(text(label), [fig(figures, main, y, measure, dim, value) for y in years]))
        if group is not None:
            trend_rows.append(TRow(text(f"{label}: {group.label}"),
                                   [figure(group.cell(y, measure, dim, value), m.kind) for y in years]))
    whose = f"{main.label} and {group.label}" if group is not None else main.label
    trend = page.add(Table("breakdown-trend", f"{m.label} by {spec.phrase} for {whose}, by year of leaving",
                           trend_cols, trend_rows, export_query=query))
    roles = [("school" if s.kind == c.COHORT_ESTABLISHMENT else "vc" if "vc" in s.kind else s.kind) for s in subjects]
    if group is not None:
        roles.insert(2, "group")
    return {
        "dim": dim, "measure": measure, "year": year, "table": table, "trend": trend,
        "chart": chart(table, kind="bar", unit="%" if m.kind == "pct" else "points",
                       series_columns=[(i + 2, r) for i, r in enumerate(roles)]),
        "options": [(k, BREAKDOWNS[k].label) for k in available],
        "measure_options": [(k, MEASURES[k].short) for k in spec.measures],
        "year_options": [(y, year_label(y)) for y in years],
        "missing_stage": c.STAGE not in available,
    }



def breakdown_filters(breakdown: dict[str, Any]) -> list[tuple[str, str]]:
    """The groups-of-leavers choices as the printed page states them (see print_filters)."""
    return [("Groups of leavers", BREAKDOWNS[breakdown["dim"]].label),
            ("Measure for the groups", MEASURES[breakdown["measure"]].label),
            ("Year of leaving for the groups", year_label(breakdown["year"]))]


def print_filters(page: Page, filters: Sequence[tuple[str, str]]) -> None:
    """What the page is showing, stated at the top of a printed page (templates/includes/
    _print_filters.html, shown only in print): read from the same choices the page was built from."""
    page.context["print_filters"] = [*page.context.get("print_filters", ()), *filters]


# --- Overview tables (an authority's schools, Scotland's authorities and schools) ----------------


def overview_table(page: Page, table_id: str, caption: str, label: str, figures: Figures,
                    entries: Sequence[tuple[str, str | None, Subject, Subject, list[TCell]]], measure: str,
                    extra_columns: Sequence[str] = (), with_vc: bool = True) -> Table:
    """Rows of schools or authorities: leavers, the measure over the years, against VC, trend.

    ``entries``: (name, link, subject, its VC subject, extra cells).
    """
    years = figures.years
    m = MEASURES[measure]
    last = years[-1]
    cols = [TColumn(label, numeric=False, sort_key="name")]
    cols += [TColumn(x, numeric=False) for x in extra_columns]
    cols.append(TColumn(f"Leavers {year_label(last)}", sort_key="leavers"))
    cols += [TColumn(year_label(y), sort_key=f"y{y}") for y in years]
    if with_vc:
        cols.append(TColumn(f"Against virtual comparator, {year_label(last)}", sort_key="vc"))
    rows = []
    for name, href, subject, vc, extra in entries:
        cells = list(extra)
        cells.append(fig(figures, subject, last, c.N_LEAVERS))
        series = [fig(figures, subject, y, measure) for y in years]
        cells += series
        if not with_vc:
            rows.append(TRow(text(name, href), cells, spark=[shown(x) for x in series]))
            continue
        own, other = series[-1], fig(figures, vc, last, measure)
        if shown(own) is None or shown(other) is None:
            gap = TCell(disclosure.SUPPRESSED, hidden=True) if (own.hidden or other.hidden) else TCell(NO_DATA)
        else:
            diff = round(float(own.value) - float(other.value), 1)  # type: ignore[arg-type]
            unit = " points" if m.kind == "tariff" else " percentage points"
            amount = f"{abs(diff):,.0f}" if m.kind == "tariff" else f"{abs(diff):.1f}"
            words = "level" if diff == 0 else f"{amount}{unit} {'above' if diff > 0 else 'below'}"
            gap = TCell(words, sort=diff)
        cells.append(gap)
        rows.append(TRow(text(name, href), cells, spark=[shown(x) for x in series]))
    return page.add(Table(table_id, caption, cols, rows, sparklines=True))


# --- Tables kept in memory ------------------------------------------------------------------------


class TableMemory:
    """The last few tables a page built, in this process, by a key that holds everything they were
    built from (the run, the viewer's entitlements, the choices, the names shown).

    A run's results never change once written, so a table of them is built once per key and
    process; each request gets its own copy of the table (its rows sorted and its headings linked
    for that request) whose rows, shared, keep their rendered markup (``TRow.html``).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._tables: OrderedDict[tuple, Table] = OrderedDict()
        self._lock = threading.Lock()

    def table(self, page: Page, key: tuple, build: Callable[[Page], Table]) -> Table:
        """The page's copy of the table kept under ``key`` (built by ``build`` on a scratch page
        the first time), added to ``page``."""
        with self._lock:
            kept = self._tables.get(key)
            if kept is not None:
                self._tables.move_to_end(key)
        if kept is None:
            kept = build(Page(page.template))
            with self._lock:
                self._tables[key] = kept
                while len(self._tables) > self.size:
                    self._tables.popitem(last=False)
        return page.add(replace(kept, columns=[replace(col) for col in kept.columns], rows=list(kept.rows)))

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
