"""Reads of stored benchmark results for the dashboards: a school, an authority, Scotland.

Pages read the published run (``latest_run``). Each ``*_data`` function gathers every
stored row a page needs in a few queries and wraps them as ``Subject``s, whose figures
``Figures`` turns into disclosure-controlled cells for the viewer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from django.db.models import Q

from datahub.access import Entitlement
from datahub.models import Collaborative, Establishment, EstablishmentType, LocalAuthority

from ..benchmarking import columns as c
from ..models import BenchmarkRun, CohortResult, DeprivationResult, VCInterval
from .catalogue import BREAKDOWNS, DECILE, MEASURES
from .figures import Figures, Row, Subject, Viewer
from .pattern import remember, run_key


def latest_run() -> BenchmarkRun | None:
    """The run every page reads: the published one (a newer draft stays out of sight until a
    national data manager publishes it)."""
    return BenchmarkRun.objects.select_related("tariff_scale").published()


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
    key = ("dims", *run_key(run))

    def build() -> set[str]:
        dims = set(CohortResult.objects.filter(run=run, cohort=c.COHORT_NATIONAL).exclude(breakdown="")
                   .values_list("breakdown", flat=True).distinct())
        if DeprivationResult.objects.filter(run=run, simd_band_kind=c.BAND_DECILE).exists():
            dims.add(DECILE)
        return dims

    return set(remember(key, build))


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
    key = ("authority-vc", *run_key(run))

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

    return remember(key, build)


# --- Regional Improvement Collaboratives ------------------------------------------------------


def run_collaborative(run: BenchmarkRun, authority: LocalAuthority) -> Collaborative | None:
    """The collaborative ``authority`` belonged to in ``run`` (the membership the run recorded,
    not today's: the figures are that membership's); ``None`` when in none."""
    k = (run.collaboratives or {}).get(str(authority.pk))
    return Collaborative.objects.filter(pk=k).first() if k is not None else None


def collaborative_subject(run: BenchmarkRun, authority: LocalAuthority) -> Subject | None:
    """The Regional Improvement Collaborative of ``authority`` in ``run`` as a shown cohort: public
    figures under the run's pattern (no role is entitled to a collaborative), level "C"."""
    collaborative = run_collaborative(run, authority)
    if collaborative is None:
        return None
    where = Q(cohort=c.COHORT_COLLABORATIVE, cohort_id=collaborative.pk)
    rows = _cohort_rows(run, where)
    for key, decile in _decile_rows(run, where).items():
        rows[key].update(decile)
    return Subject(c.COHORT_COLLABORATIVE, collaborative.pk, collaborative.name, Entitlement.PUBLIC, "C",
                   rows.get((c.COHORT_COLLABORATIVE, collaborative.pk), {}))


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
    collaborative: Subject | None = None  # its authority's Regional Improvement Collaborative

    @property
    def subjects(self) -> list[Subject]:
        return [self.school, self.vc, *self.comparisons]

    @property
    def comparisons(self) -> list[Subject]:
        """Authority, its collaborative (when it has one) and Scotland, in the order shown."""
        return [self.authority, *([self.collaborative] if self.collaborative else []), self.national]

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
        figures=Figures(run, viewer.years_shown),
        school=school,
        vc=vc,
        authority=Subject(c.COHORT_AUTHORITY, authority.pk, authority.name, a_ent, "A",
                          rows.get((c.COHORT_AUTHORITY, authority.pk), {})),
        national=Subject(c.COHORT_NATIONAL, 0, "Scotland", Entitlement.PUBLIC, "N",
                         rows.get((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID), {})),
        breakdowns=[b for b in BREAKDOWNS if b in stored_breakdowns(run)],
        collaborative=collaborative_subject(run, authority),
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
    collaborative: Subject | None = None  # the authority's Regional Improvement Collaborative

    @property
    def subjects(self) -> list[Subject]:
        return [self.subject, self.vc, *self.comparisons]

    @property
    def comparisons(self) -> list[Subject]:
        """Its collaborative (when it has one) and Scotland, in the order shown."""
        return [*([self.collaborative] if self.collaborative else []), self.national]


