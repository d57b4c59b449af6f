"""Reads of stored benchmark results for the dashboards, with disclosure control applied.

Pages read the latest successful run. Every figure leaves this module as a
``datahub.disclosure.Cell`` for one viewer: unsuppressed for viewers entitled to the school or
authority (own school, own authority, learning partner), otherwise under the run's *public
pattern*.

The public pattern (``public_pattern``) is computed once per run over every cohort the run
stores (schools, authorities, Scotland), every breakdown and every count a figure is built on,
with the relations that tie them together (a school's total = its groups; an authority = its
schools; Scotland = its authorities; SIMD quintile = its two deciles). So a cell is hidden on
every page and in every export alike, and no hidden cell can be worked out from visible ones
(``datahub.disclosure.protect``). The pattern depends only on the run's stored results, so every
web process computes the same one; it is kept in memory and in the shared cache.

Layers: a figure is hidden when its cell is hidden in the ``n_leavers`` layer or in the layer of
the count it is built on (percentages of known destinations are built on ``n_initial_known``...).
The averages of the attainment groups (lowest 20%, middle 60%, highest 20%) are built on group
sizes that do not add up across cells, so they get primary suppression on their own size, and
the middle 60% is hidden with the other two when those cover fewer than 5 young people together
(otherwise the total average would give away the average of the lowest and highest together).
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from django.core.cache import cache
from django.db.models import Count, F, Max, Q

from datahub import disclosure
from datahub.access import Entitlement, authority_entitlement, entitlement_for
from datahub.disclosure import Cell
from datahub.models import AwardType, Establishment, EstablishmentType, LocalAuthority, SchoolLeaver
from datahub.models import QualificationResult as Result
from partnerships.selectors import partner_establishment_ids

from .benchmarking import columns as c
from .entitlement import own_establishment_ids
from .models import BenchmarkRun, CohortResult, DeprivationResult, VCInterval

# --- What the dashboards show ---------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One figure of the national measures, and the count it is built on."""

    key: str
    label: str  # full name, for headings and captions
    short: str  # for column headings and menus
    kind: str  # "tariff" (average points) or "pct" (percentage)
    base: str  # the count the figure is built on (primary suppression)
    layer: str  # the additive count whose pattern hides it (secondary suppression)
    vc_aggregable: bool  # an authority's VC can be aggregated from its schools' VCs


MEASURES: Final[dict[str, Measure]] = {
    m.key: m
    for m in (
        Measure(c.AVG_TOTAL_TARIFF, "Average total tariff points", "Average total tariff", "tariff",
                c.N_LEAVERS, c.N_LEAVERS, True),
        Measure(c.avg_tariff(c.LOWEST20), "Average total tariff of the lowest attaining 20%", "Lowest 20%",
                "tariff", c.n_group(c.LOWEST20), c.N_LEAVERS, False),
        Measure(c.avg_tariff(c.MIDDLE60), "Average total tariff of the middle attaining 60%", "Middle 60%",
                "tariff", c.n_group(c.MIDDLE60), c.N_LEAVERS, False),
        Measure(c.avg_tariff(c.HIGHEST20), "Average total tariff of the highest attaining 20%", "Highest 20%",
                "tariff", c.n_group(c.HIGHEST20), c.N_LEAVERS, False),
        *(
            Measure(c.pct_lit_num(level), f"Leavers with literacy and numeracy at SCQF level {level} or better",
                    f"Literacy and numeracy, level {level}", "pct", c.N_LEAVERS, c.N_LEAVERS, True)
            for level in c.LIT_NUM_LEVELS
        ),
        Measure(c.PCT_INITIAL_POSITIVE, "Leavers in a positive initial destination", "Positive initial destination",
                "pct", c.N_INITIAL_KNOWN, c.N_INITIAL_KNOWN, True),
        Measure(c.PCT_FOLLOWUP_POSITIVE, "Leavers in a positive follow-up destination",
                "Positive follow-up destination", "pct", c.N_FOLLOWUP_KNOWN, c.N_FOLLOWUP_KNOWN, True),
        Measure(c.PCT_SUSTAINED_POSITIVE, "Leavers positive at both initial and follow-up (sustained)",
                "Sustained positive destination", "pct", c.N_SUSTAINED_KNOWN, c.N_SUSTAINED_KNOWN, True),
    )
}

