"""Find Partners: schools of the same type ranked by closeness to the user's school (reads).

Reads the latest successful benchmark run: its PartnerRanking (one list per school and closeness
basis), WeightedScore (the three weighted normalised scores) and CohortResult (the national
measures of the latest leaver year). The user's own school is the first row, unranked.

Disclosure: every figure of another school passes datahub.disclosure with the viewer's
entitlement to that school (own, same authority, active learning partner: unsuppressed; anyone
else: figures built on fewer than DISCLOSURE_MIN_COUNT leavers withheld). The entitlement is
insight.entitlement.viewer_entitlement's rule, evaluated for every row with the viewer's partners
looked up once. Sorting uses what the viewer sees (a withheld figure sorts last, as if missing),
so the order cannot reveal a withheld value. How a row's figures are written on the page is the
template's business (insight.templatetags.insight_tags.partner_figure).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import QuerySet

from datahub import disclosure
from datahub.access import Entitlement, entitlement_for
from datahub.models import Establishment
from partnerships.models import Partnership, Status
from partnerships.selectors import live_partnerships_by_other, partner_establishment_ids

from ..benchmarking import columns as c
from ..entitlement import own_establishment_ids
from ..models import BenchmarkRun, CohortResult, PartnerRanking, RankingBasis, WeightedScore
from .catalogue import MEASURES
from .pattern import public_pattern

ROLL_BANDS = {  # key: (label, lower, upper exclusive); labels as Establishment.roll_band
    "lt400": ("under 400", 0, 400),
    "400-799": ("400-799", 400, 800),
    "800-1199": ("800-1,199", 800, 1200),
    "1200+": ("1,200 and over", 1200, None),
}

# SIMD profile: the share of the school's pupils living in SIMD quintile 1 (the 20% most deprived
# data zones). Our bands; Scotland's average share is 20% by construction.
SIMD_PROFILES = {
    "q1-lt10": ("Under 10% in the most deprived 20%", 0.0, 0.10),
    "q1-10-24": ("10% to 24% in the most deprived 20%", 0.10, 0.25),
    "q1-25-49": ("25% to 49% in the most deprived 20%", 0.25, 0.50),
    "q1-50+": ("50% or more in the most deprived 20%", 0.50, None),
}

GROUPS = (c.LOWEST20, c.MIDDLE60, c.HIGHEST20)
GROUP_LABELS = {c.LOWEST20: "lowest 20%", c.MIDDLE60: "middle 60%", c.HIGHEST20: "highest 20%"}


def roll_band_key(roll: int) -> str:
    for key, (_label, low, high) in ROLL_BANDS.items():
        if roll >= low and (high is None or roll < high):
            return key
    return "lt400"


def simd_profile_key(share_q1: float | None) -> str | None:
    if share_q1 is None:
        return None
    for key, (_label, low, high) in SIMD_PROFILES.items():
        if share_q1 >= low and (high is None or share_q1 < high):
            return key
    return None


@dataclass
class PartnerRow:
    establishment: Establishment
    rank: int | None  # None: the user's own school
    distance: disclosure.Cell  # withheld with any of the row's scores (it would reveal them)
    score_gap: disclosure.Cell  # "stronger" basis only; withheld with the lowest 20% score
    entitlement: Entitlement
    scores: dict[str, disclosure.Cell]  # group -> weighted normalised score
    positive: disclosure.Cell
    lit_num4: disclosure.Cell
    lit_num5: disclosure.Cell
    tariff_lowest20: disclosure.Cell
    n_leavers_latest: int
    partnership: Partnership | None = None
    partnership_state: str = ""  # "", "active", "sent", "received"
    explanation: str = field(default="")

    @property
    def is_own(self) -> bool:
        return self.rank is None

    @property
    def roll_band(self) -> str:
        return ROLL_BANDS[roll_band_key(self.establishment.roll)][0]

    @property
    def simd_profile(self) -> str:
        key = simd_profile_key(self.establishment.share_simd_q1)
        return SIMD_PROFILES[key][0] if key else "Not known"

    @property
    def any_suppressed(self) -> bool:
        cells = [*self.scores.values(), self.distance, self.score_gap, self.positive, self.lit_num4, self.lit_num5,
                 self.tariff_lowest20]
        return any(x.suppressed for x in cells)


def _seen(cell: disclosure.Cell) -> float | None:
    return None if cell.suppressed or cell.value is None else float(cell.value)


def _number(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


# Sortable columns: key -> (heading, value of a row, tabs where it is a column).
SORTS: dict[str, tuple[str, Callable[[PartnerRow], Any], tuple[str, ...]]] = {
    "name": ("Establishment", lambda r: r.establishment.name.lower(), ("closeness", "performance")),
    "authority": ("Local authority", lambda r: r.establishment.authority.name, ("closeness", "performance")),
    "rank": ("Rank", lambda r: r.rank, ("closeness", "performance")),
    "lowest20": ("Lowest 20%", lambda r: _seen(r.scores[c.LOWEST20]), ("closeness",)),
    "middle60": ("Middle 60%", lambda r: _seen(r.scores[c.MIDDLE60]), ("closeness",)),
    "highest20": ("Highest 20%", lambda r: _seen(r.scores[c.HIGHEST20]), ("closeness",)),
    "distance": ("Distance", lambda r: _seen(r.distance), ("closeness",)),
    "gap": ("Lowest 20% advantage", lambda r: _seen(r.score_gap), ("closeness",)),
    "positive": ("Positive destination", lambda r: _seen(r.positive), ("performance",)),
    "litnum4": ("Literacy and numeracy SCQF 4", lambda r: _seen(r.lit_num4), ("performance",)),
    "litnum5": ("Literacy and numeracy SCQF 5", lambda r: _seen(r.lit_num5), ("performance",)),
    "tariff": ("Lowest 20% average total tariff", lambda r: _seen(r.tariff_lowest20), ("performance",)),
}


def sort_rows(rows: Sequence[PartnerRow], key: str, descending: bool) -> list[PartnerRow]:
    """Sort by one column; missing or withheld values last whichever the direction; ties by rank."""
    get = SORTS[key][1]
    present = [r for r in rows if get(r) is not None]
    missing = [r for r in rows if get(r) is None]
    present.sort(key=lambda r: (r.rank or 0))
    present.sort(key=get, reverse=descending)
    missing.sort(key=lambda r: (r.rank or 0))
    return present + missing


@dataclass
class FindPartnersResult:
    run: BenchmarkRun | None
    year: int | None
    own: PartnerRow | None
    rows: Sequence[PartnerRow]  # ranked others, filtered, in ranking order (built lazily)
    total: int = 0  # schools ranked for the user's school on this basis, before filters


@dataclass(frozen=True)
class AuthorityRef:
    id: int
    code: int
    name: str


@dataclass(frozen=True)
class School:
    """The fields of an establishment Find Partners shows, read without building model objects."""

    id: int
    name: str
    seed_code: str
    roll: int
    share_simd_q1: float | None
    share_fsm: float | None
    share_asn: float | None
    authority: AuthorityRef

    @property
    def pk(self) -> int:
        return self.id

    @property
    def authority_id(self) -> int:
        return self.authority.id


_SCHOOL_FIELDS = ("other_id", "other__name", "other__seed_code", "other__roll", "other__share_simd_q1",
                  "other__share_fsm", "other__share_asn", "other__authority_id", "other__authority__code",
                  "other__authority__name")


@dataclass(frozen=True)
class RunFigures:
    """What Find Partners reads of one run's results, per establishment id. A run's results never
    change once it has succeeded, so this is kept in memory per process (see run_figures)."""

    year: int
    latest: dict[int, tuple]  # n_leavers, n_lowest20, avg_tariff_lowest20, pct L4, pct L5, n_known, pct_positive
    sizes: dict[int, tuple[int, int, int]]  # leavers in each attainment group, summed over the run's years
    weighted: dict[int, tuple[float | None, float | None, float | None]]
    # Per attainment group: is the school's figure withheld from outsiders in any year of the run
    # (built on fewer than the threshold, or its leavers hidden by the run's pattern)?
    withheld: dict[int, tuple[bool, bool, bool]] = field(default_factory=dict)


_LATEST_FIELDS = (c.N_LEAVERS, c.n_group(c.LOWEST20), c.avg_tariff(c.LOWEST20), c.pct_lit_num(4), c.pct_lit_num(5),
                  c.N_INITIAL_KNOWN, c.PCT_INITIAL_POSITIVE)
_RUN_FIGURES: dict[tuple[int, str, int], RunFigures] = {}
_RUN_FIGURES_KEPT = 4


def run_figures(run: BenchmarkRun) -> RunFigures:
    """The run's per-school figures, read once per process and run (the key includes the finish time,
    so a database whose ids restart, as in tests, never meets another run's figures)."""
    key = (run.pk, run.finished_at.isoformat() if run.finished_at else "", disclosure.min_count())
    found = _RUN_FIGURES.get(key)
    if found is not None:
        return found
    year = max(int(y) for y in run.years)
    latest: dict[int, tuple] = {}
    sizes: dict[int, list[int]] = {}
    withheld: dict[int, list[bool]] = {}
    pattern, limit = public_pattern(run), disclosure.min_count()
    for est_id, y, n20l, n60, n20h, *rest in CohortResult.objects.filter(
        run=run, cohort=c.COHORT_ESTABLISHMENT, breakdown=""
    ).values_list("cohort_id", "year", *(c.n_group(g) for g in GROUPS), *_LATEST_FIELDS):
        acc = sizes.setdefault(est_id, [0, 0, 0])
        acc[0] += n20l or 0
        acc[1] += n60 or 0
        acc[2] += n20h or 0
        hidden = pattern.hides(c.N_LEAVERS, ("E", est_id, y, "", ""))
        thin = withheld.setdefault(est_id, [False, False, False])
        for k, n in enumerate((n20l, n60, n20h)):
            thin[k] = thin[k] or hidden or 0 < (n or 0) < limit
        if y == year:
            latest[est_id] = tuple(rest)
    weighted: dict[int, tuple[float | None, float | None, float | None]] = {
        est_id: (_number(scores[0]), _number(scores[1]), _number(scores[2]))
        for est_id, *scores in WeightedScore.objects.filter(run=run).values_list(
            "establishment_id", *(c.weighted(g) for g in GROUPS)
        )
    }
    figures = RunFigures(year, latest, {k: (v[0], v[1], v[2]) for k, v in sizes.items()}, weighted,
                         {k: (v[0], v[1], v[2]) for k, v in withheld.items()})
    while len(_RUN_FIGURES) >= _RUN_FIGURES_KEPT:
        _RUN_FIGURES.pop(next(iter(_RUN_FIGURES)))
    _RUN_FIGURES[key] = figures
    return figures


