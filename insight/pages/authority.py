"""The authority dashboard: an authority against its virtual comparator and Scotland, and its schools.

For analysts (authority and national), MCMC officers and authority or national data managers
(insight.entitlement.may_use_authority_dashboards), for any authority; unsuppressed for the
authority's own staff only.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import LocalAuthority

from ..benchmarking import columns as c
from ..exports import Table, TCell, TColumn, TRow, figure, text
from ..groups.figures import GroupFigures
from ..groups.page import chosen_group, keep_group_in_exports
from ..selectors.catalogue import MEASURES, TABLE_MEASURES, headline_panels, year_label
from ..selectors.dashboards import AuthorityData, authority_data, latest_run
from ..selectors.figures import Subject, Viewer
from ..selectors.release import authority_changes
from .parts import (
    Page,
    Panel,
    against,
    breakdown_filters,
    breakdown_section,
    chart,
    choice,
    comparison,
    entitlement_note,
    fig,
    keep_lit_num_pair,
    kept_query,
    latest_sentence,
    link_exports,
    lit_num_pair,
    overview_table,
    print_filters,
    sort_links,
    source_line,
)
from .release import release_context


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
    print_filters(page, [("Local authority", authority.name)])
    run = latest_run()
    page.context["run"] = run
    if run is None:
        return page
    page.context.update(release_context(request.user, run, authority_changes(run, authority) if ent.unsuppressed else None))
    data = authority_data(run, authority, viewer)
    f, years = data.figures, data.figures.years
    page.source = source_line(f)
    subj = data.subject
    shown_with = [subj, *data.comparisons]  # the authority, its collaborative (if any), Scotland
    group = chosen_group(page, request, run, viewer, f)

    page.add(Table(
        "leavers", f"Leavers from schools in {against(shown_with)}{' beside ' + group.label if group else ''} "
        "by year of leaving",
        [TColumn("Year of leaving", numeric=False), TColumn(subj.label)]
        + ([TColumn(group.label)] if group else []) + [TColumn(s.label) for s in data.comparisons],
        [TRow(text(year_label(y)), [fig(f, subj, y, c.N_LEAVERS)]
              + ([figure(group.cell(y, c.N_LEAVERS), "count")] if group else [])
              + [fig(f, s, y, c.N_LEAVERS) for s in data.comparisons]) for y in years],
    ))
    pair = lit_num_pair(page, request)
    panels = [(group_id, group_title, [_authority_panel(page, data, key, group) for key in measures])
              for group_id, group_title, measures in headline_panels(pair)]
    keep_lit_num_pair(page, pair)

    measure = choice(request.GET, "schools-measure", list(TABLE_MEASURES), TABLE_MEASURES[0])
    page.state["schools-measure"] = measure
    entries: list[tuple[str, str | None, Subject, Subject, list[TCell]]] = [
        (s.name, reverse("insight:establishment_dashboard", kwargs={"seed": s.seed_code}), own, svc, [])
        for s, own, svc in data.schools
    ]
    schools = overview_table(page, "schools", f"{MEASURES[measure].label}: secondary schools in {authority.name} "
                             "by year of leaving", "School", f, entries, measure)
    schools.export_query = kept_query(request.GET, ("schools-measure", "schools-sort", "schools-dir"))
    sort_links(request, page, schools, "schools", "name")
    breakdown = breakdown_section(page, f, data.subjects, request.GET, data.breakdowns, authority.name, group)
    print_filters(page, [("Measure in the schools table", MEASURES[measure].label), *breakdown_filters(breakdown)])
    page.context.update(
        data=data, years=years, panels=panels, schools=schools, schools_measure=measure,
        measure_options=[(k, MEASURES[k].short) for k in TABLE_MEASURES], breakdown=breakdown,
        leavers=page.tables["leavers"], source=page.source,
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    keep_group_in_exports(page, group)
    link_exports(page, "insight:authority_export", code=str(authority.code))
    return page


def _authority_panel(page: Page, data: AuthorityData, key: str, group: GroupFigures | None = None) -> Panel:
    """One measure over the years: the authority, its VC (when it can be aggregated), a comparator
    group when one is chosen, its Regional Improvement Collaborative (when it has one) and Scotland."""
    f, years, authority = data.figures, data.figures.years, data.authority
    subj, vc, comparisons = data.subject, data.vc, data.comparisons
    m = MEASURES[key]
    cols = [TColumn("Year of leaving", numeric=False), TColumn(authority.name)]
    if m.vc_aggregable:
        cols.append(TColumn("Virtual comparator"))
    if group is not None:
        cols.append(TColumn(group.label))
    cols += [TColumn(s.label) for s in comparisons]
    rows = []
    for y in years:
        cells = [fig(f, subj, y, key)]
        if m.vc_aggregable:
            cells.append(fig(f, vc, y, key))
        if group is not None:
            cells.append(figure(group.cell(y, key), m.kind))
        cells += [fig(f, s, y, key) for s in comparisons]
        rows.append(TRow(text(year_label(y)), cells))
    table = page.add(Table(f"m-{key.replace('_', '-')}", f"{m.label}: {authority.name} against "
                           f"{'its virtual comparator, ' if m.vc_aggregable else ''}{against(comparisons)}", cols, rows))
    own = [r.cells[0] for r in rows]
    if m.vc_aggregable:
        caption = comparison(years, own, [r.cells[1] for r in rows], authority.name, "its virtual comparator")
        note = ""
    else:
        caption = comparison(years, own, [r.cells[-1] for r in rows], authority.name, "Scotland")
        note = ("An authority-level virtual comparator is not shown for this measure: the lowest 20%, "
                "middle 60% and highest 20% are ranks within a cohort, so they cannot be combined from its "
                "schools' comparators (the benchmark engine would have to rank their union). Each school's "
                "own comparison is on its dashboard.")
    first = len(cols) - len(comparisons)  # column index of the first comparison
    caption += " " + latest_sentence(years[-1], [(authority.name, rows[-1].cells[0])]
                                     + ([("virtual comparator", rows[-1].cells[1])] if m.vc_aggregable else [])
                                     + [(s.label, rows[-1].cells[first - 1 + i]) for i, s in enumerate(comparisons)])
    series = ([(1, "authority")] + ([(2, "vc")] if m.vc_aggregable else [])
              + [(first + i, s.kind) for i, s in enumerate(comparisons)])
    if group is not None:
        series.insert(-len(comparisons), (first - 1, "group"))
    spec = chart(table, kind="line", unit="%" if m.kind == "pct" else "points", series_columns=series)
    return Panel(table.id, m.label, caption, table, spec, note)
