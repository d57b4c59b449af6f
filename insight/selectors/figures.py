"""Stored results as figures for one viewer: every figure leaves here as a ``datahub.disclosure.Cell``.

Unsuppressed for viewers entitled to the school or authority (own school, own authority,
learning partner), otherwise under the run's public pattern (insight.selectors.pattern).

The averages of the attainment groups (lowest 20%, middle 60%, highest 20%) are built on group
sizes that do not add up across cells, so they get primary suppression on their own size, and
the middle 60% is hidden with the other two when those cover fewer than 5 young people together
(otherwise the total average would give away the average of the lowest and highest together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from datahub import disclosure
from datahub.access import Entitlement, authority_entitlement, entitlement_for, scope_for
from datahub.disclosure import Cell
from datahub.models import Establishment, LocalAuthority
from partnerships.selectors import partner_establishment_ids

from ..benchmarking import columns as c
from ..entitlement import own_establishment_ids
from ..models import BenchmarkRun
from .catalogue import DECILE, MEASURES
from .course_graded import GradedScope
from .pattern import public_pattern

# --- Viewers ----------------------------------------------------------------------------------


class Viewer:
    """A user's entitlement to schools and authorities, resolved once per request."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.partners = partner_establishment_ids(own_establishment_ids(user))
        # The leaver years a dashboard's series show: the person's choice (Account settings >
        # Dashboards), three unless they chose five, as Insight does.
        self.years_shown = years_shown(user)

    def establishment(self, est: Establishment) -> Entitlement:
        return entitlement_for(self.user, est, partner_establishment_ids=self.partners)

    def authority(self, authority: LocalAuthority) -> Entitlement:
        return authority_entitlement(self.user, authority)

    def graded_scope(self) -> GradedScope:
        """The schools whose graded course figures the viewer sees (own and partners) and the
        authorities whose every school's they see (``course_graded``)."""
        own, authorities, partners = self.signature()
        return GradedScope(own | partners, authorities)

    def signature(self) -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
        """Everything :meth:`establishment` and :meth:`authority` answer from: two viewers with the
        same signature are entitled to exactly the same figures (a key for figures kept in memory)."""
        scope = scope_for(self.user)
        return frozenset(scope.establishment_ids), frozenset(scope.authority_ids), frozenset(self.partners)


DEFAULT_YEARS_SHOWN = 3


def years_shown(user: Any) -> int:
    """How many years ``user``'s dashboards show: their saved choice, else three."""
    return int(getattr(user, "years_shown", None) or DEFAULT_YEARS_SHOWN)


# --- Stored results, as figures ------------------------------------------------------------------

Row = dict[str, Any]


@dataclass
class Subject:
    """A cohort whose figures are shown: a school, its VC, an authority, its VC or Scotland."""

    kind: str  # establishment | vc | authority | authority_vc | national
    cohort_id: int
    label: str
    entitlement: Entitlement
    pattern_level: str  # "E", "A" or "N"
    rows: dict[tuple[int, str, str], Row] = field(default_factory=dict)  # (year, dim, value) -> row
    bases: dict[tuple[int, str, str], Row] | None = None  # counts of the cohort the VC stands for
    intervals: dict[tuple[int, str], Row] = field(default_factory=dict)  # (year, measure) -> row


class Figures:
    """Turns stored rows into Cells for one viewer under one run's public pattern."""

    def __init__(self, run: BenchmarkRun, shown: int | None = None) -> None:
        """``shown``: keep only the latest that many of the run's years (the viewer's choice)."""
        self.run = run
        self.years: list[int] = sorted(int(y) for y in run.years)
        if shown is not None:
            self.years = self.years[-shown:]
        self.pattern = public_pattern(run)
        self.limit = disclosure.min_count()

    def _hidden(self, subject: Subject, year: int, dim: str, value: str, layer: str) -> bool:
        if dim == DECILE and subject.pattern_level != "N":
            # SIMD deciles of a school or an authority are for entitled viewers only: for everyone
            # else every one of them is withheld (zeros too), so the deciles nested in each
            # quintile add no equation an observer could use.
            return True
        key = (subject.pattern_level, subject.cohort_id if subject.pattern_level != "N" else 0, year, dim, value)
        return self.pattern.hides(c.N_LEAVERS, key) or self.pattern.hides(layer, key)

    def cell(self, subject: Subject, year: int, measure: str, dim: str = "", value: str = "") -> Cell:
        """One figure: ``measure`` is a Measure key or "n_leavers"."""
        ent = subject.entitlement
        row = subject.rows.get((year, dim, value))
        bases = (subject.bases if subject.bases is not None else subject.rows).get((year, dim, value))
        if measure == c.N_LEAVERS:
            if subject.bases is not None:
                raise ValueError("a comparator's count is not shown (it is ten times the school's)")
            n = int(row[c.N_LEAVERS]) if row else 0
            if ent.unsuppressed:
                return Cell(n, n, False)
            return Cell(n, n, self._hidden(subject, year, dim, value, c.N_LEAVERS) or 0 < n < self.limit)
        m = MEASURES[measure]
        value_ = row.get(measure) if row else None
        if bases is None:
            return disclosure.shown(value_, 0, False, ent) if value_ is None else Cell(value_, 0, not ent.unsuppressed)
        base = int(bases.get(m.base) or 0)
        hidden = self._hidden(subject, year, dim, value, m.layer)
        if not hidden and measure == c.avg_tariff(c.MIDDLE60):
            # The middle 60% goes with the lowest and highest 20% when those two together are
            # fewer than the threshold: otherwise the total average would reveal their average.
            low, high = (int(bases.get(b) or 0) for b in (c.n_group(c.LOWEST20), c.n_group(c.HIGHEST20)))
            hidden = 0 < low < self.limit and 0 < low + high < self.limit
        return disclosure.shown(value_, base, hidden, ent)

    def interval(self, subject: Subject, year: int, measure: str) -> tuple[Cell, Cell, int] | None:
        """The VC's 5th-95th percentile over repeated draws, hidden with the VC figure."""
        row = subject.intervals.get((year, measure))
        if row is None:
            return None
        figure = self.cell(subject, year, measure)
        hide = figure.suppressed
        return (Cell(row["p05"], figure.base, hide), Cell(row["p95"], figure.base, hide), int(row["n_draws"]))


def establishment_cell(run: BenchmarkRun, establishment_id: int, year: int, measure: str, row: Row,
                       entitlement: Entitlement) -> Cell:
    """One figure of a school's all-leavers row (a CohortResult of the run, as a dict with the
    measure and its counts) under the run's public pattern: for other pages that show school
    figures (Find Partners), so a cell is withheld there exactly as on the dashboards."""
    subject = Subject(c.COHORT_ESTABLISHMENT, establishment_id, "", entitlement, "E", {(year, "", ""): row})
    return Figures(run).cell(subject, year, measure)

