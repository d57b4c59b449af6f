"""Which authority, collaborative and Scotland graded course figures a viewer may see (issue 12, item 7).

A school's graded course figures (grade bands, passes, the grade difference) are shown only to
viewers entitled to the school (``courses.graded_shown``: its staff, its authority, its learning
partners). An aggregate's graded figures are sums of its presenting schools' counts, so shown as
they are they could give a school's figures away by differencing: an authority where one other
school presented the course, minus the viewer's own school, *is* that school; a collaborative
minus its one shown authority is the rest. So, for each viewer, each course and diet year, the
aggregates are decided bottom up (authorities, then collaboratives, then Scotland; ``remainder.Decision``):

* an aggregate's *covered* part is what the viewer can already take away from it: the largest
  aggregates under it whose graded figures this viewer is shown, and the schools under it whose
  graded figures this viewer is shown (own, partners, schools of the viewer's authority);
* the *remainder* is the rest. The aggregate's graded figures are shown only where its entries
  are shown and the remainder is empty (nothing new) or holds at least three presenting schools
  (two would do against what the viewer sees today; the third keeps a school safe from a viewer
  who also remembers one school they saw before: an ended partnership, a teacher who moved), at
  least five entries besides its largest school's (no school dominates it), and, for the grade
  difference, no entrants compared or at least three schools with some and at least five besides
  the largest school's.

The shown aggregates are nested (schools in authorities in collaboratives in Scotland), so each
one adds exactly its remainder to what the viewer can compute, and every remainder is three or
more schools: no school's graded counts follow from the shown figures of one cohort stage and
year, on any page (the decision depends on the viewer and the unit, never on the page it is read
from). Tested by ``tests/insight/local/test_course_graded_aggregates.py`` against a
linear-algebra attacker. Not covered: relations across cohort stages (a diet's S4 and leaver
cohorts share pupils) and the school's virtual comparator (shown only to viewers entitled to the
school).

The viewer-independent part (every aggregate's counts, how many schools presented, and its
largest schools) is read once per run and stage and kept like the run's patterns. Where it lacks
a course or year the page shows, that aggregate's grades are withheld (it fails closed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from datahub import disclosure
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CourseResult
from .local_pattern import LocalPattern, course_layer
from .pattern import PATTERN_VERSION, remember, run_key
from .remainder import MIN_SCHOOLS, Decision, Top, Unit, Vector, add, largest_kept

# A counts vector: (schools presenting, entries, schools with entrants compared, entrants compared)
ZERO: Vector = (0, 0, 0, 0)
Tops = tuple[Top, Top]  # largest (entries, school), (compared, school)


@dataclass(frozen=True)
class Table:
    """Every aggregate's counts of the stage and its largest schools, and the authority of every
    school that presented."""

    cells: dict[str, dict[int, dict[Unit, Vector]]]  # layer -> year -> unit -> counts
    tops: dict[str, dict[int, dict[Unit, Tops]]]
    authority_of: dict[int, int]


@dataclass(frozen=True)
class GradedScope:
    """What a viewer already sees graded: schools (own and partners) and whole authorities."""

    schools: frozenset[int]
    authorities: frozenset[int]


def _school(entries: int, compared: int) -> Vector:
    return (1, entries, 1 if compared else 0, compared)


def _build(run: BenchmarkRun, stage: str) -> Table:
    """Every aggregate's counts of every course and year of the stage, from its presenting schools'."""
    aggregates: set[tuple[str, int, Unit]] = set()
    schools: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)  # (school, entries, compared)
    rows = (CourseResult.objects.filter(run=run, cohort_stage=stage).exclude(cohort=c.COHORT_VC)
            .values_list("cohort", "cohort_id", c.YEAR, "subject_id", "award_type", "scqf_level", "n_entries",
                         "n_compared"))
    for cohort, cid, year, subject, award, level, entries, compared in rows.iterator(chunk_size=5000):
        layer = course_layer(int(subject), award, int(level))
        if cohort != c.COHORT_ESTABLISHMENT:
            aggregates.add((layer, int(year), (cohort, int(cid))))
        elif entries:
            schools[(layer, int(year))].append((int(cid), int(entries), int(compared)))
    authority_of = dict(Establishment.objects.filter(pk__in={s for found in schools.values() for s, _, _ in found})
                        .values_list("id", "authority_id"))
    membership = {int(a): int(k) for a, k in (run.collaboratives or {}).items()}
    members: dict[tuple[str, int, Unit], list[tuple[int, int, int]]] = defaultdict(list)
    for (layer, year), found in schools.items():
        for school in found:
            a = authority_of[school[0]]
            for unit in ((c.COHORT_AUTHORITY, a), (c.COHORT_COLLABORATIVE, membership.get(a, -1)),
                         (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID)):
                if (layer, year, unit) in aggregates:
                    members[(layer, year, unit)].append(school)
    cells: dict[str, dict[int, dict[Unit, Vector]]] = defaultdict(lambda: defaultdict(dict))
    tops: dict[str, dict[int, dict[Unit, Tops]]] = defaultdict(lambda: defaultdict(dict))
    for layer, year, unit in aggregates:
        found = members.get((layer, year, unit), [])
        total = ZERO
        for _, entries, compared in found:
            total = add(total, _school(entries, compared))
        cells[layer][year][unit] = total
        tops[layer][year][unit] = (largest_kept([(e, s) for s, e, _ in found]),
                                   largest_kept([(k, s) for s, _, k in found]))
    return Table({x: dict(by) for x, by in cells.items()}, {x: dict(by) for x, by in tops.items()}, authority_of)


def aggregate_table(run: BenchmarkRun, stage: str) -> Table:
    """The run's aggregate course counts of one stage (memoised per run, as the patterns are)."""
    key = ("course-graded", 2, PATTERN_VERSION, stage, *run_key(run))
    return remember(key, lambda: _build(run, stage))


