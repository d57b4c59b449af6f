"""Reads that compare two runs: the checks before publishing a run, and what changed for a school
or an authority between the published run and the one before it.

A figure "moved beyond its VC interval" when the change is larger than the spread of the
school's virtual comparator over the run's draws (p95 - p05 of the same measure, same year): a
move the comparator's own randomness does not explain. Runs of a single draw have no interval,
so nothing is highlighted for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q, Sum

from datahub.models import Establishment, LocalAuthority

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CohortResult, RelaxationCount, VCInterval
from .pattern import public_pattern

# The figures compared between runs: the headline averages and percentages a dashboard leads with.
COMPARED = (
    (c.AVG_TOTAL_TARIFF, "Average total tariff"),
    (c.pct_lit_num(5), "Literacy and numeracy at SCQF 5"),
    (c.PCT_INITIAL_POSITIVE, "Positive initial destination (%)"),
)
TOP = 10
# The counts a figure rests on (the pattern's layers), as the checks table names them.
LAYER_LABELS = {
    c.N_LEAVERS: "Leavers",
    c.N_INITIAL_KNOWN: "Leavers with a known initial destination",
    c.N_FOLLOWUP_KNOWN: "Leavers with a known follow-up destination",
    c.N_SUSTAINED_KNOWN: "Leavers with a known sustained destination",
}


@dataclass
class Relaxed:
    establishment: Establishment
    leavers: int
    relaxed: int
    unmatched: int

    @property
    def share(self) -> float:
        return (self.relaxed + self.unmatched) / self.leavers if self.leavers else 0.0


@dataclass
class Moved:
    establishment: Establishment
    year: int
    before: float
    after: float
    why: str

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass
class RunChecks:
    run: BenchmarkRun
    against: BenchmarkRun | None
    relaxed: list[Relaxed] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    missing: list[Establishment] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)
    suppressed_before: dict[str, int] = field(default_factory=dict)
    scoped: bool = False  # an authority reader's checks: their schools only


def _school_rows(run: BenchmarkRun, measure: str, *, ids: set[int] | None = None) -> dict[tuple[int, int], tuple]:
    qs = CohortResult.objects.filter(run=run, cohort=c.COHORT_ESTABLISHMENT, breakdown="")
    if ids is not None:
        qs = qs.filter(cohort_id__in=ids)
    return {(r[0], r[1]): (r[2], r[3]) for r in qs.values_list("cohort_id", c.YEAR, c.N_LEAVERS, measure)}


def _why(run: BenchmarkRun, against: BenchmarkRun, n_before: int, n_after: int) -> str:
    if run.tariff_scale_id != against.tariff_scale_id or run.engine_version != against.engine_version:
        return "method change (tariff scale or engine)"
    if n_before != n_after:
        return "new or corrected leavers"
    if run.seed != against.seed or run.draws != against.draws:
        return "comparator drawn again (seed or draws)"
    return "corrected results or destinations"


def _suppressed(run: BenchmarkRun) -> dict[str, int]:
    pattern = public_pattern(run)
    hidden = pattern.hidden
    order = [*LAYER_LABELS, *sorted(set(hidden) - set(LAYER_LABELS))]
    return {LAYER_LABELS.get(layer, layer): len(hidden[layer]) for layer in order if layer in hidden}


def run_checks(run: BenchmarkRun, *, authority_ids: set[int] | frozenset[int] | None = None) -> RunChecks:
    """Everything a national data manager reads before publishing ``run``.

    ``authority_ids``: an authority reader's checks, the schools of these authorities only (their
    own top ten, not the part of Scotland's top ten that happens to be theirs).
    """
    against = BenchmarkRun.objects.published()
    if against is not None and against.pk == run.pk:
        against = BenchmarkRun.objects.published_before(run)
    out = RunChecks(run, against, scoped=authority_ids is not None)
    ids = None if authority_ids is None else set(
        Establishment.objects.filter(authority_id__in=authority_ids).values_list("id", flat=True))

    relax = (
        RelaxationCount.objects.filter(run=run, **({} if ids is None else {"establishment_id__in": ids}))
        .values("establishment_id")
        .annotate(exact=Sum(c.N_EXACT), q=Sum(c.N_RELAXED_QUINTILE), asn=Sum(c.N_RELAXED_NO_ASN), un=Sum(c.N_UNMATCHED))
    )
    rows = [
        (r["establishment_id"], r["exact"] + r["q"] + r["asn"] + r["un"], r["q"] + r["asn"], r["un"]) for r in relax
    ]
    rows = sorted((r for r in rows if r[2] + r[3]), key=lambda r: (-(r[2] + r[3]) / max(r[1], 1), r[0]))[:TOP]
    schools = Establishment.objects.in_bulk([r[0] for r in rows])
    out.relaxed = [Relaxed(schools[i], n, rel, un) for i, n, rel, un in rows if i in schools]

    out.suppressed = _suppressed(run)
    if against is None:
        return out
    out.suppressed_before = _suppressed(against)
    after = _school_rows(run, c.AVG_TOTAL_TARIFF, ids=ids)
    before = _school_rows(against, c.AVG_TOTAL_TARIFF, ids=ids)
    moves = []
    for key, (n_after, v_after) in after.items():
        if key in before and v_after is not None and before[key][1] is not None:
            moves.append((abs(v_after - before[key][1]), key, before[key], (n_after, v_after)))
    moves.sort(key=lambda m: (-m[0], m[1]))
    top = [m for m in moves if m[0] > 0][:TOP]
    schools = Establishment.objects.in_bulk([m[1][0] for m in top])
    out.moved = [Moved(schools[k[0]], k[1], b[1], a[1], _why(run, against, b[0], a[0])) for _, k, b, a in top]
    missing_ids = {k[0] for k in before if k[1] in run.years} - {k[0] for k in after}
    out.missing = list(Establishment.objects.filter(id__in=missing_ids).order_by("name"))
    return out


@dataclass
class Change:
    label: str
    year: int
    before: float | None
    after: float | None
    interval: float | None  # p95 - p05 of the VC figure in the newer run, when it has draws

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def beyond_interval(self) -> bool:
        return self.change is not None and self.interval is not None and abs(self.change) > self.interval


@dataclass
class Changes:
    run: BenchmarkRun
    previous: BenchmarkRun
    rows: list[Change]
    schools: list[tuple[Establishment, Change]] = field(default_factory=list)

    @property
    def highlighted(self) -> int:
        return sum(ch.beyond_interval for ch in self.rows) + sum(ch.beyond_interval for _, ch in self.schools)


def _intervals(run: BenchmarkRun, ids: set[int], measures: list[str]) -> dict[tuple[int, int, str], float]:
    qs = (
        VCInterval.objects.filter(run=run, establishment_id__in=ids, source="vc", measure__in=measures)
        .filter(~Q(p05=None), ~Q(p95=None))
        .annotate(width=F("p95") - F("p05"))
    )
    return {(r[0], r[1], r[2]): r[3] for r in qs.values_list("establishment_id", c.YEAR, "measure", "width")}


def establishment_changes(run: BenchmarkRun, est: Establishment) -> Changes | None:
    """The school's headline figures in ``run`` against the published run before it (latest years)."""
    previous = BenchmarkRun.objects.published_before(run)
    if previous is None:
        return None
    measures = [m for m, _ in COMPARED]
    years = sorted(set(run.years) & set(previous.years))[-2:]
    qs = CohortResult.objects.filter(cohort=c.COHORT_ESTABLISHMENT, cohort_id=est.pk, breakdown="", year__in=years)
    now = {r[c.YEAR]: r for r in qs.filter(run=run).values(c.YEAR, *measures)}
    then = {r[c.YEAR]: r for r in qs.filter(run=previous).values(c.YEAR, *measures)}
    widths = _intervals(run, {est.pk}, measures)
    rows = [
        Change(label, y, then.get(y, {}).get(m), now.get(y, {}).get(m), widths.get((est.pk, y, m)))
        for y in years
        for m, label in COMPARED
    ]
    return Changes(run, previous, [r for r in rows if r.before is not None or r.after is not None])