# The headline panels of the dashboards: the four national measures (deprivation is its own panel).
PANELS: Final = (
    ("attainment", "Improving attainment for all",
     (c.avg_tariff(c.LOWEST20), c.avg_tariff(c.MIDDLE60), c.avg_tariff(c.HIGHEST20))),
    ("literacy-numeracy", "Literacy and numeracy", (c.pct_lit_num(4), c.pct_lit_num(5))),
    ("destinations", "Leavers' destinations",
     (c.PCT_INITIAL_POSITIVE, c.PCT_FOLLOWUP_POSITIVE, c.PCT_SUSTAINED_POSITIVE)),
)
HEADLINE_MEASURES: Final = tuple(m for _, _, ms in PANELS for m in ms)
# Measures the overview tables (authority's schools, Scotland's authorities) can show.
TABLE_MEASURES: Final = (c.avg_tariff(c.LOWEST20), c.avg_tariff(c.MIDDLE60), c.avg_tariff(c.HIGHEST20),
                         c.pct_lit_num(4), c.pct_lit_num(5), c.PCT_INITIAL_POSITIVE, c.PCT_FOLLOWUP_POSITIVE,
                         c.PCT_SUSTAINED_POSITIVE, c.AVG_TOTAL_TARIFF)
LAYERS: Final = (c.N_LEAVERS, c.N_INITIAL_KNOWN, c.N_FOLLOWUP_KNOWN, c.N_SUSTAINED_KNOWN)
ATTAINMENT_BASES: Final = tuple(c.n_group(g) for g in c.ATTAINMENT_GROUPS)
DECILE: Final = "simd_decile"
STAGE_LABELS: Final = {"4": "S4", "5": "S5", "6": "S6", "S4": "S4", "S5": "S5", "S6": "S6"}


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    values: tuple[tuple[str, str], ...]  # (stored value, label), in display order
    measures: tuple[str, ...]  # which figures exist for it

    @property
    def phrase(self) -> str:
        """The label inside a sentence ("by SIMD quintile", "by care experience")."""
        return self.label if self.label.startswith("SIMD") else self.label.lower()


_ALL = tuple(MEASURES)
BREAKDOWNS: Final[dict[str, Breakdown]] = {
    b.key: b
    for b in (
        Breakdown(c.SEX, "Sex", (("F", "Female"), ("M", "Male")), _ALL),
        Breakdown(c.SIMD_QUINTILE, "SIMD quintile",
                  tuple((str(q), f"SIMD quintile {q}" + {1: " (most deprived 20%)", 5: " (least deprived 20%)"}.get(q, ""))
                        for q in range(1, 6)), _ALL),
        Breakdown(DECILE, "SIMD decile",
                  tuple((str(d), f"SIMD decile {d}" + {1: " (most deprived 10%)", 10: " (least deprived 10%)"}.get(d, ""))
                        for d in range(1, 11)), (c.AVG_TOTAL_TARIFF,)),
        Breakdown(c.ASN, "Additional support needs",
                  (("yes", "With additional support needs"), ("no", "No additional support needs")), _ALL),
        Breakdown(c.CARE_EXPERIENCED, "Care experience", (("yes", "Care experienced"), ("no", "Not care experienced")),
                  _ALL),
        # Stage of leaving appears once the engine stores it as a breakdown dimension (c.STAGE).
        Breakdown(c.STAGE, "Stage of leaving", (("4", "Left in S4"), ("5", "Left in S5"), ("6", "Left in S6")), _ALL),
    )
}

