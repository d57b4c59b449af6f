"""The Course Comparator of a school (a local measure, issue 12): the courses it presented in a
year (entries and A-C rate against each course's virtual comparator), one course in detail (the
grade bands beside its VC, authority, collaborative and Scotland, and how its pupils did here against their other
courses), and an authority's vocational uptake school by school.

Any portal user may open any secondary school (as the establishment dashboard); graded course
measures are shown only to the school's own staff, its authority and its learning partners
(``insight.selectors.courses``); entries follow the small-number rule for everyone else.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment, EstablishmentType, LocalAuthority

from ..benchmarking import columns as c
from ..benchmarking import courses as engine
from ..exports import NO_DATA, Table, TCell, TColumn, TRow, figure, text
from ..selectors.catalogue import year_label
from ..selectors.courses import (
    Course,
    Figures,
    course_levels,
    course_years,
    graded_shown,
    school_courses,
    vocational_uptake,
)
from ..selectors.dashboards import latest_run, run_collaborative
from ..selectors.figures import Viewer
from .parts import Page, chart, choice, entitlement_note, filter_form, joined, latest_sentence, print_filters

STAGES = {c.STAGE_S4: "S4", c.STAGE_S5: "S5 (based on the S4 roll)", c.STAGE_S6: "S6 (based on the S4 roll)",
          c.STAGE_LEAVERS: "Leavers"}
NOT_SHOWN = "not shown"
COURSE_VC_NOTE = ("The virtual comparator is made for this course: for each of the school's entrants, ten pupils of "
                  "the same cohort from schools in other authorities who sat the same course, matched on sex, "
                  "additional support needs and SIMD decile.")
GRADED_NOTE = ("Graded course measures of a school are shown only to its own staff, its authority and its "
               "learning partners; to everyone else they are not shown at all.")
AGGREGATE_NOTE = ("Grades of {places} show c where, beside figures you already see, they could give one school's "
                  "grades away: once the schools and areas shown to you are taken away, fewer than three schools "
                  "would be left, or one of them would hold all but four or fewer of the entries (or of the "
                  "pupils compared).")
AWARD_NAMES = {"N3": "National 3", "N4": "National 4", "N5": "National 5", "H": "Higher", "AH": "Advanced Higher",
               "NPA": "National Progression Award", "SFW": "Skills for Work", "FA": "Foundation Apprenticeship",
               "NC": "National Certificate", "WA": "Wider achievement award"}


def _choices(params: QueryDict, years: list[int], *, stages: dict[str, str] = STAGES) -> dict[str, str]:
    return {
        "stage": choice(params, "stage", list(stages), c.STAGE_S4),
        "year": choice(params, "year", [str(y) for y in years], str(years[-1]) if years else ""),
    }


def _cohort_and_year(page: Page, years: list[int]) -> None:
    """The Course Comparator's filter form: the cohort and the diet's year."""
    filter_form(page, "co", "Choose the cohort and year", [
        ("stage", "Cohort", STAGES), ("year", "Year of the diet", [(str(y), year_label(y)) for y in years])])


def _graded(f: Figures | None, cell: disclosure.Cell | None, kind: str) -> TCell:
    """A graded figure: "not shown" when the viewer may not see the school's graded measures."""
    if f is None or cell is None:
        return TCell(NO_DATA)
    if f.graded_hidden and f.row["cohort"] in (c.COHORT_ESTABLISHMENT, c.COHORT_VC):
        return TCell(NOT_SHOWN, hidden=True)
    if kind == "diff" and not cell.suppressed:
        if cell.value is None or cell.value != cell.value:  # none compared (NaN)
            return TCell(NO_DATA)
        value = round(float(cell.value), 2)
        return TCell(f"{value:+.2f}", value, "+0.00;-0.00;0.00")
    return figure(cell, kind)


def _entries(f: Figures | None) -> TCell:
    if f is None:
        return TCell(NO_DATA)
    if f.entries_hidden and f.row["cohort"] == c.COHORT_VC:
        return TCell(NOT_SHOWN, hidden=True)
    return figure(f.entries(), "count")


def _headline(course: Course) -> tuple[str, str]:
    """The column a course list compares on: A to C for graded courses, passes otherwise."""
    return ("n_ac", "A to C") if course.graded else ("n_pass", "Pass")


def _base(request: HttpRequest, est: Establishment, template: str, export_name: str) -> tuple[Page, Entitlement]:
    page = Page(template)
    viewer = Viewer(request.user)
    ent = viewer.establishment(est)
    page.context.update(establishment=est, entitlement=ent, entitlement_note=entitlement_note(ent),
                        graded_shown=graded_shown(ent), graded_note=GRADED_NOTE, explanation=disclosure.explanation(),
                        stages=STAGES)
    page.audit = {"object_type": "establishment", "object_id": est.seed_code, "establishment": est}
    page.export_name = export_name
    page.viewer_note = f"{entitlement_note(ent)} {GRADED_NOTE}"
    page.context["viewer"] = viewer
    return page, ent


