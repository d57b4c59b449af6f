"""Reads of the stored Course Comparator (a local measure) as a viewer may see them.

Disclosure (issue 12, item 7): a school's **graded** course measures (grade bands, passes, the
grade difference, and its courses' virtual comparator, drawn for its pupils) are shown only to
viewers entitled to the school unsuppressed (its own staff, its authority and its learning
partners); to everyone else they are not shown at all (Insight shows graded course measures of
other schools to nobody; partners are the exception we add). Entries are withheld from viewers
not entitled to them as the run's local pattern says (``local_pattern``: each course's entries of
every school, authority, collaborative and Scotland protected together, so an authority minus
its other schools gives no withheld school's entries) and under the small-number rule (1 to 4
shows ``c``). An authority's, collaborative's or Scotland's graded figures are withheld with their
entries (no role is entitled to a collaborative: it is shown as to the public).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment, Subject

from ..benchmarking import columns as c
from ..benchmarking import courses as engine
from ..models import BenchmarkRun, CourseResult
from .course_graded import GradedScope, withheld
from .local_pattern import LocalPattern, course_layer, local_pattern

BANDS = (("n_a", "A"), ("n_ab", "A to B"), ("n_ac", "A to C"), ("n_ad", "A to D"))
PASS_BAND = (("n_pass", "Pass"),)
_FIELDS = ("cohort", "cohort_id", c.YEAR, c.COHORT_STAGE, "subject_id", "award_type", "scqf_level",
           *engine.COUNT_COLUMNS, "grade_diff")


@dataclass(frozen=True)
class Course:
    """A course: subject, award type and SCQF level; ``key`` is how a URL names it."""

    subject_id: int
    subject_code: str
    subject_name: str
    award_type: str
    scqf_level: int

    @property
    def key(self) -> str:
        return f"{self.subject_code}-{self.award_type}-{self.scqf_level}"

    @property
    def graded(self) -> bool:
        return self.award_type in engine.GRADED_AWARD_TYPES

    @property
    def vocational(self) -> bool:
        return self.award_type in engine.VOCATIONAL_AWARD_TYPES

    @property
    def label(self) -> str:
        return f"{self.subject_name} ({self.award_type}, SCQF level {self.scqf_level})"

    def bands(self) -> tuple[tuple[str, str], ...]:
        return BANDS if self.graded else PASS_BAND


@dataclass(frozen=True)
class Figures:
    """One course's figures at one level (school, VC, authority, collaborative or Scotland) as a viewer may see them.
    ``graded_hidden``: the grade bands and the difference are not shown to this viewer at all."""

    row: dict
    entries_hidden: bool
    graded_hidden: bool

    def entries(self) -> disclosure.Cell:
        n = int(self.row["n_entries"])
        return disclosure.Cell(n, n, self.entries_hidden)

    def percent(self, column: str) -> disclosure.Cell:
        n = int(self.row["n_entries"])
        value = 100.0 * int(self.row[column]) / n if n else None
        return disclosure.Cell(value, n, self.graded_hidden or self.entries_hidden)

    def grade_diff(self) -> disclosure.Cell:
        n = int(self.row["n_compared"])
        return disclosure.Cell(self.row["grade_diff"], n, self.graded_hidden or self.entries_hidden)

    def compared(self) -> disclosure.Cell:
        n = int(self.row["n_compared"])
        return disclosure.Cell(n, n, self.graded_hidden or self.entries_hidden)


def graded_shown(entitlement: Entitlement) -> bool:
    """Whether a school's graded course measures are shown to a viewer so entitled to it."""
    return entitlement in (Entitlement.OWN, Entitlement.AUTHORITY, Entitlement.PARTNER)


def _figures(row: dict, entitlement: Entitlement, *, school: bool, pattern: LocalPattern,
             aggregate_withheld: bool = False) -> Figures:
    n = int(row["n_entries"])
    layer = course_layer(int(row["subject_id"]), row["award_type"], int(row["scqf_level"]))
    entries_hidden = not entitlement.unsuppressed and pattern.withholds(
        row["cohort"], int(row["cohort_id"]), int(row[c.YEAR]), layer, n)
    graded_hidden = school and not graded_shown(entitlement)
    if row["cohort"] == c.COHORT_VC:  # drawn for the school's pupils: shown as its graded measures
        entries_hidden = graded_hidden
    if not school:  # an authority or Scotland: withheld with its entries, or where it would give a school away
        graded_hidden = entries_hidden or aggregate_withheld
    return Figures(row, entries_hidden, graded_hidden)


def courses_of(subject_ids: Iterable[int], rows: Iterable[dict]) -> dict[tuple[int, str, int], Course]:
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in=set(subject_ids))}
    out = {}
    for r in rows:
        key = (r["subject_id"], r["award_type"], r["scqf_level"])
        s = subjects.get(r["subject_id"])
        if key not in out and s is not None:
            out[key] = Course(s.pk, s.code, s.name, r["award_type"], r["scqf_level"])
    return out


def course_years(run: BenchmarkRun) -> list[int]:
    """The diet years the run holds courses for, ascending."""
    return sorted(set(CourseResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL)
                      .values_list(c.YEAR, flat=True).distinct()))


