"""Writes to datahub data: audit entries and derived establishment context."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Max, Q

from .models import AuditEvent, Enrolment, Establishment, Learner, LocalAuthority, User


def audit_event_create(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    establishment: Establishment | None = None,
    authority: LocalAuthority | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if authority is None and establishment is not None:
        authority = establishment.authority
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        establishment=establishment,
        authority=authority,
        reason=reason,
        detail=detail or {},
    )


@transaction.atomic
def establishment_refresh_context(*, establishment_ids: list[int] | None = None) -> int:
    """Recompute context shares from the latest census year's enrolments.

    The roll itself comes from the establishments file (the census), not from the learners we hold.
    """
    qs = Establishment.objects.all()
    if establishment_ids is not None:
        qs = qs.filter(id__in=establishment_ids)
    latest = Enrolment.objects.aggregate(y=Max("year"))["y"]
    if latest is None:
        return 0
    stats = (
        Learner.objects.filter(enrolments__year=latest, enrolments__establishment__in=qs)
        .values("enrolments__establishment")
        .annotate(
            n=Count("id"),
            q1=Count("id", filter=Q(simd_decile__lte=2)),
            fsm=Count("id", filter=Q(fsm=True)),
            asn=Count("id", filter=Q(asn=True)),
            ce=Count("id", filter=Q(care_experienced=True)),
            mean_decile=Avg("simd_decile"),
        )
    )
    by_id = {row["enrolments__establishment"]: row for row in stats}
    updated = []
    for est in qs:
        row = by_id.get(est.id)
        if not row:
            continue
        n = row["n"]
        est.context_year = latest
        est.share_simd_q1 = row["q1"] / n
        est.share_fsm = row["fsm"] / n
        est.share_asn = row["asn"] / n
        est.share_care_experienced = row["ce"] / n
        est.mean_simd_decile = row["mean_decile"]
        updated.append(est)
    Establishment.objects.bulk_update(
        updated,
        ["context_year", "share_simd_q1", "share_fsm", "share_asn", "share_care_experienced", "mean_simd_decile"],
        batch_size=500,
    )
    return len(updated)