VOCATIONAL: Final = (
    (AwardType.FOUNDATION_APPRENTICESHIP.value, "Foundation Apprenticeship"),
    (AwardType.NPA.value, "National Progression Award"),
    (AwardType.SKILLS_FOR_WORK.value, "Skills for Work"),
)
VOCATIONAL_ANY: Final = "any"


def year_label(year: int) -> str:
    """Leaver year 2024 is the 2023/24 leavers."""
    return f"{year - 1}/{str(year)[2:]}"


def latest_run() -> BenchmarkRun | None:
    return BenchmarkRun.objects.latest_successful()


# --- Memory of per-run computations -----------------------------------------------------------

PATTERN_VERSION: Final = 1
_MEMO: dict[tuple, Any] = {}
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE: Final = 8
CACHE_SECONDS: Final = 7 * 24 * 3600


def _run_key(run: BenchmarkRun) -> tuple:
    # Ids can be reused by a test database; the finishing time cannot.
    return (run.pk, run.finished_at.isoformat() if run.finished_at else "", run.input_hash)


def _remember(key: tuple, build: Callable[[], Any]) -> Any:
    """Per-process memory in front of the shared cache in front of ``build``."""
    with _MEMO_LOCK:
        if key in _MEMO:
            return _MEMO[key]
    cache_key = f"insight:{key[0]}:" + hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, CACHE_SECONDS)
    with _MEMO_LOCK:
        while len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = value
    return value


def forget_computed() -> None:
    """Drop the in-process memory (tests; the shared cache keys carry the run's identity)."""
    with _MEMO_LOCK:
        _MEMO.clear()


# --- The public suppression pattern ------------------------------------------------------------

# A pattern key: (level, unit id, year, breakdown, value); level "E" (establishment, also its
# VC), "A" (authority) or "N" (Scotland, id 0); breakdown "" and value "" for all leavers.
PatternKey = tuple[str, int, int, str, str]
LEVEL: Final = {c.COHORT_ESTABLISHMENT: "E", c.COHORT_VC: "E", c.COHORT_AUTHORITY: "A", c.COHORT_NATIONAL: "N"}


@dataclass(frozen=True)
class DisclosurePattern:
    """The cells hidden from viewers without entitlement, per layer (count column)."""

    hidden: dict[str, frozenset]

    def hides(self, layer: str, key: tuple) -> bool:
        return key in self.hidden.get(layer, frozenset())

    def size(self) -> int:
        return sum(len(v) for v in self.hidden.values())


def _value_order(value: str) -> tuple:
    return (0, int(value), "") if value.isdigit() else (1, 0, value)


def hierarchies(
    counts: dict[PatternKey, int], establishment_authority: dict[int, int], breakdowns: dict[str, list[str]]
) -> dict[int, disclosure.Hierarchy]:
    """One hierarchy per leaver year: schools in authorities in Scotland, each with its breakdowns.

    Insiders: a school's staff know their school; an authority's staff know it and its schools.
    """
    by_year: dict[int, dict] = defaultdict(dict)
    for (level, uid, year, dim, value), n in counts.items():
        by_year[year][((level, uid), dim, value)] = n
    out = {}
    for year, cells in by_year.items():
        units = {u for u, _, _ in cells}
        parent: dict[tuple[str, int], tuple[str, int] | None] = {}
        for level, uid in units:
            if level == "E":
                a = establishment_authority.get(uid)
                parent[(level, uid)] = ("A", a) if a is not None and ("A", a) in units else None
            elif level == "A":
                parent[(level, uid)] = ("N", 0) if ("N", 0) in units else None
            else:
                parent[(level, uid)] = None
        out[year] = disclosure.Hierarchy(cells, parent, breakdowns, partial(_knows, establishment_authority))
    return out


def _knows(establishment_authority: dict[int, int], unit: tuple[str, int]) -> frozenset:
    level, uid = unit
    if level == "E":
        return frozenset({("school", uid), ("authority", establishment_authority.get(uid))})
    return frozenset({("authority", uid)}) if level == "A" else frozenset()


