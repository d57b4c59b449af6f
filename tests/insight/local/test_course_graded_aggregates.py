"""An authority's, collaborative's and Scotland's graded course figures never give a school's away
(issue 12, item 7; ``insight.selectors.course_graded``).

A small world: nine schools in three authorities, two authorities in one Regional Improvement
Collaborative and the third in none, Scotland above; four courses (three graded, one ungraded)
with random entries and grade bands, many schools presenting none. For each viewer (a national
analyst, every school's staff, a pair of learning partners, an authority analyst) the test reads
every graded figure the course pages show them, on every school's page, through the selector, and
hands them to an attacker who also knows the schools the viewer is entitled to and which schools
presented: no other school's graded counts may follow, as a linear combination, from what was
shown. With every aggregate shown whose entries are (the rule before), the same attacker recovers
schools: the test can fail.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from datahub.access import Entitlement
from datahub.models import Establishment, LocalAuthority, Role, Subject, TariffScale
from insight.benchmarking import columns as c
from insight.models import BenchmarkRun, CourseResult
from insight.selectors.course_graded import GradedScope, remainder_ok
from insight.selectors.courses import course_levels, find_course
from insight.selectors.pattern import forget_computed
from partnerships.models import Partnership, Status
from tests.factories import EstablishmentFactory, member
from tests.insight.worlds import client_for

pytestmark = pytest.mark.django_db
YEARS, STAGE = (2023, 2024), c.STAGE_S4
AWARDS = ("N5", "N5", "N5", "NPA")
COLLABORATIVE = 1
Course = tuple[int, str]  # (subject id, award type)


@dataclass
class Viewer:
    name: str
    scope: GradedScope

    def school(self, est: Establishment) -> Entitlement:
        if est.pk in self.scope.schools:
            return Entitlement.OWN
        if est.authority_id in self.scope.authorities:
            return Entitlement.AUTHORITY
        return Entitlement.PUBLIC

    def knows(self, est: Establishment) -> bool:
        return est.pk in self.scope.schools or est.authority_id in self.scope.authorities


class World:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.la = [LocalAuthority.objects.get_or_create(gss_code=g, defaults={"code": code, "name": name})[0]
                   for g, code, name in (("S12000049", 260, "Glasgow City"), ("S12000033", 100, "Aberdeen City"),
                                         ("S12000036", 230, "City of Edinburgh"))]
        self.schools = [EstablishmentFactory.create(authority=self.la[a]) for a in (0, 0, 0, 0, 1, 1, 1, 2, 2)]
        subjects = list(Subject.objects.order_by("pk")[:len(AWARDS)])
        self.courses: list[Course] = [(s.pk, a) for s, a in zip(subjects, AWARDS, strict=True)]
        scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="local")
        now = timezone.now()
        self.run = BenchmarkRun.objects.create(
            seed=1, years=list(YEARS), tariff_scale=scale, status="succeeded", started_at=now, finished_at=now,
            publication="published", published_at=now,
            collaboratives={str(self.la[0].pk): COLLABORATIVE, str(self.la[1].pk): COLLABORATIVE})
        # (course, year) -> school id -> counts (entries, A, A-B, A-C, A-D, pass, compared, difference sum)
        self.counts: dict[tuple[Course, int], dict[int, tuple[int, ...]]] = {}
        rows = []
        for course in self.courses:
            for year in YEARS:
                per_school = {}
                for s in self.schools:
                    n = rng.choice((0, 0, 1, 3, 6, 9, 14, 25))
                    if n:
                        per_school[s.pk] = self._counts(rng, n, graded=course[1] != "NPA")
                self.counts[(course, year)] = per_school
                for cohort, uid, members in self.units():
                    total = [sum(v[i] for sid, v in per_school.items() if sid in members) for i in range(8)]
                    if cohort == c.COHORT_ESTABLISHMENT and not total[0]:
                        continue
                    rows.append(CourseResult(
                        run=self.run, cohort=cohort, cohort_id=uid, year=year, cohort_stage=STAGE,
                        subject_id=course[0], award_type=course[1], scqf_level=5, n_entries=total[0],
                        n_a=total[1], n_ab=total[2], n_ac=total[3], n_ad=total[4], n_pass=total[5],
                        n_compared=total[6], grade_diff=total[7] / total[6] if total[6] else None))
        CourseResult.objects.bulk_create(rows)

    @staticmethod
    def _counts(rng: random.Random, n: int, *, graded: bool) -> tuple[int, ...]:
        if not graded:
            return (n, 0, 0, 0, 0, rng.randint(0, n), 0, 0)
        cuts = sorted(rng.randint(0, n) for _ in range(4))  # A <= A-B <= A-C <= A-D <= entries
        compared = rng.randint(0, n)
        return (n, *cuts, 0, compared, rng.randint(-2 * compared, 2 * compared))

    def units(self) -> list[tuple[str, int, set[int]]]:
        """Every school, authority, the collaborative and Scotland, with the schools each holds."""
        out = [(c.COHORT_ESTABLISHMENT, s.pk, {s.pk}) for s in self.schools]
        out += [(c.COHORT_AUTHORITY, a.pk, {s.pk for s in self.schools if s.authority_id == a.pk}) for a in self.la]
        out.append((c.COHORT_COLLABORATIVE, COLLABORATIVE,
                    {s.pk for s in self.schools if s.authority_id in (self.la[0].pk, self.la[1].pk)}))
        out.append((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID, {s.pk for s in self.schools}))
        return out

    def viewers(self) -> list[Viewer]:
        none = frozenset[int]()
        out = [Viewer("national analyst", GradedScope(none, none))]
        out += [Viewer(f"staff of school {i}", GradedScope(frozenset({s.pk}), none)) for i, s in enumerate(self.schools)]
        out.append(Viewer("partners 0 and 7", GradedScope(frozenset({self.schools[0].pk, self.schools[7].pk}), none)))
        out.append(Viewer("Aberdeen analyst", GradedScope(none, frozenset({self.la[1].pk}))))
        return out


def shown_aggregates(w: World, viewer: Viewer) -> set[tuple[Course, int, str, int]]:
    """(course, year, cohort, id) of every aggregate whose graded figures a course page shows ``viewer``."""
    out = set()
    for est in w.schools:
        for course in w.courses:
            found = find_course(f"{Subject.objects.get(pk=course[0]).code}-{course[1]}-5")
            assert found is not None
            levels = course_levels(
                w.run, est, found, stage=STAGE, scope=viewer.scope,
                entitlements=(viewer.school(est), Entitlement.AUTHORITY if est.authority_id in viewer.scope.authorities
                              else Entitlement.PUBLIC),
                collaborative_id=COLLABORATIVE if est.authority_id != w.la[2].pk else None)
            for (cohort, year), fig in levels.items():
                if cohort in (c.COHORT_ESTABLISHMENT, c.COHORT_VC) or fig.graded_hidden:
                    continue
                uid = {c.COHORT_AUTHORITY: est.authority_id, c.COHORT_COLLABORATIVE: COLLABORATIVE}.get(cohort, 0)
                out.add((course, year, cohort, uid))
    return out


def recovered(w: World, viewer: Viewer, shown: set[tuple[Course, int, str, int]]) -> list[tuple[str, Course, int]]:
    """Schools whose graded counts follow from the shown aggregates, the viewer's schools and who
    presented: the grade bands (over the schools with entries) and the grade difference's
    entrants compared (over the schools with any: another school's zero is known as well)."""
    return [*_recovered(w, viewer, shown, lambda counts: counts[0] > 0),
            *_recovered(w, viewer, shown, lambda counts: counts[6] > 0)]


def _recovered(w: World, viewer: Viewer, shown: set[tuple[Course, int, str, int]],
               has: Callable[[tuple[int, ...]], bool]) -> list[tuple[str, Course, int]]:
    index = {s.pk: i for i, s in enumerate(w.schools)}
    members = {(cohort, uid): m for cohort, uid, m in w.units()}
    found = []
    for course in w.courses:
        for year in YEARS:
            presenting = {sid for sid, counts in w.counts[(course, year)].items() if has(counts)}
            rows = [[1.0 if s.pk in members[(cohort, uid)] else 0.0 for s in w.schools]
                    for (k, y, cohort, uid) in shown if (k, y) == (course, year)]
            known = [s for s in w.schools if viewer.knows(s) or s.pk not in presenting]
            rows += [[1.0 if i == index[s.pk] else 0.0 for i in range(len(w.schools))] for s in known]
            m = np.array(rows or [[0.0] * len(w.schools)])
            rank = np.linalg.matrix_rank(m)
            for s in w.schools:
                if s in known:
                    continue
                unit = np.zeros(len(w.schools))
                unit[index[s.pk]] = 1.0
                if np.linalg.matrix_rank(np.vstack([m, unit])) == rank:
                    found.append((viewer.name, course, year))
    return found


@pytest.fixture(params=[3, 8, 19])
def world(request: Any, db: Any) -> World:
    forget_computed()
    return World(seed=request.param)


def test_no_school_graded_figures_follow_from_the_aggregates_any_viewer_is_shown(world: World) -> None:
    shown_somewhere = False
    for viewer in world.viewers():
        shown = shown_aggregates(world, viewer)
        shown_somewhere |= bool(shown)
        assert not recovered(world, viewer, shown), viewer.name
    assert shown_somewhere  # the rule does not simply withhold everything


def test_showing_every_aggregate_with_its_entries_gives_schools_away(world: World) -> None:
    """Every aggregate's graded figures shown (no rule): the attacker then wins, so the test above can fail."""
    everything = {(course, year, cohort, uid) for course in world.courses for year in YEARS
                  for cohort, uid, _ in world.units() if cohort != c.COHORT_ESTABLISHMENT
                  and world.counts[(course, year)]}
    assert any(recovered(world, viewer, everything) for viewer in world.viewers())


def test_a_remainder_needs_three_schools_and_five_entries_besides_its_largest() -> None:
    # (schools, entries, schools with entrants compared, entrants compared), largest entries, largest compared
    assert remainder_ok((0, 0, 0, 0), 0, 0)  # nothing beyond what the viewer sees
    assert remainder_ok((3, 30, 3, 20), 12, 8)
    assert not remainder_ok((2, 30, 2, 20), 15, 10)  # two schools
    assert not remainder_ok((3, 103, 3, 20), 100, 8)  # one school holds all but three entries
    assert not remainder_ok((3, 30, 1, 6), 12, 6)  # one school's pupils compared: its grade difference
    assert not remainder_ok((3, 30, 3, 9), 12, 6)  # three compared besides the largest school's
    assert remainder_ok((3, 30, 0, 0), 12, 0)  # nobody compared: no difference to give away
    assert not remainder_ok((0, 4, 0, 0), 0, 0)  # entries with no school: the table is wrong, withheld


def edinburgh_course(figures: list[tuple[int, ...]]) -> tuple[list[Establishment], LocalAuthority, str]:
    """Edinburgh's schools, one per ``figures`` (entries, A, A-B, A-C, A-D, pass, compared), who sat
    National 5 in one subject in 2024, and Scotland (these schools): the schools, the authority and
    the course's URL key."""
    forget_computed()
    edinburgh = LocalAuthority.objects.get_or_create(gss_code="S12000036",
                                                     defaults={"code": 230, "name": "City of Edinburgh"})[0]
    schools = [EstablishmentFactory.create(authority=edinburgh) for _ in figures]
    subject = Subject.objects.order_by("pk").first()
    assert subject is not None
    scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="local")
    now = timezone.now()
    run = BenchmarkRun.objects.create(seed=1, years=[2024], tariff_scale=scale, status="succeeded", started_at=now,
                                      finished_at=now, publication="published", published_at=now, collaboratives={})
    every = list(range(len(figures)))
    units = [*((c.COHORT_ESTABLISHMENT, s.pk, [i]) for i, s in enumerate(schools)),
             (c.COHORT_AUTHORITY, edinburgh.pk, every), (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID, every)]
    for cohort, uid, ids in units:
        t = [sum(figures[i][k] for i in ids) for k in range(7)]
        CourseResult.objects.create(run=run, cohort=cohort, cohort_id=uid, year=2024, cohort_stage=STAGE,
                                    subject_id=subject.pk, award_type="N5", scqf_level=5, n_entries=t[0], n_a=t[1],
                                    n_ab=t[2], n_ac=t[3], n_ad=t[4], n_pass=t[5], n_compared=t[6], grade_diff=0.1)
    return schools, edinburgh, f"{subject.code}-N5-5"


