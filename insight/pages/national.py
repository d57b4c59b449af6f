"""The national view: Scotland's measures, the authorities side by side, and schools where disclosure allows.

For national analysts and national data managers (insight.entitlement.may_use_national_view);
everything under the public pattern, school-level figures only where disclosure allows. One of the
viewer's comparator groups (``?group=<id>``) is shown beside Scotland under the groups' own rule
(insight.groups.figures).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import LocalAuthority

from ..benchmarking import columns as c
from ..exports import Table, TCell, TColumn, TRow, text
from ..groups.page import chosen_group, keep_group_in_exports
from ..groups.tables import group_table
from ..selectors.catalogue import MEASURES, TABLE_MEASURES, year_label
from ..selectors.dashboards import NationalData, latest_run, national_data
from ..selectors.figures import Subject, Viewer
from ..selectors.pattern import run_key
from .parts import (
    Page,
    TableMemory,
    chart,
    choice,
    entitlement_note,
    fig,
    kept_query,
    link_exports,
    overview_table,
    print_filters,
    sort_links,
    source_line,
    trend_caption,
)

# The authorities' and schools' tables (every school of Scotland: most of the page's work), built
# once per run, viewer entitlements, measure and authority chosen, and process.
TABLES = TableMemory(size=24)


def national_page(request: HttpRequest) -> Page:
    page = Page("insight/national.html")
    viewer = Viewer(request.user)
    note = entitlement_note(Entitlement.PUBLIC)
    authorities = list(LocalAuthority.objects.order_by("name"))
    by_code = {str(a.code): a for a in authorities}
    chosen = by_code.get(request.GET.get("authority", ""))
    page.state["authority"] = str(chosen.code) if chosen else ""
    page.context.update(entitlement_note=note, explanation=disclosure.explanation(),
                        authority_options=[(a.code, a.name) for a in authorities], chosen_authority=chosen)
    page.audit = {"object_type": "scotland", "object_id": 0}
    page.export_name = "Scotland"
    page.viewer_note = note
    print_filters(page, [("Schools of", chosen.name if chosen else "every authority")])
    run = latest_run()
    page.context["run"] = run
    if run is None:
        return page
    data = national_data(run, viewer, authority=chosen)
    f, years = data.figures, data.figures.years
    page.source = source_line(f)
    keys = list(TABLE_MEASURES)
    cols = [TColumn("Year of leaving", numeric=False), TColumn("Leavers")] + [TColumn(MEASURES[k].short) for k in keys]
    scotland = page.add(Table(
        "scotland", "The national measures for Scotland by year of leaving", cols,
        [TRow(text(year_label(y)), [fig(f, data.national, y, c.N_LEAVERS)]
              + [fig(f, data.national, y, k) for k in keys]) for y in years],
    ))
    # A comparator group of the analyst's (?group=<id>): its measures by year beside Scotland's.
    group = chosen_group(page, request, run, viewer, f)
    page.context["group_table"] = page.add(group_table(group)) if group else None
    measure = choice(request.GET, "measure", keys, keys[0])
    page.state["measure"] = measure
    m = MEASURES[measure]
    print_filters(page, [("Measure in the authorities and schools tables", m.label)])
    seen = (run_key(run), disclosure.min_count(), viewer.signature(), measure)
    by_authority = _authority_table(request, page, data, measure, seen)
    collaboratives = page.add(Table(
        "collaboratives", f"{m.label}: Regional Improvement Collaboratives and Scotland by year of leaving",
        [TColumn("Regional Improvement Collaborative", numeric=False), *(TColumn(year_label(y)) for y in years)],
        [TRow(text(s.label), [fig(f, s, y, measure) for y in years]) for s in [*data.collaboratives, data.national]],
    )) if data.collaboratives else None
    national_series = [fig(f, data.national, y, measure) for y in years]
    schools = _school_table(request, page, data, measure, chosen, seen)
    page.context.update(
        data=data, years=years, scotland=scotland, authorities=by_authority, schools=schools, measure=measure,
        collaboratives=collaboratives,
        measure_label=m.label, measure_options=[(k, MEASURES[k].short) for k in keys], source=page.source,
        national_caption=trend_caption("Scotland", years, national_series),
        national_chart=chart(Table("x", "", [TColumn("Year", numeric=False), TColumn("Scotland")],
                                   [TRow(text(year_label(y)), [v]) for y, v in zip(years, national_series, strict=True)]),
                             kind="line", unit="%" if m.kind == "pct" else "points", series_columns=[(1, "national")]),
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    keep_group_in_exports(page, group)
    link_exports(page, "insight:national_export")
    return page


def _authority_table(request: HttpRequest, page: Page, data: NationalData, measure: str, seen: tuple) -> Table:
    """The 32 authorities, sortable, against their aggregated VC where the measure allows it."""
    m = MEASURES[measure]

    def build(scratch: Page) -> Table:
        entries: list[tuple[str, str | None, Subject, Subject, list[TCell]]] = [
            (la.name, reverse("insight:authority_dashboard", kwargs={"code": la.code}), subj, vc, [])
            for la, subj, vc in data.authorities
        ]
        return overview_table(scratch, "authorities", f"{m.label}: local authorities by year of leaving",
                              "Local authority", data.figures, entries, measure, with_vc=m.vc_aggregable)

    names = tuple((la.pk, la.code, la.name) for la, _, _ in data.authorities)
    table = TABLES.table(page, ("authorities", *seen, names), build)
    table.export_query = kept_query(request.GET, ("measure", "authorities-sort", "authorities-dir"))
    sort_links(request, page, table, "authorities", "name")
    return table


def _school_table(request: HttpRequest, page: Page, data: NationalData, measure: str,
                  chosen: LocalAuthority | None, seen: tuple) -> Table:
    """The secondary schools (of the chosen authority, or all), sortable."""
    m = MEASURES[measure]
    place = f" in {chosen.name}" if chosen else " in Scotland"

    def build(scratch: Page) -> Table:
        # One reverse() for every school's link (a reverse per row cost the page ~8 ms).
        before, _, after = reverse("insight:establishment_dashboard", kwargs={"seed": "SEED"}).rpartition("SEED")
        entries = [(s.name, f"{before}{s.seed_code}{after}", own, vc, [text(s.authority.name)])
                   for s, own, vc in data.schools]
        return overview_table(scratch, "schools", f"{m.label}: secondary schools{place} by year of leaving",
                              "School", data.figures, entries, measure, extra_columns=["Local authority"])

    names = tuple((s.pk, s.seed_code, s.name, s.authority.name) for s, _, _ in data.schools)
    table = TABLES.table(page, ("schools", *seen, place, names), build)
    table.export_query = kept_query(request.GET, ("measure", "authority", "schools-sort", "schools-dir"))
    sort_links(request, page, table, "schools", "name")
    return table