def _protect_counts(counts: dict[PatternKey, int], establishment_authority: dict[int, int],
                    breakdowns: dict[str, list[str]], tier: Callable[[tuple], int]) -> frozenset:
    hidden = set()
    for year, h in sorted(hierarchies(counts, establishment_authority, breakdowns).items()):
        for (level, uid), dim, value in disclosure.protect_hierarchy(h, tier=lambda k: tier(k[0])):
            hidden.add((level, uid, year, dim, value))
    return frozenset(hidden)


def _build_pattern(run: BenchmarkRun) -> DisclosurePattern:
    counts: dict[str, dict[PatternKey, int]] = {layer: {} for layer in LAYERS}
    units: set[tuple[str, int]] = set()
    dims: dict[str, set[str]] = defaultdict(set)
    rows = (
        CohortResult.objects.filter(run=run)
        .exclude(cohort=c.COHORT_VC)
        .values_list("cohort", "cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *LAYERS)
    )
    for cohort, cid, year, dim, value, *layer_counts in rows.iterator(chunk_size=5000):
        key = (LEVEL[cohort], cid, year, dim, value)
        units.add((key[0], cid))
        if dim:
            dims[dim].add(value)
        for layer, n in zip(LAYERS, layer_counts, strict=True):
            counts[layer][key] = n or 0
    est_authority, tier = _establishment_tiers([uid for level, uid in units if level == "E"])
    ordered = {d: sorted(v, key=_value_order) for d, v in dims.items()}
    return DisclosurePattern({layer: _protect_counts(counts[layer], est_authority, ordered, tier) for layer in LAYERS})


def _establishment_tiers(est_ids: Iterable[int]) -> tuple[dict[int, int], Callable[[tuple], int]]:
    """Authorities of the establishments, and the secondary-suppression preference: cells of
    schools no dashboard shows (special and primary schools) are hidden before shown ones.
    ``tier`` takes a unit, (level, id)."""
    rows = Establishment.objects.filter(id__in=list(est_ids)).values_list("id", "authority_id", "type")
    est_authority = {}
    unshown = set()
    for eid, aid, kind in rows:
        est_authority[eid] = aid
        if kind != EstablishmentType.SECONDARY:
            unshown.add(eid)

    def tier(unit: tuple) -> int:
        return 0 if unit[0] == "E" and unit[1] in unshown else 1

    return est_authority, tier


def public_pattern(run: BenchmarkRun) -> DisclosurePattern:
    """The run's suppression pattern for viewers not entitled to the figures (memoised)."""
    key = ("pattern", PATTERN_VERSION, disclosure.min_count(), *_run_key(run))
    return _remember(key, lambda: _build_pattern(run))


# --- Viewers ----------------------------------------------------------------------------------


class Viewer:
    """A user's entitlement to schools and authorities, resolved once per request."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.partners = partner_establishment_ids(own_establishment_ids(user))

    def establishment(self, est: Establishment) -> Entitlement:
        return entitlement_for(self.user, est, partner_establishment_ids=self.partners)

    def authority(self, authority: LocalAuthority) -> Entitlement:
        return authority_entitlement(self.user, authority)


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

    def __init__(self, run: BenchmarkRun) -> None:
        self.run = run
        self.years: list[int] = sorted(int(y) for y in run.years)
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


def _rows_by_subject(qs: Iterable[Row]) -> dict[tuple[str, int], dict[tuple[int, str, str], Row]]:
    out: dict[tuple[str, int], dict[tuple[int, str, str], Row]] = defaultdict(dict)
    for r in qs:
        out[(r["cohort"], r["cohort_id"])][(r[c.YEAR], r[c.BREAKDOWN], r[c.BREAKDOWN_VALUE])] = r
    return out


_ROW_FIELDS: Final = ("cohort", "cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *c.HEADLINE_MEASURES)


def _cohort_rows(run: BenchmarkRun, where: Q, *, breakdowns: bool = True) -> dict[tuple[str, int], dict]:
    qs = CohortResult.objects.filter(where, run=run)
    if not breakdowns:
        qs = qs.filter(breakdown="")
    return _rows_by_subject(qs.values(*_ROW_FIELDS))


def _decile_rows(run: BenchmarkRun, where: Q, years: Iterable[int] | None = None) -> dict[tuple[str, int], dict]:
    qs = DeprivationResult.objects.filter(where, run=run, simd_band_kind=c.BAND_DECILE)
    if years is not None:
        qs = qs.filter(year__in=list(years))
    rows = (
        {"cohort": r["cohort"], "cohort_id": r["cohort_id"], c.YEAR: r[c.YEAR], c.BREAKDOWN: DECILE,
         c.BREAKDOWN_VALUE: str(r[c.SIMD_BAND]), c.N_LEAVERS: r[c.N_LEAVERS], c.AVG_TOTAL_TARIFF: r[c.AVG_TOTAL_TARIFF]}
        for r in qs.values("cohort", "cohort_id", c.YEAR, c.SIMD_BAND, c.N_LEAVERS, c.AVG_TOTAL_TARIFF)
    )
    return _rows_by_subject(rows)


def stored_breakdowns(run: BenchmarkRun) -> set[str]:
    """Breakdown dimensions the run stores (stage appears once the engine computes it)."""
    key = ("dims", *_run_key(run))

    def build() -> set[str]:
        dims = set(CohortResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL).exclude(breakdown="")
                   .values_list("breakdown", flat=True).distinct())
        if DeprivationResult.objects.filter(run=run, simd_band_kind=c.BAND_DECILE).exists():
            dims.add(DECILE)
        return dims

    return set(_remember(key, build))


# --- Authority VCs: the union of its schools' VCs --------------------------------------------------


def _aggregate_vc(rows: Iterable[Row], establishment_authority: dict[int, int]) -> dict[tuple, Row]:
    """(authority id, year, dim, value) -> VC figures of the union of its schools' comparators.

    An authority's VC is the union of its schools' VC sets, so every measure that is a mean over
    leavers (percentages, the average total tariff) is the mean of the schools' VC figures
    weighted by their VC counts. The attainment groups (lowest 20% ...) are ranks within a
    cohort: they cannot be combined from the schools' figures and are left out (the engine would
    have to rank the union).
    """
    sums: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r in rows:
        a = establishment_authority.get(r["cohort_id"])
        if a is None:
            continue
        key = (a, r[c.YEAR], r[c.BREAKDOWN], r[c.BREAKDOWN_VALUE])
        acc = sums[key]
        for m in MEASURES.values():
            if not m.vc_aggregable or r.get(m.key) is None:
                continue
            w = float(r.get(m.base) or 0)
            acc[m.key] += w * float(r[m.key])
            acc["w:" + m.key] += w
    out: dict[tuple, Row] = {}
    for key, acc in sums.items():
        row: Row = {}
        for m in MEASURES.values():
            w = acc.get("w:" + m.key, 0.0)
            row[m.key] = acc[m.key] / w if m.vc_aggregable and w > 0 else None
        out[key] = row
    return out


def authority_vcs(run: BenchmarkRun) -> dict[tuple, Row]:
    """Every authority's aggregated VC for the run (memoised): see ``_aggregate_vc``."""
    key = ("authority-vc", *_run_key(run))

    def build() -> dict[tuple, Row]:
        fields = ("cohort_id", c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE, *c.HEADLINE_MEASURES)
        est_authority = dict(Establishment.objects.values_list("id", "authority_id"))
        rows = CohortResult.objects.filter(run=run, cohort=c.COHORT_VC).values(*fields).iterator(chunk_size=5000)
        out = _aggregate_vc(rows, est_authority)
        decile_rows = (
            {"cohort_id": r["cohort_id"], c.YEAR: r[c.YEAR], c.BREAKDOWN: DECILE, c.BREAKDOWN_VALUE: str(r[c.SIMD_BAND]),
             c.N_LEAVERS: r[c.N_LEAVERS], c.AVG_TOTAL_TARIFF: r[c.AVG_TOTAL_TARIFF]}
            for r in DeprivationResult.objects.filter(run=run, cohort=c.COHORT_VC, simd_band_kind=c.BAND_DECILE)
            .values("cohort_id", c.YEAR, c.SIMD_BAND, c.N_LEAVERS, c.AVG_TOTAL_TARIFF).iterator(chunk_size=5000)
        )
        out.update(_aggregate_vc(decile_rows, est_authority))
        return out

    return _remember(key, build)


