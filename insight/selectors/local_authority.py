"""Reads of stored Breadth and Depth and curricular areas for an authority's pages: every school of
the authority side by side, with the authority, its Regional Improvement Collaborative and
Scotland, for one year, cohort stage and filter, each row under the viewer's entitlement.

Who sees what is the school pages' (``insight.selectors.breadth``): a school unsuppressed for its
own staff, its authority's staff and its learning partners, under
``datahub.disclosure.suppress_at_least`` for everyone else; the authority under the viewer's
entitlement to it; the collaborative and Scotland as the public does (no role covers them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model, Q

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment, LocalAuthority

from ..benchmarking import columns as c
from ..models import BenchmarkRun, BreadthDepthResult, CurricularAreaResult
from .breadth import Distribution
from .figures import Viewer


def authority_entitlements(viewer: Viewer, authority: LocalAuthority, schools: Sequence[Establishment],
                           ) -> dict[tuple[str, int], Entitlement]:
    """(cohort, id) -> the viewer's entitlement: to each school, and to the authority (the
    collaborative and Scotland are public)."""
    out = {(c.COHORT_ESTABLISHMENT, s.pk): viewer.establishment(s) for s in schools}
    out[(c.COHORT_AUTHORITY, authority.pk)] = viewer.authority(authority)
    return out


def _distributions(model: type[Model], run: BenchmarkRun, schools: Sequence[Establishment],
                   authority: LocalAuthority, *, collaborative_id: int | None, year: int,
                   filters: Mapping[str, Any], counts: Sequence[str],
                   entitlements: Mapping[tuple[str, int], Entitlement]) -> dict[tuple[str, int], Distribution]:
    where = (Q(cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=[s.pk for s in schools])
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=authority.pk)
             | Q(cohort=c.COHORT_NATIONAL, cohort_id=c.NATIONAL_COHORT_ID))
    if collaborative_id is not None:
        where |= Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative_id)
    rows = model.objects.filter(where, run=run, year=year, **filters).values(  # type: ignore[attr-defined]
        "cohort", "cohort_id", c.N_COHORT, *counts)
    out = {}
    for r in rows:
        key = (r["cohort"], int(r["cohort_id"]))
        ent = entitlements.get(key, Entitlement.PUBLIC)
        at_least = tuple(int(r[col]) for col in counts)
        total = int(r[c.N_COHORT])
        out[key] = Distribution(total, at_least, tuple(disclosure.suppress_at_least(total, at_least, ent)),
                                disclosure.cell(total, total, ent).suppressed)
    return out


def authority_breadth_depth(run: BenchmarkRun, schools: Sequence[Establishment], authority: LocalAuthority, *,
                            collaborative_id: int | None, year: int, stage: str, grade_filter: str, min_credits: int,
                            level: int, entitlements: Mapping[tuple[str, int], Entitlement],
                            ) -> dict[tuple[str, int], Distribution]:
    """(cohort, id) -> the "k or more awards at ``level`` or better" counts of each school of
    ``schools``, the authority, the collaborative (when given) and Scotland (``entitlements``:
    (cohort, id) -> the viewer's; anything not listed is public)."""
    return _distributions(BreadthDepthResult, run, schools, authority, collaborative_id=collaborative_id, year=year,
                          filters={c.COHORT_STAGE: stage, c.GRADE_FILTER: grade_filter, c.MIN_CREDITS: min_credits,
                                   c.SCQF_LEVEL: level},
                          counts=c.BD_COUNT_COLUMNS, entitlements=entitlements)


def authority_curricular_area(run: BenchmarkRun, schools: Sequence[Establishment], authority: LocalAuthority, *,
                              collaborative_id: int | None, year: int, stage: str, grade_filter: str, area: str,
                              entitlements: Mapping[tuple[str, int], Entitlement],
                              ) -> dict[tuple[str, int], Distribution]:
    """(cohort, id) -> one curricular area's levels (level 3 or better first) for each school, the
    authority, the collaborative (when given) and Scotland, as :func:`authority_breadth_depth`."""
    return _distributions(CurricularAreaResult, run, schools, authority, collaborative_id=collaborative_id, year=year,
                          filters={c.COHORT_STAGE: stage, c.GRADE_FILTER: grade_filter, c.CURRICULAR_AREA: area},
                          counts=c.AREA_COUNT_COLUMNS, entitlements=entitlements)
