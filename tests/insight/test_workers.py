"""Benchmark runs on real Celery workers against the real Redis and PostgreSQL (make test).

1. A worker (Celery's own test worker, in a thread) computes a run: identical to in-process.
2. A worker process is SIGKILLed while it holds a chunk; the reaper re-queues the chunk, a new
   worker finishes the run, and the results are again identical.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from insight.models import BenchmarkChunk, BenchmarkRun, ChunkStatus, RunStatus
from insight.services import run_create, run_execute_in_process
from tests.insight.worlds import RUN_YEARS as YEARS
from tests.insight.worlds import build_world, snapshot
from tests.worlds import load_reference_data

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="needs the real Redis and PostgreSQL that `make test` starts",
    ),
]
ROOT = Path(__file__).resolve().parents[2]


def wait_for(run_id: int, timeout: float = 120) -> BenchmarkRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = BenchmarkRun.objects.get(id=run_id)
        if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s: {BenchmarkRun.objects.get(id=run_id).status}")


@pytest.fixture
def real_celery(settings):
    from insight.config.celery import app

    load_reference_data()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.control.purge()


def test_a_worker_computes_the_same_results_as_in_process(real_celery) -> None:
    from celery.contrib.testing.worker import start_worker

    from insight.tasks import start_run

    build_world()
    expected = snapshot(run_execute_in_process(run_create(years=list(YEARS), seed=21)))
    run = run_create(years=list(YEARS), seed=21, authority_chunks=2)
    with start_worker(real_celery, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=["benchmarking", "default"], shutdown_timeout=30):
        start_run.delay(run.id)
        run = wait_for(run.id)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert snapshot(run) == expected


def _worker(name: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "insight.config", "worker", "-Q", "benchmarking,default", "-P", "solo",
         "-c", "1", "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def test_a_killed_worker_does_not_stop_the_run(real_celery) -> None:
    from insight.tasks import reap_stuck_runs, start_run

    build_world()
    expected = snapshot(run_execute_in_process(run_create(years=list(YEARS), seed=22)))
    run = run_create(years=list(YEARS), seed=22, authority_chunks=2)

    # The workers must use the test database pytest-django created.
    parts = urlsplit(os.environ["DATABASE_URL"])
    env = dict(os.environ, DATABASE_URL=urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
               BENCHMARK_CHUNK_LEASE_SECONDS="2", CELERY_TASK_ALWAYS_EAGER="false")
    doomed = _worker("doomed", dict(env, BENCHMARK_FAULT_PAUSE_SECONDS="30"))
    survivor = None
    try:
        start_run.delay(run.id)
        deadline = time.monotonic() + 60
        while not (
            BenchmarkChunk.objects.filter(run=run, status=ChunkStatus.RUNNING).exists()
            and BenchmarkRun.objects.get(id=run.id).status == RunStatus.RUNNING
        ):
            assert time.monotonic() < deadline, "the first worker never claimed a chunk"
            time.sleep(0.1)
        os.killpg(doomed.pid, signal.SIGKILL)  # mid-chunk: it holds a lease and has written nothing
        doomed.wait(timeout=10)
        assert BenchmarkRun.objects.get(id=run.id).status == RunStatus.RUNNING

        survivor = _worker("survivor", env)
        deadline = time.monotonic() + 120
        while BenchmarkRun.objects.get(id=run.id).status != RunStatus.SUCCEEDED:
            assert time.monotonic() < deadline, "the run did not complete after the worker died"
            time.sleep(2.5)  # past the 2 s lease
            reap_stuck_runs()  # what celery beat runs every minute
        run = BenchmarkRun.objects.get(id=run.id)
    finally:
        for proc in (doomed, survivor):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
    assert max(BenchmarkChunk.objects.filter(run=run).values_list("attempts", flat=True)) >= 2
    assert snapshot(run) == expected