# --- Page data --------------------------------------------------------------------------------


@dataclass
class EstablishmentData:
    run: BenchmarkRun
    establishment: Establishment
    figures: Figures
    school: Subject
    vc: Subject
    authority: Subject
    national: Subject
    breakdowns: list[str]

    @property
    def subjects(self) -> list[Subject]:
        return [self.school, self.vc, self.authority, self.national]

    @property
    def has_intervals(self) -> bool:
        return bool(self.vc.intervals)


def establishment_data(run: BenchmarkRun, est: Establishment, viewer: Viewer) -> EstablishmentData:
    """A school, its VC, its authority and Scotland: every stored row of the run, all years."""
    authority = est.authority
    where = (Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id=est.pk)
             | Q(cohort=c.COHORT_AUTHORITY, cohort_id=authority.pk) | Q(cohort=c.COHORT_NATIONAL))
    rows = _cohort_rows(run, where)
    for key, decile in _decile_rows(run, where).items():
        rows[key].update(decile)
    ent = viewer.establishment(est)
    a_ent = viewer.authority(authority)
    school = Subject(c.COHORT_ESTABLISHMENT, est.pk, est.name, ent, "E", rows.get((c.COHORT_ESTABLISHMENT, est.pk), {}))
    vc = Subject(c.COHORT_VC, est.pk, "Virtual comparator", ent, "E", rows.get((c.COHORT_VC, est.pk), {}),
                 bases=school.rows)
    for r in VCInterval.objects.filter(run=run, establishment=est, source=c.SOURCE_VC).values(
        c.YEAR, c.MEASURE, c.N_DRAWS, c.P05, c.P95
    ):
        vc.intervals[(r[c.YEAR], r[c.MEASURE])] = r
    return EstablishmentData(
        run=run,
        establishment=est,
        figures=Figures(run),
        school=school,
        vc=vc,
        authority=Subject(c.COHORT_AUTHORITY, authority.pk, authority.name, a_ent, "A",
                          rows.get((c.COHORT_AUTHORITY, authority.pk), {})),
        national=Subject(c.COHORT_NATIONAL, 0, "Scotland", Entitlement.PUBLIC, "N",
                         rows.get((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID), {})),
        breakdowns=[b for b in BREAKDOWNS if b in stored_breakdowns(run)],
    )


