"""Timing check for the benchmarking engine on synthetic national-scale data. Run by hand:

    cd /work/main && .venv/bin/python tests/insight/benchmarking/timing_check.py [n_leavers] [draws]

Not a test (pytest does not collect it): timings depend on the machine, and wall-clock time on what else runs on it. Defaults: 250,000 leavers
over five years (about 50,000 a year, Scotland's size), 360 schools in 32 authorities, so the VC
has 2.5 million rows.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from insight.benchmarking import columns as c
from insight.benchmarking.cohort import leaver_table, vc_cohort_arrays
from insight.benchmarking.comparator import draw_rows, find_candidates
from insight.benchmarking.engine import combine, compute_table, finalise
from insight.benchmarking.measures import PreparedCohort
from insight.benchmarking.synthetic import synthetic_frames

T = TypeVar("T")


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run ``fn``, print wall-clock and CPU seconds (CPU time is what a busy machine cannot inflate)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    print(f"{label:<58} {time.perf_counter() - wall:7.2f} s wall {time.process_time() - cpu:7.2f} s CPU")
    return out


def main() -> None:
    n_leavers = int(sys.argv[1]) if len(sys.argv) > 1 else 250_000
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    leavers, results = timed(f"synthetic data ({n_leavers:,} leavers)", lambda: synthetic_frames(n_leavers=n_leavers))
    print(f"{'':<58} {len(results):,} results")
    table = timed("leaver table (validation, latest and best, tariff)", lambda: leaver_table(leavers, results))
    cells = timed("VC: candidate cells (3 relaxation levels)", lambda: find_candidates(table))
    rows = timed("VC: draw 10 comparators per leaver", lambda: draw_rows(cells, seed=1))
    print(f"{'':<58} {len(rows[1]):,} VC rows")
    vc = timed("VC: cohort columns", lambda: vc_cohort_arrays(table, *rows))
    keys = [c.ESTABLISHMENT_ID, c.YEAR]
    prepared = timed("VC: sort by rank", lambda: PreparedCohort(vc, [*keys, *c.BREAKDOWN_DIMENSIONS]))
    timed("VC: headline measures per school-year", lambda: prepared.headline(keys))
    timed("VC: breakdowns (sex, quintile, ASN, care)", lambda: prepared.breakdowns(keys, c.BREAKDOWN_DIMENSIONS))
    timed("VC: attainment versus deprivation", lambda: prepared.deprivation(keys))
    result = timed("compute_table: everything, 1 draw", lambda: compute_table(table, seed=1))
    schools = np.unique(table[c.ESTABLISHMENT_ID])
    final = timed("finalise: weighted scores, distances (1 type)", lambda: finalise(result))
    assert final.distances is not None
    print(f"{'':<58} {len(final.distances):,} ranking rows")
    authorities = np.unique(table[c.AUTHORITY_ID])

    def chunked() -> object:
        parts = []
        for authority in authorities:
            members = np.unique(table.loc[table[c.AUTHORITY_ID] == authority, c.ESTABLISHMENT_ID])
            parts.append(compute_table(table, seed=1, establishment_ids=members))
        return combine(parts)

    timed(f"chunked by authority ({len(authorities)} chunks) + combine", chunked)
    timed(f"compute_table with intervals ({draws} draws)", lambda: compute_table(table, seed=1, draws=draws))
    print(f"{len(schools)} schools, {len(authorities)} authorities")


if __name__ == "__main__":
    main()
