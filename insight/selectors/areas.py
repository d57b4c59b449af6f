"""Reads of stored curricular areas (a local measure) for a school's page and the API: the school,
its virtual comparator, authority, collaborative and Scotland, one cohort stage and grade filter, every year of
the run, each under the viewer's entitlement."""

from __future__ import annotations

from collections.abc import Collection

from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CurricularAreaResult
from .breadth import Distribution, local_grid
from .figures import Viewer
from .local_aggregates import AREAS


def level_index(level: int) -> int:
    """Position (1-based, as ``Distribution.percent`` takes it) of SCQF ``level`` or better."""
    return c.BD_LEVELS.index(level) + 1


def curricular_area_grid(run: BenchmarkRun, est: Establishment, viewer: Viewer, *, stage: str, grade_filter: str,
                         collaborative_id: int | None = None, aggregates: Collection[tuple[int, str]] | None = None,
                         ) -> dict[tuple[str, int, str], Distribution]:
    """(cohort, year, area) -> Distribution over the levels (level 3 or better first) for the
    school, its virtual comparator, authority, collaborative and Scotland, each as the viewer may
    see it (``breadth.local_grid``). A school's levels are nested counts ("at level 3 or better"
    holds "at level 4 or better" ...), so they pass the rule Breadth and Depth's "k or more"
    counts pass (``datahub.disclosure.suppress_at_least``)."""
    return local_grid(AREAS, run, est, viewer, stage=stage, collaborative_id=collaborative_id,
                      aggregates=aggregates, grade_filter=grade_filter)  # type: ignore[return-value]


def curricular_area_years(run: BenchmarkRun) -> list[int]:
    """The years the run holds curricular areas for, ascending."""
    return sorted(set(CurricularAreaResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL)
                      .values_list(c.YEAR, flat=True).distinct()))