def authority_changes(run: BenchmarkRun, authority: LocalAuthority) -> Changes | None:
    """The authority's average total tariff in the latest shared year, and each of its schools'."""
    previous = BenchmarkRun.objects.published_before(run)
    if previous is None:
        return None
    shared = sorted(set(run.years) & set(previous.years))
    if not shared:
        return Changes(run, previous, [])
    year, m = shared[-1], c.AVG_TOTAL_TARIFF
    base = CohortResult.objects.filter(year=year, breakdown="")
    own = base.filter(cohort=c.COHORT_AUTHORITY, cohort_id=authority.pk)
    now_a = own.filter(run=run).values_list(m, flat=True).first()
    then_a = own.filter(run=previous).values_list(m, flat=True).first()
    schools = {e.pk: e for e in Establishment.objects.filter(authority=authority)}
    ids = set(schools)
    now = dict(base.filter(run=run, cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=ids).values_list("cohort_id", m))
    then = dict(base.filter(run=previous, cohort=c.COHORT_ESTABLISHMENT, cohort_id__in=ids).values_list("cohort_id", m))
    widths = _intervals(run, ids, [m])
    per_school = [
        (schools[i], Change("Average total tariff", year, then.get(i), now.get(i), widths.get((i, year, m))))
        for i in sorted(set(now) | set(then), key=lambda i: schools[i].name)
    ]
    return Changes(run, previous, [Change("Average total tariff", year, then_a, now_a, None)], per_school)
