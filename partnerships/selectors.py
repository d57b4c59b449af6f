"""Reads of partnership data. Used by higher layers to grant partner entitlement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from datahub.access import memberships_of
from datahub.models import ESTABLISHMENT_ROLES, Establishment, Role, User

from .groups.selectors import group_partner_ids, pending_invitation_group_ids
from .models import LIVE, TRANSITIONS, Notification, Partnership, PartnershipEvent, Status


def partner_establishment_ids(establishment_ids: Iterable[int]) -> set[int]:
    """Establishments in an ACTIVE learning partnership with any of ``establishment_ids``, or
    joined to an ACTIVE partnership group that one of them has joined (the one place partner
    entitlement is computed: insight.entitlement and the benchmark pages ask here)."""
    ids = set(establishment_ids)
    if not ids:
        return set()
    out: set[int] = group_partner_ids(ids)
    for proposer, partner in Partnership.objects.filter(
        Q(proposer_id__in=ids) | Q(partner_id__in=ids), status=Status.ACTIVE
    ).values_list("proposer_id", "partner_id"):
        out.add(partner if proposer in ids else proposer)
        if partner in ids and proposer in ids:
            out.update({proposer, partner})
    return out


# --- Scoped reads for pages and the API ----------------------------------------------------


def member_establishment_ids(user: object) -> set[int]:
    """Schools where the user holds an establishment role (admin or staff): the schools whose
    partnerships they see. Everyone else sees no partnership at all (404, not 403)."""
    return {m.establishment_id for m in memberships_of(user) if m.role in ESTABLISHMENT_ROLES and m.establishment_id}


def admin_establishment_ids(user: object) -> set[int]:
    """Schools the user may act for on learning partnerships (establishment admin)."""
    return {
        m.establishment_id
        for m in memberships_of(user)
        if m.role == Role.ESTABLISHMENT_ADMIN and m.establishment_id
    }


def admins_of(establishment: Establishment) -> list[User]:
    """Active users holding the establishment admin role at ``establishment``."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.ESTABLISHMENT_ADMIN,
            memberships__establishment=establishment,
        ).distinct().order_by("email")
    )


def acting_school_for(user: User, partnership: Partnership, action: str) -> Establishment | None:
    """Which of the partnership's schools ``user`` acts for in ``action``: one where they are admin
    and the action belongs to that side; else a school of theirs in it (the transition then refuses
    with the reason); None when neither school is theirs (callers answer 404)."""
    admin = admin_establishment_ids(user)
    mine = member_establishment_ids(user)
    side = TRANSITIONS[action].side
    sides = [partnership.partner, partnership.proposer]
    for est in sides:
        if est.pk in admin and (side == "either" or est.pk == getattr(partnership, f"{side}_id")):
            return est
    for est in sides:
        if est.pk in mine:
            return est
    return None


def partnerships_for(user: object) -> QuerySet[Partnership]:
    """Every partnership (any status) involving one of the user's schools."""
    ids = member_establishment_ids(user)
    return Partnership.objects.filter(Q(proposer_id__in=ids) | Q(partner_id__in=ids)).select_related(
        "proposer__authority", "partner__authority"
    )


def live_partnership_between(a: Establishment, b: Establishment) -> Partnership | None:
    """The proposed or active partnership of two schools, whichever proposed (at most one)."""
    return (
        Partnership.objects.filter(status__in=LIVE)
        .filter(Q(proposer=a, partner=b) | Q(proposer=b, partner=a))
        .select_related("proposer", "partner")
        .first()
    )


def live_partnerships_by_other(establishment: Establishment | int) -> dict[int, Partnership]:
    """The school's live partnerships keyed by the other school's id (one per pair)."""
    est_id = establishment if isinstance(establishment, int) else establishment.pk
    out: dict[int, Partnership] = {}
    for p in Partnership.objects.filter(Q(proposer_id=est_id) | Q(partner_id=est_id), status__in=LIVE):
        out[p.partner_id if p.proposer_id == est_id else p.proposer_id] = p
    return out


@dataclass(frozen=True)
class PartnershipTables:
    """The three tables of View Partnerships for one school."""

    received: list[Partnership]
    active: list[Partnership]
    sent: list[Partnership]
    past: list[Partnership]


def partnership_tables(establishment: Establishment) -> PartnershipTables:
    rows = list(
        Partnership.objects.filter(Q(proposer=establishment) | Q(partner=establishment))
        .select_related("proposer__authority", "partner__authority")
        .order_by("-updated_at", "-id")
    )
    received = [p for p in rows if p.status == Status.PROPOSED and p.partner_id == establishment.pk]
    sent = [p for p in rows if p.status == Status.PROPOSED and p.proposer_id == establishment.pk]
    active = [p for p in rows if p.status == Status.ACTIVE]
    past = [p for p in rows if p.status not in LIVE][:50]
    return PartnershipTables(received, active, sent, past)


def partnership_events(partnership: Partnership) -> QuerySet[PartnershipEvent]:
    return partnership.events.select_related("actor", "acting_for").order_by("at", "id")


def partnership_event(event_id: int) -> PartnershipEvent | None:
    """One transition with what its e-mails name (both schools, the acting school, the actor)."""
    return (
        PartnershipEvent.objects.select_related("partnership__proposer", "partnership__partner", "acting_for", "actor")
        .filter(pk=event_id)
        .first()
    )


def unread_notifications(user: Any, establishment_ids: Iterable[int] | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True).select_related("event", "group_event")
    if establishment_ids is not None:
        qs = qs.filter(establishment_id__in=list(establishment_ids))
    return qs.order_by("-created_at", "-id")


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "event", "group_event", "partnership__proposer", "partnership__partner", "establishment"
    ).order_by("-created_at", "-id")


def waiting_count(user: Any) -> int:
    """Things waiting for the user in Learning Partnerships (the header's count).

    Proposals to one of the schools they act for that nobody has answered yet, and unread notices
    about anything else (a notice about a waiting proposal is the same thing, counted once).
    Reading the notices or answering the proposal clears them.
    """
    admin_ids = admin_establishment_ids(user)
    pending = set(
        Partnership.objects.filter(partner_id__in=admin_ids, status=Status.PROPOSED).values_list("pk", flat=True)
    ) if admin_ids else set()
    # Partnership groups the same way: invitations waiting for one of their schools' answer.
    pending_groups = pending_invitation_group_ids(admin_ids) if admin_ids else set()
    unread = (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .exclude(partnership_id__in=pending)
        .exclude(group_id__in=pending_groups)
        .values("partnership_id", "group_id")
        .distinct()
        .count()
    )
    return len(pending) + len(pending_groups) + unread
