"""Reads of comparator groups, scoped to the viewer: a group is seen by its owner, by the users it
is shared with, and by the staff of the two schools of the learning partnership it is shared with
while that partnership is active. Everyone else is told it does not exist (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from datahub.access import is_portal_user
from datahub.models import Establishment, EstablishmentType
from partnerships.models import Status
from partnerships.selectors import member_establishment_ids

from .models import ComparatorGroup


def may_build_groups(user: Any) -> bool:
    """Anyone with a role in the portal may build comparator groups (they hold no learner data)."""
    return is_portal_user(user)


def groups_for(user: Any) -> QuerySet[ComparatorGroup]:
    """Every group the user may see, owned or shared."""
    if not getattr(user, "is_authenticated", False):
        return ComparatorGroup.objects.none()
    schools = member_establishment_ids(user)
    via_partnership = Q(partnership__status=Status.ACTIVE) & (
        Q(partnership__proposer_id__in=schools) | Q(partnership__partner_id__in=schools)
    )
    return (ComparatorGroup.objects.filter(Q(owner=user) | Q(shared_with=user) | via_partnership)
            .distinct().select_related("owner", "partnership__proposer", "partnership__partner"))


def group_for(user: Any, pk: int | str | None) -> ComparatorGroup | None:
    """The group ``pk`` if the user may see it (None for a bad id or someone else's group)."""
    if pk is None or not str(pk).isdigit():
        return None
    return groups_for(user).filter(pk=int(pk)).first()


def owned_group(user: Any, pk: int) -> ComparatorGroup | None:
    """The group ``pk`` if the user owns it (only the owner edits, shares or deletes)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return ComparatorGroup.objects.filter(pk=pk, owner=user).first()


def members_of(group: ComparatorGroup) -> list[Establishment]:
    return list(group.members.select_related("authority").order_by("name"))


def secondaries() -> QuerySet[Establishment]:
    return Establishment.objects.filter(type=EstablishmentType.SECONDARY).select_related("authority")
