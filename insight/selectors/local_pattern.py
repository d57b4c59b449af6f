"""The public suppression pattern of the Course Comparator's entries (issue 12, item 7), as the
national measures' pattern (``pattern.py``) does it for leavers.

One hierarchy per diet year and cohort stage: schools in authorities in their Regional
Improvement Collaboratives (the run's membership) in Scotland, as the national measures'. Each
course (subject, award type, SCQF level) is one *layer* of ``datahub.disclosure.protect_layers``:
its entries at every school, authority, collaborative and Scotland, which add up the hierarchy
(an authority's entries are its schools'). So an authority's (a collaborative's, Scotland's)
entries minus its other schools' shown entries never give a withheld school's entries, even to
the staff of one of those schools (insiders, as for the national measures).

The courses have no order between them (a pupil sits several; no total over courses is shown),
so each layer moves alone. Graded figures are not in the pattern: a school's are shown only to
viewers entitled to it (``courses.graded_shown``), an authority's and Scotland's are withheld
with their entries and, per viewer, wherever they would give a school's away (``course_graded``).

Breadth and Depth and curricular areas are not in it yet: their counts are ordered against each
other (k, level, grade filter, credit minimum), and docs/methodology.md section 17 ("Disclosure")
records why neither way tried here was good enough.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from datahub import disclosure

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CourseResult
from .pattern import LEVEL, PATTERN_VERSION, establishment_tiers, hierarchies, remember, run_key

# A hidden cell: (level, unit id, year, layer); level as in ``pattern.LEVEL`` ("E" for a school and its VC).
LocalKey = tuple[str, int, int, str]
Flat = dict[tuple[str, int, int], dict[str, int]]  # (level, id, year) -> layer -> count


def course_layer(subject_id: int, award_type: str, level: int) -> str:
    return f"course {subject_id} {award_type} {level}"


@dataclass(frozen=True)
class LocalPattern:
    """The course entries hidden from viewers without entitlement, for one cohort stage."""

    hidden: frozenset  # LocalKey

    def hides(self, level: str, uid: int, year: int, layer: str) -> bool:
        return (level, uid, year, layer) in self.hidden

    def withholds(self, cohort: str, uid: int, year: int, layer: str, entries: int) -> bool:
        """Whether ``entries`` of a course at (cohort, id, year) are withheld from a viewer not
        entitled to them: 1 to 4 (the small-number rule), or the pattern hides them."""
        return 0 < entries < disclosure.min_count() or self.hides(LEVEL[cohort], uid, year, layer)


def course_counts(run: BenchmarkRun, stage: str) -> Flat:
    """Entries of every course of the stage at every school, authority, collaborative and Scotland."""
    out: Flat = defaultdict(dict)
    rows = (CourseResult.objects.filter(run=run, cohort_stage=stage).exclude(cohort=c.COHORT_VC)
            .values_list("cohort", "cohort_id", c.YEAR, "subject_id", "award_type", "scqf_level", "n_entries"))
    for cohort, cid, year, subject, award, level, n in rows.iterator(chunk_size=5000):
        out[(LEVEL[cohort], int(cid), int(year))][course_layer(int(subject), award, int(level))] = int(n)
    return out


def protect_flat(flat: Flat, establishment_authority: dict[int, int], authority_collaborative: Mapping[int, int],
                 tier: Callable[[tuple], int]) -> set[LocalKey]:
    """``disclosure.protect_layers`` over every year of ``flat``, each layer alone: the hidden
    (level, id, year, layer)."""
    units: dict[tuple[str, int, int, str, str], int] = {(lv, uid, year, "", ""): 0 for lv, uid, year in flat}
    by_year: dict[int, dict[str, dict[tuple, int]]] = defaultdict(lambda: defaultdict(dict))
    for (lv, uid, year), cells in flat.items():
        for x, v in cells.items():
            by_year[year][x][((lv, uid), "", "")] = v
    hidden: set[LocalKey] = set()
    for year, h in sorted(hierarchies(units, establishment_authority, {}, authority_collaborative).items()):
        counts = dict(sorted(by_year[year].items()))
        layered = disclosure.Layers(counts=counts, protected=list(counts))
        for x, keys in disclosure.protect_layers(h, layered, tier=lambda k: tier(k[0])).items():
            hidden.update((unit[0], unit[1], year, x) for unit, _, _ in keys)
    return hidden


def _build(run: BenchmarkRun, stage: str) -> LocalPattern:
    flat = course_counts(run, stage)
    est_authority, tier = establishment_tiers({uid for level, uid, _ in flat if level == "E"})
    membership = {int(a): int(k) for a, k in (run.collaboratives or {}).items()}
    return LocalPattern(frozenset(protect_flat(flat, est_authority, membership, tier)))


def local_pattern(run: BenchmarkRun, stage: str) -> LocalPattern:
    """The course entries' public pattern of one cohort stage of the run (memoised per run)."""
    key = ("local-pattern", PATTERN_VERSION, disclosure.min_count(), stage, *run_key(run))
    return remember(key, lambda: _build(run, stage))
