"""The benchmarking engine: pure numpy/pandas, no Django.

Frames in, frames and dataclasses out. The method, with the source of every rule, is in
``docs/methodology.md``; column names are in :mod:`.columns`. Entry points:

* :func:`compute` / :func:`compute_table` for a run or one chunk of it,
* :func:`combine` to put chunks together, :func:`finalise` for the partner rankings.

The building blocks (tariff, comparator draw, measures, normalised scores, distances,
uncertainty) are usable on their own.
"""

from .cohort import leaver_table, vc_cohort
from .comparator import ComparatorDraw, draw_comparators, find_candidates, relaxation_counts
from .distance import context_distances, score_distances, stronger_where_weaker
from .engine import BenchmarkResult, combine, compute, compute_table, finalise
from .measures import PreparedCohort, breakdown_measures, deprivation_measures, headline_measures
from .normalise import normalised_scores, weighted_scores
from .tariff import latest_and_best, literacy_numeracy_levels, total_tariff
from .uncertainty import vc_intervals

__all__ = [
    "BenchmarkResult",
    "ComparatorDraw",
    "PreparedCohort",
    "breakdown_measures",
    "combine",
    "compute",
    "compute_table",
    "context_distances",
    "deprivation_measures",
    "draw_comparators",
    "finalise",
    "find_candidates",
    "headline_measures",
    "latest_and_best",
    "leaver_table",
    "literacy_numeracy_levels",
    "normalised_scores",
    "relaxation_counts",
    "score_distances",
    "stronger_where_weaker",
    "total_tariff",
    "vc_cohort",
    "vc_intervals",
    "weighted_scores",
]
