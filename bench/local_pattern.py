"""Cost of the Course Comparator entries' public pattern (``insight.selectors.local_pattern``)
on a synthetic national-size frame (no database: the pattern's own compute).

Scotland-sized: 353 secondary schools in 32 authorities in 6 Regional Improvement
Collaboratives (two authorities in none), 150 courses, five diet years, one cohort stage (a run
computes four: S4, S5, S6 based on the S4 roll, leavers). Each school presents each course with
probability one half; entries log-normal (median 10, many of 1 to 4, at most 250), so the share
of small counts is like a real diet's. Prints the time of one stage, the cells, the small counts
and the cells withheld. Usage: .venv/bin/python bench/local_pattern.py [rounds]
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insight.config.settings")
import django

django.setup()  # no database is touched

from insight.selectors.local_pattern import Flat, course_layer, protect_flat  # noqa: E402

SCHOOLS, AUTHORITIES, COLLABORATIVES, COURSES, YEARS = 353, 32, 6, 150, (2021, 2022, 2023, 2024, 2025)


def frame(seed: int) -> tuple[Flat, dict[int, int], dict[int, int]]:
    rng = random.Random(seed)
    est_authority = {s: 1 + s % AUTHORITIES for s in range(1, SCHOOLS + 1)}
    membership = {a: 1 + a % COLLABORATIVES for a in range(1, AUTHORITIES - 1)}  # the last two in none
    flat: Flat = defaultdict(dict)
    for year in YEARS:
        for s, a in est_authority.items():
            for course in range(COURSES):
                if rng.random() < 0.5:
                    n = min(250, max(1, int(rng.lognormvariate(2.3, 1.2))))
                    x = course_layer(course, "N5", 5)
                    units = [("E", s), ("A", a), ("N", 0)] + ([("C", membership[a])] if a in membership else [])
                    for level, uid in units:
                        cells = flat[(level, uid, year)]
                        cells[x] = cells.get(x, 0) + n
    return flat, est_authority, membership


def main(rounds: int) -> None:
    flat, est_authority, membership = frame(42)
    cells = sum(len(v) for v in flat.values())
    small = sum(1 for v in flat.values() for n in v.values() if 0 < n < 5)
    print(f"one stage, {len(YEARS)} years: {cells:,} entry cells, {small:,} of 1 to 4")
    for r in range(rounds):
        t = time.perf_counter()
        hidden = protect_flat(flat, est_authority, membership, lambda unit: 1)
        print(f"round {r + 1}: {time.perf_counter() - t:.2f} s, {len(hidden):,} cells withheld")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
