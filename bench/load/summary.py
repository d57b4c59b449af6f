"""Figures of a load test (bench/load/run_load.sh): per page, errors, and the background work.

    python bench/load/summary.py OUT_DIR "LOAD AT START" "LOAD AT END"

Reads locust's CSV statistics, waits (at most 5 minutes) for the benchmark run started during the
test and the 100,000-row import to finish, checks the import wrote every row or none, prints the
figures (also to OUT_DIR/summary.txt) and exits 1 when any target is missed.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib.common import setup_django

P95_TARGET_MS = 500


def main() -> None:
    out, start_load, end_load = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    setup_django()
    from datahub.models import ImportBatch, QualificationResult
    from insight.models import BenchmarkRun, RunStatus

    stats = list(csv.DictReader((out / "locust_stats.csv").open()))
    rows = [r for r in stats if r["Name"] != "Aggregated"]
    total = next(r for r in stats if r["Name"] == "Aggregated")
    lines = [f"# Load test: {total['Request Count']} requests, {float(total['Requests/s']):.1f} requests/s, "
             f"{total['Failure Count']} errors; load average {start_load} at the start, {end_load} at the end",
             f"{'page':<40} {'requests':>8} {'errors':>6} {'median ms':>9} {'p95 ms':>7} {'max ms':>7}  p95 < 500 ms"]
    missed = []
    for r in sorted(rows, key=lambda r: -float(r["95%"] or 0)):
        p95 = float(r["95%"] or 0)
        ok = p95 < P95_TARGET_MS
        if not ok:
            missed.append(r["Name"])
        lines.append(f"{r['Name'][:40]:<40} {r['Request Count']:>8} {r['Failure Count']:>6} "
                     f"{float(r['Median Response Time'] or 0):>9.0f} {p95:>7.0f} {float(r['Max Response Time'] or 0):>7.0f}"
                     f"  {'yes' if ok else 'NO'}")
    failures = list(csv.DictReader((out / "locust_failures.csv").open())) if (out / "locust_failures.csv").exists() else []
    for f in failures[:20]:
        lines.append(f"error: {f['Occurrences']} x {f['Method']} {f['Name']}: {f['Error'][:200]}")

    deadline = time.monotonic() + 300
    run = batch = None
    while time.monotonic() < deadline:
        run = BenchmarkRun.objects.order_by("-id").first()
        batch = ImportBatch.objects.filter(file_name="results-100k.csv").order_by("-id").first()
        run_done = run is not None and run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)
        batch_done = batch is not None and batch.finished
        if run_done and (batch is None or batch_done):
            break
        time.sleep(2)
    ok = not missed and total["Failure Count"] == "0"
    if run is None or run.status != RunStatus.SUCCEEDED or run.finished_at is None or run.started_at is None:
        ok = False
        lines.append(f"benchmark run during the test: NOT succeeded ({run and run.status} {run and run.error})")
    else:
        lines.append(f"benchmark run {run.pk} during the test: {run.status} in "
                     f"{(run.finished_at - run.created_at).total_seconds():.0f} s from enqueueing")
    if batch is None:
        ok = False
        lines.append("100,000-row import: NOT uploaded")
    else:
        import csv as _csv

        expected = {}
        with Path(out / "results-100k.csv").open() as fh:
            for rec in _csv.DictReader(fh):
                expected[(rec["scn"], rec["subject_code"], rec["award_type"], int(rec["scqf_level"]),
                          int(rec["year"]))] = rec["grade"]
        got = {
            (scn, subj, award, level, year): grade
            for scn, subj, award, level, year, grade in QualificationResult.objects.filter(
                learner__scn__in={k[0] for k in expected}).values_list(
                "learner__scn", "subject__code", "award_type", "scqf_level", "year", "grade")
        }
        written = sum(1 for k, g in expected.items() if got.get(k) == g)
        whole = written in (0, len(expected))
        took = (batch.finished_at - batch.created_at).total_seconds() if batch.finished_at else None
        lines.append(f"100,000-row import during the test: {batch.status}, {batch.count_updated:,} updated, "
                     f"{written:,} of {len(expected):,} rows as in the file ({'all or nothing: yes' if whole else 'HALF'})"
                     + (f", {took:.0f} s from upload" if took is not None else ""))
        ok = ok and batch.status == "succeeded" and written == len(expected)
    lines.append(f"targets (zero errors, p95 < {P95_TARGET_MS} ms on every page, run and import done): "
                 f"{'met' if ok else 'NOT met'}" + (f"; p95 missed on: {', '.join(missed)}" if missed else ""))
    text = "\n".join(lines)
    print(text)
    (out / "summary.txt").write_text(text + "\n")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
