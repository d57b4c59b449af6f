"""The Course Comparator's entries under the run's local pattern, against an exact attacker
(issue 12, item 7).

A small world: seven schools in two authorities, one authority in a Regional Improvement
Collaborative and the other in none, Scotland above; entries in four courses drawn at random
(many of 1 to 4). The attacker holds every entry count the selectors show a viewer entitled to
nothing (``Entitlement.PUBLIC``: a national analyst, or another school's staff) across the whole
hierarchy: an authority = its schools; the collaborative = its authority; Scotland = the
collaborative + the other authority. Then, in turn, each school's staff, who also know their own
school's entries exactly (insiders). No withheld small count may be narrowed below five. With the
pattern switched off (the small-number rule alone, as before), the same attacker pins some: the
test can fail.
"""

from __future__ import annotations

import csv
import io
import random
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from datahub.access import Entitlement
from datahub.disclosure import Relation
from datahub.models import Establishment, LocalAuthority, Role, Subject, TariffScale
from insight.benchmarking import columns as c
from insight.models import BenchmarkRun, CourseResult
from insight.selectors.course_graded import GradedScope
from insight.selectors.courses import course_levels, find_course
from insight.selectors.local_pattern import course_layer, local_pattern
from insight.selectors.pattern import forget_computed
from tests.factories import EstablishmentFactory, member
from tests.insight.checks import lp_max_many
from tests.insight.worlds import client_for

pytestmark = pytest.mark.django_db
LIMIT = 5
YEARS, STAGE = (2023, 2024), c.STAGE_S4
Unit = tuple[str, int]
Key = tuple[str, Unit, int]  # (layer, unit, year)
COHORT = {"E": c.COHORT_ESTABLISHMENT, "A": c.COHORT_AUTHORITY, "C": c.COHORT_COLLABORATIVE, "N": c.COHORT_NATIONAL}


