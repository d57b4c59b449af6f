"""Vocational qualifications: uptake of every school, authority and Scotland, and its public pattern."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Max

from datahub import disclosure
from datahub.access import Entitlement
from datahub.disclosure import Cell
from datahub.models import QualificationResult as Result
from datahub.models import SchoolLeaver

from ..models import BenchmarkRun
from .catalogue import VOCATIONAL, VOCATIONAL_ANY
from .pattern import PATTERN_VERSION, PatternKey, establishment_tiers, protect_counts, remember, run_key


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
    key = ("vocational", PATTERN_VERSION, disclosure.min_count(), *run_key(run), *_vocational_watermark())

    def build() -> VocationalTable:
        uptake = vocational_uptake(years=years)
        est_authority, tier = establishment_tiers({e for e, _ in uptake})
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
        hidden = protect_counts(dict(counts), est_authority, {award: ["yes", "no"] for award in awards}, tier)
        return VocationalTable(dict(counts), hidden)

    return remember(key, build)
