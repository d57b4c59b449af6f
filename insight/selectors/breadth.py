"""Reads of stored Breadth and Depth (a local measure) for a school's page: the school, its
authority and Scotland, one cohort stage, grade filter and credit minimum, every year of the run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, BreadthDepthResult

_FIELDS = ("cohort", "cohort_id", c.YEAR, c.SCQF_LEVEL, c.N_COHORT, *c.BD_COUNT_COLUMNS)


@dataclass(frozen=True)
class Distribution:
    """One cohort's "k or more awards at this level" counts as a viewer may see them."""

    total: int
    at_least: tuple[int, ...]  # k = 1 .. 10
    hidden: tuple[bool, ...]
    total_hidden: bool

    def percent(self, k: int) -> disclosure.Cell:
        """Percentage of the cohort with ``k`` or more awards (a Cell: hidden as the count is)."""
        value = 100.0 * self.at_least[k - 1] / self.total if self.total else None
        return disclosure.Cell(value, self.total, self.hidden[k - 1])

    def cohort(self) -> disclosure.Cell:
        return disclosure.Cell(self.total, self.total, self.total_hidden)


def breadth_depth_grid(
    run: BenchmarkRun, est: Establishment, *, stage: str, grade_filter: str, min_credits: int,
    entitlements: Sequence[Entitlement], collaborative_id: int | None = None,
) -> dict[tuple[str, int, int], Distribution]:
    """(cohort, year, level) -> Distribution for the school (``establishment``), its virtual
    comparator (``vc``: ten comparators per pupil), its authority (``authority``) and Scotland
    (``national``), each under its own entitlement (``entitlements``: school (and its VC),
    authority; Scotland is public), and with ``collaborative_id`` the authority's Regional
    Improvement Collaborative (``collaborative``, public as Scotland: no role covers one)."""
    where = (Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id=est.pk)
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=est.authority_id)
             | Q(cohort=c.COHORT_NATIONAL, cohort_id=c.NATIONAL_COHORT_ID))
    if collaborative_id is not None:
        where |= Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative_id)
    rows = BreadthDepthResult.objects.filter(where, run=run, cohort_stage=stage, grade_filter=grade_filter,
                                             min_credits=min_credits).values(*_FIELDS)
    # The VC (comparators drawn for the school's pupils) is shown as the school's figures are.
    entitlement = {c.COHORT_ESTABLISHMENT: entitlements[0], c.COHORT_VC: entitlements[0],
                   c.COHORT_AUTHORITY: entitlements[1], c.COHORT_COLLABORATIVE: Entitlement.PUBLIC,
                   c.COHORT_NATIONAL: Entitlement.PUBLIC}
    out = {}
    for r in rows:
        ent = entitlement[r["cohort"]]
        at_least = tuple(int(r[col]) for col in c.BD_COUNT_COLUMNS)
        total = int(r[c.N_COHORT])
        out[(r["cohort"], r[c.YEAR], r[c.SCQF_LEVEL])] = Distribution(
            total, at_least, tuple(disclosure.suppress_at_least(total, at_least, ent)),
            disclosure.cell(total, total, ent).suppressed,
        )
    return out


def breadth_depth_years(run: BenchmarkRun) -> list[int]:
    """The years the run holds Breadth and Depth for, ascending."""
    return sorted(set(BreadthDepthResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL)
                      .values_list(c.YEAR, flat=True).distinct()))
