"""Which authority, collaborative and Scotland graded course figures a viewer may see (issue 12, item 7).

A school's graded course figures (grade bands, passes, the grade difference) are shown only to
viewers entitled to the school (``courses.graded_shown``: its staff, its authority, its learning
partners). An aggregate's graded figures are sums of its presenting schools' counts, so shown as
they are they could give a school's figures away by differencing: an authority where one other
school presented the course, minus the viewer's own school, *is* that school; a collaborative
minus its one shown authority is the rest. So, for each viewer, each course and diet year, the
aggregates are decided bottom up (authorities, then collaboratives, then Scotland):

* an aggregate's *covered* part is what the viewer can already take away from it: the largest
  aggregates under it whose graded figures this viewer is shown, and the schools under it whose
  graded figures this viewer is shown (own, partners, schools of the viewer's authority);
* the *remainder* is the rest. The aggregate's graded figures are shown only where its entries
  are shown and the remainder is empty (nothing new) or has at least two presenting schools, at
  least five entries (``disclosure.min_count``), every grade band strictly between none and all of
  its entries (no "every one of them passed" or "none got an A" about the rest), and no entrants
  compared or at least five (the grade difference).

The shown aggregates are nested (schools in authorities in collaboratives in Scotland), so each
one adds exactly its remainder to what the viewer can compute, and every remainder is two or more
schools: no single school's graded counts follow from any combination of shown figures, on any
page (the decision depends on the viewer and the unit, never on the page it is read from). Tested
by ``tests/insight/local/test_course_graded_aggregates.py`` against a linear-algebra attacker.

The viewer-independent part (every aggregate's counts and how many schools presented, per course
and year) is read once per run and stage and kept like the run's patterns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from datahub import disclosure
from datahub.models import Establishment

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CourseResult
from .local_pattern import LocalPattern, course_layer
from .pattern import LEVEL, PATTERN_VERSION, remember, run_key

# (schools presenting, entries, A, A-B, A-C, A-D, pass, compared)
COUNTS = ("n_entries", "n_a", "n_ab", "n_ac", "n_ad", "n_pass", "n_compared")
_GRADED_BANDS = (2, 3, 4, 5)  # positions of A, A-B, A-C, A-D in a counts vector
_PASS_BAND = (6,)
Vector = tuple[int, ...]
Unit = tuple[str, int]  # (cohort, id) of an authority, collaborative or Scotland
Cells = dict[str, dict[int, dict[Unit, Vector]]]  # layer -> year -> unit -> counts


@dataclass(frozen=True)
class Table:
    """Every aggregate's counts of the stage, and the authority of every school that presented."""

    cells: Cells
    authority_of: dict[int, int]


@dataclass(frozen=True)
class GradedScope:
    """What a viewer already sees graded: schools (own and partners) and whole authorities."""

    schools: frozenset[int]
    authorities: frozenset[int]


def _add(a: Vector, b: Vector) -> Vector:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a: Vector, b: Vector) -> Vector:
    return tuple(x - y for x, y in zip(a, b, strict=True))


ZERO: Vector = (0,) * (1 + len(COUNTS))


def _build(run: BenchmarkRun, stage: str) -> Table:
    """Every aggregate's counts of every course and year of the stage, each with its presenting schools."""
    table: dict[str, dict[int, dict[Unit, Vector]]] = defaultdict(lambda: defaultdict(dict))
    presenting: dict[tuple[str, int], list[int]] = defaultdict(list)
    rows = (CourseResult.objects.filter(run=run, cohort_stage=stage).exclude(cohort=c.COHORT_VC)
            .values_list("cohort", "cohort_id", c.YEAR, "subject_id", "award_type", "scqf_level", *COUNTS))
    for cohort, cid, year, subject, award, level, *counts in rows.iterator(chunk_size=5000):
        layer = course_layer(int(subject), award, int(level))
        if cohort == c.COHORT_ESTABLISHMENT:
            if counts[0]:
                presenting[(layer, int(year))].append(int(cid))
        else:
            table[layer][int(year)][(cohort, int(cid))] = (0, *map(int, counts))
    authority_of = dict(Establishment.objects.filter(pk__in={e for ids in presenting.values() for e in ids})
                        .values_list("id", "authority_id"))
    membership = {int(a): int(k) for a, k in (run.collaboratives or {}).items()}
    for (layer, year), ids in presenting.items():
        cells = table[layer][year]
        for e in ids:
            a = authority_of[e]
            for unit in ((c.COHORT_AUTHORITY, a), (c.COHORT_COLLABORATIVE, membership.get(a, -1)),
                         (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID)):
                if unit in cells:
                    cells[unit] = (cells[unit][0] + 1, *cells[unit][1:])
    return Table({layer: {year: dict(cells) for year, cells in years.items()} for layer, years in table.items()},
                 authority_of)


def aggregate_table(run: BenchmarkRun, stage: str) -> Table:
    """The run's aggregate course counts of one stage (memoised per run, as the patterns are)."""
    key = ("course-graded", PATTERN_VERSION, stage, *run_key(run))
    return remember(key, lambda: _build(run, stage))


