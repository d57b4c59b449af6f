"""Who may read, contribute to and manage a partnership's workspace.

- A workspace exists for a partnership that is active or has ended (an ended one was active:
  ``end`` only leaves ``active``). Proposals, declined and withdrawn ones have none.
- Read: admins and staff of either school (the same people who see the partnership); anyone
  else gets 404, whatever id is put in the path.
- Contribute (actions, meeting notes, files): admins and staff of either school, while the
  partnership is active.
- Manage (purpose and aims, leads, joint measures, removing another person's file or note): the
  schools' admins (``datahub.access.can_act_for_establishment``), while active.
- When the partnership ends the workspace is read-only for everyone and keeps its record.

A partnership group's workspace (leads, files, the joint evaluation; subject.py) follows the same
rules with "the group's joined schools" for "either school": admins and staff of a school that has
joined read and contribute, admins of a joined school manage, everyone else (invited, declined or
left schools included) gets 404; it is writable while the group is active, read-only once ended.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from datahub.access import can_act_for_establishment
from datahub.models import Establishment

from ..groups.models import GroupMember, GroupStatus, MemberStatus, PartnershipGroup
from ..models import Partnership, Status
from ..selectors import member_establishment_ids, partnerships_for
from .subject import Owner, subject_of

WORKSPACE_STATUSES = (Status.ACTIVE, Status.ENDED)
READ_ONLY = "The partnership has ended: its workspace is kept as a record and can no longer be changed."
GROUP_READ_ONLY = "The group has ended: its workspace is kept as a record and can no longer be changed."
GROUP_FORMING = "The group is still forming: its workspace opens once three schools have joined."


class WorkspaceClosed(Exception):
    """A write to the workspace of a partnership that has ended (read-only)."""

    def __init__(self, message: str = READ_ONLY) -> None:
        super().__init__(message)


def workspace_partnership(user: Any, pk: int) -> Partnership:
    """The partnership whose workspace ``user`` may read; Http404 for everyone else."""
    p = partnerships_for(user).filter(pk=pk, status__in=WORKSPACE_STATUSES).first()
    if p is None:
        raise Http404("No such partnership workspace")
    return p


def workspace_group(user: Any, pk: int) -> PartnershipGroup:
    """The group whose workspace ``user`` may read (a school of theirs has joined it); else Http404."""
    joined = GroupMember.objects.filter(
        group_id=pk, status=MemberStatus.JOINED, establishment_id__in=member_establishment_ids(user)
    )
    g = PartnershipGroup.objects.filter(pk=pk, pk__in=joined.values("group_id")).select_related("founder").first()
    if g is None:
        raise Http404("No such partnership group workspace")
    return g


def _group_schools(user: Any, group: PartnershipGroup) -> list[Establishment]:
    return [
        m.establishment
        for m in GroupMember.objects.filter(
            group=group, status=MemberStatus.JOINED, establishment_id__in=member_establishment_ids(user)
        ).select_related("establishment").order_by("establishment__name", "id")
    ]


def my_school(user: Any, partnership: Owner) -> Establishment:
    """The school of the partnership ``user`` works for (the proposer's when they are in both; in
    a group, the first by name of theirs that joined)."""
    if isinstance(partnership, PartnershipGroup):
        schools = _group_schools(user, partnership)
        if not schools:
            raise Http404("No such partnership group workspace")
        return schools[0]
    mine = member_establishment_ids(user)
    if partnership.proposer_id in mine:
        return partnership.proposer
    if partnership.partner_id in mine:
        return partnership.partner
    raise Http404("No such partnership workspace")


def managing_school(user: Any, partnership: Owner) -> Establishment | None:
    """The school of the partnership (or group) ``user`` is an admin of, if any."""
    schools = (
        _group_schools(user, partnership)
        if isinstance(partnership, PartnershipGroup)
        else [partnership.proposer, partnership.partner]
    )
    for est in schools:
        if can_act_for_establishment(user, est):
            return est
    return None


def is_read_only(partnership: Owner) -> bool:
    return subject_of(partnership).is_read_only()


def closed(partnership: Owner) -> WorkspaceClosed:
    if isinstance(partnership, PartnershipGroup):
        return WorkspaceClosed(GROUP_FORMING if partnership.status == GroupStatus.FORMING else GROUP_READ_ONLY)
    return WorkspaceClosed()


def require_contribute(user: Any, partnership: Owner) -> Establishment:
    """The school ``user`` contributes for; PermissionDenied / Http404 / WorkspaceClosed otherwise."""
    school = my_school(user, partnership)
    if is_read_only(partnership):
        raise closed(partnership)
    return school


def require_manage(user: Any, partnership: Owner) -> Establishment:
    """The school ``user`` manages the workspace for (an admin of it)."""
    my_school(user, partnership)  # 404 for outsiders first
    school = managing_school(user, partnership)
    if school is None:
        whose = "the group's schools" if isinstance(partnership, PartnershipGroup) else "the two schools"
        raise PermissionDenied(f"Only a Learning Partner Administrator of one of {whose} can change this.")
    if is_read_only(partnership):
        raise closed(partnership)
    return school


def can_contribute(user: Any, partnership: Owner) -> bool:
    if isinstance(partnership, PartnershipGroup):
        return not is_read_only(partnership) and bool(_group_schools(user, partnership))
    return not is_read_only(partnership) and bool(
        {partnership.proposer_id, partnership.partner_id} & member_establishment_ids(user)
    )


def can_manage(user: Any, partnership: Owner) -> bool:
    return not is_read_only(partnership) and managing_school(user, partnership) is not None
