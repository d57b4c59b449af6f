"""Reads of stored curricular areas (a local measure) for a school's page and the API: the school,
its virtual comparator, authority, collaborative and Scotland, one cohort stage and grade filter, every year of
the run, each under the viewer's entitlement."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CurricularAreaResult
from .breadth import Distribution

_FIELDS = ("cohort", c.YEAR, c.CURRICULAR_AREA, c.N_COHORT, *c.AREA_COUNT_COLUMNS)


def level_index(level: int) -> int:
    """Position (1-based, as ``Distribution.percent`` takes it) of SCQF ``level`` or better."""
    return c.BD_LEVELS.index(level) + 1


def curricular_area_grid(
    run: BenchmarkRun, est: Establishment, *, stage: str, grade_filter: str, entitlements: Sequence[Entitlement],
    collaborative_id: int | None = None,
) -> dict[tuple[str, int, str], Distribution]:
    """(cohort, year, area) -> Distribution over the levels (level 3 or better first) for the
    school (``establishment``), its virtual comparator (``vc``), its authority (``authority``)
    and Scotland (``national``), each under its own entitlement (``entitlements``: school (and
    its VC), authority; Scotland is public), and with ``collaborative_id`` the authority's
    Regional Improvement Collaborative (``collaborative``, public as Scotland). A school's levels are nested counts ("at level 3
    or better" holds "at level 4 or better" ...), so they pass the rule Breadth and Depth's
    "k or more" counts pass (``datahub.disclosure.suppress_at_least``)."""
    where = (Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id=est.pk)
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=est.authority_id)
             | Q(cohort=c.COHORT_NATIONAL, cohort_id=c.NATIONAL_COHORT_ID))
    if collaborative_id is not None:
        where |= Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative_id)
    rows = CurricularAreaResult.objects.filter(where, run=run, cohort_stage=stage,
                                               grade_filter=grade_filter).values(*_FIELDS)
    entitlement = {c.COHORT_ESTABLISHMENT: entitlements[0], c.COHORT_VC: entitlements[0],
                   c.COHORT_AUTHORITY: entitlements[1], c.COHORT_COLLABORATIVE: Entitlement.PUBLIC,
                   c.COHORT_NATIONAL: Entitlement.PUBLIC}
    out = {}
    for r in rows:
        ent = entitlement[r["cohort"]]
        at_least = tuple(int(r[col]) for col in c.AREA_COUNT_COLUMNS)
        total = int(r[c.N_COHORT])
        out[(r["cohort"], r[c.YEAR], r[c.CURRICULAR_AREA])] = Distribution(
            total, at_least, tuple(disclosure.suppress_at_least(total, at_least, ent)),
            disclosure.cell(total, total, ent).suppressed,
        )
    return out


def curricular_area_years(run: BenchmarkRun) -> list[int]:
    """The years the run holds curricular areas for, ascending."""
    return sorted(set(CurricularAreaResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL)
                      .values_list(c.YEAR, flat=True).distinct()))
