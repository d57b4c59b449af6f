"""Cost of the comparator groups' computation (insight.groups.compute.group_measures) over one
national-size leaver year built in memory (insight.benchmarking.synthetic): 10, 100 and 1,000
groups of 12 schools drawn at random. Prints seconds (median of 3) per group count. The loading of
the year from PostgreSQL (done once per year by groups_compute) is not included: see the README.

    .venv/bin/python bench/comparator_groups.py [schools] [leavers]
    (measured 2026-12-06 02:01 UTC, load average 6-8: 10 groups 0.035 s, 100 groups 0.38 s, 1,000 groups 2.5 s)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insight.config.settings")
    import django

    django.setup()  # insight.groups.compute is a module of a Django app (no database is used here)
    from insight.benchmarking.cohort import leaver_table
    from insight.benchmarking.synthetic import synthetic_frames
    from insight.groups.compute import group_measures

    schools = int(sys.argv[1]) if len(sys.argv) > 1 else 360
    n_leavers = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000  # one year of the national data set
    leavers, results = synthetic_frames(n_leavers=n_leavers, n_establishments=schools, years=[2024])
    t0 = time.perf_counter()
    table = leaver_table(leavers, results)
    print(f"one year: {len(table):,} leavers in {schools} schools (leaver table {time.perf_counter() - t0:.2f} s)")
    ids = np.unique(table["establishment_id"].to_numpy())
    rng = np.random.default_rng(1)
    for n in (10, 100, 1000):
        members = {g: rng.choice(ids, size=12, replace=False).tolist() for g in range(n)}
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = group_measures(table, members)
            times.append(time.perf_counter() - t)
        print(f"{n:>5} groups of 12: {statistics.median(times):.3f} s (median of 3), {len(out)} rows")


if __name__ == "__main__":
    main()
