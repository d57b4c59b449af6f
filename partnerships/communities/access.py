"""Who may create, read, contribute to and moderate a community of practice.

- Create: data managers of an authority (the community is theirs) or of Scotland (national).
- Members: people added by a community admin. Any person with a role in the portal may be added
  (school admins and staff, authority staff, analysts, data managers) and so may members of
  partner organisations (a college, the national skills body), who reach nothing else.
- Read and contribute (threads, replies, resources): members only. Anyone else gets 404 for the
  community and everything in it, whatever id is put in the path.
- Moderate (add members, hide posts): the community's admins (its creator, and members the
  admins make admins); other members get 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from datahub.access import memberships_of
from datahub.models import LocalAuthority, Role

from .models import Community, CommunityMember


def creator_authorities(user: Any) -> tuple[bool, list[LocalAuthority]]:
    """(national, authorities) for which ``user`` may create a community: data managers above a school."""
    national = False
    authorities: list[LocalAuthority] = []
    for m in memberships_of(user):
        if m.role != Role.DATA_MANAGER or m.establishment_id is not None:
            continue
        if m.authority is None:
            national = True
        else:
            authorities.append(m.authority)
    return national, authorities


def may_create_community(user: Any) -> bool:
    national, authorities = creator_authorities(user)
    return national or bool(authorities)


def may_join_communities(user: Any) -> bool:
    """May be a member: anyone with a role other than user administration (which reaches people,
    not practice)."""
    return any(m.role != Role.USER_ADMIN for m in memberships_of(user))


def may_use_communities(user: Any) -> bool:
    """The Communities pages and API: members of a community, those who may create one, and every
    partner organisation member (the communities are their home in the portal: before a community
    admin adds them, it says so rather than refusing them)."""
    return may_create_community(user) or (may_join_communities(user) and (
        any(m.role == Role.PARTNER_MEMBER for m in memberships_of(user))
        or CommunityMember.objects.filter(user=user).exists()
    ))


def communities_for(user: Any) -> QuerySet[Community]:
    """The communities ``user`` is a member of (scoped: the one doorway for reads)."""
    if not getattr(user, "is_authenticated", False) or not may_join_communities(user):
        return Community.objects.none()
    return Community.objects.filter(members__user=user)


def community_for(user: Any, pk: int) -> Community:
    """A community ``user`` belongs to; Http404 for everyone else."""
    community = communities_for(user).filter(pk=pk).first()
    if community is None:
        raise Http404("No such community")
    return community


def is_community_admin(user: Any, community: Community) -> bool:
    return CommunityMember.objects.filter(community=community, user=user, is_admin=True).exists()


def require_admin(user: Any, community: Community) -> None:
    """403 for a member who is not one of the community's admins (outsiders got 404 already)."""
    if not is_community_admin(user, community):
        raise PermissionDenied("Only the community's admins may do this.")