def remainder_ok(rest: Vector, largest_entries: int, largest_compared: int) -> bool:
    """Whether a remainder (schools, entries, schools compared, compared), whose largest school has
    ``largest_entries`` entries and ``largest_compared`` entrants compared (or at most so), may be
    shown as part of an aggregate."""
    schools, entries, schools_compared, compared = rest
    if schools == 0:
        return entries == 0 and compared == 0
    limit = disclosure.min_count()
    return (schools >= MIN_SCHOOLS and entries - largest_entries >= limit
            and (compared == 0 or (schools_compared >= MIN_SCHOOLS and compared - largest_compared >= limit)))


def withheld(run: BenchmarkRun, stage: str, *, subject_id: int, award_type: str, scqf_level: int,
             scope: GradedScope, pattern: LocalPattern, rows: Iterable[Mapping]) -> set[tuple[str, int, int]]:
    """(cohort, id, year) of every authority, collaborative and Scotland whose graded figures of this
    course the viewer is not shown (beyond those whose entries are withheld). ``rows``: the course's
    stored rows (``CourseResult`` values) the page shows, and those of every school in ``scope``."""
    layer = course_layer(subject_id, award_type, scqf_level)
    table = aggregate_table(run, stage)
    years = table.cells.get(layer, {})
    rows = list(rows)
    mine = [r for r in rows
            if r["cohort"] == c.COHORT_ESTABLISHMENT and int(r["cohort_id"]) in scope.schools and r["n_entries"]]
    authority_of = table.authority_of
    if any(int(r["cohort_id"]) not in authority_of for r in mine):  # never for the run's own rows; not guessed
        authority_of = {**authority_of, **dict(Establishment.objects.filter(
            pk__in={int(r["cohort_id"]) for r in mine}).values_list("id", "authority_id"))}
    known: dict[int, dict[int, Vector]] = defaultdict(dict)  # year -> school -> counts
    for r in mine:
        known[int(r[c.YEAR])][int(r["cohort_id"])] = _school(int(r["n_entries"]), int(r["n_compared"]))
    membership = {int(a): int(k) for a, k in (run.collaboratives or {}).items()}
    hidden: set[tuple[str, int, int]] = set()
    for year, cells in years.items():
        with_entries = {unit for unit, counts in cells.items()
                        if _entries_shown(unit, counts, year, layer, scope, pattern)}
        decision = Decision(cells, table.tops.get(layer, {}).get(year, {}), known[year], authority_of, membership,
                            scope, with_entries, lambda rest, largest: remainder_ok(rest, largest(0), largest(1)))
        hidden |= {(cohort, uid, year) for cohort, uid in decision.withheld()}
    for r in rows:  # fails closed: an aggregate the table does not hold is withheld
        unit = (r["cohort"], int(r["cohort_id"]))
        if unit[0] in (c.COHORT_AUTHORITY, c.COHORT_COLLABORATIVE, c.COHORT_NATIONAL) \
                and unit not in years.get(int(r[c.YEAR]), {}):
            hidden.add((unit[0], unit[1], int(r[c.YEAR])))
    return hidden


def _entries_shown(unit: Unit, counts: Vector, year: int, layer: str, scope: GradedScope,
                   pattern: LocalPattern) -> bool:
    if unit[0] == c.COHORT_AUTHORITY and unit[1] in scope.authorities:
        return True
    return not pattern.withholds(unit[0], unit[1], year, layer, counts[1])
