"""Breadth and Depth of an authority, collaborative and Scotland never give a school's away
(issue 12, item 7; ``insight.selectors.local_aggregates``).

A small world: nine schools in three authorities, two authorities in one Regional Improvement
Collaborative and the third in none, Scotland above; each school's S4 pupils hold a random number
of awards at SCQF level 5 and fewer at level 6, so the "k or more" counts have small steps. For
each viewer (a national analyst, every school's staff, a pair of learning partners, an authority
analyst) the test reads every count the Breadth and Depth selectors show them, on every school's
page and every authority's page, and hands them to an attacker who also knows the schools the
viewer is entitled to and which schools have no cohort: nothing about one school the viewer is not
entitled to (no combination of its counts) may follow, as a linear combination, from what was
shown. With each aggregate under the small-number rule alone (the rule before), the same attacker
learns about single schools: the test can fail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment, EstablishmentType, LocalAuthority, Role, TariffScale
from insight.benchmarking import columns as c
from insight.models import BenchmarkRun, BreadthDepthResult
from insight.selectors.breadth import breadth_depth_grid
from insight.selectors.figures import Viewer
from insight.selectors.local_authority import authority_breadth_depth, authority_entitlements
from insight.selectors.pattern import forget_computed
from partnerships.models import Partnership, Status
from tests.factories import EstablishmentFactory, member

pytestmark = pytest.mark.django_db
YEAR, STAGE, LEVELS = 2024, c.STAGE_S4, (5, 6)
COLLABORATIVE = 1
K = c.BD_MAX_AWARDS
# A column of what a page shows: (level, k) with k = 0 for the cohort's size.
Column = tuple[int, int]
COLUMNS: list[Column] = [(level, k) for level in LEVELS for k in range(K + 1)]


@dataclass
class Person:
    name: str
    user: Any
    knows: set[int]  # schools the viewer is entitled to


class World:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.la = [LocalAuthority.objects.get_or_create(gss_code=g, defaults={"code": code, "name": name})[0]
                   for g, code, name in (("S12000049", 260, "Glasgow City"), ("S12000033", 100, "Aberdeen City"),
                                         ("S12000036", 230, "City of Edinburgh"))]
        self.schools = [EstablishmentFactory.create(authority=self.la[a], type=EstablishmentType.SECONDARY)
                        for a in (0, 0, 0, 0, 1, 1, 1, 2, 2)]
        scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="local")
        now = timezone.now()
        self.run = BenchmarkRun.objects.create(
            seed=1, years=[YEAR], tariff_scale=scale, status="succeeded", started_at=now, finished_at=now,
            publication="published", published_at=now,
            collaboratives={str(self.la[0].pk): COLLABORATIVE, str(self.la[1].pk): COLLABORATIVE})
        # school id -> column -> count
        self.counts: dict[int, dict[Column, int]] = {}
        for s in self.schools:
            n = rng.choice((0, 3, 7, 12, 20, 35))
            at5 = [min(K, int(rng.expovariate(0.35))) for _ in range(n)]
            at6 = [rng.randint(0, a) // 2 for a in at5]
            self.counts[s.pk] = {(level, k): (n if k == 0 else sum(1 for a in awards if a >= k))
                                 for level, awards in ((5, at5), (6, at6)) for k in range(K + 1)}
        rows = []
        for cohort, uid, members in self.units():
            for level in LEVELS:
                total = [sum(self.counts[s][(level, k)] for s in members) for k in range(K + 1)]
                if cohort == c.COHORT_ESTABLISHMENT and not total[0]:
                    continue
                rows.append(BreadthDepthResult(
                    run=self.run, cohort=cohort, cohort_id=uid, year=YEAR, cohort_stage=STAGE, grade_filter="AD",
                    min_credits=0, scqf_level=level, n_cohort=total[0],
                    **{c.n_awards(k): total[k] for k in range(1, K + 1)}))
        BreadthDepthResult.objects.bulk_create(rows)

    def units(self) -> list[tuple[str, int, set[int]]]:
        """Every school, authority, the collaborative and Scotland, with the schools each holds."""
        out = [(c.COHORT_ESTABLISHMENT, s.pk, {s.pk}) for s in self.schools]
        out += [(c.COHORT_AUTHORITY, a.pk, {s.pk for s in self.schools if s.authority_id == a.pk}) for a in self.la]
        out.append((c.COHORT_COLLABORATIVE, COLLABORATIVE,
                    {s.pk for s in self.schools if s.authority_id in (self.la[0].pk, self.la[1].pk)}))
        out.append((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID, {s.pk for s in self.schools}))
        return out

    def people(self) -> list[Person]:
        a, b = self.schools[0], self.schools[7]
        Partnership.objects.create(proposer=a, partner=b, status=Status.ACTIVE)  # learning partners
        partners = {a.pk: b.pk, b.pk: a.pk}
        out = [Person("national analyst", member(Role.NATIONAL_ANALYST), set())]
        out += [Person(f"staff of school {i}", member(Role.ESTABLISHMENT_STAFF, establishment=s),
                       {s.pk, *([partners[s.pk]] if s.pk in partners else [])}) for i, s in enumerate(self.schools)]
        out.append(Person("Aberdeen analyst", member(Role.AUTHORITY_ANALYST, authority=self.la[1]),
                          {s.pk for s in self.schools if s.authority_id == self.la[1].pk}))
        return out


Seen = set[tuple[str, int, Column]]  # (cohort, id, column) of every count a viewer is shown


def seen_by(w: World, person: Person) -> Seen:
    """Every count the Breadth and Depth selectors show ``person`` on every school's and authority's page."""
    forget_computed()
    viewer = Viewer(person.user)
    out: Seen = set()

    def read(cohort: str, uid: int, level: int, d: Any) -> None:
        if not d.total_hidden:
            out.add((cohort, uid, (level, 0)))
        out.update((cohort, uid, (level, k)) for k in range(1, K + 1) if not d.hidden[k - 1])

    for est in w.schools:
        collaborative = COLLABORATIVE if est.authority_id != w.la[2].pk else None
        grid = breadth_depth_grid(w.run, est, viewer, stage=STAGE, grade_filter="AD", min_credits=0,
                                  collaborative_id=collaborative)
        for (cohort, year, level), d in grid.items():
            uid = {c.COHORT_ESTABLISHMENT: est.pk, c.COHORT_VC: est.pk, c.COHORT_AUTHORITY: est.authority_id,
                   c.COHORT_COLLABORATIVE: COLLABORATIVE}.get(cohort, c.NATIONAL_COHORT_ID)
            assert year == YEAR
            read(cohort, uid, level, d)
    for authority in w.la:
        schools = [s for s in w.schools if s.authority_id == authority.pk]
        collaborative = COLLABORATIVE if authority != w.la[2] else None
        for level in LEVELS:
            authority_grid = authority_breadth_depth(w.run, viewer, schools, authority, collaborative_id=collaborative, year=YEAR,
                                           stage=STAGE, grade_filter="AD", min_credits=0, level=level,
                                           entitlements=authority_entitlements(viewer, authority, schools))
            for (cohort, uid), dist in authority_grid.items():
                read(cohort, uid, level, dist)
    return out


def learned(w: World, person: Person, seen: Seen) -> list[tuple[str, int]]:
    """Schools the viewer is not entitled to of which some combination of counts (the cohort's size,
    k or more at level 5 and 6) follows from what was seen, the schools the viewer knows, and which
    schools have no cohort (their every count is 0)."""
    members = {(cohort, uid): m for cohort, uid, m in w.units()}
    index = {(s.pk, col): i for i, (s, col) in enumerate((s, col) for s in w.schools for col in COLUMNS)}
    rows = []
    for cohort, uid, col in seen:
        row = np.zeros(len(index))
        for s in members[(cohort, uid)]:
            row[index[(s, col)]] = 1.0
        rows.append(row)
    known = {s.pk for s in w.schools if s.pk in person.knows or not w.counts[s.pk][(5, 0)]}
    for s in known:
        for col in COLUMNS:
            row = np.zeros(len(index))
            row[index[(s, col)]] = 1.0
            rows.append(row)
    m = np.array(rows or [np.zeros(len(index))])
    rank = np.linalg.matrix_rank(m)
    found = []
    for school in w.schools:
        if school.pk in known:
            continue
        own = np.zeros((len(COLUMNS), len(index)))
        for j, col in enumerate(COLUMNS):
            own[j, index[(school.pk, col)]] = 1.0
        # Something about the school alone follows when the seen rows and its own coordinates share a direction.
        if rank + len(COLUMNS) - np.linalg.matrix_rank(np.vstack([m, own])) > 0:
            found.append((person.name, school.pk))
    return found


@pytest.fixture(params=[3, 8, 19, 27])
def world(request: Any, db: Any) -> World:
    forget_computed()
    return World(seed=request.param)


def test_no_school_follows_from_the_aggregates_any_viewer_is_shown(world: World) -> None:
    shown_somewhere = False
    for person in world.people():
        seen = seen_by(world, person)
        schools = {uid for cohort, uid, _ in seen if cohort in (c.COHORT_ESTABLISHMENT, c.COHORT_VC)}
        assert schools <= person.knows, person.name  # other schools' figures are never shown
        shown_somewhere |= any(cohort != c.COHORT_ESTABLISHMENT and col[1] > 0 for cohort, _, col in seen)
        assert not learned(world, person, seen), person.name
    assert shown_somewhere  # the rule does not simply withhold everything


def test_each_aggregate_under_the_small_number_rule_alone_gives_schools_away(world: World) -> None:
    """What the rule before showed (each aggregate's own distribution under the small-number rule):
    the attacker then learns about single schools, so the test above can fail."""
    people = world.people()
    before: Seen = set()
    for cohort, uid, members in world.units():
        if cohort == c.COHORT_ESTABLISHMENT:
            continue
        for level in LEVELS:
            counts = [sum(world.counts[s][(level, k)] for s in members) for k in range(K + 1)]
            hidden = disclosure.suppress_at_least(counts[0], counts[1:], Entitlement.PUBLIC)
            if not 0 < counts[0] < disclosure.min_count():
                before.add((cohort, uid, (level, 0)))
            before.update((cohort, uid, (level, k)) for k in range(1, K + 1) if not hidden[k - 1])
    assert any(learned(world, person, before) for person in people)


def _places(*authorities: list[tuple[int, list[int]]]) -> tuple[list[list[Establishment]], BenchmarkRun]:
    """Schools of up to three authorities, one per (cohort, [1 or more, 2 or more, ...]) at level 5
    (and 3 and 4; none at 6 and 7) in 2024; with two or more authorities, all in one collaborative; Scotland is these schools."""
    forget_computed()
    places = [LocalAuthority.objects.get_or_create(gss_code=g, defaults={"code": code, "name": name})[0]
              for g, code, name in (("S12000036", 230, "City of Edinburgh"), ("S12000049", 260, "Glasgow City"),
                                    ("S12000033", 100, "Aberdeen City"))][:len(authorities)]
    made = [[EstablishmentFactory.create(authority=la, type=EstablishmentType.SECONDARY) for _ in schools]
            for la, schools in zip(places, authorities, strict=True)]
    together = len(authorities) > 1
    scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="local")
    now = timezone.now()
    run = BenchmarkRun.objects.create(seed=1, years=[YEAR], tariff_scale=scale, status="succeeded", started_at=now,
                                      finished_at=now, publication="published", published_at=now,
                                      collaboratives={str(la.pk): COLLABORATIVE for la in places} if together else {})
    figures = {s.pk: (n, [*ks, *[0] * (K - len(ks))])
               for schools, given in zip(made, authorities, strict=True) for s, (n, ks) in zip(schools, given, strict=True)}
    every = [s.pk for schools in made for s in schools]
    units = [*((c.COHORT_ESTABLISHMENT, s, [s]) for s in every),
             *((c.COHORT_AUTHORITY, la.pk, [s.pk for s in schools]) for la, schools in zip(places, made, strict=True)),
             *([(c.COHORT_COLLABORATIVE, COLLABORATIVE, every)] if together else []),
             (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID, every)]
    for cohort, uid, ids in units:
        for level in c.BD_LEVELS:  # the given counts at level 5; level 3 and 4 as many, none at 6 and 7
            BreadthDepthResult.objects.create(
                run=run, cohort=cohort, cohort_id=uid, year=YEAR, cohort_stage=STAGE, grade_filter="AD",
                min_credits=0, scqf_level=level, n_cohort=sum(figures[i][0] for i in ids),
                **{c.n_awards(k): sum(figures[i][1][k - 1] for i in ids) if level <= 5 else 0
                   for k in range(1, K + 1)})
    return made, run


def _authority_of(schools: list[tuple[int, list[int]]]) -> tuple[list[Establishment], LocalAuthority, BenchmarkRun]:
    """Edinburgh's schools, one per (cohort, [1 or more, 2 or more, ...]) at level 5 in 2024, and
    Scotland (these schools)."""
    (made,), run = _places(schools)
    return made, made[0].authority, run


def _edinburgh_for(staff_of: Establishment, run: BenchmarkRun) -> Any:
    grid = breadth_depth_grid(run, staff_of, Viewer(member(Role.ESTABLISHMENT_STAFF, establishment=staff_of)),
                              stage=STAGE, grade_filter="AD", min_credits=0)
    return grid[(c.COHORT_AUTHORITY, YEAR, 5)]


def test_an_authority_with_two_other_schools_is_withheld_from_one_schools_staff(db: Any) -> None:
    """Three schools: to the staff of one, Edinburgh minus their school is two schools: withheld
    whole, cohort and counts. With a fourth school, the remainder is three schools: shown."""
    made, _, run = _authority_of([(20, [15, 9]), (30, [20, 12]), (25, [18, 10])])
    d = _edinburgh_for(made[0], run)
    assert d.total_hidden and all(d.hidden)
    made, _, run = _authority_of([(20, [15, 9]), (30, [20, 12]), (25, [18, 10]), (22, [16, 11])])
    d = _edinburgh_for(made[0], run)
    assert not d.total_hidden and not any(d.hidden[:2])
    assert d.total == 97 and d.at_least[:2] == (69, 42)


def test_an_authority_dominated_by_one_other_school_is_withheld(db: Any) -> None:
    """Ours beside three others: one of 200 pupils and two of 1 and 2. Without ours, Edinburgh is
    the big school within three pupils: withheld. With the small schools at 6 and 9, shown."""
    made, _, run = _authority_of([(20, [15]), (200, [150]), (1, [1]), (2, [1])])
    assert _edinburgh_for(made[0], run).total_hidden
    made, _, run = _authority_of([(20, [15]), (200, [150]), (6, [3]), (9, [5])])
    assert not _edinburgh_for(made[0], run).total_hidden


def test_a_count_the_remainder_would_give_away_is_withheld(db: Any) -> None:
    """Edinburgh minus our school: 2 pupils with 3 or more awards among the other three schools, a
    small group the subtraction would give; the page withholds Edinburgh's count there (and the
    one next to it whose difference would give it), and shows the rest."""
    made, _, run = _authority_of([(20, [15, 9, 6]), (30, [20, 12, 1]), (25, [18, 10, 1]), (22, [16, 11])])
    d = _edinburgh_for(made[0], run)
    assert d.at_least[2] == 8  # 6 of ours and 2 of theirs
    assert d.hidden[2]
    assert not d.hidden[0] and not d.hidden[3]  # 69 with 1 or more; 0 with 4 or more


def test_a_count_an_authority_withholds_is_withheld_above_it_too(db: Any) -> None:
    """Edinburgh's 1 or more (30) is 2 above its 2 or more (28): withheld from the public. The
    collaborative (Edinburgh and Glasgow) minus Glasgow would give it, so the collaborative's 1 or
    more is withheld too (and Scotland's, which is the same schools); the other counts are shown."""
    ((edinburgh, *_), (glasgow, *_)), run = _places(
        [(10, [8, 7]), (10, [8, 7]), (10, [7, 7]), (10, [7, 7])],
        [(7, [7, 4]), (7, [7, 3]), (6, [6, 3])])
    grid = breadth_depth_grid(run, edinburgh, Viewer(member(Role.NATIONAL_ANALYST)), stage=STAGE, grade_filter="AD",
                              min_credits=0, collaborative_id=COLLABORATIVE)
    city, region, scotland = (grid[(cohort, YEAR, 5)] for cohort in
                              (c.COHORT_AUTHORITY, c.COHORT_COLLABORATIVE, c.COHORT_NATIONAL))
    assert city.at_least[:2] == (30, 28) and city.hidden[:2] == (True, False)
    assert region.at_least[:2] == (50, 38) and region.hidden[:2] == (True, False)
    assert scotland.hidden[0] and not scotland.hidden[1] and not region.total_hidden
    other = breadth_depth_grid(run, glasgow, Viewer(member(Role.NATIONAL_ANALYST)), stage=STAGE, grade_filter="AD",
                               min_credits=0, collaborative_id=COLLABORATIVE)[(c.COHORT_AUTHORITY, YEAR, 5)]
    assert other.at_least[:2] == (20, 10) and not any(other.hidden)


def test_the_pages_withhold_another_schools_figures_and_say_why(db: Any) -> None:
    """Three schools in Edinburgh. Our staff read our figures; Edinburgh minus ours is two
    schools, so Edinburgh shows c and the page says why. Another school's page shows our staff c
    for every figure, with the note saying who sees them; so does its CSV export."""
    from django.urls import reverse

    from insight.pages.parts import LOCAL_NOTE
    from tests.insight.local.test_breadth_depth_page import _rows
    from tests.insight.worlds import client_for

    ((ours, theirs, _),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10])])
    staff = client_for(member(Role.ESTABLISHMENT_STAFF, establishment=ours))
    query = {"stage": STAGE, "year": str(YEAR), "level": "5"}
    html = staff.get(reverse("insight:breadth_depth", kwargs={"seed": ours.seed_code}), query).content.decode()
    comparison = _rows(html, "comparison")
    assert comparison[0][:2] == ["1 or more", "75.0%"]  # ours: 15 of 20
    assert comparison[0][3] == "c"  # Edinburgh: 50 of 75 would be the other two schools' 35 of 55
    note = html.split('id="aggregate-note">', 1)[1].split("<", 1)[0]
    assert note.startswith("Figures of City of Edinburgh and Scotland show c") and LOCAL_NOTE not in html

    url = reverse("insight:breadth_depth", kwargs={"seed": theirs.seed_code})
    html = staff.get(url, query).content.decode()
    grid = _rows(html, "grid")
    assert all(cell == "c" for row in grid for cell in row[1:])
    assert LOCAL_NOTE in html.replace("&#x27;", "'")
    export = staff.get(reverse("insight:breadth_depth_export", kwargs={"seed": theirs.seed_code, "table": "grid",
                                                                      "fmt": "csv"}), query)
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",")[1:] == ["c"] * 5