def courses_page(request: HttpRequest, est: Establishment) -> Page:
    page, ent = _base(request, est, "insight/courses.html", f"{est.name} courses")
    run = latest_run()
    years = course_years(run) if run is not None else []
    chosen = _choices(request.GET, years)
    page.state.update(chosen)
    _cohort_and_year(page, years)
    page.context.update(run=run, chosen=chosen, years=[(str(y), year_label(y)) for y in years])
    if run is None or not years:
        return page
    year, stage = int(chosen["year"]), chosen["stage"]
    print_filters(page, [("Establishment", f"{est.name} ({est.seed_code}), {est.authority.name}"),
                         ("Cohort", STAGES[stage]), ("Year", year_label(year))])
    query = urlencode([(name, chosen[name]) for name in ("stage", "year")])
    rows = []
    for course, own, vc in school_courses(run, est, year=year, stage=stage, entitlement=ent):
        column, _ = _headline(course)
        href = reverse("insight:course", kwargs={"seed": est.seed_code, "course": course.key}) + f"?{query}"
        rows.append(TRow(text(course.subject_name, href), [
            text(AWARD_NAMES[course.award_type]), TCell(str(course.scqf_level), course.scqf_level),
            text("Yes" if course.vocational else "No"), _entries(own),
            _graded(own, own.percent(column), "pct"), text(_headline(course)[1]),
            _graded(vc, vc.percent(column) if vc else None, "pct"),
        ]))
    table = page.add(Table(
        "courses", f"Courses presented by {est.name}: {STAGES[stage]}, {year_label(year)}: entries, and the "
        "percentage at A to C (or passing, for ungraded awards) against each course's virtual comparator",
        [TColumn("Subject", numeric=False), TColumn("Award", numeric=False), TColumn("SCQF level"),
         TColumn("Vocational", numeric=False), TColumn("Entries"), TColumn(f"{est.name} %"),
         TColumn("Grades counted", numeric=False), TColumn("Virtual comparator %")],
        rows, export_query=query,
    ))
    page.context.update(table=table, stage_label=STAGES[stage], year_label=year_label(year),
                        suppressed=table.suppressed)
    return page


def course_page(request: HttpRequest, est: Establishment, course: Course) -> Page:
    page, ent = _base(request, est, "insight/course.html", f"{est.name} {course.key}")
    viewer: Viewer = page.context["viewer"]
    run = latest_run()
    years = course_years(run) if run is not None else []
    chosen = _choices(request.GET, years)
    page.state.update(chosen)
    _cohort_and_year(page, years)
    page.context.update(run=run, chosen=chosen, years=[(str(y), year_label(y)) for y in years], course=course,
                        award_name=AWARD_NAMES[course.award_type])
    if run is None or not years:
        return page
    year, stage = int(chosen["year"]), chosen["stage"]
    authority = est.authority.name
    print_filters(page, [("Establishment", f"{est.name} ({est.seed_code}), {authority}"), ("Course", course.label),
                         ("Cohort", STAGES[stage]), ("Year", year_label(year))])
    query = urlencode([(name, chosen[name]) for name in ("stage", "year")])
    collaborative = run_collaborative(run, est.authority)
    levels = course_levels(run, est, course, stage=stage, entitlements=(ent, viewer.authority(est.authority)),
                           scope=viewer.graded_scope(), collaborative_id=collaborative.pk if collaborative else None)
    # The collaborative level (Regional Improvement Collaboratives) goes between authority and Scotland.
    sides = ((c.COHORT_ESTABLISHMENT, est.name, "school"), (c.COHORT_VC, "Virtual comparator", "vc"),
             (c.COHORT_AUTHORITY, authority, "authority"),
             *([(c.COHORT_COLLABORATIVE, collaborative.name, "collaborative")] if collaborative else []),
             (c.COHORT_NATIONAL, "Scotland", "national"))
    places = ", ".join(name for _, name, _ in sides[2:-1])  # its authority and collaborative
    at_year = [levels.get((level, year)) for level, _, _ in sides]
    label = f"{course.label}, {STAGES[stage]}, {year_label(year)}"
    bands = page.add(Table(
        "bands", f"{label}: percentage of entries at each grade band, {est.name} beside its virtual comparator, "
        f"{places} and Scotland",
        [TColumn("Grades", numeric=False), *(TColumn(name) for _, name, _ in sides)],
        [TRow(text(band), [_graded(f, f.percent(column) if f else None, "pct") for f in at_year])
         for column, band in course.bands()],
        export_query=query,
    ))
    entries = page.add(Table(
        "entries", f"{label}: entries (for the virtual comparator, comparators drawn: ten for each entrant)",
        [TColumn("Year", numeric=False), *(TColumn(name) for _, name, _ in sides)],
        [TRow(text(year_label(y)), [_entries(levels.get((level, y))) for level, _, _ in sides]) for y in years],
        export_query=query,
    ))
    tables = [bands, entries]
    if course.graded:
        difference = page.add(Table(
            "difference", f"{label}: the entrants' grade here minus the mean of their other graded courses in the "
            "same diet (A = 4, B = 3, C = 2, D = 1), averaged; and how many entrants had another graded course",
            [TColumn("Level", numeric=False), TColumn("Average grade difference"), TColumn("Entrants compared")],
            [TRow(text(name), [_graded(f, f.grade_diff() if f else None, "diff"),
                               _graded(f, f.compared() if f else None, "count")])
             for f, (_, name, _) in zip(at_year, sides, strict=True)],
            export_query=query,
        ))
        tables.append(difference)
        page.context["difference"] = difference
    # Aggregates whose grades this viewer is not shown though their entries are (``course_graded``).
    withheld_here = [name for f, (_, name, _) in zip(at_year, sides, strict=True)
                     if f is not None and f.row["cohort"] not in (c.COHORT_ESTABLISHMENT, c.COHORT_VC)
                     and f.graded_hidden and not f.entries_hidden]
    headline = bands.rows[2 if course.graded else 0]  # A to C, or the pass rate of an ungraded course
    first = headline.cells
    caption = latest_sentence(year, [(f"{est.name}, {headline.header.text}", first[0]),
                                     ("virtual comparator", first[1]),
                                     *((name, first[i]) for i, (_, name, _) in enumerate(sides) if i >= 2)])
    page.context.update(
        bands=bands, entries=entries, caption=caption, stage_label=STAGES[stage], year_label=year_label(year),
        section_heading=f"Grades: {STAGES[stage]}, {year_label(year)}", vc_note=COURSE_VC_NOTE,
        has_school=at_year[0] is not None,
        aggregate_note=AGGREGATE_NOTE.format(places=joined(withheld_here)) if withheld_here else "",
        bands_chart={**chart(bands, kind="bar", unit="%",
                             series_columns=[(i + 1, role) for i, (_, _, role) in enumerate(sides)]),
                     "axis": "Per cent of entries"},
        suppressed=any(t.suppressed for t in tables),
    )
    return page