_NO_LATEST = (0, 0, None, None, None, 0, None)


def _filter_ranking(qs: QuerySet[PartnerRanking], authority_code: int | None, roll_band: str,
                    simd_profile: str) -> tuple[QuerySet[PartnerRanking], bool]:
    """The ranking narrowed by the page's filters, and whether any filter applied."""
    filtered = False
    if authority_code is not None:
        qs, filtered = qs.filter(other__authority__code=authority_code), True
    if roll_band in ROLL_BANDS:
        _label, low, high = ROLL_BANDS[roll_band]
        qs, filtered = qs.filter(other__roll__gte=low), True
        if high is not None:
            qs = qs.filter(other__roll__lt=high)
    if simd_profile in SIMD_PROFILES:
        _label, lo, hi = SIMD_PROFILES[simd_profile]
        qs, filtered = qs.filter(other__share_simd_q1__gte=lo), True
        if hi is not None:
            qs = qs.filter(other__share_simd_q1__lt=hi)
    return qs, filtered


class _RowBuilder:
    """Builds the rows of one request, with the viewer's partners, the school's live partnerships
    and the run's suppression pattern looked up once."""

    def __init__(self, user: Any, school: Establishment, run: BenchmarkRun, figures: RunFigures) -> None:
        self.user = user
        self.school = school
        self.figures = figures
        self.partners = partner_establishment_ids(own_establishment_ids(user))
        self.live = live_partnerships_by_other(school)
        # The dashboards' suppression pattern for the run (primary and secondary), so a school's figure
        # withheld there is withheld here too and no page can be differenced against another.
        self.pattern = public_pattern(run)

    def performance(self, est_id: int, value: float | None, base: int, measure: str,
                    ent: Entitlement) -> disclosure.Cell:
        cell = disclosure.cell(value, base, ent)
        if ent.unsuppressed or cell.suppressed:
            return cell
        key = ("E", est_id, self.figures.year, "", "")
        if self.pattern.hides(c.N_LEAVERS, key) or self.pattern.hides(MEASURES[measure].layer, key):
            return disclosure.Cell(value, base, True)
        return cell

    def row(self, est: Establishment | School, rank: int | None, distance: float | None,
            gap: float | None) -> PartnerRow:
        figures = self.figures
        # insight.entitlement.viewer_entitlement's rule, with the viewer's partners looked up once.
        ent = entitlement_for(self.user, est, partner_establishment_ids=self.partners)  # type: ignore[arg-type]
        w = figures.weighted.get(est.pk, (None, None, None))
        size = figures.sizes.get(est.pk, (0, 0, 0))
        n, n20, tariff20, pct4, pct5, known, positive = figures.latest.get(est.pk, _NO_LATEST)
        p = self.live.get(est.pk)
        state = ""
        if p is not None:
            state = "active" if p.status == Status.ACTIVE else ("sent" if p.proposer_id == self.school.pk else "received")
        # A weighted score spans the run's years: with one year's figure withheld and the others shown
        # (and the leavers of each year), the score would give the withheld year's back. So outsiders
        # see it only when no year of that group is withheld from them.
        thin = figures.withheld.get(est.pk, (False, False, False))
        scores = {g: disclosure.Cell(w[k], size[k], w[k] is not None) if thin[k] and not ent.unsuppressed
                  else disclosure.cell(w[k], size[k], ent) for k, g in enumerate(GROUPS)}
        # The distance with the viewer's own (visible) scores and the row's visible scores would give
        # a withheld score back (up to its sign); the gap is the lowest 20% score minus the viewer's.
        d, g20 = _number(distance), _number(gap)
        hidden = any(x.suppressed for x in scores.values())
        return PartnerRow(
            establishment=est,  # type: ignore[arg-type]
            rank=rank,
            distance=disclosure.Cell(d, 0, hidden and d is not None),
            score_gap=disclosure.Cell(g20, 0, scores[c.LOWEST20].suppressed and g20 is not None),
            entitlement=ent,
            scores=scores,
            positive=self.performance(est.pk, positive, known or 0, c.PCT_INITIAL_POSITIVE, ent),
            lit_num4=self.performance(est.pk, pct4, n or 0, c.pct_lit_num(4), ent),
            lit_num5=self.performance(est.pk, pct5, n or 0, c.pct_lit_num(5), ent),
            tariff_lowest20=self.performance(est.pk, tariff20, n20 or 0, c.avg_tariff(c.LOWEST20), ent),
            n_leavers_latest=n or 0,
            partnership=p,
            partnership_state=state,
        )

    def ranked(self, rank: int, distance: float | None, gap: float | None, est_id: int, name: str, seed: str,
               roll: int, q1: float | None, fsm: float | None, asn: float | None, la_id: int, la_code: int,
               la_name: str) -> PartnerRow:
        """A row from one PartnerRanking values tuple (rank, distance, gap, *_SCHOOL_FIELDS)."""
        est = School(est_id, name, seed, roll, q1, fsm, asn, AuthorityRef(la_id, la_code, la_name))
        return self.row(est, rank, distance, gap)


