"""What a published run's first readers would otherwise compute at once: its public suppression
pattern and the national view's shared reads, into the shared cache (``insight.publication``
queues it on publishing, ``insight.tasks.finalise_run`` runs it when a run finishes)."""

from __future__ import annotations

import logging

from .benchmarking import columns as c
from .models import BenchmarkRun
from .selectors.course_graded import aggregate_table
from .selectors.dashboards import all_leaver_rows, authority_vcs_by_authority
from .selectors.local_aggregates import prepare_tables
from .selectors.local_pattern import local_pattern
from .selectors.pattern import public_pattern

log = logging.getLogger(__name__)


def prepare_pattern(run: BenchmarkRun) -> None:
    """Compute the run's public suppression pattern into the shared cache as soon as it is
    finished and again when published, so the first readers do not all compute it at once (tens of
    seconds of CPU at national scale: under load, a herd of first requests on cold processes). A
    failure here only leaves the first reader to compute it."""
    try:
        public_pattern(run)
        for stage in c.COHORT_STAGES:  # the local measures' pattern, one cohort stage at a time
            local_pattern(run, stage)
            aggregate_table(run, stage)  # the Course Comparator's aggregates, for its per-viewer grade rule
            prepare_tables(run, stage)  # Breadth and Depth's and the curricular areas', for theirs
        # What the national view reads besides (every cohort's all-leavers rows, the authorities'
        # aggregated comparators), shared through the same cache.
        all_leaver_rows(run)
        authority_vcs_by_authority(run)
    except Exception:
        log.exception("run %s: public suppression pattern not prepared", run.pk)