class World:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        la = [LocalAuthority.objects.get_or_create(gss_code=g, defaults={"code": code, "name": name})[0]
              for g, code, name in (("S12000049", 260, "Glasgow City"), ("S12000033", 100, "Aberdeen City"))]
        self.schools: list[Establishment] = [EstablishmentFactory.create(authority=la[i // 4]) for i in range(7)]
        self.subjects = list(Subject.objects.order_by("pk")[:4])
        scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="local")
        now = timezone.now()
        self.run = BenchmarkRun.objects.create(
            seed=1, years=list(YEARS), tariff_scale=scale, status="succeeded", started_at=now, finished_at=now,
            publication="published", published_at=now, collaboratives={str(la[0].pk): 1})
        self.units: list[Unit] = [("E", s.pk) for s in self.schools] + [("A", a.pk) for a in la] + [("C", 1), ("N", 0)]
        self.parts: dict[Unit, list[Unit]] = {
            ("A", la[0].pk): [("E", s.pk) for s in self.schools[:4]],
            ("A", la[1].pk): [("E", s.pk) for s in self.schools[4:]],
            ("C", 1): [("A", la[0].pk)], ("N", 0): [("C", 1), ("A", la[1].pk)],
        }
        self.layers = [course_layer(s.pk, "N5", 5) for s in self.subjects]
        self.counts: dict[Key, int] = {}
        for year in YEARS:
            for s in self.schools:
                for x in self.layers:
                    self.counts[(x, ("E", s.pk), year)] = rng.choice((0, 1, 2, 3, 4, 4, 6, 9, 17))
            for parent in self.parts:  # in order: authorities, then the collaborative, then Scotland
                for x in self.layers:
                    self.counts[(x, parent, year)] = sum(self.counts[(x, u, year)] for u in self.parts[parent])
        CourseResult.objects.bulk_create(
            CourseResult(run=self.run, cohort=COHORT[u[0]], cohort_id=u[1], year=year, cohort_stage=STAGE,
                         subject_id=s.pk, award_type="N5", scqf_level=5,
                         n_entries=self.counts[(course_layer(s.pk, "N5", 5), u, year)],
                         n_a=0, n_ab=0, n_ac=0, n_ad=0, n_pass=0, n_compared=0)
            for u in self.units for year in YEARS for s in self.subjects)

    def relations(self) -> list[Relation]:
        return [Relation((x, p, y), tuple((x, u, y) for u in kids))
                for x in self.layers for p, kids in self.parts.items() for y in YEARS]


def shown_entries(w: World) -> set[Key]:
    """Every entry count the course pages show a viewer entitled to nothing, read through the selector."""
    out: set[Key] = set()
    for s in w.schools:
        for subject in w.subjects:
            course = find_course(f"{subject.code}-N5-5")
            assert course is not None
            levels = course_levels(w.run, s, course, stage=STAGE, entitlements=(Entitlement.PUBLIC, Entitlement.PUBLIC),
                                   scope=GradedScope(frozenset(), frozenset()))
            for (cohort, year), fig in levels.items():
                if cohort == c.COHORT_VC or fig.entries_hidden:
                    continue
                uid = {c.COHORT_ESTABLISHMENT: s.pk, c.COHORT_AUTHORITY: s.authority_id}.get(cohort, 0)
                out.add((course_layer(subject.pk, "N5", 5), ({v: k for k, v in COHORT.items()}[cohort], uid), year))
    return out


def pinned(w: World, shown: set[Key]) -> dict[Key, float]:
    """Withheld small counts the public, or a school's staff knowing their own school, can hold below five.
    The collaborative's entries are on no course page, so they are unknowns too."""
    hidden = set(w.counts) - shown
    small = {k for k in hidden if 0 < w.counts[k] < LIMIT}
    out: dict[Key, float] = {}
    for insider in [None, *w.schools]:
        known = {k for k in w.counts if insider and k[1] == ("E", insider.pk)}
        entitled = {("E", insider.pk), ("A", insider.authority_id)} if insider else set()
        targets = [k for k in small if k[1] not in entitled]
        found = lp_max_many(w.counts, w.relations(), hidden - known, targets)
        out |= {k: v for k, v in found.items() if v < LIMIT - 1e-6}
    return out


@pytest.fixture(params=[7, 11, 23])
def world(request: Any, db: Any) -> World:
    forget_computed()
    return World(seed=request.param)


def test_no_withheld_course_entries_can_be_narrowed_below_five(world: World) -> None:
    shown = shown_entries(world)
    assert not pinned(world, shown)
    assert any(0 < world.counts[k] < LIMIT for k in set(world.counts) - shown)  # there was something to protect
    hidden = local_pattern(world.run, STAGE).hidden
    assert any(world.counts[(x, (level, uid), year)] >= LIMIT for level, uid, year, x in hidden)  # secondary cells


def test_without_the_pattern_the_attacker_pins_withheld_entries(world: World) -> None:
    small_rule_alone = {k for k, n in world.counts.items() if not 0 < n < LIMIT and k[1][0] != "C"}
    assert pinned(world, small_rule_alone)


def _rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="table-{table}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip().replace("&ndash;no data", "-") for cell in cells])
    return rows


@pytest.mark.parametrize("world", [7], indirect=True)
def test_a_course_page_and_its_export_carry_the_same_entries(world: World) -> None:
    viewer = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=world.schools[4]))
    hidden = local_pattern(world.run, STAGE).hidden
    # A school with an entry count the pattern withholds though it is 5 or more (a secondary cell).
    _, uid, year, layer = next(k for k in sorted(hidden, key=repr)
                                   if k[0] == "E" and world.counts[(k[3], ("E", k[1]), k[2])] >= LIMIT)
    school = Establishment.objects.get(pk=uid)
    subject = Subject.objects.get(pk=int(layer.split()[1]))
    kwargs = {"seed": school.seed_code, "course": f"{subject.code}-N5-5"}
    query = {"stage": STAGE, "year": str(year)}
    html = viewer.get(reverse("insight:course", kwargs=kwargs), query).content.decode()
    export = viewer.get(reverse("insight:course_export", kwargs={**kwargs, "table": "entries", "fmt": "csv"}), query)
    rows = _rows(html, "entries")
    exported = [[cell.replace("\u2013", "-") for cell in row]  # the export's "no data" dash
                for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")))]
    assert rows == exported[1:]
    assert rows[YEARS.index(year)][1] == "c"  # the school's withheld entries, on the page and in the export
