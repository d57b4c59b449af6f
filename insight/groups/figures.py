"""A comparator group's figures for one viewer: our disclosure rule for user-defined groups.

A group of schools is a differencing channel (docs/methodology.md section 19): two groups that
differ by one school would give that school's figure by subtraction. So a group's figure is shown
only when, for every member the figure was computed from, the viewer either is entitled to the
member (own school, own authority, learning partner) or is shown the member's own figure and its
leaver count for that year under the run's public pattern. Whatever the group then shows could
be worked out from figures the viewer sees anyway. The averages of the attainment groups (lowest
20%, middle 60%, highest 20%) rank the group's leavers together, which the members' figures do not
determine, so they need entitlement to every member. Besides, a group figure on fewer than the
threshold of young people is withheld like any other (unless the viewer is entitled to every member).
The same rule holds cell by cell for a group of leavers (the girls of the group, its SIMD quintile 1
leavers...): each member's figure of that same group of leavers must be shown to the viewer.
SIMD deciles (ours, docs/methodology.md sections 13 and 19): a school's deciles are withheld from
every viewer not entitled to it, so a group's decile figures are shown only to a viewer entitled to
every member the figure was computed from; to anyone else each of them is withheld ("c").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from datahub import disclosure
from datahub.access import Entitlement
from datahub.disclosure import Cell
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CohortResult
from ..selectors.catalogue import DECILE, MEASURES
from ..selectors.figures import Figures, Row, Subject, Viewer
from ..selectors.local_aggregates import Distribution, Kind
from .models import ComparatorGroup, ComparatorGroupResult

RANKED = frozenset({c.avg_tariff(g) for g in c.ATTAINMENT_GROUPS} | {c.n_group(g) for g in c.ATTAINMENT_GROUPS})


@dataclass
class GroupFigures:
    """One group's stored rows of a run, with its members' own rows, for one viewer."""

    group: ComparatorGroup
    figures: Figures
    rows: dict[int, Row] = field(default_factory=dict)  # year -> the group's all-leavers row
    groups_of_leavers: dict[tuple[int, str, str], Row] = field(default_factory=dict)  # (year, dim, value) -> row
    members: dict[int, Subject] = field(default_factory=dict)  # establishment id -> its rows (all and by group)

    @property
    def label(self) -> str:
        return f"Group: {self.group.name}"

    @property
    def run_member_ids(self) -> list[int]:
        """The schools the run computed the group from (in its latest year with leavers)."""
        return sorted(self.rows[max(self.rows)]["members"]) if self.rows else []

    def _members_of(self, year: int) -> list[Subject]:
        row = self.rows.get(year)
        return [self.members[i] for i in (row["members"] if row else []) if i in self.members]

    def entitled_to_all(self, year: int) -> bool:
        return all(m.entitlement.unsuppressed for m in self._members_of(year))

    def cell(self, year: int, measure: str, dim: str = "", value: str = "") -> Cell:
        """One figure of the group, for all its leavers or (``dim``, ``value``) one group of them
        (e.g. ``("sex", "F")``), under the rule of the module docstring applied to that cell: each
        member's own figure of the same group of leavers must be shown to the viewer."""
        if self.rows.get(year) is None:
            return Cell(None, 0, False)
        row = self.groups_of_leavers.get((year, dim, value)) if dim else self.rows[year]
        figure = row.get(measure) if row else None
        if row is None:
            base = 0
        else:
            base = int(row[c.N_LEAVERS] if measure == c.N_LEAVERS else row.get(MEASURES[measure].base) or 0)
        if self.entitled_to_all(year):
            return Cell(figure, base, False)
        if measure in RANKED or dim == DECILE:
            return Cell(figure, base, True)
        for member in self._members_of(year):
            if member.entitlement.unsuppressed:
                continue
            if self.figures.cell(member, year, c.N_LEAVERS, dim, value).suppressed:
                return Cell(figure, base, True)
            if measure != c.N_LEAVERS and self.figures.cell(member, year, measure, dim, value).suppressed:
                return Cell(figure, base, True)
        return Cell(figure, base, 0 < base < disclosure.min_count())


def group_figures(run: BenchmarkRun, group: ComparatorGroup, viewer: Viewer, figures: Figures | None = None) -> GroupFigures:
    """The group's rows of ``run`` and, for the disclosure rule, every member's own rows."""
    out = GroupFigures(group, figures or Figures(run))
    fields = [c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, "members", *c.HEADLINE_MEASURES]
    current = sorted(group.members.values_list("pk", flat=True))
    for r in ComparatorGroupResult.objects.filter(run=run, group=group).values(*fields):
        # A picked group changed since the run is recomputed by its task: until then, no figures. A
        # group that follows its filter shows each run's figures with the schools that run chose.
        if not (group.follows_filter or sorted(r["members"]) == current):
            continue
        if r[c.BREAKDOWN]:
            out.groups_of_leavers[(r[c.YEAR], r[c.BREAKDOWN], r[c.BREAKDOWN_VALUE])] = r
        else:
            out.rows[r[c.YEAR]] = r
    ids = sorted({i for r in out.rows.values() for i in r["members"]})
    schools = {e.pk: e for e in Establishment.objects.filter(pk__in=ids).select_related("authority")}
    member_rows: dict[int, dict[tuple[int, str, str], Row]] = {i: {} for i in ids}
    for r in CohortResult.objects.filter(run=run, cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=ids).values(
        "cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *c.HEADLINE_MEASURES
    ):
        member_rows[r["cohort_id"]][(r[c.YEAR], r[c.BREAKDOWN], r[c.BREAKDOWN_VALUE])] = r
    for i in ids:
        ent = viewer.establishment(schools[i]) if i in schools else Entitlement.PUBLIC
        out.members[i] = Subject(c.COHORT_ESTABLISHMENT, i, schools[i].name if i in schools else "", ent, "E",
                                 member_rows[i])
    return out


# --- The local measures (Breadth and Depth, curricular areas) of a group ---------------------------

LOCAL_GROUP_NOTE = ("A comparator group's Breadth and Depth and curricular areas are shown only to viewers who see "
                    "every member school's own (its staff, its authority, its learning partners); otherwise c.")


def local_group_grid(run: BenchmarkRun, group: ComparatorGroup, viewer: Viewer, kind: Kind, *, stage: str,
                     **filters: object) -> tuple[dict[tuple[int, Any], Distribution], bool]:
    """(year, layer) -> the group's distribution of a local measure (its current members' stored
    counts added up: a group's cohort is its members' cohorts), and whether the viewer is shown it.
    A school's local measures are shown only to viewers entitled to it, so a group's are shown only
    to a viewer entitled to every member (the figures then hold nothing the viewer does not see
    already) and withheld whole from everyone else."""
    members = list(group.members.select_related("authority"))
    entitled = bool(members) and all(viewer.establishment(m).unsuppressed for m in members)
    sums: dict[tuple[int, Any], list[int]] = {}
    rows = kind.model.objects.filter(  # type: ignore[attr-defined]
        run=run, cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=[m.pk for m in members], cohort_stage=stage,
        **filters).values_list(c.YEAR, kind.layer, c.N_COHORT, *kind.counts)
    for year, layer, *counts in rows:
        total = sums.setdefault((int(year), layer), [0] * len(counts))
        for i, n in enumerate(counts):
            total[i] += int(n)
    return {key: Distribution(v[0], tuple(v[1:]), tuple(not entitled for _ in v[1:]), not entitled)
            for key, v in sums.items()}, entitled
