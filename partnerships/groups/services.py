"""Writes to partnership groups: the state machine (see models.py for the picture).

Rules, the same as for a pair of schools where they apply (partnerships.services):

- only a Learning Partner Administrator of the school concerned acts for it
  (``datahub.access.can_act_for_establishment``); anyone else: PermissionDenied;
- the founding school invites two or more *other* schools of its own type (the eligibility rules
  of proposing a pair: not itself, the same type of school); each school is invited once;
- each invited school's admin accepts or declines, while the group is forming or active (a
  school invited to a larger group may still join after the third has); the group becomes active
  when the third school (the founder included) has joined; if declines leave too few schools to reach three, the group
  ends without having been active;
- a member school's admin may leave; if fewer than three schools remain, the group ends;
- after founding, the founding school's admin may invite more schools (the same refusals as at
  founding; at most ``MAX_INVITED`` schools besides the founder invited or joined at once; a school
  that declined, left or was withdrawn may be invited again) and withdraw an invitation not yet
  answered (if too few schools are then left to reach three, the group ends, as after a decline);
- ending is the founding school's (our rule: the school that formed the group closes it; the
  founding school cannot leave, it ends the group instead). An ended group is a read-only record;
- every change is race-safe (the group's row is locked with ``select_for_update``), recorded
  (GroupEvent), audited (``partnership_group_<verb>``), and told to the admins of the group's
  other schools in the portal (partnerships.models.Notification) and by e-mail after the
  transaction commits (partnerships.tasks).

Refusals of bad input are ``GroupError`` with the ``field`` at fault (name, purpose, schools,
message, aims), so pages and the API can say which field is wrong and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from datahub.access import can_act_for_establishment
from datahub.models import Establishment, User
from datahub.services import audit_event_create

from ..models import Notification
from ..selectors import admins_of
from ..tasks import group_emails_enqueue
from .models import (
    MAX_INVITED,
    MIN_SCHOOLS,
    GroupEvent,
    GroupMember,
    GroupStatus,
    MemberStatus,
    PartnershipGroup,
)
from .notifications import notice_text

MAX_MESSAGE = 2000
MAX_NAME = 150
MAX_PURPOSE = 2000
MAX_AIMS = 4000


class GroupError(Exception):
    """The request cannot be carried out as asked; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "non_field_errors") -> None:
        super().__init__(message)
        self.field = field


class GroupStateError(GroupError):
    """The group or the school's place in it does not allow this now (already answered, ended...)."""


