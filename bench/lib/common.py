"""Set-up shared by the benchmarks: Django, the national data set, output and timing helpers."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NATIONAL_SEED = 1


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insight.config.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Benchmarks run on PostgreSQL: use `make bench` (or set DATABASE_URL).")


def ensure_national_data() -> float | None:
    """Generate the national demo data set unless it is already there; returns seconds taken or None."""
    from django.core.management import call_command

    from datahub.models import Establishment, SchoolLeaver

    # Leavers too: bench/import_attainment.py adds 300 schools of its own, without leavers.
    if Establishment.objects.filter(type="secondary").count() >= 300 and SchoolLeaver.objects.count() >= 200_000:
        return None
    t0 = time.perf_counter()
    call_command("generate_demo_data", scale="national", seed=NATIONAL_SEED, replace=True, verbosity=0)
    return time.perf_counter() - t0


def ensure_benchmark_run() -> int:
    """The published run (what pages read), computing and publishing one in-process when there is none."""
    from insight.models import BenchmarkRun
    from insight.publication import run_publish
    from insight.services import run_create, run_execute_in_process

    run = BenchmarkRun.objects.published()
    if run is None:
        run = run_execute_in_process(run_create(seed=NATIONAL_SEED))
        run = run_publish(run=run, by=None, release_note="Benchmark data set.")
    return run.pk


def out_path(name: str) -> Path:
    out = Path(os.environ.get("BENCH_OUTPUT_DIR", ROOT / "bench" / "out"))
    out.mkdir(parents=True, exist_ok=True)
    return out / name


def summarise_ms(samples: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds of samples in seconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def report(name: str, lines: list[str]) -> None:
    text = "\n".join(lines)
    print(text)
    out_path(f"{name}.txt").write_text(text + "\n")
