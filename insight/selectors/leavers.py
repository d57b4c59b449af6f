"""Reads about schools and their leavers that pages and runs share (no benchmark results here)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max

from datahub.models import Establishment, EstablishmentType, SchoolLeaver

DEFAULT_YEARS = 5


def latest_years(n: int = DEFAULT_YEARS) -> list[int]:
    """The leaver years present among the last ``n`` up to the latest (what a run benchmarks)."""
    last = SchoolLeaver.objects.aggregate(y=Max("leaver_year"))["y"]
    if last is None:
        return []
    present = set(SchoolLeaver.objects.filter(leaver_year__gt=last - n).values_list("leaver_year", flat=True).distinct())
    return sorted(present)


def secondary_establishment_ids() -> list[int]:
    return list(Establishment.objects.filter(type="secondary").values_list("id", flat=True))


def secondary_schools() -> list[tuple[str, str, str]]:
    """(SEED code, name, authority name) of every secondary school, for "Change establishment"."""
    return list(Establishment.objects.filter(type=EstablishmentType.SECONDARY)
                .order_by("authority__name", "name").values_list("seed_code", "name", "authority__name"))


def latest_leaver_year(*, establishment_ids: Iterable[int] | None = None) -> int | None:
    """The latest year with leavers (of these schools, or anywhere); None when there are none."""
    qs = SchoolLeaver.objects.all()
    if establishment_ids is not None:
        qs = qs.filter(establishment_id__in=list(establishment_ids))
    return qs.order_by("-leaver_year").values_list("leaver_year", flat=True).first()


def leaver_counts_by_establishment(establishment_ids: Iterable[int], year: int) -> dict[int, int]:
    """Establishment id -> its leavers in ``year``."""
    return {
        r["establishment_id"]: r["n"]
        for r in SchoolLeaver.objects.filter(establishment_id__in=list(establishment_ids), leaver_year=year)
        .values("establishment_id")
        .annotate(n=Count("id"))
        .order_by()
    }


def leaver_counts_by_authority(year: int) -> dict[int, int]:
    """Authority id -> leavers of its schools in ``year``."""
    return {
        r["establishment__authority_id"]: r["n"]
        for r in SchoolLeaver.objects.filter(leaver_year=year)
        .values("establishment__authority_id")
        .annotate(n=Count("id"))
        .order_by()
    }