def find_partners(
    user: Any,
    school: Establishment,
    *,
    basis: str = RankingBasis.PERFORMANCE,
    authority_code: int | None = None,
    roll_band: str = "",
    simd_profile: str = "",
) -> FindPartnersResult:
    """The ranked list for ``school`` as ``user`` may see it (filters applied, ranking order)."""
    run = BenchmarkRun.objects.published()
    if run is None:
        return FindPartnersResult(None, None, None, [])
    figures = run_figures(run)
    builder = _RowBuilder(user, school, run, figures)
    own = builder.row(school, None, None, None)
    ranking = PartnerRanking.objects.filter(run=run, basis=basis, establishment=school)
    qs, filtered = _filter_ranking(ranking, authority_code, roll_band, simd_profile)
    raw = list(qs.order_by("rank").values_list("rank", "distance", "score_gap", *_SCHOOL_FIELDS))
    rows = LazyRows(raw, builder.ranked)
    total = ranking.count() if filtered else len(rows)
    return FindPartnersResult(run, figures.year, own, rows, total)


class LazyRows(Sequence[PartnerRow]):
    """The ranked rows, each built when first asked for: a page in ranking order (the default)
    builds its 25 rows, not all 350; sorting by another column or the CSV export builds them all."""

    def __init__(self, raw: list[tuple], make: Callable[..., PartnerRow]) -> None:
        self._raw = raw
        self._make = make
        self._built: list[PartnerRow | None] = [None] * len(raw)

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> PartnerRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[PartnerRow]: ...

    def __getitem__(self, index: int | slice) -> PartnerRow | list[PartnerRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._raw)))]
        built = self._built[index]
        if built is None:
            built = self._built[index] = self._make(*self._raw[index])
        return built


