"""Writes to datahub data: audit entries and derived establishment context."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Max, Q

from .models import PRINCIPAL_ORDER, AuditEvent, Department, Enrolment, Establishment, Learner, LocalAuthority, User
from .models.accounts import WORKSPACE_EMAIL_CHOICES


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


def department_upsert(*, establishment_id: int, type: str, roll: int) -> bool:
    """Create or update one department; True when something changed."""
    dep, created = Department.objects.get_or_create(establishment_id=establishment_id, type=type,
                                                    defaults={"roll": roll})
    if created or dep.roll == roll:
        return created
    dep.roll = roll
    dep.save(update_fields=["roll"])
    return True


def establishment_sync_departments(*, establishment_ids: list[int]) -> int:
    """Keep each establishment's principal ``type`` and ``roll`` in step with its departments.

    The principal department is the first of secondary, special, primary the school has; an
    establishment without departments (made before departments existed, or by hand) gets one of
    its own type and roll. Returns how many establishments changed.
    """
    rank = {t.value: i for i, t in enumerate(PRINCIPAL_ORDER)}
    deps: dict[int, list[Department]] = {}
    for dep in Department.objects.filter(establishment_id__in=establishment_ids):
        deps.setdefault(dep.establishment_id, []).append(dep)
    changed = []
    missing = []
    for est in Establishment.objects.filter(id__in=establishment_ids):
        mine = deps.get(est.id)
        if not mine:
            missing.append(Department(establishment=est, type=est.type, roll=est.roll))
            continue
        principal = min(mine, key=lambda d: rank[d.type])
        if (est.type, est.roll) != (principal.type, principal.roll):
            est.type, est.roll = principal.type, principal.roll
            changed.append(est)
    Department.objects.bulk_create(missing, batch_size=500)
    Establishment.objects.bulk_update(changed, ["type", "roll"], batch_size=500)
    return len(changed)


def user_notice_settings_update(
    *, user: User, email_new_figures: bool, workspace_email: str | None = None, email_community_posts: bool | None = None
) -> bool:
    """Save the person's own e-mail notice choices; True when something changed (audited then)."""
    wanted: dict[str, object] = {"email_new_figures": email_new_figures}
    if workspace_email is not None:
        if workspace_email not in dict(WORKSPACE_EMAIL_CHOICES):
            raise ValueError(f"workspace_email: {workspace_email!r} is not one of each, daily, off")
        wanted["workspace_email"] = workspace_email
    if email_community_posts is not None:
        wanted["email_community_posts"] = email_community_posts
    changed = {k: v for k, v in wanted.items() if getattr(user, k) != v}
    if not changed:
        return False
    for k, v in changed.items():
        setattr(user, k, v)
    user.save(update_fields=list(changed))
    audit_event_create(
        actor=user, action="notice_settings_update", object_type="user", object_id=user.pk, detail=changed,
    )
    return True


def user_dashboard_settings_update(*, user: User, years_shown: int) -> bool:
    """Save how many years the person's dashboards show (3 or 5); True when it changed (audited then)."""
    if years_shown not in (3, 5):
        raise ValueError("years_shown must be 3 or 5")
    if user.years_shown == years_shown:
        return False
    user.years_shown = years_shown
    user.save(update_fields=["years_shown"])
    audit_event_create(
        actor=user, action="dashboard_settings_update", object_type="user", object_id=user.pk,
        detail={"years_shown": years_shown},
    )
    return True
