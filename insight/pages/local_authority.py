"""An authority's view of the local measures (issue 12): Breadth and Depth and the curricular areas
of every secondary school of the authority side by side, with the authority, its Regional
Improvement Collaborative and Scotland, for a chosen cohort, year, grade filter and level (and, for
Breadth and Depth, credit minimum and number of awards; for the curricular areas, the area).

Who may use them: as the authority dashboard (``insight.entitlement.may_use_authority_dashboards``:
analysts, MCMC officers, authority and national data managers), for any authority. Each school
row is shown as that school's own page shows it to the viewer (``insight.selectors.local_authority``):
the authority's own staff see their schools in full, everyone else sees them withheld (c); the
authority, collaborative and Scotland in full to the authority's own staff and otherwise as
``insight.selectors.local_aggregates`` decides for the viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Collaborative, Establishment, EstablishmentType, LocalAuthority

from ..benchmarking import columns as c
from ..exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from ..models import BenchmarkRun
from ..selectors.areas import curricular_area_years, level_index
from ..selectors.breadth import Distribution, breadth_depth_years
from ..selectors.catalogue import year_label
from ..selectors.dashboards import latest_run, run_collaborative
from ..selectors.figures import Viewer
from ..selectors.local_authority import authority_breadth_depth, authority_curricular_area, authority_entitlements
from .areas import AREAS
from .areas import GRADES as AREA_GRADES
from .breadth import CREDITS, GRADES, LEVELS, STAGES
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

COUNTS = {str(k): f"{k} or more" for k in range(1, c.BD_MAX_AWARDS + 1)}
OWN_AUTHORITY_NOTE = "You see every school's figures unsuppressed because this is your authority."
PERCENT_NOTE = "Each school's row, and each total, is shown as that school's own page shows it to you."


def _base(request: HttpRequest, authority: LocalAuthority, template: str, export_name: str,
          ) -> tuple[Page, Viewer, list[Establishment]]:
    page = Page(template)
    viewer = Viewer(request.user)
    ent = viewer.authority(authority)
    note = OWN_AUTHORITY_NOTE if ent is Entitlement.AUTHORITY else entitlement_note(ent)
    local_note = "" if ent.unsuppressed else LOCAL_NOTE
    page.context.update(authority=authority, entitlement=ent, entitlement_note=note, local_note=local_note,
                        explanation=disclosure.explanation(), percent_note=PERCENT_NOTE)
    page.audit = {"object_type": "authority", "object_id": str(authority.code)}
    page.export_name = export_name
    page.viewer_note = f"{note} {local_note}".strip()
    schools = list(Establishment.objects.filter(authority=authority, type=EstablishmentType.SECONDARY)
                   .select_related("authority").order_by("name"))
    return page, viewer, schools


def _side_by_side(page: Page, request: HttpRequest, authority: LocalAuthority, viewer: Viewer,
                  schools: list[Establishment], *, year: int, stage: str, grid: dict[tuple[str, int], Distribution],
                  collaborative: Collaborative | None, index: int, title: str, measure: str, url_name: str,
                  query: str, link_query: str) -> None:
    """The table (rows: schools, then the authority, collaborative and Scotland; columns: the
    cohort's size and the chosen percentage), its chart and caption."""
    def cells(d: Distribution | None) -> list[TCell]:
        if d is None:
            return [TCell(NO_DATA), TCell(NO_DATA)]
        return [figure(d.cohort(), "count"), figure(d.percent(index), "pct")]

    rows = [TRow(text(s.name, reverse(url_name, kwargs={"seed": s.seed_code}) + f"?{link_query}"),
                 cells(grid.get((c.COHORT_ESTABLISHMENT, s.pk)))) for s in schools]
    totals = [(authority.name, (c.COHORT_AUTHORITY, authority.pk)),
              *([(collaborative.name, (c.COHORT_COLLABORATIVE, collaborative.pk))] if collaborative else []),
              ("Scotland", (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID))]
    rows += [TRow(text(name), cells(grid.get(key))) for name, key in totals]
    table = page.add(Table("schools", title, [TColumn("School", numeric=False), TColumn("Pupils in the cohort"),
                                              TColumn(measure)], rows, export_query=query))
    by_name = {row.header.text: row.cells[1] for row in rows}
    caption = latest_sentence(year, [(name, by_name[name]) for name, _ in totals])
    page.context.update(table=table, caption=caption, section_heading=measure,
                        aggregate_note=local_aggregate_note([(name, grid.get(key)) for name, key in totals], index),
                        chart={**chart(table, kind="bar", unit="%", series_columns=[(2, "school")]),
                               "axis": "Per cent of the cohort"},
                        suppressed=table.suppressed, has_schools=bool(schools), stage_label=STAGES[stage],
                        year_label=year_label(year))


def _choices(request: HttpRequest, years: list[int], grades: dict[str, str]) -> dict[str, str]:
    """The cohort, year and grade filter both pages take."""
    return {"stage": choice(request.GET, "stage", list(STAGES), c.STAGE_S4),
            "year": choice(request.GET, "year", [str(y) for y in years], str(years[-1]) if years else ""),
            "grade": choice(request.GET, "grade", list(grades), "AD")}


def _run_and_years(page: Page, years_of: Callable[[BenchmarkRun], list[int]]) -> tuple[BenchmarkRun | None, list[int]]:
    run = latest_run()
    page.context["run"] = run
    years = years_of(run) if run is not None else []
    page.context["years"] = [(str(y), year_label(y)) for y in years]
    return run, years


def authority_breadth_depth_page(request: HttpRequest, authority: LocalAuthority) -> Page:
    page, viewer, schools = _base(request, authority, "insight/authority_local_measure.html",
                                  f"{authority.name} breadth and depth")
    page.context.update(measure_name="Breadth and Depth", anchor="breadth-and-depth",
                        intro="How many awards the pupils of each school's cohort hold, and at what level: the "
                              "percentage of the cohort with at least the chosen number of awards at the chosen "
                              "SCQF level or better.")
    run, years = _run_and_years(page, breadth_depth_years)
    chosen = {**_choices(request, years, GRADES),
              "credits": choice(request.GET, "credits", list(CREDITS), "0"),
              "level": choice(request.GET, "level", list(LEVELS), "5"),
              "count": choice(request.GET, "count", list(COUNTS), "5")}
    page.state.update(chosen)
    filter_form(page, "abd", "Choose the cohort and filters", [
        ("stage", "Cohort", STAGES), ("year", "Year", page.context["years"]), ("grade", "Grades", GRADES),
        ("credits", "SCQF credit points of an award", CREDITS), ("level", "SCQF level", LEVELS),
        ("count", "Number of awards", COUNTS)])
    if run is None or not years:
        return page
    year, level, k = int(chosen["year"]), int(chosen["level"]), int(chosen["count"])
    collaborative = run_collaborative(run, authority)
    grid = authority_breadth_depth(run, viewer, schools, authority, collaborative_id=collaborative.pk if collaborative else None,
                                   year=year, stage=chosen["stage"], grade_filter=chosen["grade"],
                                   min_credits=int(chosen["credits"]), level=level,
                                   entitlements=authority_entitlements(viewer, authority, schools))
    stage_label = STAGES[chosen["stage"]]
    print_filters(page, [("Local authority", authority.name), ("Cohort", stage_label), ("Year", year_label(year)),
                         ("Grades", GRADES[chosen["grade"]]), ("SCQF credit points", CREDITS[chosen["credits"]]),
                         ("Awards", f"{COUNTS[chosen['count']]} at {LEVELS[chosen['level']]}")])
    measure = f"{COUNTS[chosen['count']]} awards at {LEVELS[chosen['level']]} (%)"
    _side_by_side(page, request, authority, viewer, schools, year=year, stage=chosen["stage"], grid=grid,
                  collaborative=collaborative, index=k,
                  title=f"Breadth and Depth in {authority.name}'s schools: {stage_label}, {year_label(year)}: "
                        f"percentage of the cohort with {COUNTS[chosen['count']]} awards at {LEVELS[chosen['level']]} "
                        f"(grades {GRADES[chosen['grade']]}, SCQF credit points {CREDITS[chosen['credits']].lower()})",
                  measure=measure, url_name="insight:breadth_depth", query=urlencode(chosen),
                  link_query=urlencode({k: v for k, v in chosen.items() if k != "count"}))
    return page


def authority_curricular_areas_page(request: HttpRequest, authority: LocalAuthority) -> Page:
    page, viewer, schools = _base(request, authority, "insight/authority_local_measure.html",
                                  f"{authority.name} curricular areas")
    page.context.update(measure_name="Curricular areas", anchor="curricular-areas",
                        intro="For one curricular area, the percentage of each school's cohort with an award in a "
                              "subject of that area at the chosen SCQF level or better.")
    run, years = _run_and_years(page, curricular_area_years)
    chosen = {**_choices(request, years, AREA_GRADES),
              "area": choice(request.GET, "area", list(AREAS), "languages"),
              "level": choice(request.GET, "level", list(LEVELS), "5")}
    page.state.update(chosen)
    filter_form(page, "aca", "Choose the cohort and filters", [
        ("stage", "Cohort", STAGES), ("year", "Year", page.context["years"]), ("grade", "Grades", AREA_GRADES),
        ("area", "Curricular area", AREAS), ("level", "SCQF level", LEVELS)])
    if run is None or not years:
        return page
    year, level = int(chosen["year"]), int(chosen["level"])
    collaborative = run_collaborative(run, authority)
    grid = authority_curricular_area(run, viewer, schools, authority,
                                     collaborative_id=collaborative.pk if collaborative else None, year=year,
                                     stage=chosen["stage"], grade_filter=chosen["grade"], area=chosen["area"],
                                     entitlements=authority_entitlements(viewer, authority, schools))
    stage_label, area_label = STAGES[chosen["stage"]], AREAS[chosen["area"]]
    print_filters(page, [("Local authority", authority.name), ("Cohort", stage_label), ("Year", year_label(year)),
                         ("Grades", AREA_GRADES[chosen["grade"]]), ("Curricular area", area_label),
                         ("Level", LEVELS[chosen["level"]])])
    _side_by_side(page, request, authority, viewer, schools, year=year, stage=chosen["stage"], grid=grid,
                  collaborative=collaborative, index=level_index(level),
                  title=f"Curricular areas in {authority.name}'s schools: {stage_label}, {year_label(year)}: "
                        f"percentage of the cohort with an award in {area_label} at {LEVELS[chosen['level']]} "
                        f"(grades {AREA_GRADES[chosen['grade']]})",
                  measure=f"{area_label} at {LEVELS[chosen['level']]} (%)", url_name="insight:curricular_areas",
                  query=urlencode(chosen), link_query=urlencode({k: v for k, v in chosen.items() if k != "area"}))
    return page
