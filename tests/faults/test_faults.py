"""Faults, nothing lost (issue 16, item 5): services die under a benchmark run and an import.

Real PostgreSQL, Redis and Celery worker processes (make test starts the servers; these tests
skip without them, and under `make test` such a skip fails the run). Waits are bounded and say
what they saw; nothing is timed. Fault pauses (BENCHMARK_FAULT_*_PAUSE_SECONDS,
IMPORT_FAULT_PAUSE_SECONDS, 0 unless a test sets them for its worker) hold a worker at a known
point, found from PostgreSQL itself (pg_stat_activity, pg_locks), where the fault is then struck.

Runs:
1. a run whose worker's database connections are killed (pg_terminate_backend) mid-chunk
   completes with every result table identical (hash) to an undisturbed run;
2. a run during which Redis is killed and restarted without persistence (its queued messages
   lost) completes, identical, once the periodic reaper has run;
3. a run whose worker is SIGKILLed while a chunk's frames are written (uncommitted) is finished
   by the surviving worker once the chunk's lease is out: identical (a worker SIGKILLed right
   after claiming a chunk: tests/insight/test_workers.py);
4. a run whose worker is SIGKILLed while finalise writes the results is finalised by the
   surviving worker once the dead finaliser's lease is out: identical.
Imports (12,000 rows; all or nothing is checked at every look, not only at the end):
5. the connection killed inside the write transaction: retried by the worker itself, and the
   retry finds every row new (the first attempt wrote none);
6. the connection killed while checking rows (this left the batch "Checking rows" for ever);
7. the same with no attempts left: failed, the reason on the batch page, the upload deleted;
   uploading again imports in full;
8. the worker SIGKILLed inside the write transaction: the reaper queues the batch again once its
   lease is out; another worker writes every row once.
Redis down:
9. starting an import or a run says plainly that background work is unavailable and nothing
   was queued (no 500); once Redis is back an upload is queued again;
10. signed-in pages still answer (no raw 500), and recover when it is back.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from datahub.imports import services as import_services
from datahub.models import ImportBatch, ImportStatus, QualificationResult, Role
from insight.models import (
    BenchmarkChunk,
    BenchmarkRun,
    BreadthDepthResult,
    ChunkStatus,
    CohortResult,
    CurricularAreaResult,
    DeprivationResult,
    NormalisedScore,
    PartnerRanking,
    RelaxationCount,
    RunStatus,
    VCInterval,
    WeightedScore,
)
from insight.services import run_create, run_execute_in_process
from tests.datahub.imports.worlds import csv_bytes
from tests.factories import EstablishmentFactory, LearnerFactory, member
from tests.insight.worlds import RUN_YEARS as YEARS
from tests.insight.worlds import build_world, client_for
from tests.worlds import load_reference_data

pytestmark = [
    pytest.mark.faults,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="needs the real Redis and PostgreSQL that `make test` starts",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
RESULT_MODELS = (CohortResult, DeprivationResult, NormalisedScore, WeightedScore, PartnerRanking, RelaxationCount,
                 VCInterval, BreadthDepthResult, CurricularAreaResult)


def result_hash(run: BenchmarkRun) -> dict[str, str]:
    """A hash of every result table of a run (all columns but the row id and the run)."""
    hashes = {}
    for model in RESULT_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "run_id")]
        rows = sorted(repr(row) for row in model.objects.filter(run=run).values_list(*fields))
        hashes[model.__name__] = f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()}"
    return hashes


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker process on pytest-django's test database."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return dict(os.environ, DATABASE_URL=urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])),
                CELERY_TASK_ALWAYS_EAGER="false", **extra)


def start_worker(name: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "insight.config", "worker", "-Q", "benchmarking,default", "-P", "solo",
         "-c", "1", "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, start_new_session=True,
    )


def stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def terminate_other_backends() -> int:
    """pg_terminate_backend on every other connection to the test database; how many."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return int(cursor.fetchone()[0])


