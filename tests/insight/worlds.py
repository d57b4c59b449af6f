"""Worlds the insight tests share, and signing in (no tests here).

- ``build_world``: six schools in three authorities, two leaver years (``RUN_YEARS``), made in
  bulk; the school effect makes schools differ from their VC. ``snapshot``: a run's results.
- ``build_ranked_world``: the conftest world's schools (A well filled, B small) plus
  ``build_world``'s, and one benchmark run over them (Find Partners).
- ``build_dash_world``: three authorities of several schools (and a special school with a
  handful of leavers), three leaver years (``DASH_YEARS``), small groups (care experienced,
  Foundation Apprenticeships) so that suppression has work to do, and a run with VC draws.
  ``dash_world`` builds one for a whole module (the ``dash`` fixture in conftest.py).
- ``client_for``: a test client signed in as a user.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from datahub.codes import make_scn, make_seed_code
from datahub.models import Establishment, Learner, LocalAuthority, QualificationResult, SchoolLeaver, Subject
from destinations.models import DestinationKind, DestinationRecord
from insight.models import BenchmarkRun, CohortResult, PartnerRanking, RunStatus, WeightedScore
from insight.publication import run_publish
from insight.selectors.pattern import forget_computed
from insight.services import run_create, run_execute_in_process

RUN_YEARS = (2023, 2024)
DASH_YEARS = (2023, 2024, 2025)
AUTHORITY_CODES = (100, 110, 260)  # Aberdeen City (4 schools + special), Aberdeenshire (3), Glasgow City (3)


def client_for(user: Any) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


# --- Benchmark runs over a small world -------------------------------------------------------------


def build_world(n_authorities: int = 3, schools_per_authority: int = 2, leavers_per_school: int = 25) -> list:
    """Small but varied data made in bulk: the school effect makes schools differ from their VC."""
    rng = random.Random(7)
    subjects = {s.code: s for s in Subject.objects.filter(code__in=["ENG", "MATH", "PHY", "HIST"])}
    authorities = list(LocalAuthority.objects.order_by("code")[:n_authorities])
    schools = []
    serial = 900000
    for la in authorities:
        for k in range(schools_per_authority):
            serial += 1
            schools.append(Establishment(seed_code=make_seed_code(serial), name=f"{la.name} School {k}",
                                         authority=la, roll=800))
    Establishment.objects.bulk_create(schools)
    learners, scn = [], 30000000
    plan = []
    for i, school in enumerate(schools):
        effect = (i % 3) - 1
        for year in RUN_YEARS:
            for _ in range(leavers_per_school):
                scn += 7
                decile = rng.randint(1, 10)
                learner = Learner(scn=make_scn(scn), given_name="P", family_name="Q",
                                  date_of_birth=dt.date(year - 17, 5, 1), sex=rng.choice("FM"),
                                  simd_decile=decile, asn=rng.random() < 0.3, establishment=school)
                learners.append(learner)
                plan.append((learner, school, year, decile, effect))
    Learner.objects.bulk_create(learners)
    leavers, results, dests = [], [], []
    for learner, school, year, decile, _effect in plan:
        leaver = SchoolLeaver(learner=learner, establishment=school, leaver_year=year, stage=rng.choice(["S5", "S6"]),
                              sex=learner.sex, simd_decile=decile, asn=learner.asn)
        leavers.append(leaver)
    SchoolLeaver.objects.bulk_create(leavers)
    for leaver, (learner, school, year, decile, effect) in zip(leavers, plan, strict=True):
        ability = decile + 3 * effect + rng.randint(-3, 3)
        for code in ("ENG", "MATH", "PHY", "HIST"):
            if ability < 2 and code in ("PHY", "HIST"):
                continue
            grade = "ABCD"[max(0, min(3, 3 - ability // 3))]
            level, award = (6, "H") if ability > 8 else (5, "N5")
            results.append(QualificationResult(learner=learner, establishment=school, subject=subjects[code],
                                               award_type=award, scqf_level=level, scqf_credits=24,
                                               grade=grade, year=year))
        positive = ability > 0
        dests.append(DestinationRecord(leaver=leaver, kind=DestinationKind.INITIAL,
                                       category="FE" if positive else "UNEMPLOYED_SEEKING"))
        dests.append(DestinationRecord(leaver=leaver, kind=DestinationKind.FOLLOW_UP,
                                       category="EMPLOYMENT" if ability > 1 else "UNKNOWN"))
    QualificationResult.objects.bulk_create(results)
    DestinationRecord.objects.bulk_create(dests)
    return schools


def snapshot(run: BenchmarkRun) -> dict:
    cohort = sorted(
        CohortResult.objects.filter(run=run).values_list(
            "cohort", "cohort_id", "year", "breakdown", "breakdown_value", "n_leavers", "avg_tariff_lowest20",
            "avg_tariff_middle60", "avg_tariff_highest20", "pct_lit_num_scqf4", "pct_initial_positive",
        ),
        key=repr,
    )
    ranking = sorted(PartnerRanking.objects.filter(run=run).values_list("basis", "establishment_id", "other_id", "rank", "distance"),
                     key=repr)
    weighted = sorted(WeightedScore.objects.filter(run=run).values_list(
        "establishment_id", "weighted_lowest20", "weighted_middle60", "weighted_highest20"), key=repr)
    return {"cohort": cohort, "ranking": ranking, "weighted": weighted}


# --- Find Partners: a ranked world -------------------------------------------------------------------


_scn = itertools.count(50_000_000, 11)


def add_leavers(school: Any, per_year: int, years: tuple[int, ...] = RUN_YEARS, *, effect: int = 0, seed: int = 3) -> None:
    """Leavers with results and destinations for ``school``, made in bulk like build_world's."""
    rng = random.Random(seed + school.pk)
    subjects = {s.code: s for s in Subject.objects.filter(code__in=["ENG", "MATH", "PHY", "HIST"])}
    plan = []
    for year in years:
        for _ in range(per_year):
            decile = rng.randint(1, 10)
            learner = Learner(scn=make_scn(next(_scn)), given_name="P", family_name="Q",
                              date_of_birth=dt.date(year - 17, 5, 1), sex=rng.choice("FM"), simd_decile=decile,
                              asn=rng.random() < 0.3, establishment=school)
            plan.append((learner, year, decile))
    Learner.objects.bulk_create([p[0] for p in plan])
    leavers = [SchoolLeaver(learner=learner, establishment=school, leaver_year=year, stage=rng.choice(["S5", "S6"]),
                            sex=learner.sex, simd_decile=decile, asn=learner.asn) for learner, year, decile in plan]
    SchoolLeaver.objects.bulk_create(leavers)
    results, dests = [], []
    for leaver, (learner, year, decile) in zip(leavers, plan, strict=True):
        ability = decile + 3 * effect + rng.randint(-3, 3)
        for code in ("ENG", "MATH", "PHY", "HIST"):
            if ability < 2 and code in ("PHY", "HIST"):
                continue
            grade = "ABCD"[max(0, min(3, 3 - ability // 3))]
            level, award = (6, "H") if ability > 8 else (5, "N5")
            results.append(QualificationResult(learner=learner, establishment=school, subject=subjects[code],
                                               award_type=award, scqf_level=level, scqf_credits=24, grade=grade,
                                               year=year))
        dests.append(DestinationRecord(leaver=leaver, kind=DestinationKind.INITIAL,
                                       category="FE" if ability > 0 else "UNEMPLOYED_SEEKING"))
    QualificationResult.objects.bulk_create(results)
    DestinationRecord.objects.bulk_create(dests)


def publish(run: BenchmarkRun, *, draft: bool = False) -> BenchmarkRun:
    """Worlds publish their run, as ``make run`` does, so pages show it; ``draft=True`` leaves it a
    draft (the publication tests)."""
    if draft:
        return run
    return run_publish(run=run, by=None, release_note=f"Test figures (run {run.pk}).")


def build_ranked_world(world: Any, *, seed: int = 5) -> BenchmarkRun:
    """The world's schools plus six others, A well filled, B small; one benchmark run over them."""
    others = build_world()
    add_leavers(world.school_a, 25, effect=0)
    add_leavers(world.school_b, 11, (RUN_YEARS[-1],), effect=1)
    # Context for the SIMD profile filter and the context basis.
    for i, est in enumerate([world.school_a, world.school_a2, world.school_b, *others]):
        est.share_simd_q1, est.share_fsm, est.share_asn = (0.05 + 0.08 * i) % 0.7, 0.1 + 0.02 * i, 0.2
        est.roll = 350 + 150 * i
        est.save()
    run = run_execute_in_process(run_create(years=list(RUN_YEARS), seed=seed))
    assert run.status == RunStatus.SUCCEEDED, run.error
    return publish(run)


# --- The dashboards' world --------------------------------------------------------------------------


@dataclass
class DashWorld:
    authorities: dict[int, LocalAuthority]
    schools: dict[str, Establishment]  # "X1".."X4", "XS" (special), "Y1".."Y3", "Z1".."Z3"
    run: BenchmarkRun
    leaver_ids: list[int] = field(default_factory=list)


def build_dash_world(*, seed: int = 11) -> DashWorld:
    """Bulk-made data (constraints apply), then a benchmark run computed in process."""
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
        for year in DASH_YEARS:
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
    run = publish(run_execute_in_process(run_create(years=list(DASH_YEARS), seed=5, draws=3)))
    assert run.status == "succeeded", run.error
    return DashWorld(las, schools, run, [lv.pk for lv in leavers])


def destroy_dash_world(world: DashWorld) -> None:
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

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        forget_computed()
        cache.clear()
        world = build_dash_world()
    yield world
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        destroy_dash_world(world)
        forget_computed()
        cache.clear()
