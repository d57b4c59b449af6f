"""Benchmark runs end to end in-process: load -> compute -> persist, chunking and reproducibility."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import call_command

from datahub.codes import make_scn, make_seed_code
from datahub.models import Establishment, Learner, LocalAuthority, QualificationResult, SchoolLeaver, Subject
from destinations.models import DestinationKind, DestinationRecord
from insight import loaders
from insight.benchmarking import columns as c
from insight.benchmarking import engine
from insight.models import (
    BenchmarkRun,
    CohortResult,
    NormalisedScore,
    PartnerRanking,
    RankingBasis,
    RunStatus,
    VCInterval,
    WeightedScore,
)
from insight.services import RunError, run_create, run_in_process

pytestmark = pytest.mark.django_db

YEARS = (2023, 2024)


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
        for year in YEARS:
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


def test_a_run_computes_and_stores_every_result_table() -> None:
    schools = build_world()
    run = run_in_process(run_create(years=list(YEARS), seed=11))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.chunks_done == run.chunks_total == len(YEARS)
    assert len(run.input_hash) == 64
    n_est = CohortResult.objects.filter(run=run, cohort="establishment", breakdown="").count()
    assert n_est == len(schools) * len(YEARS)
    assert CohortResult.objects.filter(run=run, cohort="vc", breakdown="").count() == n_est
    assert CohortResult.objects.filter(run=run, cohort="national", breakdown="").count() == len(YEARS)
    assert NormalisedScore.objects.filter(run=run).count() == n_est
    assert WeightedScore.objects.filter(run=run).count() == len(schools)
    # every school is ranked against every other school of its type, on each basis
    for basis in (RankingBasis.PERFORMANCE, RankingBasis.CONTEXT, RankingBasis.STRONGER):
        per_school = PartnerRanking.objects.filter(run=run, basis=basis, establishment=schools[0]).count()
        assert per_school <= len(schools) - 1
    assert PartnerRanking.objects.filter(run=run, basis=RankingBasis.PERFORMANCE, establishment=schools[0]).count() == len(schools) - 1


def test_stored_results_equal_the_engine_on_the_loaded_frames() -> None:
    build_world()
    run = run_in_process(run_create(years=list(YEARS), seed=5))
    data = loaders.load_engine_input(list(YEARS), tariff_scale_id=run.tariff_scale_id)
    direct = engine.compute(data.leavers, data.results, seed=5)
    for row in direct.establishment_measures.itertuples():
        stored = CohortResult.objects.values().get(run=run, cohort="establishment", cohort_id=row.establishment_id,
                                                   year=row.year, breakdown="")
        assert stored["n_leavers"] == row.n_leavers
        assert stored["avg_tariff_lowest20"] == pytest.approx(getattr(row, c.avg_tariff(c.LOWEST20)), nan_ok=True)
    for row in direct.vc_measures.itertuples():
        stored = CohortResult.objects.values().get(run=run, cohort="vc", cohort_id=row.establishment_id, year=row.year,
                                                   breakdown="")
        assert stored["avg_tariff_highest20"] == pytest.approx(getattr(row, c.avg_tariff(c.HIGHEST20)), nan_ok=True)


def test_same_inputs_and_seed_reproduce_identical_results_whatever_the_chunking() -> None:
    build_world()
    one = run_in_process(run_create(years=list(YEARS), seed=3))
    two = run_in_process(run_create(years=list(YEARS), seed=3, authority_chunks=2))
    assert two.chunks_total == 2 * len(YEARS)
    assert one.input_hash == two.input_hash
    assert snapshot(one) == snapshot(two)
    other_seed = run_in_process(run_create(years=list(YEARS), seed=4))
    assert snapshot(other_seed)["cohort"] != snapshot(one)["cohort"]


def test_loader_tariff_and_destinations() -> None:
    schools = build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=5)
    scale_id = run_create(years=[2024]).tariff_scale_id
    data = loaders.load_engine_input([2024], tariff_scale_id=scale_id)
    assert len(data.leavers) == 2 * 5
    assert set(data.leavers[c.ESTABLISHMENT_ID]) == {s.id for s in schools}
    # points come from the default scale: N5 A = 84, Higher A = 204 ...
    assert set(data.results[c.POINTS]).issubset({84, 70, 56, 42, 204, 170, 136, 102})
    assert data.results[c.LITERACY].sum() == (data.results[c.SUBJECT_ID] == Subject.objects.get(code="ENG").id).sum()
    # an "unknown" follow-up destination is not known: NaN
    assert data.leavers[c.INITIAL_POSITIVE].isin([0.0, 1.0]).all()


def test_intervals_with_several_draws() -> None:
    build_world(n_authorities=2, schools_per_authority=2, leavers_per_school=15)
    run = run_in_process(run_create(years=[2024], seed=9, draws=4))
    assert run.status == RunStatus.SUCCEEDED, run.error
    iv = VCInterval.objects.filter(run=run)
    assert iv.exists()
    assert all(i.max is not None and i.min <= i.max for i in iv if i.min is not None)


def test_a_run_without_leavers_is_refused() -> None:
    with pytest.raises(RunError):
        run_create(years=[1999])


def test_run_benchmarks_command_waits_for_success(capsys: pytest.CaptureFixture[str]) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=8)
    call_command("run_benchmarks", "--years", "2024", "--wait")
    assert "succeeded" in capsys.readouterr().out
    assert BenchmarkRun.objects.latest_successful() is not None