def explain(row: PartnerRow, own: PartnerRow, basis: str, total: int) -> str:
    """Why this school ranks where it does, in words, from figures the viewer may see only."""
    est, mine = row.establishment, own.establishment
    where = f"Ranked {row.rank} of {total}"
    withheld = (f"withheld because some of its figures rest on fewer than {disclosure.min_count()} leavers")
    distance = _seen(row.distance)
    if basis == RankingBasis.CONTEXT:
        if row.distance.value is None:
            return (f"{where}: after every school with a context distance, because one of the two schools has no "
                    "roll or deprivation profile recorded (then by SEED code).")

        def pct(x: float | None) -> str:
            return "not known" if x is None else f"{100 * x:.0f}%"

        return (
            f"{where} by context distance {row.distance.value:.3f} (Euclidean, over roll and the shares of pupils in "
            "SIMD quintile 1, registered for free school meals and with additional support needs, each "
            f"standardised across schools). Roll {est.roll:,} (yours {mine.roll:,}); SIMD quintile 1 "
            f"{pct(est.share_simd_q1)} (yours {pct(mine.share_simd_q1)}); free school meals {pct(est.share_fsm)} "
            f"(yours {pct(mine.share_fsm)}); additional support needs {pct(est.share_asn)} (yours "
            f"{pct(mine.share_asn)})."
        )
    bits = []
    for g in GROUPS:
        theirs, yours = _seen(row.scores[g]), _seen(own.scores[g])
        if row.scores[g].suppressed:
            bits.append(f"{GROUP_LABELS[g]} withheld")
        elif theirs is None:
            bits.append(f"{GROUP_LABELS[g]} not known")
        elif yours is None:
            bits.append(f"{GROUP_LABELS[g]} {theirs:+.3f}")
        else:
            diff = theirs - yours
            word = "above" if diff > 0 else "below"
            bits.append(f"{GROUP_LABELS[g]} {theirs:+.3f} ({abs(diff):.3f} {word} yours)" if diff
                        else f"{GROUP_LABELS[g]} {theirs:+.3f} (level with yours)")
    scores = "; ".join(bits)
    if basis == RankingBasis.STRONGER:
        gap = _seen(row.score_gap)
        lead = (f"{where}: its lowest 20% are above their virtual comparator and stronger than yours; schools are "
                "ordered by the size of that advantage, then by distance")
        if gap is not None:
            lead += f". Advantage {gap:+.3f}"
        elif row.score_gap.suppressed:
            lead += f". The size of the advantage is {withheld}"
        return f"{lead}. Weighted normalised scores: {scores}."
    if row.distance.value is None:
        return (f"{where}: after every school with a distance, because one of the two schools has no complete set "
                f"of weighted normalised scores in this run (then by SEED code). Its scores: {scores}.")
    if distance is None:
        return f"{where} by distance; the distance is {withheld}. Its scores: {scores}."
    return (f"{where} by distance {distance:.3f}: the Euclidean distance between the two schools' weighted "
            f"normalised scores (lowest 20%, middle 60%, highest 20%). Its scores: {scores}. Equal distances are "
            "ordered by SEED code.")
