"""Benchmark runs end to end in-process: load -> compute -> persist, chunking and reproducibility."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from datahub.models import Subject
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
from insight.services import RunError, run_create, run_execute_in_process
from tests.insight.worlds import RUN_YEARS as YEARS
from tests.insight.worlds import build_world, snapshot

pytestmark = pytest.mark.django_db

def test_a_run_computes_and_stores_every_result_table() -> None:
    schools = build_world()
    run = run_execute_in_process(run_create(years=list(YEARS), seed=11))
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.chunks_done == run.chunks_total == 2 * len(YEARS)  # a year's leavers, and its local measures
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
    run = run_execute_in_process(run_create(years=list(YEARS), seed=5))
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
    one = run_execute_in_process(run_create(years=list(YEARS), seed=3))
    two = run_execute_in_process(run_create(years=list(YEARS), seed=3, authority_chunks=2))
    assert two.chunks_total == 3 * len(YEARS)  # two authority groups' leavers a year, and the local measures
    assert one.input_hash == two.input_hash
    assert snapshot(one) == snapshot(two)
    other_seed = run_execute_in_process(run_create(years=list(YEARS), seed=4))
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
    run = run_execute_in_process(run_create(years=[2024], seed=9, draws=4))
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
