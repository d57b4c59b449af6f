"""Reads of datahub data, always scoped through datahub.access."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from .access import scope_for
from .models import Enrolment, Establishment, Learner, LocalAuthority, SchoolLeaver, User


def establishments_for(user: User) -> QuerySet[Establishment]:
    """Establishments inside the user's memberships (every one for national roles)."""
    return Establishment.objects.for_scope(scope_for(user)).select_related("authority__collaborative")


def learners_for(user: User) -> QuerySet[Learner]:
    """Learners the user may see individually."""
    return Learner.objects.for_scope(scope_for(user)).select_related("establishment__authority")


def leaver_cohorts(establishment_ids: list[int]) -> list[dict]:
    """Leavers per establishment and year, with counts by stage of leaving."""
    return list(
        SchoolLeaver.objects.filter(establishment_id__in=establishment_ids)
        .values("establishment_id", "leaver_year")
        .annotate(
            n=Count("id"),
            s4=Count("id", filter=Q(stage="S4")),
            s5=Count("id", filter=Q(stage="S5")),
            s6=Count("id", filter=Q(stage="S6")),
        )
        .order_by("establishment_id", "-leaver_year")
    )


def authorities_with_counts() -> QuerySet[LocalAuthority]:
    return LocalAuthority.objects.annotate(
        n_establishments=Count("establishments", filter=Q(establishments__type="secondary"), distinct=True)
    )


def establishment_simd_profile(establishment_id: int) -> dict | None:
    """Share of a school's pupils in each SIMD quintile at its latest census, from the learners'
    deciles (quintile = (decile + 1) // 2; docs/methodology.md). None when it has no census."""
    year = Enrolment.objects.filter(establishment_id=establishment_id).aggregate(y=Max("year"))["y"]
    if year is None:
        return None
    counts = dict(
        Enrolment.objects.filter(establishment_id=establishment_id, year=year)
        .values_list("learner__simd_decile")
        .annotate(n=Count("id"))
        .values_list("learner__simd_decile", "n")
    )
    total = sum(counts.values())
    quintiles = []
    for q in range(1, 6):
        n = counts.get(2 * q - 1, 0) + counts.get(2 * q, 0)
        quintiles.append({"quintile": q, "n": n, "share": n / total if total else 0.0})
    return {"year": year, "total": total, "quintiles": quintiles}
