"""How often progress reaches the runs page during a national benchmark run (issue 17).

Run by `make bench` (throwaway PostgreSQL and Redis). On the national data set, a run (one VC
draw, 4 authority groups a year, so 20 chunks) computes on two Celery worker processes while this
process plays the run page: it asks the progress endpoint (`/insight/runs/<pk>/progress.json`, the
one static/js/run_progress.js polls) again POLL_MILLISECONDS after each answer, as the page does.

Prints: the polls made, the endpoint's response time while the workers compute (median, p95,
max) against the same endpoint on an idle database measured first in the same run (the
baseline), and the longest gap between two answers reaching the page: the target is at most 2 s.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.common import ensure_national_data, report, setup_django, summarise_ms

setup_django()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.national_recompute import start_workers, stop_workers  # noqa: E402
from datahub.models import Membership, Role, User  # noqa: E402
from insight.config.celery import app  # noqa: E402
from insight.models import BenchmarkRun, RunStatus  # noqa: E402
from insight.publication import run_start  # noqa: E402
from insight.selectors.runs import POLL_MILLISECONDS  # noqa: E402
from insight.tasks import start_run  # noqa: E402

TARGET_GAP_S = 2.0
AUTHORITY_CHUNKS = 4
IDLE_REQUESTS = 30


def national_data_manager() -> User:
    user, _ = User.objects.get_or_create(email="bench-ndm@bench.insight", defaults={"first_name": "Bench"})
    Membership.objects.get_or_create(user=user, role=Role.DATA_MANAGER, establishment=None, authority=None)
    return user


def main() -> None:
    setup_test_environment()  # the test client's host is allowed
    generated = ensure_national_data()
    client = Client()
    client.force_login(national_data_manager())

    app.conf.task_always_eager = False
    app.control.purge()
    procs = start_workers(2)
    try:
        run = run_start(by=None, draws=1, authority_chunks=AUTHORITY_CHUNKS, reason="bench")
        url = reverse("insight:run_progress", kwargs={"pk": run.pk})
        idle = []
        for _ in range(IDLE_REQUESTS):  # baseline: the same run's progress before any chunk starts
            t0 = time.perf_counter()
            assert client.get(url).status_code == 200
            idle.append(time.perf_counter() - t0)
        t_start = time.perf_counter()
        start_run.delay(run.pk)
        answers: list[float] = []
        latency: list[float] = []
        done_seen: list[int] = []
        while True:
            t0 = time.perf_counter()
            progress = client.get(url).json()
            t1 = time.perf_counter()
            answers.append(t1)
            latency.append(t1 - t0)
            done_seen.append(progress["chunks_done"])
            if not progress["active"]:
                break
            if t1 - t_start > 1800:
                raise SystemExit("the run did not finish in 30 minutes")
            time.sleep(POLL_MILLISECONDS / 1000)
        total = time.perf_counter() - t_start
    finally:
        stop_workers(procs)
    run = BenchmarkRun.objects.get(pk=run.pk)
    if run.status != RunStatus.SUCCEEDED:
        raise SystemExit(f"run {run.pk} ended {run.status}: {run.error}")
    gaps = [b - a for a, b in itertools.pairwise(answers)]
    idle_med, idle_p95 = summarise_ms(idle)
    busy_med, busy_p95 = summarise_ms(latency)
    longest = max(gaps, default=0.0)
    lines = [
        "# Progress reaching the runs page during a national run (bench/run_progress.py)",
        *([f"national demo data generated in {generated:.1f} s"] if generated is not None else []),
        f"run {run.pk}: years {run.years}, {run.chunks_total} chunks on 2 workers, finished in {total:.1f} s",
        f"page polls every {POLL_MILLISECONDS} ms after each answer: {len(answers)} answers, "
        f"{len(set(done_seen))} distinct chunk counts seen",
        f"progress endpoint while the workers compute: median {busy_med:.1f} ms, p95 {busy_p95:.1f} ms, "
        f"max {max(latency) * 1000:.1f} ms",
        f"baseline, same endpoint before the run started: median {idle_med:.1f} ms, p95 {idle_p95:.1f} ms; "
        f"busy / idle median {busy_med / idle_med:.2f}x",
        f"gap between answers reaching the page: median {statistics.median(gaps):.2f} s, longest {longest:.2f} s "
        f"(target <= {TARGET_GAP_S:.0f} s; longest / target {longest / TARGET_GAP_S:.2f})",
    ]
    report("run_progress", lines)


if __name__ == "__main__":
    main()
