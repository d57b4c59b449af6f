"""Reads of destination data (aggregates here; individual journeys with the destinations issue)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from .classification import Category, is_positive
from .models import DestinationKind, DestinationRecord


@dataclass
class DestinationSummary:
    leavers_with_record: int = 0
    known: int = 0
    positive: int = 0

    @property
    def known_pct(self) -> float | None:
        return 100.0 * self.known / self.leavers_with_record if self.leavers_with_record else None

    @property
    def positive_pct(self) -> float | None:
        """Positive as a share of leavers with a known destination."""
        return 100.0 * self.positive / self.known if self.known else None


def destination_summaries(
    *, establishment_ids: list[int] | None = None, kind: str = DestinationKind.INITIAL, by: str = "establishment"
) -> dict[tuple[int, int], DestinationSummary]:
    """{(establishment or authority id, leaver year): summary} of current destination records."""
    group = "leaver__establishment_id" if by == "establishment" else "leaver__establishment__authority_id"
    qs = DestinationRecord.objects.filter(kind=kind, superseded_at__isnull=True)
    if establishment_ids is not None:
        qs = qs.filter(leaver__establishment_id__in=establishment_ids)
    rows = qs.values(group, "leaver__leaver_year", "category").annotate(n=Count("id")).order_by()
    out: dict[tuple[int, int], DestinationSummary] = defaultdict(DestinationSummary)
    for r in rows:
        s = out[(r[group], r["leaver__leaver_year"])]
        s.leavers_with_record += r["n"]
        if r["category"] != Category.UNKNOWN:
            s.known += r["n"]
        if is_positive(r["category"], r["leaver__leaver_year"]):
            s.positive += r["n"]
    return dict(out)