@dataclass
class AuthorityData:
    run: BenchmarkRun
    authority: LocalAuthority
    figures: Figures
    subject: Subject
    vc: Subject
    national: Subject
    schools: list[tuple[Establishment, Subject, Subject]]  # (school, its figures, its VC)
    breakdowns: list[str]

    @property
    def subjects(self) -> list[Subject]:
        return [self.subject, self.vc, self.national]


def _authority_vc_subject(run: BenchmarkRun, authority: LocalAuthority, subject: Subject) -> Subject:
    rows = {(y, d, v): r for (a, y, d, v), r in authority_vcs(run).items() if a == authority.pk}
    return Subject("authority_vc", authority.pk, "Virtual comparator (its schools' comparators together)",
                   subject.entitlement, "A", rows, bases=subject.rows)


def authority_data(run: BenchmarkRun, authority: LocalAuthority, viewer: Viewer) -> AuthorityData:
    """An authority, its VC, Scotland, and every secondary school of the authority with its VC."""
    schools = list(Establishment.objects.filter(authority=authority, type=EstablishmentType.SECONDARY)
                   .select_related("authority").order_by("name"))
    ids = [s.pk for s in schools]
    where = Q(cohort=c.COHORT_AUTHORITY, cohort_id=authority.pk) | Q(cohort=c.COHORT_NATIONAL)
    rows = _cohort_rows(run, where)
    for key, decile in _decile_rows(run, where).items():
        rows[key].update(decile)
    school_rows = _cohort_rows(run, Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id__in=ids),
                               breakdowns=False)
    subject = Subject(c.COHORT_AUTHORITY, authority.pk, authority.name, viewer.authority(authority), "A",
                      rows.get((c.COHORT_AUTHORITY, authority.pk), {}))
    listed = []
    for s in schools:
        ent = viewer.establishment(s)
        own = Subject(c.COHORT_ESTABLISHMENT, s.pk, s.name, ent, "E", school_rows.get((c.COHORT_ESTABLISHMENT, s.pk), {}))
        vc = Subject(c.COHORT_VC, s.pk, "Virtual comparator", ent, "E", school_rows.get((c.COHORT_VC, s.pk), {}),
                     bases=own.rows)
        listed.append((s, own, vc))
    return AuthorityData(
        run=run, authority=authority, figures=Figures(run), subject=subject,
        vc=_authority_vc_subject(run, authority, subject),
        national=Subject(c.COHORT_NATIONAL, 0, "Scotland", Entitlement.PUBLIC, "N",
                         rows.get((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID), {})),
        schools=listed,
        breakdowns=[b for b in BREAKDOWNS if b in stored_breakdowns(run)],
    )


