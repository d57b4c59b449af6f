"""Which authority, collaborative and Scotland figures of Breadth and Depth and of the curricular
areas a viewer may see (issue 12, item 7; ours: docs/methodology.md section 17, "Disclosure").

A school's local measures are shown only to viewers entitled to it (its staff, its authority, its
learning partners). An aggregate's counts are its schools' sums, so for each viewer, cohort stage,
filter and year they are decided in two steps, over ``remainder.Decision``:

1. **Whole aggregates.** Bottom up, an aggregate is shown only where its *remainder* (what is left
   once the viewer takes away the schools they see and the shown aggregates under it) is empty or
   holds at least three schools with pupils in the cohort and at least five pupils besides its
   largest school's. This depends on the cohorts' sizes alone, so the same aggregates are shown
   in every layer (level, area), filter and count: what the viewer can take away is the same
   everywhere.
2. **Cells of a shown aggregate.** A count is withheld where the aggregate's own distribution
   hides it (``disclosure.suppress_at_least``, as for anyone not entitled), where the remainder's
   distribution hides it (so the pupils the viewer could work out by subtraction are cut into
   groups of 0 or 5 or more), or where a shown aggregate under it withholds it (so the parent
   minus its other parts never gives that count). A subset of a safe cut is safe: merging two
   groups that are each empty or 5 or more leaves one that is.

An aggregate of the viewer's own authority is shown whole, as the authority's staff see it.

The viewer-independent part (every aggregate's counts, how many schools it has, its largest
schools) is read once per run, stage and filter and kept like the run's patterns. An aggregate the
table lacks is withheld (it fails closed).

Not covered: relations across cohort stages (a year's S5 is the S4 roll of the year before) and,
within a remainder of three or more schools, across levels and filters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from datahub import disclosure
from datahub.access import Entitlement
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, BreadthDepthResult, CurricularAreaResult
from .course_graded import GradedScope
from .pattern import PATTERN_VERSION, remember, run_key
from .remainder import MIN_SCHOOLS, Decision, Top, Unit, Vector, add, largest_kept, sub

AGGREGATES = (c.COHORT_AUTHORITY, c.COHORT_COLLABORATIVE, c.COHORT_NATIONAL)


@dataclass(frozen=True)
class Distribution:
    """One cohort's "at least" counts (k or more awards, or level L or better) as a viewer may see them."""

    total: int
    at_least: tuple[int, ...]
    hidden: tuple[bool, ...]
    total_hidden: bool

    def percent(self, k: int) -> disclosure.Cell:
        """Percentage of the cohort counted at position ``k`` (1-based; a Cell, hidden as the count is)."""
        value = 100.0 * self.at_least[k - 1] / self.total if self.total else None
        return disclosure.Cell(value, self.total, self.hidden[k - 1])

    def cohort(self) -> disclosure.Cell:
        return disclosure.Cell(self.total, self.total, self.total_hidden)


@dataclass(frozen=True)
class Kind:
    """A local measure stored as "at least" counts per layer."""

    name: str
    model: type[Model]
    layer: str  # the column that tells the layers apart
    counts: tuple[str, ...]


BREADTH = Kind("breadth", BreadthDepthResult, c.SCQF_LEVEL, tuple(c.BD_COUNT_COLUMNS))
AREAS = Kind("areas", CurricularAreaResult, c.CURRICULAR_AREA, tuple(c.AREA_COUNT_COLUMNS))

Layer = Any  # an SCQF level (int) or a curricular area (str)
# (schools with pupils in the cohort, pupils in the cohort, *the at-least counts)
Cells = dict[int, dict[Layer, dict[Unit, Vector]]]  # year -> layer -> unit -> vector


@dataclass(frozen=True)
class Table:
    cells: Cells
    tops: dict[int, dict[Unit, tuple[Top]]]  # year -> unit -> (largest schools by cohort size,)
    authority_of: dict[int, int]
    # (year, layer) -> the aggregates shown to a viewer who knows no school, and their counts withheld
    public: dict[tuple[int, Layer], tuple[frozenset[Unit], dict[Unit, tuple[bool, ...]]]]


@dataclass(frozen=True)
class Shown:
    """For one viewer: the aggregates withheld whole, and the counts withheld in the others."""

    hidden: frozenset[tuple[int, Unit]]  # (year, unit)
    cells: Mapping[tuple[int, Layer, Unit], tuple[bool, ...]]  # (year, layer, unit) -> hidden counts

    def withholds(self, year: int, unit: Unit) -> bool:
        return (year, unit) in self.hidden

    def hidden_counts(self, year: int, layer: Layer, unit: Unit) -> tuple[bool, ...] | None:
        """The counts withheld of a shown aggregate (``None``: not judged, so every one)."""
        return self.cells.get((year, layer, unit))


def _vector(total: int, counts: Sequence[int]) -> Vector:
    return (1 if total else 0, total, *counts)


