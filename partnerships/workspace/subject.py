"""Whose workspace: a learning partnership (a pair) or a partnership group (3-20 schools).

Leads, shared files, the joint evaluation and notices are one implementation for both: their
rows carry a ``partnership`` or a ``group`` (models.py), and the code asks a ``Subject`` for what
differs: the member schools, the row filter, the lock, whether it is read-only, names and links.

- A pair's schools are its proposer and partner; its workspace exists while it is active or
  ended (access.py) and is read-only once ended.
- A group's schools are those that have *joined* it (an ended group keeps the schools joined when
  it ended); its workspace is open while the group is active and read-only once it ended (a
  group still forming has no workspace to write to yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from datahub.models import ESTABLISHMENT_ROLES, Establishment, User

from ..groups.models import GroupMember, GroupStatus, MemberStatus, PartnershipGroup
from ..models import Partnership, Status

Owner = Partnership | PartnershipGroup


@dataclass(frozen=True)
class Subject:
    owner: Owner

    @property
    def is_group(self) -> bool:
        return isinstance(self.owner, PartnershipGroup)

    @property
    def pk(self) -> int:
        return self.owner.pk

    @property
    def key(self) -> dict[str, Any]:
        """The filter (and create keywords) of the workspace rows that belong to it."""
        return {"group": self.owner} if self.is_group else {"partnership": self.owner}

    @property
    def audit_type(self) -> str:
        return "partnership_group" if self.is_group else "partnership"

    @property
    def audit_prefix(self) -> str:
        return "partnership_group_" if self.is_group else "partnership_workspace_"

    def schools(self) -> list[Establishment]:
        o = self.owner
        if isinstance(o, PartnershipGroup):
            return [
                m.establishment
                for m in GroupMember.objects.filter(group=o, status=MemberStatus.JOINED)
                .select_related("establishment__authority")
                .order_by("establishment__name", "id")
            ]
        return [o.proposer, o.partner]

    def school_ids(self) -> list[int]:
        o = self.owner
        if isinstance(o, PartnershipGroup):
            return [e.pk for e in self.schools()]
        return [o.proposer_id, o.partner_id]

    def people(self) -> list[tuple[User, Establishment]]:
        """Active staff (admins and staff) of the member schools, with the school each works for."""
        out: list[tuple[User, Establishment]] = []
        for est in self.schools():
            users = (
                User.objects.filter(
                    is_active=True, memberships__role__in=list(ESTABLISHMENT_ROLES), memberships__establishment=est
                )
                .distinct()
                .order_by("last_name", "first_name", "email")
            )
            out.extend((u, est) for u in users)
        return out

    def is_read_only(self) -> bool:
        o = self.owner
        if isinstance(o, PartnershipGroup):
            return o.status != GroupStatus.ACTIVE
        return o.status != Status.ACTIVE

    def ended_at(self) -> dt.datetime | None:
        o = self.owner
        ended = GroupStatus.ENDED if isinstance(o, PartnershipGroup) else Status.ENDED
        return o.updated_at if o.status == ended else None

    def locked(self) -> Subject:
        """The owner's row again, locked (``select_for_update``) for a write."""
        o = self.owner
        if isinstance(o, PartnershipGroup):
            return Subject(PartnershipGroup.objects.select_for_update(of=("self",)).get(pk=o.pk))
        return Subject(
            Partnership.objects.select_for_update(of=("self",))
            .select_related("proposer__authority", "partner__authority")
            .get(pk=o.pk)
        )

    def name(self) -> str:
        o = self.owner
        if isinstance(o, PartnershipGroup):
            return o.name
        return f"{o.proposer.name} and {o.partner.name}"

    def others_name(self, school: Establishment) -> str:
        """How e-mails to ``school``'s staff name the rest: the other school, or the group."""
        o = self.owner
        if isinstance(o, PartnershipGroup):
            return f"the group \u201c{o.name}\u201d"
        return o.other(school).name

    def url(self, anchor: str = "") -> str:
        if self.is_group:
            return reverse("partnerships:group", args=[self.pk]) + (f"#{anchor}" if anchor else "")
        return reverse("partnerships:workspace", args=[self.pk]) + (f"#{anchor}" if anchor else "")

    def evaluation_url(self) -> str:
        name = "partnerships:group_evaluation" if self.is_group else "partnerships:workspace_evaluation"
        return reverse(name, args=[self.pk])


def subject_of(owner: Owner | Subject) -> Subject:
    return owner if isinstance(owner, Subject) else Subject(owner)


def owner_filter(owner: Owner) -> dict[str, Any]:
    return subject_of(owner).key
