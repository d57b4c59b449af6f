"""Benchmarking dashboards: a school, an authority and Scotland, with breakdowns and exports.

Who may use them (datahub.access decides; these views only declare it):

- Establishment dashboard: any portal user, for any secondary school ("Change establishment").
  Figures are unsuppressed for the school's own staff, its authority's staff and its learning
  partners, and under the public suppression pattern for everyone else; a view by anyone but
  the school's own staff is written to the audit log.
- Authority dashboard: analysts (authority and national), MCMC officers and authority or
  national data managers, for any authority; unsuppressed for the authority's own staff only.
- National view: national analysts and national data managers; everything under the public
  pattern, school-level figures only where disclosure allows.

Every table on a page can be downloaded as CSV or XLSX (insight.exports) from the same object
the page shows, so the files match the page cell for cell; every download is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views import View

from datahub import disclosure
from datahub.access import Entitlement, is_portal_user, memberships_of, scope_for
from datahub.models import Establishment, EstablishmentType, LocalAuthority, Role
from datahub.services import audit_record
from datahub.views_base import PortalView

from . import exports
from .benchmarking import columns as c
from .exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from .selectors import (
    BREAKDOWNS,
    MEASURES,
    PANELS,
    TABLE_MEASURES,
    VOCATIONAL,
    VOCATIONAL_ANY,
    Figures,
    Subject,
    Viewer,
    authority_data,
    establishment_data,
    latest_run,
    national_data,
    secondary_schools,
    vocational_table,
    year_label,
)

AUTHORITY_DASHBOARD_ROLES = (Role.AUTHORITY_ANALYST, Role.MCMC_OFFICER, Role.NATIONAL_ANALYST)

ENTITLEMENT_NOTES = {
    Entitlement.OWN: "You see every figure unsuppressed because this is your own school.",
    Entitlement.AUTHORITY: "You see every figure unsuppressed because this school is in your authority.",
    Entitlement.PARTNER: "You see every figure unsuppressed because this school is one of your learning partners.",
    Entitlement.PUBLIC: (
        "Figures based on fewer than {n} young people, and figures that could be used to work them out, "
        "are withheld and shown as c."
    ),
}


def may_use_authority_dashboards(user: Any) -> bool:
    """Analysts, MCMC officers, and data managers working for an authority or nationally."""
    return any(
        m.role in AUTHORITY_DASHBOARD_ROLES or (m.role == Role.DATA_MANAGER and m.establishment_id is None)
        for m in memberships_of(user)
    )


def may_use_national_view(user: Any) -> bool:
    """National analysts and national data managers."""
    return scope_for(user).national


def entitlement_note(ent: Entitlement) -> str:
    return ENTITLEMENT_NOTES[ent].format(n=disclosure.min_count())


# --- Small pieces -----------------------------------------------------------------------------


def _kind(measure: str) -> str:
    return "count" if measure == c.N_LEAVERS else MEASURES[measure].kind


def _fig(figures: Figures, subject: Subject, year: int, measure: str, dim: str = "", value: str = "") -> TCell:
    if subject.kind == "authority_vc" and not MEASURES[measure].vc_aggregable:
        return TCell(NO_DATA)
    return figure(figures.cell(subject, year, measure, dim, value), _kind(measure))


def _range(figures: Figures, subject: Subject, year: int, measure: str) -> TCell:
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


def _shown(cell: TCell) -> float | int | None:
    return None if cell.hidden or cell.no_data else cell.value


def _num(cell: TCell) -> float:
    return float(cell.value) if cell.value is not None else float("nan")


def _spoken(cell: TCell) -> str:
    if cell.hidden:
        return "withheld (c)"
    return "no data" if cell.no_data else cell.text


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
            "data": [_shown(row.cells[index - 1]) for row in table.rows],
        })
    out: dict[str, Any] = {"type": kind, "unit": unit, "labels": labels, "series": series, "band": None}
    if band is not None:
        low, high = band
        out["band"] = {"label": band_label, "low": [_shown(r.cells[low - 1]) for r in table.rows],
                       "high": [_shown(r.cells[high - 1]) for r in table.rows]}
    return out


def _sort_links(request: HttpRequest, table: Table, anchor: str, default: str) -> None:
    """Fill each sortable column's link and sort the table as the query asks."""
    key = request.GET.get(f"{table.id}-sort", default)
    if key not in {col.sort_key for col in table.columns if col.sort_key}:
        key = default
    descending = request.GET.get(f"{table.id}-dir") == "desc"
    table.sort(key, descending)
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