@dataclass
class NationalData:
    run: BenchmarkRun
    figures: Figures
    national: Subject
    authorities: list[tuple[LocalAuthority, Subject, Subject]]  # (authority, figures, its VC)
    schools: list[tuple[Establishment, Subject, Subject]]


def national_data(run: BenchmarkRun, viewer: Viewer, *, authority: LocalAuthority | None = None) -> NationalData:
    """Scotland, every authority with its VC, and the secondary schools (of one authority, or all)."""
    rows = _cohort_rows(run, Q(cohort__in=[c.COHORT_AUTHORITY, c.COHORT_NATIONAL]), breakdowns=False)
    national = Subject(c.COHORT_NATIONAL, 0, "Scotland", Entitlement.PUBLIC, "N",
                       rows.get((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID), {}))
    authorities = []
    for la in LocalAuthority.objects.order_by("name"):
        subject = Subject(c.COHORT_AUTHORITY, la.pk, la.name, viewer.authority(la), "A",
                          rows.get((c.COHORT_AUTHORITY, la.pk), {}))
        if subject.rows:
            authorities.append((la, subject, _authority_vc_subject(run, la, subject)))
    schools_qs = Establishment.objects.filter(type=EstablishmentType.SECONDARY).select_related("authority")
    if authority is not None:
        schools_qs = schools_qs.filter(authority=authority)
    schools = list(schools_qs.order_by("name"))
    school_rows = _cohort_rows(
        run, Q(cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC], cohort_id__in=[s.pk for s in schools]),
        breakdowns=False,
    )
    listed = []
    for s in schools:
        ent = viewer.establishment(s)
        own = Subject(c.COHORT_ESTABLISHMENT, s.pk, s.name, ent, "E", school_rows.get((c.COHORT_ESTABLISHMENT, s.pk), {}))
        if own.rows:
            vc = Subject(c.COHORT_VC, s.pk, "Virtual comparator", ent, "E", school_rows.get((c.COHORT_VC, s.pk), {}),
                         bases=own.rows)
            listed.append((s, own, vc))
    return NationalData(run=run, figures=Figures(run), national=national, authorities=authorities, schools=listed)


def secondary_schools() -> list[tuple[str, str, str]]:
    """(SEED code, name, authority name) of every secondary school, for "Change establishment"."""
    return list(Establishment.objects.filter(type=EstablishmentType.SECONDARY)
                .order_by("authority__name", "name").values_list("seed_code", "name", "authority__name"))


# --- Vocational qualifications -------------------------------------------------------------------