def test_a_comparator_group_shows_its_members_added_up_to_a_viewer_who_sees_every_member(db: Any) -> None:
    """Edinburgh's analyst groups three of its four schools: the group's column on a school's
    Breadth and Depth page is their counts added up (53 of 75 with 1 or more at level 5), the
    cohort table holds its size. Shared with one school's staff, who see only their own school of
    the three, the group is c in every cell, with a note saying why."""
    from django.urls import reverse

    from insight.groups.figures import LOCAL_GROUP_NOTE
    from insight.groups.models import ComparatorGroup
    from tests.insight.local.test_breadth_depth_page import _rows
    from tests.insight.worlds import client_for

    ((a, b, c_, _d),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10]), (22, [16, 11])])
    analyst = member(Role.AUTHORITY_ANALYST, authority=a.authority)
    group = ComparatorGroup.objects.create(owner=analyst, name="Three of ours")
    group.members.set([a, b, c_])
    staff = member(Role.ESTABLISHMENT_STAFF, establishment=a)
    group.shared_with.add(staff)
    url = reverse("insight:breadth_depth", kwargs={"seed": a.seed_code})
    query = {"stage": STAGE, "year": str(YEAR), "level": "5", "group": str(group.pk)}

    html = client_for(analyst).get(url, query).content.decode()
    comparison = _rows(html, "comparison")
    assert comparison[0][:4] == ["1 or more", "75.0%", "-", "70.7%"]  # school, no VC, the group: 53 of 75
    assert _rows(html, "cohort")[0][:3] == ["2023/24", "20", "75"]
    assert 'id="group-note"' not in html and "Comparator group" in html

    html = client_for(staff).get(url, query).content.decode()
    assert _rows(html, "comparison")[0][3] == "c" and _rows(html, "cohort")[0][2] == "c"
    assert LOCAL_GROUP_NOTE.replace("'", "&#x27;") in html
    # Another user's group, never shared: the page is built without it.
    stranger = member(Role.ESTABLISHMENT_STAFF, establishment=b)
    html = client_for(stranger).get(url, query).content.decode()
    assert "Three of ours" not in html
