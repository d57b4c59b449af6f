"""Reads of stored Breadth and Depth and curricular areas for an authority's pages: every school of
the authority side by side, with the authority, its Regional Improvement Collaborative and
Scotland, for one year, cohort stage and filter, each row under the viewer's entitlement.

Who sees what is the school pages' (``insight.selectors.breadth``): a school in full to its own
staff, its authority's staff and its learning partners, withheld from everyone else; the
authority, collaborative and Scotland in full to the authority's own staff and otherwise as
``local_aggregates`` decides for the viewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Q

from datahub.access import Entitlement
from datahub.models import Establishment, LocalAuthority

from ..benchmarking import columns as c
from ..models import BenchmarkRun
from .figures import Viewer
from .local_aggregates import AREAS, BREADTH, Distribution, Kind, figures


def authority_entitlements(viewer: Viewer, authority: LocalAuthority, schools: Sequence[Establishment],
                           ) -> dict[tuple[str, int], Entitlement]:
    """(cohort, id) -> the viewer's entitlement: to each school, and to the authority (the
    collaborative and Scotland are public)."""
    out = {(c.COHORT_ESTABLISHMENT, s.pk): viewer.establishment(s) for s in schools}
    out[(c.COHORT_AUTHORITY, authority.pk)] = viewer.authority(authority)
    return out


def _distributions(kind: Kind, run: BenchmarkRun, viewer: Viewer, schools: Sequence[Establishment],
                   authority: LocalAuthority, *, collaborative_id: int | None, year: int, stage: str,
                   filters: Mapping[str, Any], layer: object,
                   entitlements: Mapping[tuple[str, int], Entitlement]) -> dict[tuple[str, int], Distribution]:
    scope = viewer.graded_scope()
    where = (Q(cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=[s.pk for s in schools])
             | Q(cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=scope.schools)
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=authority.pk)
             | Q(cohort=c.COHORT_NATIONAL, cohort_id=c.NATIONAL_COHORT_ID))
    if collaborative_id is not None:
        where |= Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative_id)
    rows = kind.model.objects.filter(where, run=run, year=year, cohort_stage=stage,  # type: ignore[attr-defined]
                                     **{kind.layer: layer}, **filters).values(
        "cohort", "cohort_id", c.YEAR, kind.layer, c.N_COHORT, *kind.counts)

    def entitlement_of(cohort: str, cid: int) -> Entitlement:
        if (cohort, cid) in entitlements:
            return entitlements[(cohort, cid)]
        return Entitlement.OWN if cohort == c.COHORT_ESTABLISHMENT and cid in scope.schools else Entitlement.PUBLIC

    grid = figures(run, kind, stage, filters, rows, entitlement_of=entitlement_of, scope=scope)
    wanted = {(c.COHORT_ESTABLISHMENT, s.pk) for s in schools}
    return {(cohort, cid): d for (cohort, cid, _, _), d in grid.items()
            if cohort != c.COHORT_ESTABLISHMENT or (cohort, cid) in wanted}


def authority_breadth_depth(run: BenchmarkRun, viewer: Viewer, schools: Sequence[Establishment],
                            authority: LocalAuthority, *, collaborative_id: int | None, year: int, stage: str,
                            grade_filter: str, min_credits: int, level: int,
                            entitlements: Mapping[tuple[str, int], Entitlement],
                            ) -> dict[tuple[str, int], Distribution]:
    """(cohort, id) -> the "k or more awards at ``level`` or better" counts of each school of
    ``schools``, the authority, the collaborative (when given) and Scotland, as the viewer may see
    them (``entitlements``: (cohort, id) -> the viewer's, for the schools and the authority;
    ``local_aggregates``)."""
    return _distributions(BREADTH, run, viewer, schools, authority, collaborative_id=collaborative_id, year=year,
                          stage=stage, filters={c.GRADE_FILTER: grade_filter, c.MIN_CREDITS: min_credits},
                          layer=level, entitlements=entitlements)


def authority_curricular_area(run: BenchmarkRun, viewer: Viewer, schools: Sequence[Establishment],
                              authority: LocalAuthority, *, collaborative_id: int | None, year: int, stage: str,
                              grade_filter: str, area: str, entitlements: Mapping[tuple[str, int], Entitlement],
                              ) -> dict[tuple[str, int], Distribution]:
    """(cohort, id) -> one curricular area's levels (level 3 or better first) for each school, the
    authority, the collaborative (when given) and Scotland, as :func:`authority_breadth_depth`."""
    return _distributions(AREAS, run, viewer, schools, authority, collaborative_id=collaborative_id, year=year,
                          stage=stage, filters={c.GRADE_FILTER: grade_filter}, layer=area, entitlements=entitlements)
