"""Helpers for the dashboard and disclosure tests (no tests here).

- ``build_dash_world``: three authorities of several schools (and a special school with a
  handful of leavers), three leaver years, small groups (care experienced, Foundation
  Apprenticeships) so that suppression has work to do, and a benchmark run with VC draws.
- ``lp_max``: the exact attacker: the largest value a withheld cell can take given every shown
  figure and every relation between them (a linear programme, scipy's HiGHS).
- ``page_table``: a table of a rendered page as the text a sighted user reads, cell by cell.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import numpy as np

from datahub.codes import make_scn, make_seed_code
from datahub.models import Establishment, Learner, LocalAuthority, QualificationResult, SchoolLeaver, Subject
from destinations.models import DestinationKind, DestinationRecord

if TYPE_CHECKING:
    from insight.models import BenchmarkRun

YEARS = (2023, 2024, 2025)
AUTHORITY_CODES = (100, 110, 260)  # Aberdeen City (4 schools + special), Aberdeenshire (3), Glasgow City (3)


@dataclass
class DashWorld:
    authorities: dict[int, LocalAuthority]
    schools: dict[str, Establishment]  # "X1".."X4", "XS" (special), "Y1".."Y3", "Z1".."Z3"
    run: BenchmarkRun
    leaver_ids: list[int] = field(default_factory=list)


def build_dash_world(*, seed: int = 11) -> DashWorld:
    """Bulk-made data (constraints apply), then a benchmark run computed in process."""
    from insight.services import run_create, run_in_process

    rng = random.Random(seed)
    subjects = {s.code: s for s in Subject.objects.filter(code__in=["ENG", "MATH", "PHY", "HIST"])}
    las = {code: LocalAuthority.objects.get(code=code) for code in AUTHORITY_CODES}
    plan = [("X", 100, 4), ("Y", 110, 3), ("Z", 260, 3)]
    schools: dict[str, Establishment] = {}
    serial = 700000
    objs = []
    for prefix, code, n in plan:
        for k in range(1, n + 1):
            serial += 1
            objs.append((f"{prefix}{k}", Establishment(seed_code=make_seed_code(serial), name=f"{las[code].name} Academy {k}",
                                                       authority=las[code], roll=900)))
    serial += 1
    objs.append(("XS", Establishment(seed_code=make_seed_code(serial), name="Aberdeen Special School",
                                     authority=las[100], roll=40, type="special")))
    Establishment.objects.bulk_create([o for _, o in objs])
    schools = {key: o for key, o in objs}

    learners, plan_rows = [], []
    scn = 41000000
    for key, school in schools.items():
        effect = {"1": 2, "2": 0, "3": -2, "4": 1, "S": -4}[key[1]]
        for year in YEARS:
            size = rng.randint(3, 4) if key == "XS" else rng.randint(35, 60)
            for i in range(size):
                scn += 7
                decile = min(10, max(1, int(rng.gauss(5.5, 2.6))))
                ce = i == 0 or rng.random() < 0.03  # every school has a few care-experienced leavers
                learner = Learner(scn=make_scn(scn), given_name="Test", family_name="Leaver",
                                  date_of_birth=dt.date(year - 17, 3, 1), sex=rng.choice("FM"), simd_decile=decile,
                                  asn=key == "XS" or rng.random() < 0.25, care_experienced=ce, establishment=school)
                learners.append(learner)
                plan_rows.append((learner, school, year, decile, effect))
    Learner.objects.bulk_create(learners)
    leavers = [
        SchoolLeaver(learner=lr, establishment=s, leaver_year=y, stage=rng.choice(["S4", "S5", "S6", "S6"]),
                     sex=lr.sex, simd_decile=d, asn=lr.asn, care_experienced=lr.care_experienced)
        for lr, s, y, d, _ in plan_rows
    ]
    SchoolLeaver.objects.bulk_create(leavers)
    results, dests = [], []
    for leaver, (learner, school, year, decile, effect) in zip(leavers, plan_rows, strict=True):
        ability = decile + effect + rng.randint(-3, 3) - (3 if learner.care_experienced else 0)
        for subject_code in ("ENG", "MATH", "PHY", "HIST"):
            if ability < 3 and subject_code in ("PHY", "HIST"):
                continue
            grade = "ABCD"[max(0, min(3, 3 - ability // 3))]
            level, award = (6, "H") if ability > 8 else (5, "N5") if ability > 2 else (4, "N4")
            results.append(QualificationResult(learner=learner, establishment=school, subject=subjects[subject_code],
                                               award_type=award, scqf_level=level, scqf_credits=24,
                                               grade="P" if award == "N4" else grade, year=year))
        for award, p, level in (("FA", 0.04, 6), ("NPA", 0.15, 5), ("SFW", 0.10, 4)):
            if rng.random() < p:
                results.append(QualificationResult(learner=learner, establishment=school, subject=subjects["HIST"],
                                                   award_type=award, scqf_level=level, scqf_credits=12,
                                                   grade="P", year=year))
        roll = rng.random()
        initial = "UNKNOWN" if roll < 0.02 else ("FE" if ability > 0 or roll > 0.3 else "UNEMPLOYED_SEEKING")
        follow = "UNKNOWN" if roll < 0.04 else ("EMPLOYMENT" if ability > 1 or roll > 0.4 else "UNEMPLOYED_SEEKING")
        dests.append(DestinationRecord(leaver=leaver, kind=DestinationKind.INITIAL, category=initial))
        dests.append(DestinationRecord(leaver=leaver, kind=DestinationKind.FOLLOW_UP, category=follow))
    QualificationResult.objects.bulk_create(results)
    DestinationRecord.objects.bulk_create(dests)
    run = run_in_process(run_create(years=list(YEARS), seed=5, draws=3))
    assert run.status == "succeeded", run.error
    return DashWorld(las, schools, run, [lv.pk for lv in leavers])


def destroy_dash_world(world: DashWorld) -> None:
    from insight.models import BenchmarkRun

    BenchmarkRun.objects.filter(pk=world.run.pk).delete()
    ids = [s.pk for s in world.schools.values()]
    DestinationRecord.objects.filter(leaver__establishment_id__in=ids).delete()
    QualificationResult.objects.filter(establishment_id__in=ids).delete()
    SchoolLeaver.objects.filter(establishment_id__in=ids).delete()
    Learner.objects.filter(establishment_id__in=ids).delete()
    Establishment.objects.filter(id__in=ids).delete()


def dash_world(django_db_blocker: object) -> Iterator[DashWorld]:
    """One world and benchmark run for a whole test module (building it takes a few seconds).

    Use from a module-scoped fixture: ``yield from dash_world(django_db_blocker)``.
    """
    from django.core.cache import cache

    from insight import selectors

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        selectors.forget_computed()
        cache.clear()
        world = build_dash_world()
    yield world
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        destroy_dash_world(world)
        selectors.forget_computed()
        cache.clear()


# --- The exact attacker ---------------------------------------------------------------------------


def hierarchy_relations(h: object) -> list:
    """Every additive relation of a disclosure.Hierarchy: breakdowns within units, units within parents."""
    from datahub.disclosure import Relation

    kids: dict = defaultdict(list)
    for unit, par in h.parent.items():  # type: ignore[attr-defined]
        if par is not None:
            kids[par].append(unit)
    cells = [("", "")] + [(d, v) for d, vals in h.breakdowns.items() for v in vals]  # type: ignore[attr-defined]
    rels = [Relation((u, "", ""), tuple((u, d, v) for v in vals))
            for u in h.parent for d, vals in h.breakdowns.items()]  # type: ignore[attr-defined]
    rels += [Relation((p, d, v), tuple((k, d, v) for k in ks)) for p, ks in kids.items() for d, v in cells]
    return rels


def lp_max(counts: Mapping, relations: Iterable, hidden: set, target: object, *, known: Iterable = (),
           unknown_zero: Iterable = ()) -> float:
    """The largest value ``target`` can take: hidden cells are unknowns (at least 1 where the true
    value is, a stronger attacker than the real one, except ``unknown_zero`` cells: withheld
    whatever their value, zeros included, so nobody knows they are not 0), shown cells and
    ``known`` ones are fixed."""
    floor_zero = set(unknown_zero)
    from scipy.optimize import linprog

    known = set(known)
    unknown = sorted((k for k in hidden if k not in known), key=repr)
    idx = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for r in relations:
        cells = ((r.total, -1.0), *((p, 1.0) for p in r.parts)) if r.total is not None else ()
        if not any(c in idx for c, _ in cells):
            continue
        row = np.zeros(len(unknown))
        b = 0.0
        for c, coef in cells:
            if c in idx:
                row[idx[c]] += coef
            else:
                b -= coef * counts.get(c, 0)
        rows.append(row)
        rhs.append(b)
    objective = np.zeros(len(unknown))
    objective[idx[target]] = -1.0
    bounds = [(0 if k in floor_zero else min(1, counts.get(k, 0)), None) for k in unknown]
    res = linprog(objective, A_eq=np.array(rows) if rows else None, b_eq=np.array(rhs) if rows else None,
                  bounds=bounds, method="highs")
    if res.status == 3:
        return float("inf")
    assert res.status == 0, res.message
    return -float(res.fun)


# --- Reading a page's table -------------------------------------------------------------------------


class _TableReader(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # >0 inside the wanted table
        self.hidden_depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == f"table-{self.table_id}":
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "table":
            self.depth += 1
        hidden = "visually-hidden" in (a.get("class") or "").split() or (a.get("aria-hidden") == "true" and tag == "svg")
        self.stack.append(hidden)
        if hidden:
            self.hidden_depth += 1
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
            return
        if self.stack and self.stack.pop():
            self.hidden_depth -= 1
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.depth and self.cell is not None and not self.hidden_depth:
            self.cell.append(data)


def page_table(html: str, table_id: str, *, drop_trend: bool = False) -> list[list[str]]:
    """The rows (header row first) of ``<table id="table-<table_id>">`` as shown on screen."""
    reader = _TableReader(table_id)
    reader.feed(html)
    rows = [r for r in reader.rows if r]
    if drop_trend and rows and rows[0][-1] == "Trend":
        rows = [r[:-1] for r in rows]
    return rows