def vocational_uptake(*, years: Iterable[int], establishment_ids: Iterable[int] | None = None) -> dict[tuple[int, int], dict[str, int]]:
    """(establishment id, leaver year) -> leavers, and how many gained each vocational award.

    Counts the year's school leavers with at least one Foundation Apprenticeship, National
    Progression Award or Skills for Work result in the senior phase (result year up to the year
    of leaving), by award type and for any of them ("any"); "n" is the number of leavers.
    """
    leavers = SchoolLeaver.objects.filter(leaver_year__in=list(years))
    if establishment_ids is not None:
        leavers = leavers.filter(establishment_id__in=list(establishment_ids))
    out: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in leavers.values("establishment_id", "leaver_year").annotate(n=Count("id")).order_by():
        out[(r["establishment_id"], r["leaver_year"])]["n"] = r["n"]
    codes = [code for code, _ in VOCATIONAL]
    took = leavers.filter(learner__results__award_type__in=codes,
                          learner__results__year__lte=F("leaver_year"))
    for r in (took.values("establishment_id", "leaver_year", "learner__results__award_type")
              .annotate(n=Count("id", distinct=True)).order_by()):
        out[(r["establishment_id"], r["leaver_year"])][r["learner__results__award_type"]] = r["n"]
    for r in took.values("establishment_id", "leaver_year").annotate(n=Count("id", distinct=True)).order_by():
        out[(r["establishment_id"], r["leaver_year"])][VOCATIONAL_ANY] = r["n"]
    return {k: dict(v) for k, v in out.items()}


@dataclass(frozen=True)
class VocationalTable:
    """Uptake counts of every school, authority and Scotland, and their public pattern."""

    counts: dict[tuple[str, int, int, str, str], int]  # (level, id, year, award, "yes"/"no"/"") -> n
    hidden: frozenset

    def cell(self, level: str, uid: int, year: int, award: str, entitlement: Entitlement) -> tuple[Cell, Cell]:
        """(count who gained it, percentage of leavers), both hidden together."""
        key = (level, uid, year, award, "yes")
        n = self.counts.get((level, uid, year, "", ""), 0)
        k = self.counts.get(key, 0)
        hide = not entitlement.unsuppressed and (
            key in self.hidden or (level, uid, year, "", "") in self.hidden
        )
        pct = 100.0 * k / n if n else None
        return Cell(k if n else None, n, hide), Cell(pct, n, hide)


def _vocational_watermark() -> tuple:
    return (Result.objects.aggregate(m=Max("id"))["m"] or 0, SchoolLeaver.objects.aggregate(m=Max("id"))["m"] or 0)


def vocational_table(run: BenchmarkRun) -> VocationalTable:
    """Uptake for every school (memoised per run and data watermark), with the public pattern.

    Relations: leavers = gained + did not gain, per award; an authority = its schools;
    Scotland = its authorities. "Did not gain" is not shown but follows from the two shown
    figures, so it is protected like any cell.
    """
    years = sorted(int(y) for y in run.years)
    key = ("vocational", PATTERN_VERSION, disclosure.min_count(), *_run_key(run), *_vocational_watermark())

    def build() -> VocationalTable:
        uptake = vocational_uptake(years=years)
        est_authority, tier = _establishment_tiers({e for e, _ in uptake})
        counts: dict[PatternKey, int] = defaultdict(int)
        awards = [code for code, _ in VOCATIONAL] + [VOCATIONAL_ANY]
        for (e, y), v in uptake.items():
            a = est_authority.get(e)
            for level, uid in (("E", e), ("A", a), ("N", 0)):
                if uid is None:
                    continue
                counts[(level, uid, y, "", "")] += v.get("n", 0)
                for award in awards:
                    k = v.get(award, 0)
                    counts[(level, uid, y, award, "yes")] += k
                    counts[(level, uid, y, award, "no")] += v.get("n", 0) - k
        hidden = _protect_counts(dict(counts), est_authority, {award: ["yes", "no"] for award in awards}, tier)
        return VocationalTable(dict(counts), hidden)

    return _remember(key, build)