def _choice(params: QueryDict, name: str, allowed: Sequence[str], default: str) -> str:
    value = params.get(name, default)
    return value if value in allowed else default


def _export_query(params: QueryDict, names: Sequence[str]) -> str:
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

    def add(self, table: Table) -> Table:
        self.tables[table.id] = table
        return table

    def add_panel(self, panel: Panel) -> Panel:
        self.add(panel.table)
        return panel


def _link_exports(page: Page, url_name: str, **kwargs: Any) -> None:
    for table in page.tables.values():
        query = f"?{table.export_query}" if table.export_query else ""
        table.csv_url = reverse(url_name, kwargs={**kwargs, "table": table.id, "fmt": "csv"}) + query
        table.xlsx_url = reverse(url_name, kwargs={**kwargs, "table": table.id, "fmt": "xlsx"}) + query


def _school_options(schools: Sequence[tuple[str, str, str]], current: str) -> SafeString:
    """The <optgroup>s of "Change establishment" (built here: ~360 options per page render)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for seed, name, authority_name in schools:
        groups.setdefault(authority_name, []).append((seed, name))
    parts = []
    for authority_name, options in groups.items():
        inner = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((seed, mark_safe(" selected") if seed == current else "", name) for seed, name in options),
        )
        parts.append(format_html('<optgroup label="{}">{}</optgroup>', authority_name, inner))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped by format_html


def _source(figures: Figures) -> str:
    run = figures.run
    when = f"{run.finished_at:%d %B %Y}" if run.finished_at else ""
    draws = f", {run.draws} comparator draws" if run.draws > 1 else ""
    return f"Benchmark run {run.pk} ({when}{draws}); leaver years {year_label(figures.years[0])} to {year_label(figures.years[-1])}."


# --- Captions -------------------------------------------------------------------------------------


def _comparison(years: Sequence[int], own: Sequence[TCell], other: Sequence[TCell], name: str, other_name: str,
                highs: Sequence[TCell] | None = None, lows: Sequence[TCell] | None = None) -> str:
    """ "X was above its virtual comparator in 4 of 5 years ...", on the figures as shown."""
    pairs = [(a, b) for a, b in zip(own, other, strict=True) if _shown(a) is not None and _shown(b) is not None]
    if not pairs:
        return f"No year has both a figure for {name} and one for {other_name} shown."
    above = sum(1 for a, b in pairs if _num(a) > _num(b))
    below = sum(1 for a, b in pairs if _num(a) < _num(b))
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
                      if _shown(a) is not None and _shown(h) is not None and _num(a) > _num(h))
        n_below = sum(1 for a, lo in zip(own, lows, strict=True)
                      if _shown(a) is not None and _shown(lo) is not None and _num(a) < _num(lo))
        words += (f" It was above the whole range of its comparator's repeated draws in {n_above} "
                  f"{'year' if n_above == 1 else 'years'} and below it in {n_below}.")
    return words


def _latest(year: int, pairs: Sequence[tuple[str, TCell]]) -> str:
    return f"In {year_label(year)}: " + "; ".join(f"{name} {_spoken(cell)}" for name, cell in pairs) + "."


# --- Breakdowns (shared by the school and authority pages) --------------------------------------


def _breakdown_params(params: QueryDict, available: Sequence[str], years: Sequence[int]) -> tuple[str, str, int]:
    dim = _choice(params, "breakdown", list(available), available[0] if available else c.SEX)
    measures = BREAKDOWNS[dim].measures
    default_measure = c.AVG_TOTAL_TARIFF
    measure = _choice(params, "measure", list(measures), default_measure)
    year_s = _choice(params, "year", [str(y) for y in years], str(years[-1]))
    return dim, measure, int(year_s)


def _breakdown_section(page: Page, figures: Figures, subjects: Sequence[Subject], params: QueryDict,
                       available: Sequence[str], place: str) -> dict[str, Any]:
    """Groups of leavers (sex, SIMD, ASN, care experience, stage) for one measure and year."""
    years = figures.years
    dim, measure, year = _breakdown_params(params, available, years)
    spec, m = BREAKDOWNS[dim], MEASURES[measure]
    main = subjects[0]
    cols = [TColumn(spec.label, numeric=False), TColumn(f"Leavers ({main.label})")]
    cols += [TColumn(s.label if s.kind not in ("vc", "authority_vc") else "Virtual comparator") for s in subjects]
    rows = []
    for value, label in spec.values:
        cells = [_fig(figures, main, year, c.N_LEAVERS, dim, value)]
        cells += [_fig(figures, s, year, measure, dim, value) for s in subjects]
        rows.append(TRow(text(label), cells))
    query = _export_query(params, ("breakdown", "measure", "year"))
    table = page.add(Table("breakdown", f"{m.label} by {spec.phrase}, {place}, {year_label(year)} leavers",
                           cols, rows, export_query=query))
    trend_cols = [TColumn(spec.label, numeric=False)] + [TColumn(year_label(y)) for y in years]
    trend_rows = [TRow(text(label), [_fig(figures, main, y, measure, dim, value) for y in years])
                  for value, label in spec.values]
    trend = page.add(Table("breakdown-trend", f"{m.label} by {spec.phrase} for {main.label}, by year of leaving",
                           trend_cols, trend_rows, export_query=query))
    roles = [("school" if s.kind == c.COHORT_ESTABLISHMENT else "vc" if "vc" in s.kind else s.kind) for s in subjects]
    return {
        "dim": dim, "measure": measure, "year": year, "table": table, "trend": trend,
        "chart": chart(table, kind="bar", unit="%" if m.kind == "pct" else "points",
                       series_columns=[(i + 2, r) for i, r in enumerate(roles)]),
        "options": [(k, BREAKDOWNS[k].label) for k in available],
        "measure_options": [(k, MEASURES[k].short) for k in spec.measures],
        "year_options": [(y, year_label(y)) for y in years],
        "missing_stage": c.STAGE not in available,
    }


# --- The establishment dashboard --------------------------------------------------------------------


def establishment_panel(data: Any, key: str) -> Panel:
    """One measure over the years: the school, its VC (and the VC's range), its authority, Scotland."""
    f, years = data.figures, data.figures.years
    school, vc, authority, national = data.school, data.vc, data.authority, data.national
    name = data.establishment.name
    m = MEASURES[key]
    intervals = data.has_intervals
    cols = [TColumn("Year of leaving", numeric=False), TColumn(name), TColumn("Virtual comparator")]
    if intervals:
        cols.append(TColumn("Comparator range (5th to 95th percentile of draws)", numeric=False))
    cols += [TColumn(authority.label), TColumn("Scotland")]
    rows = []
    lows: list[TCell] = []
    highs: list[TCell] = []
    for y in years:
        cells = [_fig(f, school, y, key), _fig(f, vc, y, key)]
        if intervals:
            cells.append(_range(f, vc, y, key))
            iv = f.interval(vc, y, key)
            lows.append(figure(iv[0], m.kind) if iv else TCell(NO_DATA))
            highs.append(figure(iv[1], m.kind) if iv else TCell(NO_DATA))
        cells += [_fig(f, authority, y, key), _fig(f, national, y, key)]
        rows.append(TRow(text(year_label(y)), cells))
    table = Table(f"m-{key.replace('_', '-')}",
                  f"{m.label}: {name} against its virtual comparator, {authority.label} and Scotland", cols, rows)
    caption = _comparison(years, [r.cells[0] for r in rows], [r.cells[1] for r in rows], name,
                          "its virtual comparator", highs if intervals else None, lows if intervals else None)
    last = rows[-1].cells
    caption += " " + _latest(years[-1], [("this school", last[0]), ("virtual comparator", last[1]),
                                          (authority.label, last[-2]), ("Scotland", last[-1])])
    series = [(1, "school"), (2, "vc"), (len(cols) - 2, "authority"), (len(cols) - 1, "national")]
    spec = chart(table, kind="line", unit="%" if m.kind == "pct" else "points", series_columns=series)
    if intervals:
        spec["band"] = {"label": "Comparator range (5th to 95th percentile)",
                        "low": [_shown(x) for x in lows], "high": [_shown(x) for x in highs]}
    return Panel(table.id, m.label, caption, table, spec)


def establishment_page(request: HttpRequest, est: Establishment) -> Page:
    page = Page("insight/establishment_dashboard.html")
    viewer = Viewer(request.user)
    ent = viewer.establishment(est)
    page.context.update(establishment=est, entitlement=ent, entitlement_note=entitlement_note(ent),
                        school_options=_school_options(secondary_schools(), est.seed_code),
                        explanation=disclosure.explanation(),
                        authority_url=reverse("insight:authority_dashboard", kwargs={"code": est.authority.code})
                        if may_use_authority_dashboards(request.user) else "")
    page.audit = {"object_type": "establishment", "object_id": est.seed_code, "establishment": est}
    page.export_name = est.name
    page.viewer_note = entitlement_note(ent)
    run = latest_run()
    page.context["run"] = run
    if run is None:
        return page
    data = establishment_data(run, est, viewer)
    f, years = data.figures, data.figures.years
    page.source = _source(f)
    school, vc, authority, national = data.school, data.vc, data.authority, data.national
    school.label = est.name

    leavers = page.add(Table(
        "leavers", f"Leavers from {est.name}, {authority.label} and Scotland by year of leaving",
        [TColumn("Year of leaving", numeric=False), TColumn(est.name), TColumn(authority.label), TColumn("Scotland")],
        [TRow(text(year_label(y)), [_fig(f, s, y, c.N_LEAVERS) for s in (school, authority, national)]) for y in years],
    ))

    panels = [(gid, title, [page.add_panel(establishment_panel(data, key)) for key in keys])
              for gid, title, keys in PANELS]

    # Attainment versus deprivation: by SIMD quintile, in the latest year.
    y = years[-1]
    dep_cols = [TColumn("SIMD quintile", numeric=False), TColumn(f"Leavers ({est.name})"), TColumn(est.name),
                TColumn("Virtual comparator"), TColumn(authority.label), TColumn("Scotland")]
    dep_rows = [
        TRow(text(label), [_fig(f, school, y, c.N_LEAVERS, c.SIMD_QUINTILE, v)]
             + [_fig(f, s, y, c.AVG_TOTAL_TARIFF, c.SIMD_QUINTILE, v) for s in (school, vc, authority, national)])
        for v, label in BREAKDOWNS[c.SIMD_QUINTILE].values
    ]
    dep = page.add(Table("deprivation", f"Average total tariff by SIMD quintile, {est.name}, {year_label(y)} leavers",
                         dep_cols, dep_rows))
    deprivation = Panel(
        "deprivation", "Attainment versus deprivation",
        f"Average total tariff points of {year_label(y)} leavers by the deprivation of where they live "
        "(SIMD quintile 1 is the most deprived 20% of Scotland). " + _latest(
            y, [(f"quintile 1 {est.name}", dep_rows[0].cells[1]), ("quintile 1 virtual comparator", dep_rows[0].cells[2]),
                (f"quintile 5 {est.name}", dep_rows[4].cells[1]), ("quintile 5 virtual comparator", dep_rows[4].cells[2])]),
        dep, chart(dep, kind="bar", unit="points",
                   series_columns=[(2, "school"), (3, "vc"), (4, "authority"), (5, "national")]),
    )

    breakdown = _breakdown_section(page, f, [school, vc, authority, national], request.GET, data.breakdowns, est.name)

    # Vocational qualifications: from the results themselves, for the run's years.
    voc = vocational_table(run)
    a_ent = authority.entitlement
    voc_cols = [TColumn("Year of leaving", numeric=False)]
    for _, label in VOCATIONAL:
        voc_cols += [TColumn(f"{label}: leavers"), TColumn(f"{label}: % of leavers")]
    voc_cols += [TColumn("Any of these: leavers"), TColumn("Any of these: % of leavers"),
                 TColumn(f"Any of these: % in {authority.label}"), TColumn("Any of these: % in Scotland")]
    voc_rows = []
    for yr in years:
        cells: list[TCell] = []
        for code in [code for code, _ in VOCATIONAL] + [VOCATIONAL_ANY]:
            k, pct = voc.cell("E", est.pk, yr, code, ent)
            cells += [figure(k, "count"), figure(pct, "pct")]
        cells.append(figure(voc.cell("A", authority.cohort_id, yr, VOCATIONAL_ANY, a_ent)[1], "pct"))
        cells.append(figure(voc.cell("N", 0, yr, VOCATIONAL_ANY, Entitlement.PUBLIC)[1], "pct"))
        voc_rows.append(TRow(text(year_label(yr)), cells))
    vocational = page.add(Table("vocational", f"Leavers from {est.name} who gained a vocational qualification in the "
                                "senior phase, by year of leaving", voc_cols, voc_rows))
    vocational_chart = chart(vocational, kind="line", unit="%",
                             series_columns=[(8, "school"), (9, "authority"), (10, "national")])

    page.context.update(
        data=data, years=years, leavers=leavers, panels=panels, deprivation=deprivation, breakdown=breakdown,
        vocational=vocational, vocational_chart=vocational_chart, source=page.source,
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    _link_exports(page, "insight:establishment_export", seed=est.seed_code)
    return page


class EstablishmentDashboardView(PortalView, View):
    """A secondary school's benchmarks: any portal user; audited unless it is the viewer's own school."""

    def establishment(self, seed: str) -> Establishment:
        return get_object_or_404(Establishment.objects.select_related("authority"), seed_code=seed,
                                 type=EstablishmentType.SECONDARY)

    def get(self, request: HttpRequest, seed: str) -> HttpResponse:
        change = request.GET.get("change", "")
        if change and change != seed:
            other = Establishment.objects.filter(seed_code=change, type=EstablishmentType.SECONDARY).first()
            if other is not None:
                return HttpResponseRedirect(reverse("insight:establishment_dashboard", kwargs={"seed": other.seed_code}))
        est = self.establishment(seed)
        page = establishment_page(request, est)
        if page.context["entitlement"] is not Entitlement.OWN:
            audit_record(actor=request.user, action="view_establishment_benchmarks",  # type: ignore[arg-type]
                         object_type="establishment", object_id=est.seed_code, establishment=est,
                         detail={"entitlement": page.context["entitlement"].value})
        return render(request, page.template, page.context)


class EstablishmentExportView(EstablishmentDashboardView):
    """One table of a school's dashboard as CSV or XLSX: as the page shows it, audited."""

    def get(self, request: HttpRequest, seed: str, table: str = "", fmt: str = "") -> HttpResponse:
        est = self.establishment(seed)
        page = establishment_page(request, est)
        return _export(request, page, table, fmt)


def _export(request: HttpRequest, page: Page, table_id: str, fmt: str) -> HttpResponse:
    table = page.tables.get(table_id)
    if table is None or fmt not in exports.FORMATS:
        raise Http404("No such table")
    return exports.export_response(
        request, table, fmt, name=exports.filename(page.export_name, table.id), source=page.source,
        viewer_note=page.viewer_note, **page.audit,
    )


# --- The authority dashboard ------------------------------------------------------------------------


def _overview_table(page: Page, table_id: str, caption: str, label: str, figures: Figures,
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
        cells.append(_fig(figures, subject, last, c.N_LEAVERS))
        series = [_fig(figures, subject, y, measure) for y in years]
        cells += series
        if not with_vc:
            rows.append(TRow(text(name, href), cells, spark=sparkline([_shown(x) for x in series])))
            continue
        own, other = series[-1], _fig(figures, vc, last, measure)
        if _shown(own) is None or _shown(other) is None:
            gap = TCell(disclosure.SUPPRESSED, hidden=True) if (own.hidden or other.hidden) else TCell(NO_DATA)
        else:
            diff = round(float(own.value) - float(other.value), 1)  # type: ignore[arg-type]
            unit = " points" if m.kind == "tariff" else " percentage points"
            amount = f"{abs(diff):,.0f}" if m.kind == "tariff" else f"{abs(diff):.1f}"
            words = "level" if diff == 0 else f"{amount}{unit} {'above' if diff > 0 else 'below'}"
            gap = TCell(words, sort=diff)
        cells.append(gap)
        rows.append(TRow(text(name, href), cells, spark=sparkline([_shown(x) for x in series])))
    return page.add(Table(table_id, caption, cols, rows, sparklines=True))


def authority_page(request: HttpRequest, authority: LocalAuthority) -> Page:
    page = Page("insight/authority_dashboard.html")
    viewer = Viewer(request.user)
    ent = viewer.authority(authority)
    note = ("You see every figure unsuppressed because this is your authority." if ent.unsuppressed
            else entitlement_note(Entitlement.PUBLIC))
    page.context.update(authority=authority, entitlement=ent, entitlement_note=note,
                        authorities=LocalAuthority.objects.order_by("name").values_list("code", "name"),
                        explanation=disclosure.explanation())
    page.audit = {"object_type": "authority", "object_id": authority.code, "authority": authority}
    page.export_name = authority.name
    page.viewer_note = note
    run = latest_run()
    page.context["run"] = run
    if run is None:
        return page
    data = authority_data(run, authority, viewer)
    f, years = data.figures, data.figures.years
    page.source = _source(f)
    subj, vc, national = data.subject, data.vc, data.national

    page.add(Table(
        "leavers", f"Leavers from schools in {authority.name} and in Scotland by year of leaving",
        [TColumn("Year of leaving", numeric=False), TColumn(authority.name), TColumn("Scotland")],
        [TRow(text(year_label(y)), [_fig(f, s, y, c.N_LEAVERS) for s in (subj, national)]) for y in years],
    ))
    panels: list[tuple[str, str, list[Panel]]] = []
    for group_id, group_title, measures in PANELS:
        group = []
        for key in measures:
            m = MEASURES[key]
            cols = [TColumn("Year of leaving", numeric=False), TColumn(authority.name)]
            if m.vc_aggregable:
                cols.append(TColumn("Virtual comparator"))
            cols.append(TColumn("Scotland"))
            rows = []
            for y in years:
                cells = [_fig(f, subj, y, key)]
                if m.vc_aggregable:
                    cells.append(_fig(f, vc, y, key))
                cells.append(_fig(f, national, y, key))
                rows.append(TRow(text(year_label(y)), cells))
            table = page.add(Table(f"m-{key.replace('_', '-')}", f"{m.label}: {authority.name} against "
                                   f"{'its virtual comparator and ' if m.vc_aggregable else ''}Scotland", cols, rows))
            own = [r.cells[0] for r in rows]
            if m.vc_aggregable:
                caption = _comparison(years, own, [r.cells[1] for r in rows], authority.name, "its virtual comparator")
                note = ""
            else:
                caption = _comparison(years, own, [r.cells[-1] for r in rows], authority.name, "Scotland")
                note = ("An authority-level virtual comparator is not shown for this measure: the lowest 20%, "
                        "middle 60% and highest 20% are ranks within a cohort, so they cannot be combined from its "
                        "schools' comparators (the benchmark engine would have to rank their union). Each school's "
                        "own comparison is on its dashboard.")
            caption += " " + _latest(years[-1], [(authority.name, rows[-1].cells[0])]
                                     + ([("virtual comparator", rows[-1].cells[1])] if m.vc_aggregable else [])
                                     + [("Scotland", rows[-1].cells[-1])])
            series = [(1, "authority")] + ([(2, "vc")] if m.vc_aggregable else []) + [(len(cols) - 1, "national")]
            group.append(Panel(table.id, m.label, caption, table,
                               chart(table, kind="line", unit="%" if m.kind == "pct" else "points",
                                     series_columns=series), note))
        panels.append((group_id, group_title, group))

    measure = _choice(request.GET, "schools-measure", list(TABLE_MEASURES), TABLE_MEASURES[0])
    entries: list[tuple[str, str | None, Subject, Subject, list[TCell]]] = [
        (s.name, reverse("insight:establishment_dashboard", kwargs={"seed": s.seed_code}), own, svc, [])
        for s, own, svc in data.schools
    ]
    schools = _overview_table(page, "schools", f"{MEASURES[measure].label}: secondary schools in {authority.name} "
                              "by year of leaving", "School", f, entries, measure)
    schools.export_query = _export_query(request.GET, ("schools-measure", "schools-sort", "schools-dir"))
    _sort_links(request, schools, "schools", "name")
    breakdown = _breakdown_section(page, f, [subj, vc, national], request.GET, data.breakdowns, authority.name)
    page.context.update(
        data=data, years=years, panels=panels, schools=schools, schools_measure=measure,
        measure_options=[(k, MEASURES[k].short) for k in TABLE_MEASURES], breakdown=breakdown,
        leavers=page.tables["leavers"], source=page.source,
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    _link_exports(page, "insight:authority_export", code=str(authority.code))
    return page


class AuthorityAccessMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and is_portal_user(user) and not may_use_authority_dashboards(user):
            raise PermissionDenied("Authority dashboards are for analysts and authority staff")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class AuthorityDashboardView(AuthorityAccessMixin, PortalView, View):
    """An authority's schools side by side: analysts, MCMC officers, authority and national data managers."""

    def get(self, request: HttpRequest, code: int) -> HttpResponse:
        change = request.GET.get("change", "")
        if change.isdigit() and int(change) != code and LocalAuthority.objects.filter(code=int(change)).exists():
            return HttpResponseRedirect(reverse("insight:authority_dashboard", kwargs={"code": int(change)}))
        authority = get_object_or_404(LocalAuthority, code=code)
        page = authority_page(request, authority)
        return render(request, page.template, page.context)


class AuthorityExportView(AuthorityAccessMixin, PortalView, View):
    def get(self, request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
        authority = get_object_or_404(LocalAuthority, code=int(code))
        return _export(request, authority_page(request, authority), table, fmt)


# --- The national view ---------------------------------------------------------------------------------


def national_page(request: HttpRequest) -> Page:
    page = Page("insight/national.html")
    viewer = Viewer(request.user)
    note = entitlement_note(Entitlement.PUBLIC)
    authorities = list(LocalAuthority.objects.order_by("name"))
    by_code = {str(a.code): a for a in authorities}
    chosen = by_code.get(request.GET.get("authority", ""))
    page.context.update(entitlement_note=note, explanation=disclosure.explanation(),
                        authority_options=[(a.code, a.name) for a in authorities], chosen_authority=chosen)
    page.audit = {"object_type": "scotland", "object_id": 0}
    page.export_name = "Scotland"
    page.viewer_note = note
    run = latest_run()
    page.context["run"] = run
    if run is None:
        return page
    data = national_data(run, viewer, authority=chosen)
    f, years = data.figures, data.figures.years
    page.source = _source(f)
    keys = list(TABLE_MEASURES)
    cols = [TColumn("Year of leaving", numeric=False), TColumn("Leavers")] + [TColumn(MEASURES[k].short) for k in keys]
    scotland = page.add(Table(
        "scotland", "The national measures for Scotland by year of leaving", cols,
        [TRow(text(year_label(y)), [_fig(f, data.national, y, c.N_LEAVERS)]
              + [_fig(f, data.national, y, k) for k in keys]) for y in years],
    ))
    measure = _choice(request.GET, "measure", keys, keys[0])
    m = MEASURES[measure]
    entries: list[tuple[str, str | None, Subject, Subject, list[TCell]]] = [
        (la.name, reverse("insight:authority_dashboard", kwargs={"code": la.code}), subj, vc, [])
        for la, subj, vc in data.authorities
    ]
    by_authority = _overview_table(page, "authorities", f"{m.label}: local authorities by year of leaving",
                                   "Local authority", f, entries, measure, with_vc=m.vc_aggregable)
    by_authority.export_query = _export_query(request.GET, ("measure", "authorities-sort", "authorities-dir"))
    _sort_links(request, by_authority, "authorities", "name")
    national_series = [_fig(f, data.national, y, measure) for y in years]
    school_entries = [(s.name, reverse("insight:establishment_dashboard", kwargs={"seed": s.seed_code}), own, vc,
                       [text(s.authority.name)]) for s, own, vc in data.schools]
    schools = _overview_table(page, "schools", f"{m.label}: secondary schools"
                              + (f" in {chosen.name}" if chosen else " in Scotland") + " by year of leaving",
                              "School", f, school_entries, measure, extra_columns=["Local authority"])
    schools.export_query = _export_query(request.GET, ("measure", "authority", "schools-sort", "schools-dir"))
    _sort_links(request, schools, "schools", "name")
    page.context.update(
        data=data, years=years, scotland=scotland, authorities=by_authority, schools=schools, measure=measure,
        measure_label=m.label, measure_options=[(k, MEASURES[k].short) for k in keys], source=page.source,
        national_caption=_trend_caption("Scotland", years, national_series),
        national_chart=chart(Table("x", "", [TColumn("Year", numeric=False), TColumn("Scotland")],
                                   [TRow(text(year_label(y)), [v]) for y, v in zip(years, national_series, strict=True)]),
                             kind="line", unit="%" if m.kind == "pct" else "points", series_columns=[(1, "national")]),
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    _link_exports(page, "insight:national_export")
    return page


def _trend_caption(name: str, years: Sequence[int], series: Sequence[TCell]) -> str:
    shown = [(y, cell) for y, cell in zip(years, series, strict=True) if _shown(cell) is not None]
    if len(shown) < 2:
        return f"Not enough years with figures shown for {name} to describe a trend."
    (y0, first), (y1, last) = shown[0], shown[-1]
    delta = float(last.value) - float(first.value)  # type: ignore[arg-type]
    direction = "up from" if delta > 0 else "down from" if delta < 0 else "the same as"
    return f"{name}: {last.text} in {year_label(y1)}, {direction} {first.text} in {year_label(y0)}."


class NationalAccessMixin:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and is_portal_user(user) and not may_use_national_view(user):
            raise PermissionDenied("The national view is for national analysts")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class NationalView(NationalAccessMixin, PortalView, View):
    """Authorities side by side and schools where disclosure allows: national analysts."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = national_page(request)
        return render(request, page.template, page.context)


class NationalExportView(NationalAccessMixin, PortalView, View):
    def get(self, request: HttpRequest, table: str, fmt: str) -> HttpResponse:
        return _export(request, national_page(request), table, fmt)


# --- The home page's lead into the dashboards --------------------------------------------------------


class BenchmarksView(PortalView, View):
    """/insight/benchmarks/: a stable link (e.g. for the main menu) to the user's own dashboard for
    their active membership; home when they have none. Any portal user."""

    def get(self, request: HttpRequest) -> HttpResponse:
        lead = home_lead(request, summaries=False).get("lead")
        return HttpResponseRedirect(lead["url"] if lead else reverse("dashboard"))


def home_lead(request: HttpRequest, *, summaries: bool = True) -> dict[str, Any]:
    """Where the signed-in user's dashboards are, for their active membership (home page)."""
    m = getattr(request, "membership", None)
    if m is None:
        return {}
    if m.establishment_id and m.establishment.type == EstablishmentType.SECONDARY:
        est = m.establishment
        lead: dict[str, Any] = {
            "url": reverse("insight:establishment_dashboard", kwargs={"seed": est.seed_code}),
            "label": f"Benchmarks for {est.name}",
            "place": est.name,
            "text": "The four national measures over five years against the virtual comparator, the authority and "
                    "Scotland, with breakdowns by groups of leavers.",
            "highlights": [],
        }
        run = latest_run() if summaries else None
        if run is not None:
            data = establishment_data(run, est, Viewer(request.user))
            if data.school.rows:
                for _, _, keys in PANELS:
                    panel = establishment_panel(data, keys[0])
                    lead["highlights"].append((panel.title, panel.caption.split(". ")[0].rstrip(".") + "."))
        return {"lead": lead}
    if m.authority_id and may_use_authority_dashboards(request.user):
        return {"lead": {
            "url": reverse("insight:authority_dashboard", kwargs={"code": m.authority.code}),
            "label": f"Benchmarks for {m.authority.name}",
            "place": m.authority.name,
            "text": "Every school of the authority in one table with five-year trends, the authority against its "
                    "virtual comparator and Scotland, and a dashboard for each school.",
            "highlights": [],
        }}
    if may_use_national_view(request.user):
        return {"lead": {
            "url": reverse("insight:national"),
            "label": "Benchmarks for Scotland",
            "place": "Scotland",
            "text": "Local authorities side by side over five years, and schools where disclosure rules allow.",
            "highlights": [],
        }}
    return {}