def wait_until(condition, timeout: float, what, step: float = 0.05) -> None:
    """Poll ``condition`` until true; after ``timeout`` s fail with ``what`` (a text, or a callable
    saying what was seen)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what() if callable(what) else what
        time.sleep(step)


class Redis:
    """The test Redis (scripts/with-services.sh): stopped without saving and started again on its port."""

    def __init__(self) -> None:
        url = urlsplit(os.environ["CELERY_BROKER_URL"])
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 6379
        self.dir = Path(subprocess.check_output(
            ["redis-cli", "-h", self.host, "-p", str(self.port), "config", "get", "dir"], text=True).split()[-1])
        self.log = self.dir / "redis.log"

    def ping(self) -> bool:
        done = subprocess.run(["redis-cli", "-h", self.host, "-p", str(self.port), "ping"], capture_output=True,
                              text=True, check=False)
        return done.stdout.strip() == "PONG"

    def kill(self) -> None:
        subprocess.run(["redis-cli", "-h", self.host, "-p", str(self.port), "shutdown", "nosave"],
                       capture_output=True, check=False)
        wait_until(lambda: not self.ping(), 10, "Redis did not stop")

    def start(self) -> None:
        subprocess.run(["redis-server", "--bind", self.host, "--port", str(self.port), "--save", "", "--appendonly",
                        "no", "--daemonize", "yes", "--dir", str(self.dir), "--pidfile", str(self.dir / "redis.pid"),
                        "--logfile", str(self.dir / "redis.log")], check=True)
        wait_until(self.ping, 10, "Redis did not start again")


@pytest.fixture
def redis() -> Iterator[Redis]:
    """The test Redis, running again after the test whatever happened."""
    server = Redis()
    yield server
    if not server.ping():
        server.start()


@pytest.fixture
def real_celery(settings, redis) -> Iterator[object]:
    from insight.config.celery import app

    load_reference_data()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.control.purge()


def run_to_end(run_id: int, timeout: float = 120) -> BenchmarkRun:
    """Wait for the run, calling the reaper as celery beat would (every 60 s there, 2.5 s here)."""
    from insight.tasks import reap_stuck_runs

    deadline = time.monotonic() + timeout
    while BenchmarkRun.objects.get(id=run_id).status not in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        assert time.monotonic() < deadline, f"run {run_id} stuck: {BenchmarkRun.objects.get(id=run_id).status}"
        time.sleep(2.5)  # past the 2 s lease
        reap_stuck_runs()
    return BenchmarkRun.objects.get(id=run_id)


def test_a_run_completes_identically_after_its_database_connections_are_killed(real_celery) -> None:
    from insight.tasks import start_run

    build_world()
    expected = result_hash(run_execute_in_process(run_create(years=list(YEARS), seed=31)))
    run = run_create(years=list(YEARS), seed=31, authority_chunks=2)
    worker = start_worker("pgkill", worker_env(BENCHMARK_CHUNK_LEASE_SECONDS="2", BENCHMARK_FAULT_PAUSE_SECONDS="3"))
    try:
        start_run.delay(run.id)
        wait_until(lambda: BenchmarkChunk.objects.filter(run=run, status=ChunkStatus.RUNNING).exists(), 60,
                   "no worker claimed a chunk")
        assert terminate_other_backends() >= 1  # the worker's connection, mid-chunk
        run = run_to_end(run.id)
    finally:
        stop(worker)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert result_hash(run) == expected


def test_a_run_completes_identically_after_redis_is_killed_and_restarted(real_celery, redis, settings) -> None:
    from insight.tasks import start_run

    settings.BENCHMARK_CHUNK_LEASE_SECONDS = 2  # the reaper's wait for chunks never claimed, as in the workers

    build_world()
    expected = result_hash(run_execute_in_process(run_create(years=list(YEARS), seed=32)))
    run = run_create(years=list(YEARS), seed=32, authority_chunks=2)
    worker = start_worker("rediskill", worker_env(BENCHMARK_CHUNK_LEASE_SECONDS="2", BENCHMARK_FAULT_PAUSE_SECONDS="3"))
    try:
        start_run.delay(run.id)
        wait_until(lambda: BenchmarkChunk.objects.filter(run=run, status=ChunkStatus.RUNNING).exists(), 60,
                   "no worker claimed a chunk")
        redis.kill()  # the queued chunks and the chord's state are lost with it (no persistence)
        time.sleep(2)
        redis.start()
        run = run_to_end(run.id, timeout=180)
    finally:
        stop(worker)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert result_hash(run) == expected


def paused_in_write(table: str) -> bool:
    """Some backend has written rows of ``table`` in a transaction it has not committed and sits
    idle in it (a worker in its fault pause): it holds a row lock on the table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE a.datname = current_database() AND a.state = 'idle in transaction' AND l.granted "
            "AND l.mode = 'RowExclusiveLock' AND l.relation = %s::regclass",
            [table],
        )
        return int(cursor.fetchone()[0]) > 0