def two_school_authority() -> tuple[Establishment, Establishment, LocalAuthority, str]:
    """Edinburgh, where two schools sat the course (ours 14 of 20 at A to C, theirs 17 of 30;
    together 31 of 50, 62%)."""
    (ours, theirs), edinburgh, key = edinburgh_course([(20, 4, 9, 14, 17, 0, 12), (30, 3, 10, 17, 27, 0, 20)])
    return ours, theirs, edinburgh, key


def _authority_bands_shown(viewer_school: Establishment, key: str) -> bool:
    course = find_course(key)
    assert course is not None
    levels = course_levels(BenchmarkRun.objects.latest("pk"), viewer_school, course, stage=STAGE,
                           scope=GradedScope(frozenset({viewer_school.pk}), frozenset()),
                           entitlements=(Entitlement.OWN, Entitlement.PUBLIC))
    return not levels[(c.COHORT_AUTHORITY, 2024)].graded_hidden


def test_an_authority_dominated_by_one_other_school_keeps_its_grades(db: Any) -> None:
    """Ours (20 entries) beside three others: one of 100 entries and two of 1 and 2. Without ours,
    Edinburgh is the big school within three entries: withheld from our staff. With the small
    schools at 6 and 9 entries, the big one is hidden among 15 others: shown."""
    (ours, *_), _, key = edinburgh_course([(20, 4, 9, 14, 17, 0, 12), (100, 20, 40, 60, 80, 0, 50),
                                           (1, 0, 0, 1, 1, 0, 0), (2, 0, 1, 1, 2, 0, 0)])
    assert not _authority_bands_shown(ours, key)
    (ours, *_), _, key = edinburgh_course([(20, 4, 9, 14, 17, 0, 12), (100, 20, 40, 60, 80, 0, 50),
                                           (6, 1, 2, 3, 4, 0, 5), (9, 1, 3, 5, 7, 0, 6)])
    assert _authority_bands_shown(ours, key)


