"""Curricular areas of a school (a local measure, issue 12): one cohort at a time (S4, S5 or S6
based on the S4 roll, or leavers), per curricular area the percentage of the cohort with an award
in it at each SCQF level or better, under a grade filter; at a chosen level the school beside its
virtual comparator, authority, Regional Improvement Collaborative and Scotland.

Who sees what is Breadth and Depth's (``insight.pages.breadth``): the school's figures in full
for its own staff, its authority's staff and its learning partners and withheld (c) from
everyone else; the aggregates as ``insight.selectors.local_aggregates`` decides for the viewer.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

from datahub import disclosure
from datahub.models import CurricularArea, Establishment

from ..benchmarking import columns as c
from ..exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from ..groups.figures import LOCAL_GROUP_NOTE, local_group_grid
from ..groups.page import chosen_local_group, local_group_options
from ..selectors.areas import curricular_area_grid, curricular_area_years, level_index
from ..selectors.breadth import Distribution
from ..selectors.catalogue import year_label
from ..selectors.dashboards import latest_run, run_collaborative
from ..selectors.figures import Viewer
from ..selectors.leavers import secondary_schools
from ..selectors.local_aggregates import AREAS as AREAS_KIND
from .breadth import COHORT_GROUP, LEVELS, STAGES, VC_NOTE
from .parts import (
    LOCAL_NOTE,
    Page,
    chart,
    choice,
    entitlement_note,
    filter_form,
    latest_sentence,
    local_aggregate_note,
    print_filters,
)

GRADES = {"AD": "A to D (every award)", "AC": "A to C (and ungraded passes)", "A": "A only"}
AREAS = {area: CurricularArea(area).label for area in c.CURRICULAR_AREAS}
AREAS_ORDER = {area: index for index, area in enumerate(AREAS)}
PARAMS = ("stage", "grade", "year", "level", "group")


def _choices(params: QueryDict, years: list[int], groups: list[tuple[str, str]]) -> dict[str, str]:
    return {
        "group": choice(params, "group", [value for value, _ in groups], ""),
        "stage": choice(params, "stage", list(STAGES), c.STAGE_S4),
        "grade": choice(params, "grade", list(GRADES), "AD"),
        "year": choice(params, "year", [str(y) for y in years], str(years[-1]) if years else ""),
        "level": choice(params, "level", list(LEVELS), "5"),
    }


def _pct(d: Distribution | None, level: int) -> TCell:
    return figure(d.percent(level_index(level)), "pct") if d is not None else TCell(NO_DATA)


def curricular_areas_page(request: HttpRequest, est: Establishment) -> Page:
    page = Page("insight/curricular_areas.html")
    viewer = Viewer(request.user)
    ent = viewer.establishment(est)
    local_note = "" if ent.unsuppressed else LOCAL_NOTE
    page.context.update(establishment=est, entitlement=ent, entitlement_note=entitlement_note(ent),
                        local_note=local_note, school_choices=secondary_schools(),
                        explanation=disclosure.explanation(), stages=STAGES, grades=GRADES, levels=LEVELS)
    page.audit = {"object_type": "establishment", "object_id": est.seed_code, "establishment": est}
    page.export_name = f"{est.name} curricular areas"
    page.viewer_note = f"{entitlement_note(ent)} {local_note}".strip()
    run = latest_run()
    page.context["run"] = run
    years = curricular_area_years(run) if run is not None else []
    groups = local_group_options(request)
    chosen = _choices(request.GET, years, groups)
    page.state.update(chosen)
    page.context.update(chosen=chosen, years=[(str(y), year_label(y)) for y in years])
    filter_form(page, "ca", "Choose the cohort and filters", [
        ("stage", "Cohort", STAGES), ("year", "Year", page.context["years"]), ("grade", "Grades", GRADES),
        ("level", "Level compared with the virtual comparator, authority and Scotland", LEVELS),
        *([("group", "Comparator group", groups)] if groups else [])])
    if run is None or not years:
        return page
    year, level = int(chosen["year"]), int(chosen["level"])
    collaborative = run_collaborative(run, est.authority)
    # The aggregates the page shows: every area in the comparison's year, the cohort's size by year.
    grid = curricular_area_grid(run, est, viewer, stage=chosen["stage"], grade_filter=chosen["grade"],
                                collaborative_id=collaborative.pk if collaborative else None,
                                aggregates={*((year, area) for area in AREAS),
                                            *((y, c.CURRICULAR_AREAS[0]) for y in years[-viewer.years_shown:])})
    group = chosen_local_group(request, chosen["group"])
    group_sides: list[tuple[str, str, str]] = []
    if group is not None:
        group_grid, group_shown = local_group_grid(run, group, viewer, AREAS_KIND, stage=chosen["stage"],
                                                   grade_filter=chosen["grade"])
        grid.update({(COHORT_GROUP, y, area): d for (y, area), d in group_grid.items()})
        group_sides = [(COHORT_GROUP, f"Group: {group.name}", "group")]
        page.context["group_note"] = "" if group_shown else LOCAL_GROUP_NOTE
    stage_label, authority = STAGES[chosen["stage"]], est.authority.name
    print_filters(page, [("Establishment", f"{est.name} ({est.seed_code}), {authority}"), ("Cohort", stage_label),
                         ("Year", year_label(year)), ("Grades", GRADES[chosen["grade"]]),
                         *([("Comparator group", group.name)] if group is not None else [])])
    query = urlencode([(name, chosen[name]) for name in PARAMS])

    own = {area: grid.get((c.COHORT_ESTABLISHMENT, year, area)) for area in AREAS}
    table = page.add(Table(
        "grid", f"Curricular areas: {est.name}, {stage_label}, {year_label(year)}: percentage of the cohort with an "
        f"award in each area at each SCQF level (grades {GRADES[chosen['grade']]})",
        [TColumn("Curricular area", numeric=False), *(TColumn(LEVELS[str(lv)]) for lv in c.BD_LEVELS)],
        [TRow(text(label), [_pct(own[area], lv) for lv in c.BD_LEVELS]) for area, label in AREAS.items()],
        export_query=query,
    ))

    sides = ((c.COHORT_ESTABLISHMENT, est.name, "school"), (c.COHORT_VC, "Virtual comparator", "vc"), *group_sides,
             (c.COHORT_AUTHORITY, authority, "authority"),
             *([(c.COHORT_COLLABORATIVE, collaborative.name, "collaborative")] if collaborative else []),
             (c.COHORT_NATIONAL, "Scotland", "national"))
    places = ", ".join(label for _, label, _ in sides[2:-1])  # its authority and collaborative
    comparison = page.add(Table(
        "comparison", f"{est.name}, its virtual comparator, {places} and Scotland: percentage of the {stage_label} "
        f"cohort of {year_label(year)} with an award in each area at {LEVELS[str(level)]} "
        f"(grades {GRADES[chosen['grade']]})",
        [TColumn("Curricular area", numeric=False), *(TColumn(label) for _, label, _ in sides)],
        [TRow(text(label), [_pct(grid.get((cohort, year, area)), level) for cohort, _, _ in sides])
         for area, label in AREAS.items()],
        export_query=query,
    ))
    counted = [side for side in sides if side[0] != c.COHORT_VC]  # the VC's size is ten per matched pupil
    first_area = c.CURRICULAR_AREAS[0]
    cohorts = page.add(Table(
        "cohort", f"Pupils in the {stage_label} cohort by year: {est.name}, {places} and Scotland",
        [TColumn("Year", numeric=False), *(TColumn(label) for _, label, _ in counted)],
        [TRow(text(year_label(y)), [figure(d.cohort(), "count") if (d := grid.get((cohort, y, first_area)))
                                    else TCell(NO_DATA) for cohort, _, _ in counted])
         for y in years[-viewer.years_shown:]],
        export_query=query,
    ))
    languages = comparison.rows[AREAS_ORDER["languages"]].cells
    caption = latest_sentence(year, [(f"{est.name}, languages", languages[0]), ("virtual comparator", languages[1]),
                                     *((label, languages[i]) for i, (_, label, _) in enumerate(sides) if i >= 2)])
    page.context.update(
        grid=table, comparison=comparison, cohorts=cohorts, caption=caption, level_label=LEVELS[str(level)],
        section_heading=f"Against its virtual comparator, {places} and Scotland: {LEVELS[str(level)]}", vc_note=VC_NOTE,
        stage_label=stage_label, year_label=year_label(year), has_school=own[first_area] is not None,
        aggregate_note=local_aggregate_note([(label, grid.get((cohort, year, area))) for cohort, label, _ in sides[2:]
                                             if cohort != COHORT_GROUP for area in AREAS], level_index(level)),
        comparison_chart={**chart(comparison, kind="bar", unit="%",
                                  series_columns=[(i + 1, role) for i, (_, _, role) in enumerate(sides)]),
                          "axis": "Per cent of the cohort"},
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    return page

