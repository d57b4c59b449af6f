"""Breadth and Depth of a school (a local measure, issue 12): one cohort at a time (S4, S5 or S6
based on the S4 roll, or leavers), the percentage with 1 or more ... 10 or more awards at each
SCQF level or better, under a grade filter and a minimum of SCQF credit points; the school beside
its virtual comparator, authority, Regional Improvement Collaborative and Scotland.

Any portal user may open any secondary school, as on the establishment dashboard. The school's
figures (and its virtual comparator's) are shown in full to its own staff, its authority's staff
and its learning partners, and withheld (c) from everyone else: relations between its
distributions (levels, filters, cohorts) are too many to protect one by one. The authority,
collaborative and Scotland are shown as ``insight.selectors.local_aggregates`` decides for the
viewer (in full to the authority's own staff).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict

from datahub import disclosure
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from ..groups.figures import LOCAL_GROUP_NOTE, local_group_grid
from ..groups.page import chosen_local_group, local_group_options
from ..selectors.breadth import Distribution, breadth_depth_grid, breadth_depth_years
from ..selectors.catalogue import year_label
from ..selectors.dashboards import latest_run, run_collaborative
from ..selectors.figures import Viewer
from ..selectors.leavers import secondary_schools
from ..selectors.local_aggregates import BREADTH
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

STAGES = {c.STAGE_S4: "S4", c.STAGE_S5: "S5 (based on the S4 roll)", c.STAGE_S6: "S6 (based on the S4 roll)",
          c.STAGE_LEAVERS: "Leavers"}
GRADES = {"AD": "A to D (every award)", "AC": "A to C (and ungraded passes)", "A": "A only"}
CREDITS = {"0": "Any", "12": "12 or more", "24": "24 or more (a full National course)"}
LEVELS = {str(level): f"SCQF level {level} or better" if level < 7 else "SCQF level 7" for level in c.BD_LEVELS}
PARAMS = ("stage", "grade", "credits", "year", "level", "group")
COHORT_GROUP = "group"  # a comparator group's column on a local measure page
VC_NOTE = ("The virtual comparator is made of ten pupils of the same cohort from schools in other authorities for "
           "each of the school's pupils, matched on sex, additional support needs and SIMD decile.")


def _choices(params: QueryDict, years: list[int], groups: list[tuple[str, str]]) -> dict[str, str]:
    return {
        "group": choice(params, "group", [value for value, _ in groups], ""),
        "stage": choice(params, "stage", list(STAGES), c.STAGE_S4),
        "grade": choice(params, "grade", list(GRADES), "AD"),
        "credits": choice(params, "credits", list(CREDITS), "0"),
        "year": choice(params, "year", [str(y) for y in years], str(years[-1]) if years else ""),
        "level": choice(params, "level", list(LEVELS), "5"),
    }


def _pct(d: Distribution | None, k: int) -> TCell:
    return figure(d.percent(k), "pct") if d is not None else TCell(NO_DATA)


def breadth_depth_page(request: HttpRequest, est: Establishment) -> Page:
    page = Page("insight/breadth_depth.html")
    viewer = Viewer(request.user)
    ent = viewer.establishment(est)
    local_note = "" if ent.unsuppressed else LOCAL_NOTE
    page.context.update(establishment=est, entitlement=ent, entitlement_note=entitlement_note(ent),
                        local_note=local_note, school_choices=secondary_schools(),
                        explanation=disclosure.explanation(), stages=STAGES, grades=GRADES, credits=CREDITS,
                        levels=LEVELS)
    page.audit = {"object_type": "establishment", "object_id": est.seed_code, "establishment": est}
    page.export_name = f"{est.name} breadth and depth"
    page.viewer_note = f"{entitlement_note(ent)} {local_note}".strip()
    run = latest_run()
    page.context["run"] = run
    years = breadth_depth_years(run) if run is not None else []
    groups = local_group_options(request)
    chosen = _choices(request.GET, years, groups)
    page.state.update(chosen)
    page.context.update(chosen=chosen, years=[(str(y), year_label(y)) for y in years])
    filter_form(page, "bd", "Choose the cohort and filters", [
        ("stage", "Cohort", STAGES), ("year", "Year", page.context["years"]), ("grade", "Grades", GRADES),
        ("credits", "SCQF credit points of an award", CREDITS),
        ("level", "Level compared with the virtual comparator, authority and Scotland", LEVELS),
        *([("group", "Comparator group", groups)] if groups else [])])
    if run is None or not years:
        return page
    year, level = int(chosen["year"]), int(chosen["level"])
    collaborative = run_collaborative(run, est.authority)
    shown_years = years[-viewer.years_shown:]
    # The aggregates the page shows: the comparison's year and level, the cohort's size by year.
    grid = breadth_depth_grid(run, est, viewer, stage=chosen["stage"], grade_filter=chosen["grade"],
                              min_credits=int(chosen["credits"]),
                              collaborative_id=collaborative.pk if collaborative else None,
                              aggregates={(year, level), *((y, c.BD_LEVELS[0]) for y in shown_years)})
    group = chosen_local_group(request, chosen["group"])
    group_sides: list[tuple[str, str, str]] = []
    if group is not None:
        group_grid, group_shown = local_group_grid(run, group, viewer, BREADTH, stage=chosen["stage"],
                                                   grade_filter=chosen["grade"], min_credits=int(chosen["credits"]))
        grid.update({(COHORT_GROUP, y, lv): d for (y, lv), d in group_grid.items()})
        group_sides = [(COHORT_GROUP, f"Group: {group.name}", "group")]
        page.context["group_note"] = "" if group_shown else LOCAL_GROUP_NOTE
    stage_label, authority = STAGES[chosen["stage"]], est.authority.name
    filters = f"grades {GRADES[chosen['grade']]}, SCQF credit points {CREDITS[chosen['credits']].lower()}"
    print_filters(page, [("Establishment", f"{est.name} ({est.seed_code}), {authority}"), ("Cohort", stage_label),
                         ("Year", year_label(year)), ("Grades", GRADES[chosen["grade"]]),
                         ("SCQF credit points", CREDITS[chosen["credits"]]),
                         *([("Comparator group", group.name)] if group is not None else [])])
    query = urlencode([(name, chosen[name]) for name in PARAMS])
    ks = range(1, c.BD_MAX_AWARDS + 1)

    own = {lv: grid.get((c.COHORT_ESTABLISHMENT, year, lv)) for lv in c.BD_LEVELS}
    table = page.add(Table(
        "grid", f"Breadth and Depth: {est.name}, {stage_label}, {year_label(year)}: percentage of the cohort with "
        f"1 or more to 10 or more awards at each SCQF level ({filters})",
        [TColumn("Awards", numeric=False), *(TColumn(LEVELS[str(lv)]) for lv in c.BD_LEVELS)],
        [TRow(text(f"{k} or more"), [_pct(own[lv], k) for lv in c.BD_LEVELS]) for k in ks],
        export_query=query,
    ))

    sides = ((c.COHORT_ESTABLISHMENT, est.name, "school"), (c.COHORT_VC, "Virtual comparator", "vc"), *group_sides,
             (c.COHORT_AUTHORITY, authority, "authority"),
             *([(c.COHORT_COLLABORATIVE, collaborative.name, "collaborative")] if collaborative else []),
             (c.COHORT_NATIONAL, "Scotland", "national"))
    places = ", ".join(label for _, label, _ in sides[2:-1])  # its authority and collaborative
    at_level = [grid.get((cohort, year, level)) for cohort, _, _ in sides]
    comparison = page.add(Table(
        "comparison", f"{est.name}, its virtual comparator, {places} and Scotland: percentage of the {stage_label} cohort of "
        f"{year_label(year)} with awards at {LEVELS[str(level)]} ({filters})",
        [TColumn("Awards", numeric=False), *(TColumn(label) for _, label, _ in sides)],
        [TRow(text(f"{k} or more"), [_pct(d, k) for d in at_level]) for k in ks],
        export_query=query,
    ))
    counted = [side for side in sides if side[0] != c.COHORT_VC]  # the VC's size is ten per matched pupil
    cohorts = page.add(Table(
        "cohort", f"Pupils in the {stage_label} cohort by year: {est.name}, "
        f"{', '.join(label for _, label, _ in counted[1:-1])} and Scotland",
        [TColumn("Year", numeric=False), *(TColumn(label) for _, label, _ in counted)],
        [TRow(text(year_label(y)), [figure(d.cohort(), "count") if (d := grid.get((cohort, y, c.BD_LEVELS[0]))) else TCell(NO_DATA)
                                    for cohort, _, _ in counted]) for y in shown_years],
        export_query=query,
    ))
    first = comparison.rows[0].cells
    caption = latest_sentence(year, [(f"{est.name}, 1 or more", first[0]), ("virtual comparator", first[1]),
                                     *((label, first[i]) for i, (_, label, _) in enumerate(sides) if i >= 2)])
    page.context.update(
        grid=table, comparison=comparison, cohorts=cohorts, caption=caption, level_label=LEVELS[str(level)],
        section_heading=f"Against its virtual comparator, {places} and Scotland: {LEVELS[str(level)]}", vc_note=VC_NOTE,
        stage_label=stage_label, year_label=year_label(year), has_school=any(d is not None for d in own.values()),
        aggregate_note=local_aggregate_note([(label, d) for (cohort, label, _), d in zip(sides, at_level, strict=True)
                                             if cohort not in (c.COHORT_ESTABLISHMENT, c.COHORT_VC, COHORT_GROUP)]),
        comparison_chart={**chart(comparison, kind="bar", unit="%",
                                  series_columns=[(i + 1, role) for i, (_, _, role) in enumerate(sides)]),
                          "axis": "Per cent of the cohort"},
        suppressed=any(t.suppressed for t in page.tables.values()),
    )
    return page
