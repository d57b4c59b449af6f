"""Reads of partnership groups, scoped to the user's schools (everyone else: not found, 404)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from datahub.models import Establishment

from .models import GroupEvent, GroupMember, GroupStatus, MemberStatus, PartnershipGroup


def group_partner_ids(establishment_ids: Iterable[int]) -> set[int]:
    """Schools that have joined an ACTIVE group which one of ``establishment_ids`` has joined too."""
    ids = set(establishment_ids)
    if not ids:
        return set()
    groups = GroupMember.objects.filter(
        establishment_id__in=ids, status=MemberStatus.JOINED, group__status=GroupStatus.ACTIVE
    ).values("group_id")
    by_group: dict[int, set[int]] = {}
    for gid, est in GroupMember.objects.filter(group_id__in=groups, status=MemberStatus.JOINED).values_list(
        "group_id", "establishment_id"
    ):
        by_group.setdefault(gid, set()).add(est)
    out: set[int] = set()
    for members in by_group.values():
        # As for pairs: the other schools; one of ``ids`` too when another of ``ids`` is in the group.
        out |= members if len(members & ids) > 1 else members - ids
    return out


def groups_for(establishment_ids: Iterable[int]) -> QuerySet[PartnershipGroup]:
    """Every group (any status) one of the schools was invited to or founded: members see it,
    whatever they answered, so a declined or left school keeps the record of what it was part of."""
    return (
        PartnershipGroup.objects.filter(members__establishment_id__in=list(establishment_ids))
        .distinct()
        .select_related("founder")
    )


def members_of(group: PartnershipGroup) -> list[GroupMember]:
    return list(group.members.select_related("establishment__authority").order_by("establishment__name", "id"))


def member_row(group: PartnershipGroup, establishment: Establishment | int) -> GroupMember | None:
    est_id = establishment if isinstance(establishment, int) else establishment.pk
    return group.members.filter(establishment_id=est_id).first()


def group_events(group: PartnershipGroup) -> QuerySet[GroupEvent]:
    return group.events.select_related("actor", "acting_for").order_by("at", "id")


def group_event(event_id: int) -> GroupEvent | None:
    return GroupEvent.objects.select_related("group", "acting_for", "actor").filter(pk=event_id).first()


@dataclass(frozen=True)
class GroupRow:
    group: PartnershipGroup
    mine: GroupMember  # the school's own membership row
    joined: int  # how many schools have joined


def group_rows(establishment: Establishment) -> list[GroupRow]:
    """The school's groups for View Partnerships: invitations waiting first, then the rest."""
    mine = {
        m.group_id: m
        for m in GroupMember.objects.filter(establishment=establishment).select_related("group__founder")
    }
    counts: dict[int, int] = {}
    for gid in GroupMember.objects.filter(group_id__in=list(mine), status=MemberStatus.JOINED).values_list(
        "group_id", flat=True
    ):
        counts[gid] = counts.get(gid, 0) + 1
    rows = [GroupRow(m.group, m, counts.get(gid, 0)) for gid, m in mine.items()]
    order = {MemberStatus.INVITED: 0, MemberStatus.JOINED: 1}
    rows.sort(key=lambda r: (order.get(MemberStatus(r.mine.status), 2), r.group.status == GroupStatus.ENDED,
                             -r.group.updated_at.timestamp()))
    return rows


def pending_invitation_group_ids(establishment_ids: Iterable[Any]) -> set[int]:
    """Groups not ended that invited one of the schools, unanswered (the header's count)."""
    return set(
        GroupMember.objects.filter(
            establishment_id__in=list(establishment_ids), status=MemberStatus.INVITED,
        ).exclude(group__status=GroupStatus.ENDED).values_list("group_id", flat=True)
    )