def remainder_ok(rest: Vector, *, graded: bool) -> bool:
    """Whether a remainder (schools, entries, bands..., compared) may be shown as part of an aggregate."""
    schools, entries = rest[0], rest[1]
    if schools == 0:
        return True
    limit = disclosure.min_count()
    bands = _GRADED_BANDS if graded else _PASS_BAND
    return (schools >= 2 and entries >= limit and all(0 < rest[i] < entries for i in bands)
            and (rest[7] == 0 or rest[7] >= limit))


def withheld(run: BenchmarkRun, stage: str, *, subject_id: int, award_type: str, scqf_level: int, graded: bool,
             scope: GradedScope, pattern: LocalPattern, school_rows: Iterable[Mapping]) -> set[tuple[str, int, int]]:
    """(cohort, id, year) of every authority, collaborative and Scotland whose graded figures of this
    course the viewer is not shown (beyond those whose entries are withheld). ``school_rows``: the
    course's stored rows (``CourseResult`` values) of at least the schools in ``scope``."""
    layer = course_layer(subject_id, award_type, scqf_level)
    table = aggregate_table(run, stage)
    years = table.cells.get(layer, {})
    if not years:
        return set()
    mine = [r for r in school_rows
            if r["cohort"] == c.COHORT_ESTABLISHMENT and int(r["cohort_id"]) in scope.schools and r["n_entries"]]
    authority_of = table.authority_of
    if any(int(r["cohort_id"]) not in authority_of for r in mine):  # never for the run's own rows; not guessed
        authority_of = {**authority_of, **dict(Establishment.objects.filter(
            pk__in={int(r["cohort_id"]) for r in mine}).values_list("id", "authority_id"))}
    known: dict[int, list[tuple[int, Vector]]] = defaultdict(list)  # year -> (authority, counts)
    for r in mine:
        sid = int(r["cohort_id"])
        authority = authority_of[sid]
        if authority not in scope.authorities:  # a whole authority the viewer sees is covered as one
            known[int(r[c.YEAR])].append((authority, (1, *(int(r[k]) for k in COUNTS))))
    membership = {int(a): int(k) for a, k in (run.collaboratives or {}).items()}
    hidden: set[tuple[str, int, int]] = set()
    for year, cells in years.items():
        with_entries = {unit for unit, counts in cells.items()
                        if _entries_shown(unit, counts, year, layer, scope, pattern)}
        hidden |= _decide(year, cells, known[year], membership, scope.authorities, graded, with_entries)
    return hidden


def _entries_shown(unit: Unit, counts: Vector, year: int, layer: str, scope: GradedScope,
                   pattern: LocalPattern) -> bool:
    if unit[0] == c.COHORT_AUTHORITY and unit[1] in scope.authorities:
        return True
    n = counts[1]
    return not (0 < n < disclosure.min_count()) and not pattern.hides(LEVEL[unit[0]], unit[1], year, layer)


def _decide(year: int, cells: Mapping[Unit, Vector], known: list[tuple[int, Vector]], membership: Mapping[int, int],
            own_authorities: frozenset[int], graded: bool, with_entries: set[Unit]) -> set[tuple[str, int, int]]:
    """One course and year: the aggregates to withhold, authorities first (``known``: the viewer's
    schools outside their own authorities, as (authority, counts); ``with_entries``: the aggregates
    whose entries the viewer is shown)."""
    hidden: set[tuple[str, int, int]] = set()
    shown: set[Unit] = set()

    def judge(unit: Unit, covered: Vector) -> None:
        entitled = unit[0] == c.COHORT_AUTHORITY and unit[1] in own_authorities
        ok = unit in with_entries and (entitled or remainder_ok(_sub(cells[unit], covered), graded=graded))
        if ok:
            shown.add(unit)
        else:
            hidden.add((unit[0], unit[1], year))

    def known_in(authorities: Collection[int]) -> Vector:
        total = ZERO
        for authority, counts in known:
            if authority in authorities:
                total = _add(total, counts)
        return total

    for unit in sorted(u for u in cells if u[0] == c.COHORT_AUTHORITY):
        judge(unit, known_in({unit[1]}))
    shown_authorities = {u[1] for u in shown}

    def covered_by_authorities(authorities: set[int]) -> Vector:
        """Of ``authorities``: the shown ones, and the known schools of those not shown."""
        total = known_in(authorities - shown_authorities)
        for a in authorities & shown_authorities:
            total = _add(total, cells[(c.COHORT_AUTHORITY, a)])
        return total

    every = {a for a, _ in known} | {u[1] for u in cells if u[0] == c.COHORT_AUTHORITY}
    for unit in sorted(u for u in cells if u[0] == c.COHORT_COLLABORATIVE):
        judge(unit, covered_by_authorities({a for a in every if membership.get(a) == unit[1]}))
    shown_collaboratives = {u[1] for u in shown if u[0] == c.COHORT_COLLABORATIVE}
    national = (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID)
    if national in cells:
        covered = covered_by_authorities({a for a in every if membership.get(a) not in shown_collaboratives})
        for k in shown_collaboratives:
            covered = _add(covered, cells[(c.COHORT_COLLABORATIVE, k)])
        judge(national, covered)
    return hidden
