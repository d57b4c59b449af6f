"""The establishment dashboard: a secondary school against its virtual comparator, authority and Scotland.

Any portal user may open any secondary school ("Change establishment"). Figures are
unsuppressed for the school's own staff, its authority's staff and its learning partners, and
under the public suppression pattern for everyone else (insight.selectors.figures).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..entitlement import may_use_authority_dashboards
from ..exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from ..groups.figures import GroupFigures
from ..groups.page import chosen_group, keep_group_in_exports
from ..models import BenchmarkRun
from ..selectors.catalogue import BREAKDOWNS, MEASURES, VOCATIONAL, VOCATIONAL_ANY, headline_panels, year_label
from ..selectors.dashboards import EstablishmentData, establishment_data, latest_run
from ..selectors.figures import Subject, Viewer
from ..selectors.leavers import secondary_schools
from ..selectors.release import establishment_changes
from ..selectors.vocational import vocational_table
from .parts import (
    Page,
    Panel,
    against,
    breakdown_filters,
    breakdown_section,
    chart,
    comparison,
    entitlement_note,
    fig,
    keep_lit_num_pair,
    latest_sentence,
    link_exports,
    lit_num_pair,
    print_filters,
    shown,
    source_line,
    vc_range,
)
from .release import release_context


def establishment_panel(data: EstablishmentData, key: str, group: GroupFigures | None = None) -> Panel:
    """One measure over the years: the school, its VC (and the VC's range), a comparator group
    when one is chosen, its authority, its Regional Improvement Collaborative and Scotland."""
    f, years = data.figures, data.figures.years
    school, vc = data.school, data.vc
    comparisons = data.comparisons
    name = data.establishment.name
    m = MEASURES[key]
    intervals = data.has_intervals
    cols = [TColumn("Year of leaving", numeric=False), TColumn(name), TColumn("Virtual comparator")]
    if intervals:
        cols.append(TColumn("Comparator range (5th to 95th percentile of draws)", numeric=False))
    if group is not None:
        cols.append(TColumn(group.label))
    cols += [TColumn(s.label) for s in comparisons]
    rows = []
    lows: list[TCell] = []
    highs: list[TCell] = []
    for y in years:
        cells = [fig(f, school, y, key), fig(f, vc, y, key)]
        if intervals:
            cells.append(vc_range(f, vc, y, key))
            iv = f.interval(vc, y, key)
            lows.append(figure(iv[0], m.kind) if iv else TCell(NO_DATA))
            highs.append(figure(iv[1], m.kind) if iv else TCell(NO_DATA))
        if group is not None:
            cells.append(figure(group.cell(y, key), m.kind))
        cells += [fig(f, s, y, key) for s in comparisons]
        rows.append(TRow(text(year_label(y)), cells))
    table = Table(f"m-{key.replace('_', '-')}",
                  f"{m.label}: {name} against its virtual comparator, {against(comparisons)}", cols, rows)
    caption = comparison(years, [r.cells[0] for r in rows], [r.cells[1] for r in rows], name,
                          "its virtual comparator", highs if intervals else None, lows if intervals else None)
    last = rows[-1].cells
    first = len(cols) - len(comparisons)
    caption += " " + latest_sentence(years[-1], [("this school", last[0]), ("virtual comparator", last[1]),
                                          *((s.label, last[first - 1 + i]) for i, s in enumerate(comparisons))])
    series = [(1, "school"), (2, "vc"), *((first + i, s.kind) for i, s in enumerate(comparisons))]
    if group is not None:
        series.insert(2, (first - 1, "group"))
    spec = chart(table, kind="line", unit="%" if m.kind == "pct" else "points", series_columns=series)
    if intervals:
        spec["band"] = {"label": "Comparator range (5th to 95th percentile)",
                        "low": [shown(x) for x in lows], "high": [shown(x) for x in highs]}
    return Panel(table.id, m.label, caption, table, spec)


def establishment_page(request: HttpRequest, est: Establishment) -> Page:
    page = Page("insight/establishment_dashboard.html")
    viewer = Viewer(request.user)
    ent = viewer.establishment(est)
    page.context.update(establishment=est, entitlement=ent, entitlement_note=entitlement_note(ent),
                        school_choices=secondary_schools(),
                        explanation=disclosure.explanation(),
                        authority_url=reverse("insight:authority_dashboard", kwargs={"code": est.authority.code})
                        if may_use_authority_dashboards(request.user) else "")
    page.audit = {"object_type": "establishment", "object_id": est.seed_code, "establishment": est}
    page.export_name = est.name
    page.viewer_note = entitlement_note(ent)
    print_filters(page, [("Establishment", f"{est.name} ({est.seed_code}), {est.authority.name}")])
    run = latest_run()
    page.context["run"] = run
    if run is None:
        return page
    page.context.update(release_context(request.user, run, establishment_changes(run, est) if ent.unsuppressed else None))
    data = establishment_data(run, est, viewer)
    f, years = data.figures, data.figures.years
    page.source = source_line(f)
    school, authority = data.school, data.authority
    school.label = est.name
    group = chosen_group(page, request, run, viewer, f)

    leavers = page.add(Table(
        "leavers", f"Leavers from {est.name}, {group.label + ', ' if group else ''}{against(data.comparisons)} "
        "by year of leaving",
        [TColumn("Year of leaving", numeric=False), TColumn(est.name)]
        + ([TColumn(group.label)] if group else []) + [TColumn(s.label) for s in data.comparisons],
        [TRow(text(year_label(y)), [fig(f, school, y, c.N_LEAVERS)]
              + ([figure(group.cell(y, c.N_LEAVERS), "count")] if group else [])
              + [fig(f, s, y, c.N_LEAVERS) for s in data.comparisons]) for y in years],
    ))

    pair = lit_num_pair(page, request)
    panels = [(gid, title, [page.add_panel(establishment_panel(data, key, group)) for key in keys])
              for gid, title, keys in headline_panels(pair)]
    keep_lit_num_pair(page, pair)

    deprivation = _deprivation_panel(page, data, years[-1], group)
    breakdown = breakdown_section(page, f, data.subjects, request.GET, data.breakdowns, est.name, group)
    print_filters(page, breakdown_filters(breakdown))
    vocational = _vocational_table(page, run, est, ent, authority, years)
    vocational_chart = chart(vocational, kind="line", unit="%",
                             series_columns=[(8, "school"), (9, "authority"), (10, "national")])

    page.context.update(
        data=data, years=years, leavers=leavers, panels=panels, deprivation=deprivation, breakdown=breakdown,
        vocational=vocational, vocational_chart=vocational_chart, source=page.source,
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    keep_group_in_exports(page, group)
    link_exports(page, "insight:establishment_export", seed=est.seed_code)
    return page


def _deprivation_panel(page: Page, data: EstablishmentData, y: int, group: GroupFigures | None = None) -> Panel:
    """Attainment versus deprivation: by SIMD quintile, in the latest year; a comparator group,
    when one is chosen, beside the virtual comparator."""
    f, est = data.figures, data.establishment
    school = data.school
    dep_cols = [TColumn("SIMD quintile", numeric=False), TColumn(f"Leavers ({est.name})"), TColumn(est.name),
                TColumn("Virtual comparator"), *([TColumn(group.label)] if group else []),
                *(TColumn(s.label) for s in data.comparisons)]
    dep_rows = []
    for v, label in BREAKDOWNS[c.SIMD_QUINTILE].values:
        cells = [fig(f, school, y, c.N_LEAVERS, c.SIMD_QUINTILE, v)]
        cells += [fig(f, s, y, c.AVG_TOTAL_TARIFF, c.SIMD_QUINTILE, v) for s in data.subjects]
        if group is not None:
            cells.insert(3, figure(group.cell(y, c.AVG_TOTAL_TARIFF, c.SIMD_QUINTILE, v), "tariff"))
        dep_rows.append(TRow(text(label), cells))
    dep = page.add(Table("deprivation", f"Average total tariff by SIMD quintile, {est.name}, {year_label(y)} leavers",
                         dep_cols, dep_rows))
    return Panel(
        "deprivation", "Attainment versus deprivation",
        f"Average total tariff points of {year_label(y)} leavers by the deprivation of where they live "
        "(SIMD quintile 1 is the most deprived 20% of Scotland). " + latest_sentence(
            y, [(f"quintile 1 {est.name}", dep_rows[0].cells[1]), ("quintile 1 virtual comparator", dep_rows[0].cells[2]),
                (f"quintile 5 {est.name}", dep_rows[4].cells[1]), ("quintile 5 virtual comparator", dep_rows[4].cells[2])]),
        dep, chart(dep, kind="bar", unit="points",
                   series_columns=[(2 + i, role) for i, role in enumerate(
                       ["school", "vc", *(["group"] if group else []), *(s.kind for s in data.comparisons)])]),
    )


def _vocational_table(page: Page, run: BenchmarkRun, est: Establishment, ent: Entitlement, authority: Subject,
                      years: Sequence[int]) -> Table:
    """Vocational qualifications: from the results themselves, for the run's years."""
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
    return page.add(Table("vocational", f"Leavers from {est.name} who gained a vocational qualification in the "
                           "senior phase, by year of leaving", voc_cols, voc_rows))