def _build(run: BenchmarkRun, kind: Kind, stage: str, filters: tuple[tuple[str, Any], ...]) -> Table:
    rows = (kind.model.objects.filter(run=run, cohort_stage=stage, **dict(filters))  # type: ignore[attr-defined]
            .exclude(cohort=c.COHORT_VC).values_list("cohort", "cohort_id", c.YEAR, kind.layer, c.N_COHORT, *kind.counts))
    aggregates: Cells = defaultdict(lambda: defaultdict(dict))
    schools: dict[int, dict[int, int]] = defaultdict(dict)  # year -> school -> cohort size
    for cohort, cid, year, layer, total, *counts in rows.iterator(chunk_size=5000):
        if cohort == c.COHORT_ESTABLISHMENT:
            schools[int(year)][int(cid)] = int(total)
        else:
            aggregates[int(year)][layer][(cohort, int(cid))] = (0, int(total), *map(int, counts))
    authority_of = dict(Establishment.objects.filter(pk__in={s for by in schools.values() for s in by})
                        .values_list("id", "authority_id"))
    membership = _membership(run)
    tops: dict[int, dict[Unit, tuple[Top]]] = {}
    cells: Cells = {}
    for year, layers in aggregates.items():
        members: dict[Unit, list[tuple[int, int]]] = defaultdict(list)  # unit -> (cohort size, school)
        for school, total in schools[year].items():
            a = authority_of.get(school)
            if total and a is not None:  # a school deleted since the run: its aggregates fail closed
                for unit in ((c.COHORT_AUTHORITY, a), (c.COHORT_COLLABORATIVE, membership.get(a, -1)),
                             (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID)):
                    members[unit].append((total, school))
        tops[year] = {unit: (largest_kept(found),) for unit, found in members.items()}
        cells[year] = {layer: {unit: (len(members.get(unit, ())), *v[1:]) for unit, v in by.items()}
                       for layer, by in layers.items()}
    nobody = GradedScope(frozenset(), frozenset())
    public = {(year, layer): _decide(units, tops[year], {}, authority_of, membership, nobody)
              for year, layers in cells.items() for layer, units in layers.items()}
    return Table(cells, tops, authority_of, public)


def _membership(run: BenchmarkRun) -> dict[int, int]:
    return {int(a): int(k) for a, k in (run.collaboratives or {}).items()}


def aggregate_table(run: BenchmarkRun, kind: Kind, stage: str, filters: Mapping[str, Any]) -> Table:
    """The run's aggregate counts of one measure, stage and filter (memoised per run, as the patterns are)."""
    frozen = tuple(sorted(filters.items()))
    key = ("local-aggregates", 2, PATTERN_VERSION, kind.name, stage, frozen, *run_key(run))
    return remember(key, lambda: _build(run, kind, stage, frozen))


def prepare_tables(run: BenchmarkRun, stage: str) -> None:
    """Every filter's table of both measures for one stage (on a worker when a run finishes)."""
    for grade in c.GRADE_FILTERS:
        aggregate_table(run, AREAS, stage, {c.GRADE_FILTER: grade})
        for credits in c.MIN_CREDIT_OPTIONS:
            aggregate_table(run, BREADTH, stage, {c.GRADE_FILTER: grade, c.MIN_CREDITS: credits})


def _group_ok(rest: Vector, largest: Any) -> bool:
    limit = disclosure.min_count()
    return rest[0] >= MIN_SCHOOLS and rest[1] - largest(0) >= limit


def _public(vector: Vector) -> tuple[bool, ...]:
    """The counts of a cohort (``vector[1]`` pupils) anyone not entitled to it is not shown."""
    return tuple(disclosure.suppress_at_least(vector[1], vector[2:], Entitlement.PUBLIC))


Counts = dict[Unit, tuple[bool, ...]]  # a shown aggregate -> its counts withheld


def _decide(cells: Mapping[Unit, Vector], tops: Mapping[Unit, tuple[Top]], known: Mapping[int, Vector],
            authority_of: Mapping[int, int], membership: Mapping[int, int], scope: GradedScope,
            public: tuple[frozenset[Unit], Counts] | None = None) -> tuple[frozenset[Unit], Counts]:
    """One year and layer for one viewer: the aggregates shown, and the counts withheld in each.
    With ``public`` (the decisions for a viewer who knows nothing), only the aggregates above the
    viewer's schools and authorities are decided again: every other one is decided as for anyone."""
    preset: dict[Unit, bool] = {}
    if public is not None:
        authorities = {authority_of.get(s) for s in known} | set(scope.authorities)
        mine = ({(c.COHORT_AUTHORITY, a) for a in authorities if a is not None}
                | {(c.COHORT_COLLABORATIVE, membership.get(a, -1)) for a in authorities if a is not None}
                | {(c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID)})
        preset = {unit: unit in public[0] for unit in cells if unit not in mine}
    decision = Decision(cells, tops, known, authority_of, membership, scope, cells.keys(), _group_ok, preset)
    decision.withheld()
    counts: Counts = {}
    for unit in decision.order():
        if unit not in decision.shown:
            continue
        if unit in preset:
            counts[unit] = public[1][unit] if public is not None else ()
            continue
        if unit[0] == c.COHORT_AUTHORITY and unit[1] in scope.authorities:
            counts[unit] = tuple(False for _ in cells[unit][2:])
            continue
        children, covered = decision.parts(unit)
        for child in children:
            covered = add(covered, cells[child])
        withheld = [a or b for a, b in zip(_public(cells[unit]), _public(sub(cells[unit], covered)), strict=True)]
        for child in children:
            withheld = [a or b for a, b in zip(withheld, counts[child], strict=True)]
        counts[unit] = tuple(withheld)
    return frozenset(decision.shown), counts