def mid_finalise_write(run_id: int) -> bool:
    """The run's finalise has written result rows in its open transaction (fault pause)."""
    return paused_in_write(CohortResult._meta.db_table) and (
        BenchmarkRun.objects.get(id=run_id).status == RunStatus.FINALISING)


def beat_until_finished(run_id: int, timeout: float = 180) -> BenchmarkRun:
    """Send the reaper to the workers as celery beat does (every 60 s there, 2.5 s here) until the
    run has finished: a surviving worker, not this test process, re-queues and finalises."""
    from insight.tasks import reap_stuck_runs

    deadline = time.monotonic() + timeout
    while (run := BenchmarkRun.objects.get(id=run_id)).status not in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        assert time.monotonic() < deadline, f"run {run_id} stuck in {run.status} ({run.chunks_done} chunks done)"
        reap_stuck_runs.delay()
        time.sleep(2.5)  # past the 2 s leases
    return run


def test_a_run_whose_worker_is_killed_mid_chunk_write_is_finished_by_another(real_celery) -> None:
    """SIGKILL while a chunk's frames are written (uncommitted); its lease runs out, the reaper run
    by the surviving worker queues it again, and that worker computes it and finalises: identical."""
    from insight.tasks import start_run

    build_world()
    expected = result_hash(run_execute_in_process(run_create(years=list(YEARS), seed=34)))
    run = run_create(years=list(YEARS), seed=34, authority_chunks=2)
    env = worker_env(BENCHMARK_CHUNK_LEASE_SECONDS="2")
    doomed = start_worker("doomedchunk", dict(env, BENCHMARK_FAULT_CHUNK_WRITE_PAUSE_SECONDS="60"))
    survivor = None
    try:
        start_run.delay(run.id)
        wait_until(lambda: paused_in_write(BenchmarkChunk._meta.db_table), 120,
                   lambda: f"no chunk write started: run {BenchmarkRun.objects.get(id=run.id).status}")
        assert not BenchmarkChunk.objects.filter(run=run, status=ChunkStatus.DONE).exists()  # not committed
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        survivor = start_worker("survivorchunk", env)
        run = beat_until_finished(run.id)
    finally:
        stop(doomed)
        stop(survivor)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert max(BenchmarkChunk.objects.filter(run=run).values_list("attempts", flat=True)) >= 2
    assert result_hash(run) == expected