def _text(value: str, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise GroupError(f"Enter the group's {label}.", field)
    if len(value) > limit:
        raise GroupError(f"The {label} can be at most {limit} characters (it has {len(value)}).", field)
    return value


def _require_admin(by: User, acting_for: Establishment) -> None:
    if not can_act_for_establishment(by, acting_for):
        raise PermissionDenied(
            f"Only a Learning Partner Administrator of {acting_for.name} can act on its partnership groups."
        )


def _record(*, group: PartnershipGroup, verb: str, by: User, acting_for: Establishment, message: str,
            at: datetime, also: Establishment | None = None) -> GroupEvent:
    """The event, the audit entry, the other schools' notifications; e-mails after commit."""
    event = GroupEvent.objects.create(group=group, verb=verb, actor=by, acting_for=acting_for,
                                      group_status=group.status, message=message, at=at)
    audit_event_create(
        actor=by, action=f"partnership_group_{verb}", object_type="partnership_group", object_id=group.pk,
        establishment=acting_for, detail={"group": group.name, "status": group.status},
    )
    text = notice_text(event)
    told = GroupMember.objects.filter(group=group, status__in=(MemberStatus.INVITED, MemberStatus.JOINED)).exclude(
        establishment=acting_for
    ).select_related("establishment")
    schools = [m.establishment for m in told] + ([also] if also is not None else [])
    Notification.objects.bulk_create([
        Notification(recipient=u, group=group, group_event=event, establishment=est, text=text,
                     created_at=event.at)
        for est in schools
        for u in admins_of(est)
        if u.pk != by.pk
    ])
    event_id = event.pk
    transaction.on_commit(lambda: group_emails_enqueue(event_id))
    return event


@transaction.atomic
def group_propose(
    *, founder: Establishment, invited: Sequence[Establishment], name: str, purpose: str, by: User,
    message: str = "",
) -> PartnershipGroup:
    """``by`` (an admin of ``founder``) founds a group and invites ``invited`` (two or more schools)."""
    _require_admin(by, founder)
    name = _text(name, field="name", label="name", limit=MAX_NAME, required=True)
    purpose = _text(purpose, field="purpose", label="purpose", limit=MAX_PURPOSE, required=True)
    message = _text(message, field="message", label="message", limit=MAX_MESSAGE, required=False)
    others = _eligible(founder, invited)
    if len(others) < MIN_SCHOOLS - 1:
        raise GroupError(f"Invite at least {MIN_SCHOOLS - 1} other schools: a group has at least {MIN_SCHOOLS} "
                         "schools (for two schools, propose a learning partnership).", "schools")
    if len(others) > MAX_INVITED:
        raise GroupError(f"Invite at most {MAX_INVITED} schools (you listed {len(others)}).", "schools")
    now = timezone.now()
    group = PartnershipGroup.objects.create(name=name, purpose=purpose, founder=founder,
                                            status=GroupStatus.FORMING, created_at=now, updated_at=now)
    GroupMember.objects.create(group=group, establishment=founder, status=MemberStatus.JOINED,
                               invited_at=now, answered_at=now)
    GroupMember.objects.bulk_create([
        GroupMember(group=group, establishment=est, status=MemberStatus.INVITED, invited_at=now)
        for est in others.values()
    ])
    _record(group=group, verb="propose", by=by, acting_for=founder, message=message, at=now)
    return group


def _eligible(founder: Establishment, invited: Sequence[Establishment]) -> dict[int, Establishment]:
    """The schools ``founder`` may invite (by id): not itself, the same type of school."""
    others: dict[int, Establishment] = {}
    for est in invited:
        if est.pk == founder.pk:
            raise GroupError(f"{founder.name} is the founding school: it is in the group already. "
                             "Invite other schools.", "schools")
        if est.type != founder.type:
            raise GroupError(
                f"Learning partners are schools of the same type: {est.name} is a "
                f"{est.get_type_display().lower()} school, {founder.name} a {founder.get_type_display().lower()} school.",
                "schools",
            )
        others[est.pk] = est
    return others


def _founder_locked(group: PartnershipGroup, by: User) -> PartnershipGroup:
    locked = PartnershipGroup.objects.select_for_update(of=("self",)).select_related("founder").get(pk=group.pk)
    _require_admin(by, locked.founder)
    if locked.status == GroupStatus.ENDED:
        raise GroupStateError("The group has ended: it is kept as a record and can no longer be changed.")
    return locked


def group_invite(*, group: PartnershipGroup, by: User, invited: Sequence[Establishment],
                 message: str = "") -> list[Establishment]:
    """The founding school's admin invites more schools to a forming or active group."""
    message = _text(message, field="message", label="message", limit=MAX_MESSAGE, required=False)
    with transaction.atomic():
        locked = _founder_locked(group, by)
        others = _eligible(locked.founder, invited)
        if not others:
            raise GroupError("Enter the SEED codes of the schools to invite.", "schools")
        rows = {m.establishment_id: m for m in locked.members.select_for_update()}
        for est in others.values():
            row = rows.get(est.pk)
            if row is not None and row.status in (MemberStatus.INVITED, MemberStatus.JOINED):
                raise GroupError(f"{est.name} is already {'invited to' if row.status == MemberStatus.INVITED else 'in'} "
                                 "the group.", "schools")
        taken = sum(1 for m in rows.values() if m.status in (MemberStatus.INVITED, MemberStatus.JOINED)
                    and m.establishment_id != locked.founder_id)
        if taken + len(others) > MAX_INVITED:
            raise GroupError(f"A group has at most {MAX_INVITED} schools besides the founding school: "
                             f"{taken} are invited or in it, so you can invite {max(MAX_INVITED - taken, 0)} more.",
                             "schools")
        now = timezone.now()
        for est in others.values():
            row = rows.get(est.pk)
            if row is None:
                GroupMember.objects.create(group=locked, establishment=est, status=MemberStatus.INVITED, invited_at=now)
            else:  # declined, left or withdrawn before: invited again
                row.status, row.invited_at, row.answered_at = MemberStatus.INVITED, now, None
                row.save(update_fields=["status", "invited_at", "answered_at"])
        names = ", ".join(f"{e.name} ({e.seed_code})" for e in others.values())
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        _record(group=locked, verb="invite", by=by, acting_for=locked.founder,
                message=f"Invited {names}." + (f" {message}" if message else ""), at=now)
    return list(others.values())


def group_withdraw(*, group: PartnershipGroup, by: User, member: GroupMember, message: str = "") -> PartnershipGroup:
    """The founding school's admin withdraws an invitation not yet answered."""
    message = _text(message, field="message", label="message", limit=MAX_MESSAGE, required=False)
    with transaction.atomic():
        locked = _founder_locked(group, by)
        row = locked.members.select_for_update().select_related("establishment").filter(pk=member.pk).first()
        if row is None:
            raise GroupError("That school is not invited to this group.", "schools")
        if row.status != MemberStatus.INVITED:
            raise GroupStateError(f"{row.establishment.name} has already answered the invitation "
                                  f"({row.get_status_display().lower()}).")
        now = timezone.now()
        row.status, row.answered_at = MemberStatus.WITHDRAWN, now
        row.save(update_fields=["status", "answered_at"])
        joined, waiting = _counts(locked)
        if joined + waiting < MIN_SCHOOLS:
            locked.status = GroupStatus.ENDED
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
        _record(group=locked, verb="withdraw", by=by, acting_for=locked.founder, at=now, also=row.establishment,
                message=f"Withdrew the invitation to {row.establishment.name} ({row.establishment.seed_code})."
                + (f" {message}" if message else ""))
    group.status, group.updated_at = locked.status, locked.updated_at
    return locked


def _counts(group: PartnershipGroup) -> tuple[int, int]:
    """(joined, still invited)."""
    rows = list(group.members.values_list("status", flat=True))
    return rows.count(MemberStatus.JOINED), rows.count(MemberStatus.INVITED)


def _move(
    verb: str, *, group: PartnershipGroup, by: User, acting_for: Establishment, message: str
) -> PartnershipGroup:
    """accept, decline, leave or end, under the group's row lock."""
    message = _text(message, field="message", label="message", limit=MAX_MESSAGE, required=False)
    with transaction.atomic():
        # A second admin acting at the same moment waits here, then sees the new state.
        locked = PartnershipGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
        member = locked.members.select_for_update().filter(establishment=acting_for).first()
        if member is None:
            raise PermissionDenied(f"{acting_for.name} is not part of this group.")
        _require_admin(by, acting_for)
        if locked.status == GroupStatus.ENDED:
            raise GroupStateError("The group has ended: it is kept as a record and can no longer be changed.")
        now = timezone.now()
        if verb in ("accept", "decline"):
            if member.status != MemberStatus.INVITED:
                raise GroupStateError(f"{acting_for.name} has already answered this invitation "
                                      f"({member.get_status_display().lower()}).")
            member.status = MemberStatus.JOINED if verb == "accept" else MemberStatus.DECLINED
        elif verb == "leave":
            if locked.founder_id == acting_for.pk:
                raise PermissionDenied(f"{acting_for.name} founded the group: it cannot leave it, it can end it.")
            if member.status != MemberStatus.JOINED:
                raise GroupStateError(f"{acting_for.name} is not a member of the group "
                                      f"({member.get_status_display().lower()}).")
            member.status = MemberStatus.LEFT
        elif verb == "end":
            if locked.founder_id != acting_for.pk:
                raise PermissionDenied(f"Only the founding school ({locked.founder.name}) can end the group; "
                                       f"{acting_for.name} can leave it.")
        else:  # pragma: no cover
            raise ValueError(verb)
        if verb != "end":
            member.answered_at = now
            member.save(update_fields=["status", "answered_at"])
        joined, waiting = _counts(locked)
        if verb == "end" or joined + waiting < MIN_SCHOOLS:
            locked.status = GroupStatus.ENDED
        elif locked.status == GroupStatus.FORMING and joined >= MIN_SCHOOLS:
            locked.status = GroupStatus.ACTIVE
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
        _record(group=locked, verb=verb, by=by, acting_for=acting_for, message=message, at=now)
        # The school has acted on this group: its notices about it are handled (header count clears).
        Notification.objects.filter(group=locked, establishment=acting_for, read_at__isnull=True).update(read_at=now)
    group.status, group.updated_at = locked.status, locked.updated_at
    return locked


def group_accept(*, group: PartnershipGroup, by: User, acting_for: Establishment, message: str = "") -> PartnershipGroup:
    """An invited school's admin joins the group (active once three schools are in)."""
    return _move("accept", group=group, by=by, acting_for=acting_for, message=message)


def group_decline(*, group: PartnershipGroup, by: User, acting_for: Establishment, message: str = "") -> PartnershipGroup:
    """An invited school's admin declines the invitation."""
    return _move("decline", group=group, by=by, acting_for=acting_for, message=message)


def group_leave(*, group: PartnershipGroup, by: User, acting_for: Establishment, message: str = "") -> PartnershipGroup:
    """A member school's admin leaves: from now on it and the others no longer see each other's data."""
    return _move("leave", group=group, by=by, acting_for=acting_for, message=message)


def group_end(*, group: PartnershipGroup, by: User, acting_for: Establishment, message: str = "") -> PartnershipGroup:
    """The founding school's admin ends the group (forming or active); its record is kept read-only."""
    return _move("end", group=group, by=by, acting_for=acting_for, message=message)


GROUP_ACTIONS = {"accept": group_accept, "decline": group_decline, "leave": group_leave, "end": group_end}


@transaction.atomic
def group_aims_update(*, group: PartnershipGroup, by: User, acting_for: Establishment, aims: str) -> PartnershipGroup:
    """A joined school's admin writes the group's agreed aims (while the group is active)."""
    aims = _text(aims, field="aims", label="aims", limit=MAX_AIMS, required=False)
    locked = PartnershipGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not locked.members.filter(establishment=acting_for, status=MemberStatus.JOINED).exists():
        raise PermissionDenied(f"{acting_for.name} is not a member of this group.")
    _require_admin(by, acting_for)
    if locked.status != GroupStatus.ACTIVE:
        raise GroupStateError("The aims can be written while the group is active (it is "
                              f"{locked.get_status_display().lower()}).", "aims")
    locked.aims, locked.aims_updated_at, locked.aims_updated_by = aims, timezone.now(), by
    locked.save(update_fields=["aims", "aims_updated_at", "aims_updated_by"])
    audit_event_create(actor=by, action="partnership_group_aims", object_type="partnership_group",
                       object_id=locked.pk, establishment=acting_for, detail={"group": locked.name})
    return locked