def shown(run: BenchmarkRun, kind: Kind, stage: str, filters: Mapping[str, Any], *, scope: GradedScope,
          known_rows: Iterable[Mapping[str, Any]], wanted: Iterable[tuple[int, Layer]] | None = None) -> Shown:
    """What of every aggregate of the measure, stage and filter a viewer with ``scope`` is shown,
    in the (year, layer)s ``wanted`` (all by default). ``known_rows``: the stored rows (cohort_id,
    year, layer, n_cohort and the counts) of the schools in ``scope.schools``."""
    table = aggregate_table(run, kind, stage, filters)
    known: dict[int, dict[Layer, dict[int, Vector]]] = defaultdict(lambda: defaultdict(dict))
    for r in known_rows:
        if int(r["cohort_id"]) in scope.schools:
            known[int(r[c.YEAR])][r[kind.layer]][int(r["cohort_id"])] = _vector(
                int(r[c.N_COHORT]), [int(r[col]) for col in kind.counts])
    authority_of = table.authority_of
    extra = {s for by in known.values() for layer in by.values() for s in layer} - authority_of.keys()
    if extra:  # a partner school with no pupils in this run's cohorts: not guessed
        authority_of = {**authority_of, **dict(Establishment.objects.filter(pk__in=extra)
                                               .values_list("id", "authority_id"))}
    membership = _membership(run)
    hidden: set[tuple[int, Unit]] = set()
    counts: dict[tuple[int, Layer, Unit], tuple[bool, ...]] = {}
    pairs = ([(y, layer) for y, layers in table.cells.items() for layer in layers] if wanted is None
             else [(y, layer) for y, layer in set(wanted) if layer in table.cells.get(y, {})])
    for year, layer in pairs:
        cells = table.cells[year][layer]
        public = table.public.get((year, layer))
        if not known[year][layer] and not scope.authorities and public is not None:
            on, withheld = public  # the viewer knows nothing here: as for anyone
        else:
            on, withheld = _decide(cells, table.tops.get(year, {}), known[year][layer], authority_of, membership,
                                   scope, public)
        hidden |= {(year, unit) for unit in cells if unit not in on}
        counts.update({(year, layer, unit): flags for unit, flags in withheld.items()})
    return Shown(frozenset(hidden), counts)


def figures(run: BenchmarkRun, kind: Kind, stage: str, filters: Mapping[str, Any], rows: Iterable[Mapping[str, Any]],
            *, entitlement_of: Callable[[str, int], Entitlement], scope: GradedScope,
            wanted: Collection[tuple[int, Layer]] | None = None) -> dict[tuple[str, int, int, Layer], Distribution]:
    """(cohort, id, year, layer) -> Distribution of every stored row in ``rows`` (schools, their
    virtual comparators and aggregates of the measure, stage and ``filters``, with the rows of the
    schools in ``scope.schools``) as the viewer may see it. A school and its virtual comparator are
    shown whole to viewers entitled to the school (``entitlement_of``) and withheld whole from
    everyone else; an aggregate is shown whole to its own authority's staff and otherwise as
    :func:`shown` decides. With ``wanted``, only the aggregates' (year, layer)s in it are decided
    and returned (a page decides what it shows, not every year and layer of the run)."""
    rows = [r for r in rows if wanted is None or r["cohort"] not in AGGREGATES
            or (int(r[c.YEAR]), r[kind.layer]) in wanted]
    decided = shown(run, kind, stage, filters, scope=scope,
                    known_rows=[r for r in rows if r["cohort"] == c.COHORT_ESTABLISHMENT],
                    wanted={(int(r[c.YEAR]), r[kind.layer]) for r in rows if r["cohort"] in AGGREGATES})
    out = {}
    for r in rows:
        cohort, cid, year, layer = r["cohort"], int(r["cohort_id"]), int(r[c.YEAR]), r[kind.layer]
        total, at_least = int(r[c.N_COHORT]), tuple(int(r[col]) for col in kind.counts)
        if entitlement_of(cohort, cid).unsuppressed:
            hidden, total_hidden = tuple(False for _ in at_least), False
        elif cohort in AGGREGATES and not decided.withholds(year, (cohort, cid)) \
                and (counts := decided.hidden_counts(year, layer, (cohort, cid))) is not None:
            hidden, total_hidden = counts, disclosure.cell(total, total, Entitlement.PUBLIC).suppressed
        else:
            hidden, total_hidden = tuple(True for _ in at_least), True
        out[(cohort, cid, year, layer)] = Distribution(total, at_least, hidden, total_hidden)
    return out