def test_a_run_whose_worker_is_killed_mid_finalise_is_finished_by_another(real_celery) -> None:
    """SIGKILL while finalise writes the results (uncommitted); beat's reaper, run by the surviving
    worker, finalises again once the dead finaliser's lease is out: every result table identical."""
    from insight.tasks import start_run

    build_world()
    expected = result_hash(run_execute_in_process(run_create(years=list(YEARS), seed=33)))
    run = run_create(years=list(YEARS), seed=33, authority_chunks=2)
    env = worker_env(BENCHMARK_CHUNK_LEASE_SECONDS="2", BENCHMARK_FINALISE_LEASE_SECONDS="60")
    doomed = start_worker("doomedfinal", dict(env, BENCHMARK_FAULT_FINALISE_PAUSE_SECONDS="60",
                                              BENCHMARK_FINALISE_LEASE_SECONDS="2"))
    survivor = None
    try:
        start_run.delay(run.id)
        wait_until(lambda: mid_finalise_write(run.id), 120,
                   lambda: f"finalise never started writing: run {BenchmarkRun.objects.get(id=run.id).status}")
        assert all(h.startswith("0:") for h in result_hash(run).values())  # written, not committed
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
        assert BenchmarkRun.objects.get(id=run.id).status == RunStatus.FINALISING
        survivor = start_worker("survivorfinal", env)
        run = beat_until_finished(run.id)
    finally:
        stop(doomed)
        stop(survivor)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert result_hash(run) == expected


HEADER = ["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"]
SUBJECTS = ["ENG", "MATH", "PHY", "CHEM", "BIO", "HIST", "GEOG", "FREN"]


class ImportWorld:
    """A school, its data manager and a results file of 1,500 learners x 8 subjects (12,000 rows)
    that runs in the background (over the 100-byte threshold)."""

    def __init__(self, settings, tmp_path: Path) -> None:
        settings.MEDIA_ROOT = tmp_path
        settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 100
        self.media = tmp_path
        self.school = EstablishmentFactory.create()
        self.dm = member(Role.DATA_MANAGER, establishment=self.school)
        learners = LearnerFactory.create_batch(1500, establishment=self.school)
        self.data = csv_bytes(HEADER, [[lr.scn, self.school.seed_code, s, "N5", 5, 24, "B", 2024]
                                       for lr in learners for s in SUBJECTS])
        self.rows = len(learners) * len(SUBJECTS)

    def upload(self) -> ImportBatch:
        batch = import_services.import_batch_create(user=self.dm, kind="results", fh=io.BytesIO(self.data),
                                                    file_name="results.csv")
        assert batch.background and batch.status == ImportStatus.PENDING, (batch.status, batch.message)
        return batch

    def written(self) -> int:
        return QualificationResult.objects.filter(establishment=self.school).count()

    def stored_uploads(self) -> list[Path]:
        return [p for p in self.media.rglob("upload.bin")]


