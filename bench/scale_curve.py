"""Scale curve of the national recompute: 1x, 2x and 4x the national data set (issue 16, item 6).

Run by `make bench` (throwaway PostgreSQL and Redis), or alone:
    bash scripts/with-services.sh .venv/bin/python bench/scale_curve.py [--keep-data]

1. Data: the national demo scale (about 360 schools, 50,000 leavers a year) generated for 20 leaver
   years (2006-2025) with the same generator as `generate_demo_data --scale national` (whose command
   line stops at 10 years). 1x is the national data set as benchmarked (the last 5 years), 2x the
   last 10 years and 4x all 20: synthetic years added, each as large as a real one.
2. Each scale: a full recompute on two fresh Celery worker processes (bench/national_recompute.py's
   start_workers), end to end from enqueueing to SUCCEEDED, one VC draw; the workers' peak RSS
   (VmHWM), and each chunk's and the finalise's own peak (bench/lib/task_memory.py). A run is split
   into one chunk per leaver year and finalise combines and writes a year at a time, so a worker
   holds one year's data at a time: its memory should stay flat as years are added (bounded by the
   chunk, not by the data set), and time should grow no faster than the number of leavers.
3. Prints the figures with seconds per 100,000 leavers and the ratios to 1x, and draws
   bench/out/scale_curve.png (time and worker memory against the scale).

The data set is left in place with 20 years (the other benchmarks use the latest 5); --keep-data
skips re-generation when the 20 years are already there.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.common import NATIONAL_SEED, out_path, report, setup_django

setup_django()

from django.db import transaction  # noqa: E402

from bench.lib import task_memory  # noqa: E402
from bench.national_recompute import load_average, peak_rss_mb, start_workers, stop_workers  # noqa: E402
from datahub.models import QualificationResult, SchoolLeaver  # noqa: E402
from insight.config.celery import app  # noqa: E402
from insight.demo import generate as demo_generate  # noqa: E402
from insight.demo.scales import LAST_LEAVER_YEAR, scale_spec  # noqa: E402
from insight.demo.schools import build_schools  # noqa: E402
from insight.models import BenchmarkRun, RunStatus  # noqa: E402
from insight.services import run_create  # noqa: E402
from insight.tasks import start_run  # noqa: E402

YEARS_PER_X = 5
FACTORS = (1, 2, 4)
ALL_YEARS = list(range(LAST_LEAVER_YEAR - YEARS_PER_X * max(FACTORS) + 1, LAST_LEAVER_YEAR + 1))
SEED = 20260101


def _log(line: str) -> None:
    if os.environ.get("BENCH_VERBOSE"):
        print(line, flush=True)


def generate_years() -> float | None:
    """The national scale over ALL_YEARS, in one transaction, as generate_demo_data does it
    (insight.demo.generate's own steps; its public entry point allows at most 10 years)."""
    have = set(SchoolLeaver.objects.values_list("leaver_year", flat=True).distinct())
    if "--keep-data" in sys.argv and set(ALL_YEARS) <= have and SchoolLeaver.objects.count() >= 900_000:
        return None
    t0 = time.perf_counter()
    spec = scale_spec("national")
    with transaction.atomic():
        demo_generate._prepare(True, _log)
        writer = demo_generate.Writer()
        world = demo_generate._World(build_schools(spec, NATIONAL_SEED), spec.leavers_per_year, "fictional", "")
        est_ids = demo_generate._create_establishments(world, writer, _log)
        demo_generate._load_leaver_years(world, est_ids, writer, NATIONAL_SEED, ALL_YEARS, _log)
        demo_generate._finish(_log)
    return time.perf_counter() - t0


def recompute(years: list[int]) -> tuple[float, list[float], BenchmarkRun, list[dict]]:
    """One full run over ``years`` on two fresh workers: (seconds, [the largest worker peak RSS MB], run,
    each chunk's and finalise's own peak as bench.lib.task_memory measured it)."""
    app.conf.task_always_eager = False
    app.control.purge()
    steps_file = out_path(f"scale_curve_steps_{len(years)}.tsv")
    steps_file.unlink(missing_ok=True)
    procs = start_workers(2, include="bench.lib.task_memory", env={"BENCH_TASK_MEMORY_FILE": str(steps_file)})
    try:
        t0 = time.perf_counter()
        run = run_create(seed=SEED, years=years, draws=1)
        start_run.delay(run.id)
        while run.status not in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            time.sleep(0.05)
            run.refresh_from_db()
        seconds = time.perf_counter() - t0
        if run.status != RunStatus.SUCCEEDED:
            raise SystemExit(f"run {run.pk} failed: {run.error}")
        peaks = [peak_rss_mb(p.pid) for p in procs]
    finally:
        stop_workers(procs)
    steps = task_memory.read(steps_file)
    # Each step resets its worker's peak (bench/lib/task_memory.py): a worker's whole-life peak is
    # the largest of its steps' peaks and of the peak since its last step.
    peaks = [max([*peaks, *(s["peak_mb"] for s in steps)])]
    return seconds, peaks, run, [s for s in steps if s["did"]]


def idle_worker_rss() -> float:
    """A worker's RSS before any task: the part of its memory that is not data."""
    procs = start_workers(1)
    try:
        return peak_rss_mb(procs[0].pid)
    finally:
        stop_workers(procs)


def draw(rows: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r["factor"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(xs, [r["seconds"] for r in rows], "o-", label="measured")
    ax1.plot(xs, [rows[0]["seconds"] * x for x in xs], "--", color="grey", label="linear from 1x")
    ax1.set_xlabel("data set (x national: 5, 10, 20 leaver years)")
    ax1.set_ylabel("end-to-end seconds, 2 workers")
    ax1.set_xticks(xs)
    ax1.legend()
    ax1.set_title("Recompute time")
    ax2.plot(xs, [r["peak_mb"] for r in rows], "o-", label="largest worker peak RSS")
    ax2.plot(xs, [r["chunk_mb"] for r in rows], "s--", label="largest chunk's peak")
    ax2.plot(xs, [r["finalise_mb"] for r in rows], "^--", label="finalise's peak")
    ax2.axhline(rows[0]["idle_mb"], color="grey", linestyle=":", label="idle worker")
    ax2.set_xlabel("data set (x national)")
    ax2.set_ylabel("MB")
    ax2.set_ylim(bottom=0)
    ax2.set_xticks(xs)
    ax2.legend()
    ax2.set_title("Worker memory")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    lines = ["# Scale curve of the national recompute (bench/scale_curve.py)"]
    generated = generate_years()
    if generated is not None:
        lines.append(f"generated the national scale over {ALL_YEARS[0]}-{ALL_YEARS[-1]} in {generated:.0f} s")
    idle = idle_worker_rss()
    rows: list[dict[str, float]] = []
    for factor in FACTORS:
        years = ALL_YEARS[-YEARS_PER_X * factor:]
        leavers = SchoolLeaver.objects.filter(leaver_year__in=years).count()
        results = QualificationResult.objects.filter(year__gte=years[0] - 2, year__lte=years[-1]).count()
        load = load_average()
        seconds, peaks, run, steps = recompute(years)
        chunk_peaks = [s["peak_mb"] for s in steps if s["step"] == "chunk"]
        finalise_peaks = [s["peak_mb"] for s in steps if s["step"] == "finalise"]
        rows.append({"factor": factor, "years": len(years), "leavers": leavers, "results": results,
                     "seconds": seconds, "peak_mb": max(peaks), "idle_mb": idle,
                     "chunk_mb": max(chunk_peaks, default=float("nan")),
                     "finalise_mb": max(finalise_peaks, default=float("nan")),
                     "chunks": run.timings.get("chunks_seconds", 0.0),
                     "combine": run.timings.get("combine_seconds") or 0.0,
                     "persist": run.timings.get("persist_seconds") or 0.0, "load": load})  # type: ignore[dict-item]
    base = rows[0]
    lines.append(f"{'scale':>5} {'years':>5} {'leavers':>10} {'results':>11} {'seconds':>8} {'s/100k':>7} "
                 f"{'x time':>7} {'worker peak MB':>15} {'chunk MB':>9} {'finalise MB':>12} {'chunks s':>9} "
                 f"{'combine s':>10} {'persist s':>10}  load")
    for r in rows:
        lines.append(
            f"{r['factor']:>4}x {r['years']:>5} {r['leavers']:>10,} {r['results']:>11,} {r['seconds']:>8.1f} "
            f"{r['seconds'] / r['leavers'] * 1e5:>7.2f} {r['seconds'] / base['seconds']:>7.2f} {r['peak_mb']:>15.0f} "
            f"{r['chunk_mb']:>9.0f} {r['finalise_mb']:>12.0f} "
            f"{r['chunks']:>9.1f} {r['combine']:>10.2f} {r['persist']:>10.2f}  {r['load']}")
    worst = max(r["seconds"] / base["seconds"] / r["factor"] for r in rows[1:])
    growth = rows[-1]["peak_mb"] / base["peak_mb"]
    lines += [
        f"idle worker RSS {idle:.0f} MB; results counted over the years' senior phases (S4-S6)",
        f"time / (scale x time at 1x): at most {worst:.2f} (<= 1 means no faster than linear): "
        f"{'met' if worst <= 1.0 else 'NOT met'}",
        f"worker peak RSS at 4x / at 1x: {growth:.2f} (a chunk is one leaver year, so this should stay near 1): "
        f"{'bounded' if growth <= 1.25 else 'NOT bounded'}",
        "chunk MB / finalise MB: the largest peak RSS of one chunk / of the finalise, each measured from the "
        "worker's RSS when it began (bench/lib/task_memory.py), so they tell which step needs the memory",
    ]
    png = out_path("scale_curve.png")
    draw(rows, png)
    lines.append(f"curve drawn in {png}")
    report("scale_curve", lines)


if __name__ == "__main__":
    main()