def school_courses(run: BenchmarkRun, est: Establishment, *, year: int, stage: str,
                   entitlement: Entitlement) -> list[tuple[Course, Figures, Figures | None]]:
    """Every course the school presented in ``year`` for ``stage``: (course, school, VC or None),
    ordered by subject name, award type and level."""
    rows = list(CourseResult.objects.filter(run=run, cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC],
                                            cohort_id=est.pk, year=year, cohort_stage=stage).values(*_FIELDS))
    found = courses_of((r["subject_id"] for r in rows), rows)
    # The school's own rows only: a viewer entitled to it needs no pattern (nor waits for a cold one).
    pattern = LocalPattern(frozenset()) if entitlement.unsuppressed else local_pattern(run, stage)
    own = {(r["subject_id"], r["award_type"], r["scqf_level"]): r for r in rows if r["cohort"] == c.COHORT_ESTABLISHMENT}
    vc = {(r["subject_id"], r["award_type"], r["scqf_level"]): r for r in rows if r["cohort"] == c.COHORT_VC}
    out = []
    for key, row in own.items():
        course = found[key]
        v = vc.get(key)
        out.append((course, _figures(row, entitlement, school=True, pattern=pattern),
                    _figures(v, entitlement, school=True, pattern=pattern) if v else None))
    out.sort(key=lambda item: (item[0].subject_name.casefold(), engine.AWARD_TYPES.index(item[0].award_type),
                               item[0].scqf_level))
    return out


def find_course(key: str) -> Course | None:
    """The course a URL key names ("ENG-N5-5"), or None."""
    parts = key.rsplit("-", 2)
    if len(parts) != 3 or parts[1] not in engine.AWARD_TYPES or not parts[2].isdigit():
        return None
    s = Subject.objects.filter(code=parts[0]).first()
    return Course(s.pk, s.code, s.name, parts[1], int(parts[2])) if s else None


def course_levels(run: BenchmarkRun, est: Establishment, course: Course, *, stage: str,
                  entitlements: Sequence[Entitlement], scope: GradedScope,
                  collaborative_id: int | None = None) -> dict[tuple[str, int], Figures]:
    """(level, year) -> Figures of one course for the school, its VC, authority and Scotland,
    every year of the run (``entitlements``: the school's, the authority's; ``scope``: what the
    viewer already sees graded), and with ``collaborative_id`` the authority's Regional Improvement
    Collaborative (public, as Scotland)."""
    where = (Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id=est.pk)
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=est.authority_id)
             | Q(cohort=c.COHORT_NATIONAL, cohort_id=c.NATIONAL_COHORT_ID))
    if collaborative_id is not None:
        where |= Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative_id)
    others = scope.schools - {est.pk}  # the viewer's other schools (own, partners): what they can take away
    if others:
        where |= Q(cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=sorted(others))
    fetched = list(CourseResult.objects.filter(where, run=run, cohort_stage=stage, subject_id=course.subject_id,
                                               award_type=course.award_type, scqf_level=course.scqf_level)
                   .values(*_FIELDS))
    pattern = local_pattern(run, stage)
    hidden = withheld(run, stage, subject_id=course.subject_id, award_type=course.award_type,
                      scqf_level=course.scqf_level, scope=scope, pattern=pattern, rows=fetched)
    rows = [r for r in fetched if r["cohort"] != c.COHORT_ESTABLISHMENT or r["cohort_id"] == est.pk]
    out = {}
    for r in rows:
        school = r["cohort"] in (c.COHORT_ESTABLISHMENT, c.COHORT_VC)
        ent = (entitlements[0] if school else entitlements[1] if r["cohort"] == c.COHORT_AUTHORITY
               else Entitlement.PUBLIC)
        out[(r["cohort"], r[c.YEAR])] = _figures(
            r, ent, school=school, pattern=pattern,
            aggregate_withheld=(r["cohort"], int(r["cohort_id"]), int(r[c.YEAR])) in hidden)
    return out


@dataclass(frozen=True)
class Uptake:
    """A school's entries in the vocational courses of one award type, and whether any of those
    courses' entries is withheld from viewers not entitled to the school (then the sum is too: shown
    beside the course pages, it would give the withheld course's entries away by subtraction)."""

    entries: int
    part_withheld: bool


def vocational_uptake(run: BenchmarkRun, schools: Sequence[Establishment], *, year: int,
                      stage: str) -> dict[int, dict[str, Uptake]]:
    """School id -> vocational award type -> entries (every vocational course of that type)."""
    totals: dict[int, dict[str, int]] = {s.pk: {} for s in schools}
    withheld_parts: set[tuple[int, str]] = set()
    pattern = local_pattern(run, stage)
    rows = CourseResult.objects.filter(run=run, cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=list(totals), year=year,
                                       cohort_stage=stage, award_type__in=engine.VOCATIONAL_AWARD_TYPES)
    for r in rows.values("cohort_id", "award_type", "subject_id", "scqf_level", "n_entries"):
        sid, award, n = r["cohort_id"], r["award_type"], int(r["n_entries"])
        by_type = totals[sid]
        by_type[award] = by_type.get(award, 0) + n
        layer = course_layer(int(r["subject_id"]), award, int(r["scqf_level"]))
        if pattern.withholds(c.COHORT_ESTABLISHMENT, sid, year, layer, n):
            withheld_parts.add((sid, award))
    return {sid: {award: Uptake(n, (sid, award) in withheld_parts) for award, n in by_type.items()}
            for sid, by_type in totals.items()}
