"""Reads of stored Breadth and Depth (a local measure) for a school's page: the school, its virtual
comparator, authority, collaborative and Scotland, one cohort stage, grade filter and credit
minimum, every year of the run, each as the viewer may see it (``local_aggregates``)."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from datahub.access import Entitlement
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, BreadthDepthResult
from .figures import Viewer
from .local_aggregates import BREADTH, Distribution, Kind, figures

__all__ = ["Distribution", "breadth_depth_grid", "breadth_depth_years", "local_grid"]


def local_grid(kind: Kind, run: BenchmarkRun, est: Establishment, viewer: Viewer, *, stage: str,
               collaborative_id: int | None, aggregates: Collection[tuple[int, object]] | None = None,
               **filters: object) -> dict[tuple[str, int, object], Distribution]:
    """(cohort, year, layer) -> Distribution of ``kind`` for the school (``establishment``), its
    virtual comparator (``vc``), its authority (``authority``), its Regional Improvement
    Collaborative (``collaborative``, with ``collaborative_id``) and Scotland (``national``). The
    school and its VC are shown to viewers entitled to the school and withheld from everyone else;
    the aggregates as ``local_aggregates`` decides for this viewer, in the (year, layer)s
    ``aggregates`` (all by default)."""
    scope = viewer.graded_scope()
    where = (Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id=est.pk)
             | Q(cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=scope.schools)
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=est.authority_id)
             | Q(cohort=c.COHORT_NATIONAL, cohort_id=c.NATIONAL_COHORT_ID))
    if collaborative_id is not None:
        where |= Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative_id)
    rows = kind.model.objects.filter(where, run=run, cohort_stage=stage, **filters).values(  # type: ignore[attr-defined]
        "cohort", "cohort_id", c.YEAR, kind.layer, c.N_COHORT, *kind.counts)
    school = viewer.establishment(est)
    authority = viewer.authority(est.authority)

    def entitlement_of(cohort: str, cid: int) -> Entitlement:
        if cohort in (c.COHORT_ESTABLISHMENT, c.COHORT_VC) and cid == est.pk:
            return school
        if cohort == c.COHORT_AUTHORITY:
            return authority
        return Entitlement.OWN if cohort == c.COHORT_ESTABLISHMENT and cid in scope.schools else Entitlement.PUBLIC

    grid = figures(run, kind, stage, filters, rows, entitlement_of=entitlement_of, scope=scope, wanted=aggregates)
    return {(cohort, year, layer): d for (cohort, cid, year, layer), d in grid.items()
            if cohort not in (c.COHORT_ESTABLISHMENT, c.COHORT_VC) or cid == est.pk}


def breadth_depth_grid(run: BenchmarkRun, est: Establishment, viewer: Viewer, *, stage: str, grade_filter: str,
                       min_credits: int, collaborative_id: int | None = None,
                       aggregates: Collection[tuple[int, int]] | None = None,
                       ) -> dict[tuple[str, int, int], Distribution]:
    """(cohort, year, level) -> Distribution of the "k or more awards at this level or better"
    counts (:func:`local_grid`)."""
    return local_grid(BREADTH, run, est, viewer, stage=stage, collaborative_id=collaborative_id,
                      aggregates=aggregates, grade_filter=grade_filter, min_credits=min_credits)  # type: ignore[return-value]


def breadth_depth_years(run: BenchmarkRun) -> list[int]:
    """The years the run holds Breadth and Depth for, ascending."""
    return sorted(set(BreadthDepthResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL)
                      .values_list(c.YEAR, flat=True).distinct()))