def mid_write(batch_id: int) -> bool:
    """The import's write transaction is open and has merged rows into the results table: its
    backend holds a row lock on that table and sits idle in the transaction (the fault pause)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE a.datname = current_database() AND a.state = 'idle in transaction' AND l.granted "
            "AND l.mode = 'RowExclusiveLock' AND l.relation = %s::regclass",
            [QualificationResult._meta.db_table],
        )
        busy = int(cursor.fetchone()[0]) > 0
    return busy and ImportBatch.objects.get(pk=batch_id).status == ImportStatus.WRITING


def never_mid_write(batch_id: int) -> str:
    batch = ImportBatch.objects.get(pk=batch_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, left(query, 80) FROM pg_stat_activity WHERE datname = current_database()")
        backends = cursor.fetchall()
    return (f"the import never reached its write transaction: it is {batch.status} ({batch.message!r}, "
            f"attempt {batch.attempts}); backends {backends}")


def follow_import(world: ImportWorld, batch_id: int, timeout: float = 120, reap: bool = False) -> tuple[ImportBatch, set[int]]:
    """Wait for the batch to finish, counting its rows at every look (all or nothing must hold at
    each); with ``reap``, run the reaper as celery beat would (every 60 s there, 1 s here)."""
    from datahub.tasks import reap_stale_imports

    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while True:
        batch = ImportBatch.objects.get(pk=batch_id)
        seen.add(world.written())
        if batch.finished:
            return batch, seen
        assert time.monotonic() < deadline, f"import {batch_id} stuck in {batch.status}: {batch.message}"
        time.sleep(1)
        if reap:
            reap_stale_imports()


def test_an_import_whose_connection_is_killed_mid_write_is_retried_and_written_once(real_celery, settings,
                                                                                     tmp_path) -> None:
    world = ImportWorld(settings, tmp_path)
    worker = start_worker("importkill", worker_env(MEDIA_ROOT=str(tmp_path), IMPORT_FAULT_PAUSE_SECONDS="5"))
    try:
        batch = world.upload()
        wait_until(lambda: mid_write(batch.pk), 90, lambda: never_mid_write(batch.pk), step=0.05)
        assert world.written() == 0  # merged but not committed: nobody sees a row yet
        assert terminate_other_backends() >= 1  # the worker's connection, inside the write transaction
        connection.close()
        batch, seen = follow_import(world, batch.pk)
    finally:
        stop(worker)
    assert seen <= {0, world.rows}, f"half written at some point: {sorted(seen)} of {world.rows}"
    assert batch.status == ImportStatus.SUCCEEDED, (batch.status, batch.message)
    assert batch.attempts == 2  # the worker queued it again by itself
    # Every row is new to the second attempt: the first, killed mid-write, wrote none of them.
    assert (batch.count_new, batch.count_updated, world.written()) == (world.rows, 0, world.rows)
    assert world.stored_uploads() == []


def test_an_import_whose_connection_is_killed_while_checking_is_retried(real_celery, settings, tmp_path) -> None:
    """The fault before any write (the first version of this test: the batch stayed "Checking rows")."""
    world = ImportWorld(settings, tmp_path)
    worker = start_worker("checkkill", worker_env(MEDIA_ROOT=str(tmp_path)))
    try:
        batch = world.upload()
        wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status != ImportStatus.PENDING, 90,
                   "no worker claimed the import", step=0.01)
        claimed = ImportBatch.objects.get(pk=batch.pk).status
        terminate_other_backends()
        connection.close()
        batch, seen = follow_import(world, batch.pk)
    finally:
        stop(worker)
    assert claimed != ImportStatus.SUCCEEDED, "the import finished before its connection could be killed"
    assert seen <= {0, world.rows}, f"half written at some point: {sorted(seen)} of {world.rows}"
    assert batch.status == ImportStatus.SUCCEEDED, (batch.status, batch.message)
    assert (batch.count_new, world.written()) == (world.rows, world.rows)


def test_an_import_out_of_attempts_fails_with_the_reason_on_its_page(real_celery, settings, tmp_path) -> None:
    world = ImportWorld(settings, tmp_path)
    worker = start_worker("lastkill", worker_env(MEDIA_ROOT=str(tmp_path), IMPORT_FAULT_PAUSE_SECONDS="5",
                                                 IMPORT_MAX_ATTEMPTS="1"))
    try:
        batch = world.upload()
        wait_until(lambda: mid_write(batch.pk), 90, lambda: never_mid_write(batch.pk), step=0.05)
        terminate_other_backends()
        connection.close()
        batch, seen = follow_import(world, batch.pk)
        assert seen == {0}
        assert batch.status == ImportStatus.FAILED and batch.attempts == 1
        page = client_for(world.dm).get(reverse("datahub:import_batch", kwargs={"pk": batch.pk}))
        text = page.content.decode()
        for words in ("Failed, nothing written", "The database connection was lost while this import ran, so "
                      "nothing was written.", "Upload the file again"):
            assert words in text, words
        assert world.stored_uploads() == []  # the personal data of a failed upload is not kept
        again, seen = follow_import(world, world.upload().pk)
    finally:
        stop(worker)
    assert again.status == ImportStatus.SUCCEEDED, again.message
    assert world.written() == world.rows


def test_an_import_whose_worker_is_killed_mid_write_is_finished_by_another(real_celery, settings, tmp_path) -> None:
    settings.IMPORT_LEASE_SECONDS = 2  # the reaper's wait for a queued batch, as in the doomed worker
    world = ImportWorld(settings, tmp_path)
    env = worker_env(MEDIA_ROOT=str(tmp_path), IMPORT_LEASE_SECONDS="60")  # the survivor's: never taken over
    doomed = start_worker("doomedimport", dict(env, IMPORT_FAULT_PAUSE_SECONDS="60", IMPORT_LEASE_SECONDS="2"))
    survivor = None
    try:
        batch = world.upload()
        wait_until(lambda: mid_write(batch.pk), 90, lambda: never_mid_write(batch.pk), step=0.05)
        os.killpg(doomed.pid, signal.SIGKILL)  # no goodbye: its lease stops being renewed
        doomed.wait(timeout=10)
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.WRITING
        survivor = start_worker("survivorimport", env)
        batch, seen = follow_import(world, batch.pk, reap=True)
    finally:
        stop(doomed)
        stop(survivor)
    assert seen <= {0, world.rows}, f"half written at some point: {sorted(seen)} of {world.rows}"
    assert batch.status == ImportStatus.SUCCEEDED, (batch.status, batch.message)
    assert batch.attempts >= 2
    assert (batch.count_new, world.written()) == (world.rows, world.rows)


def test_starting_work_while_redis_is_down_says_so_and_queues_nothing(real_celery, redis, settings, tmp_path) -> None:
    world = ImportWorld(settings, tmp_path)
    build_world()
    national = member(Role.DATA_MANAGER)
    runs_before = BenchmarkRun.objects.count()
    redis.kill()
    try:
        resp = client_for(world.dm).post(reverse("datahub:import_upload", kwargs={"kind": "results"}),
                                         {"file": SimpleUploadedFile("results.csv", world.data, "text/csv")}, follow=True)
        started = client_for(national).post(reverse("insight:run_start"), {"years": [YEARS[-1]], "draws": 1})
    finally:
        redis.start()
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "Failed, nothing written" in text and "Background work is unavailable" in text, text[:3000]
    batch = ImportBatch.objects.get(uploaded_by=world.dm)
    assert batch.status == ImportStatus.FAILED and "nothing was written" in batch.message
    assert world.written() == 0 and world.stored_uploads() == []

    assert started.status_code == 503
    assert "Background work is unavailable" in started.content.decode()
    run = BenchmarkRun.objects.order_by("-id").first()  # the one run, refused
    assert run is not None
    assert BenchmarkRun.objects.count() == runs_before + 1
    assert run.status == RunStatus.FAILED and "nothing was computed" in run.error
    assert not BenchmarkChunk.objects.filter(run=run).exclude(status=ChunkStatus.PENDING).exists()

    # Redis is back: the same upload is queued (a worker-less queue: it waits, queued)
    again = world.upload()
    assert ImportBatch.objects.get(pk=again.pk).status == ImportStatus.PENDING


def test_pages_answer_while_redis_is_down_and_recover(real_celery, redis) -> None:
    school = EstablishmentFactory.create()
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    client = client_for(head)
    pages = ["/", f"/insight/establishments/{school.seed_code}/", "/insight/find-partners/", "/partnerships/"]
    before = {url: client.get(url).status_code for url in pages}
    redis.kill()
    try:
        down = {url: client.get(url) for url in pages}
    finally:
        redis.start()
    after = {url: client.get(url).status_code for url in pages}
    for url, resp in down.items():
        assert resp.status_code != 500, f"{url}: raw 500 while Redis is down"
        assert resp.status_code == before[url] or resp.status_code == 503, (url, resp.status_code)
    assert after == before
