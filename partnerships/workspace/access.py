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
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from datahub.access import can_act_for_establishment
from datahub.models import Establishment

from ..models import Partnership, Status
from ..selectors import member_establishment_ids, partnerships_for

WORKSPACE_STATUSES = (Status.ACTIVE, Status.ENDED)
READ_ONLY = "The partnership has ended: its workspace is kept as a record and can no longer be changed."


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


def my_school(user: Any, partnership: Partnership) -> Establishment:
    """The school of the partnership ``user`` works for (the proposer's when they are in both)."""
    mine = member_establishment_ids(user)
    if partnership.proposer_id in mine:
        return partnership.proposer
    if partnership.partner_id in mine:
        return partnership.partner
    raise Http404("No such partnership workspace")


def managing_school(user: Any, partnership: Partnership) -> Establishment | None:
    """The school of the partnership ``user`` is an admin of, if any."""
    for est in (partnership.proposer, partnership.partner):
        if can_act_for_establishment(user, est):
            return est
    return None


def is_read_only(partnership: Partnership) -> bool:
    return partnership.status != Status.ACTIVE


def require_contribute(user: Any, partnership: Partnership) -> Establishment:
    """The school ``user`` contributes for; PermissionDenied / Http404 / WorkspaceClosed otherwise."""
    school = my_school(user, partnership)
    if is_read_only(partnership):
        raise WorkspaceClosed()
    return school


def require_manage(user: Any, partnership: Partnership) -> Establishment:
    """The school ``user`` manages the workspace for (an admin of it)."""
    my_school(user, partnership)  # 404 for outsiders first
    school = managing_school(user, partnership)
    if school is None:
        raise PermissionDenied("Only a Learning Partner Administrator of one of the two schools can change this.")
    if is_read_only(partnership):
        raise WorkspaceClosed()
    return school


def can_contribute(user: Any, partnership: Partnership) -> bool:
    return not is_read_only(partnership) and bool(
        {partnership.proposer_id, partnership.partner_id} & member_establishment_ids(user)
    )


def can_manage(user: Any, partnership: Partnership) -> bool:
    return not is_read_only(partnership) and managing_school(user, partnership) is not None