def test_a_school_with_one_other_presenting_school_sees_its_authority_grades_as_c(db: Any) -> None:
    """To the staff of one of Edinburgh's two schools, Edinburgh's grade bands would be the other
    school's: the page shows c for them (and says why), and the entries as numbers."""
    ours, theirs, edinburgh, key = two_school_authority()
    url = reverse("insight:course", kwargs={"seed": ours.seed_code, "course": key})

    staff = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=ours))
    html = staff.get(url, {"stage": STAGE, "year": "2024"}).content.decode()
    bands = html.split('id="table-bands"', 1)[1].split("</table>", 1)[0]
    a_to_c = bands.split("A to C", 1)[1].split("</tr>", 1)[0]
    assert "70.0%" in a_to_c  # the school's own 14 of 20
    assert ">c<" in a_to_c.replace("</span>", "<").replace("<span", "<")  # Edinburgh's (and Scotland's) withheld
    assert "70.0%" in a_to_c and "62.0%" not in a_to_c  # 31 of 50 is not shown
    assert 'id="aggregate-note"' in html
    entries = html.split('id="table-entries"', 1)[1].split("</table>", 1)[0]
    assert ">50<" in entries.replace("</span>", "<")  # Edinburgh's entries are shown

    analyst = client_for(member(Role.AUTHORITY_ANALYST, authority=edinburgh))  # sees both schools: nothing to withhold
    html = analyst.get(url, {"stage": STAGE, "year": "2024"}).content.decode()
    assert "62.0%" in html.split('id="table-bands"', 1)[1].split("</table>", 1)[0]
    assert 'id="aggregate-note"' not in html

    # Learning partners: our staff now see the other school's grades too, so Edinburgh's add nothing.
    forget_computed()
    Partnership.objects.create(proposer=ours, partner=theirs, status=Status.ACTIVE)
    html = staff.get(url, {"stage": STAGE, "year": "2024"}).content.decode()
    assert "62.0%" in html.split('id="table-bands"', 1)[1].split("</table>", 1)[0]
    assert 'id="aggregate-note"' not in html