def uptake_page(request: HttpRequest, authority: LocalAuthority) -> Page:
    """Every school of an authority side by side: entries in vocational courses by award type."""
    page = Page("insight/course_uptake.html")
    viewer = Viewer(request.user)
    page.context.update(authority=authority, stages=STAGES, explanation=disclosure.explanation())
    page.audit = {"object_type": "authority", "object_id": str(authority.code)}
    page.export_name = f"{authority.name} vocational uptake"
    page.viewer_note = entitlement_note(viewer.authority(authority))
    run = latest_run()
    years = course_years(run) if run is not None else []
    chosen = _choices(request.GET, years)
    page.state.update(chosen)
    _cohort_and_year(page, years)
    page.context.update(run=run, chosen=chosen, years=[(str(y), year_label(y)) for y in years])
    if run is None or not years:
        return page
    year, stage = int(chosen["year"]), chosen["stage"]
    print_filters(page, [("Authority", authority.name), ("Cohort", STAGES[stage]), ("Year", year_label(year))])
    schools = list(Establishment.objects.filter(authority=authority, type=EstablishmentType.SECONDARY)
                   .select_related("authority").order_by("name"))
    uptake = vocational_uptake(run, schools, year=year, stage=stage)
    types = engine.VOCATIONAL_AWARD_TYPES
    rows = []
    for school in schools:
        ent = viewer.establishment(school)
        parts = [uptake[school.pk].get(t) for t in types]
        counts = [p.entries if p else 0 for p in parts]
        # Not entitled to the school: a sum is withheld with any course in it (courses.Uptake), the
        # total with any sum, so no shown figure minus others gives a withheld one.
        hidden = [not ent.unsuppressed and p is not None and p.part_withheld for p in parts]
        hidden.append(any(hidden))
        cells = [figure(disclosure.Cell(n, n, hide) if hide else disclosure.cell(n, n, ent), "count")
                 for n, hide in zip((*counts, sum(counts)), hidden, strict=True)]
        href = reverse("insight:courses", kwargs={"seed": school.seed_code}) + "?" + urlencode(chosen)
        rows.append(TRow(text(school.name, href), cells))
    table = page.add(Table(
        "uptake", f"Vocational uptake in {authority.name}: entries in vocational courses by school, "
        f"{STAGES[stage]}, {year_label(year)}",
        [TColumn("School", numeric=False), *(TColumn(AWARD_NAMES[t]) for t in types), TColumn("All vocational")],
        rows, export_query=urlencode(chosen),
    ))
    page.context.update(table=table, stage_label=STAGES[stage], year_label=year_label(year),
                        suppressed=table.suppressed)
    return page