def authority_vcs_by_authority(run: BenchmarkRun) -> dict[int, dict[tuple, Row]]:
    """:func:`authority_vcs` split by authority once per run (memoised): authority id ->
    (year, dim, value) -> row. The national view reads all 32 authorities; scanning every
    authority's rows for each of them cost it more than its queries."""
    key = ("authority-vc-by-authority", *run_key(run))

    def build() -> dict[int, dict[tuple, Row]]:
        out: dict[int, dict[tuple, Row]] = defaultdict(dict)
        for (a, y, d, v), r in authority_vcs(run).items():
            out[a][(y, d, v)] = r
        return dict(out)

    return remember(key, build)


def _authority_vc_subject(run: BenchmarkRun, authority: LocalAuthority, subject: Subject) -> Subject:
    rows = dict(authority_vcs_by_authority(run).get(authority.pk, {}))
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
        run=run, authority=authority, figures=Figures(run, viewer.years_shown), subject=subject,
        vc=_authority_vc_subject(run, authority, subject),
        national=Subject(c.COHORT_NATIONAL, 0, "Scotland", Entitlement.PUBLIC, "N",
                         rows.get((c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID), {})),
        schools=listed,
        breakdowns=[b for b in BREAKDOWNS if b in stored_breakdowns(run)],
        collaborative=collaborative_subject(run, authority),
    )


@dataclass
class NationalData:
    run: BenchmarkRun
    figures: Figures
    national: Subject
    authorities: list[tuple[LocalAuthority, Subject, Subject]]  # (authority, figures, its VC)
    schools: list[tuple[Establishment, Subject, Subject]]
    collaboratives: list[Subject] = field(default_factory=list)  # those of the run's membership, by name


def all_leaver_rows(run: BenchmarkRun) -> dict[tuple[str, int], dict[tuple[int, str, str], Row]]:
    """Every cohort's all-leavers rows of the run (schools, their VCs, authorities, Scotland; no
    breakdowns), memoised per run: the national view shows them all on every request, and
    fetching its ~5,000 rows cost the page more than anything else it does. A run's results never
    change once written, so the memory is keyed by the run alone."""
    return remember(all_leaver_rows_key(run), lambda: dict(_cohort_rows(run, Q(), breakdowns=False)))


def all_leaver_rows_key(run: BenchmarkRun) -> tuple:
    return ("all-leaver-rows", *run_key(run))


def national_data(run: BenchmarkRun, viewer: Viewer, *, authority: LocalAuthority | None = None) -> NationalData:
    """Scotland, every authority with its VC, and the secondary schools (of one authority, or all)."""
    rows = all_leaver_rows(run)
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
    listed = []
    for s in schools:
        ent = viewer.establishment(s)
        own = Subject(c.COHORT_ESTABLISHMENT, s.pk, s.name, ent, "E", rows.get((c.COHORT_ESTABLISHMENT, s.pk), {}))
        if own.rows:
            vc = Subject(c.COHORT_VC, s.pk, "Virtual comparator", ent, "E", rows.get((c.COHORT_VC, s.pk), {}),
                         bases=own.rows)
            listed.append((s, own, vc))
    used = set((run.collaboratives or {}).values())
    collaboratives = [Subject(c.COHORT_COLLABORATIVE, k.pk, k.name, Entitlement.PUBLIC, "C",
                              rows.get((c.COHORT_COLLABORATIVE, k.pk), {}))
                      for k in Collaborative.objects.filter(pk__in=used).order_by("name")]
    collaboratives = [s for s in collaboratives if s.rows]  # those with leavers in the run, as authorities
    return NationalData(run=run, figures=Figures(run, viewer.years_shown), national=national, authorities=authorities,
                        schools=listed, collaboratives=collaboratives)
