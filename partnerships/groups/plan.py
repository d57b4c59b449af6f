"""A partnership group's shared action plan and meeting notes (the group's part of the workspace).

Who may write: admins and staff of a school that has *joined* the group, while the group is
active; the owner of an action is a person (admin or staff) of a joined school. Each write locks
the group's row (``select_for_update``, as ``group_leave`` and ``group_end`` do) and checks again
under the lock, so nothing is written after the group ended or the writer's school left. Each write
is audited (``partnership_group_action_add``, ``_action_update``, ``_note_add``). A new action or
meeting notes are told to the other joined schools' staff (partnerships.workspace.notices, the
workspace's notices and e-mail choices). An ended group's plan and notes are kept, read-only.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from datahub.models import ESTABLISHMENT_ROLES, Establishment, User
from datahub.services import audit_event_create

from ..selectors import member_establishment_ids
from ..workspace.notices import activity_notify
from ..workspace.subject import Subject
from .models import GroupAction, GroupMember, GroupNote, GroupStatus, MemberStatus, PartnershipGroup
from .services import GroupError, GroupStateError

STATUSES = {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}


def group_people(group: PartnershipGroup) -> list[tuple[User, Establishment]]:
    """Active admins and staff of the group's joined schools, with the school each works for."""
    out: list[tuple[User, Establishment]] = []
    for m in GroupMember.objects.filter(group=group, status=MemberStatus.JOINED).select_related("establishment"):
        users = User.objects.filter(
            is_active=True, memberships__role__in=list(ESTABLISHMENT_ROLES), memberships__establishment=m.establishment
        ).distinct().order_by("last_name", "first_name", "email")
        out.extend((u, m.establishment) for u in users)
    return out


def _locked_school(group: PartnershipGroup, by: User) -> tuple[PartnershipGroup, Establishment]:
    locked = PartnershipGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    joined = GroupMember.objects.filter(group=locked, status=MemberStatus.JOINED,
                                        establishment_id__in=member_establishment_ids(by)).select_related("establishment")
    row = joined.order_by("establishment__name").first()
    if row is None:
        raise PermissionDenied("Only the staff of the group's member schools can add to its plan and notes.")
    if locked.status != GroupStatus.ACTIVE:
        raise GroupStateError("The group is not active: its plan and notes can no longer be changed."
                              if locked.status == GroupStatus.ENDED else
                              "The group is still forming: its plan opens once three schools have joined.")
    return locked, row.establishment


def _text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise GroupError(f"Enter {label}.", field)
    if len(value) > limit:
        raise GroupError(f"{label[0].upper()}{label[1:]} can be at most {limit:,} characters.", field)
    return value


def _owner(group: PartnershipGroup, owner_id: int | None) -> tuple[User, Establishment]:
    for user, est in group_people(group):
        if user.pk == owner_id:
            return user, est
    raise GroupError("Choose a member of staff of one of the group's schools.", "owner")


def _evidence(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise GroupError("Enter the link to the evidence as a web address starting https://.", "evidence_url") from None
    if len(value) > 500:
        raise GroupError("The link to the evidence can be at most 500 characters.", "evidence_url")
    return value


def _due(value: dt.date | None) -> dt.date:
    if value is None:
        raise GroupError("Enter the date the action is due, for example 27 3 2027.", "due_on")
    return value


def _status(value: str) -> str:
    if value not in STATUSES:
        raise GroupError("Choose a status.", "status")
    return value


def _audit(by: User, verb: str, group: PartnershipGroup, school: Establishment, **detail: object) -> None:
    audit_event_create(actor=by, action=f"partnership_group_{verb}", object_type="partnership_group",
                       object_id=group.pk, establishment=school, detail=detail)


@transaction.atomic
def group_action_add(
    *, group: PartnershipGroup, by: User, title: str, owner_id: int | None, due_on: dt.date | None,
    evidence_url: str = "", status: str = "not_started",
) -> GroupAction:
    locked, school = _locked_school(group, by)
    title = _text(title, field="action_title", label="what the action is", limit=200)
    owner, owner_school = _owner(locked, owner_id)
    now = timezone.now()
    action = GroupAction.objects.create(
        group=locked, title=title, owner=owner, owner_name=owner.get_full_name() or owner.email,
        owner_establishment=owner_school, due_on=_due(due_on), status=_status(status),
        evidence_url=_evidence(evidence_url), created_by=by, created_at=now, updated_at=now,
    )
    _audit(by, "action_add", locked, school, action=action.pk)
    activity_notify(partnership=locked, by=by, school=school, what=f"added an action: {title}",
                    link=Subject(locked).url("plan"))
    return action


@transaction.atomic
def group_action_status(*, action: GroupAction, by: User, status: str) -> GroupAction:
    locked, school = _locked_school(action.group, by)
    row = GroupAction.objects.select_for_update().get(pk=action.pk, group=locked)
    before, row.status, row.updated_at = row.status, _status(status), timezone.now()
    row.save(update_fields=["status", "updated_at"])
    _audit(by, "action_update", locked, school, action=row.pk, status_from=before, status_to=row.status)
    return row


@transaction.atomic
def group_action_update(
    *, action: GroupAction, by: User, title: str, owner_id: int | None, due_on: dt.date | None, status: str,
    evidence_url: str = "",
) -> GroupAction:
    """Anyone of a joined school updates an action: what, who owns it, by when, status, evidence.
    A new due date is a new reminder (``due_notified_on`` cleared)."""
    locked, school = _locked_school(action.group, by)
    row = GroupAction.objects.select_for_update().get(pk=action.pk, group=locked)
    before = row.status
    row.title = _text(title, field="title", label="what the action is", limit=200)
    owner, owner_school = _owner(locked, owner_id)
    row.owner, row.owner_name, row.owner_establishment = owner, owner.get_full_name() or owner.email, owner_school
    new_due = _due(due_on)
    if new_due != row.due_on:
        row.due_notified_on = None
    row.due_on, row.status, row.evidence_url = new_due, _status(status), _evidence(evidence_url)
    row.updated_at = timezone.now()
    row.save()
    _audit(by, "action_update", locked, school, action=row.pk, status_from=before, status_to=row.status)
    return row


@transaction.atomic
def group_note_add(*, group: PartnershipGroup, by: User, held_on: dt.date | None, title: str, notes: str) -> GroupNote:
    locked, school = _locked_school(group, by)
    if held_on is None:
        raise GroupError("Enter the date of the meeting, for example 27 3 2027.", "held_on")
    note = GroupNote.objects.create(
        group=locked, held_on=held_on, title=_text(title, field="note_title", label="a title", limit=200),
        notes=_text(notes, field="notes", label="the notes", limit=10000), author=by, author_establishment=school,
    )
    _audit(by, "note_add", locked, school, note=note.pk)
    activity_notify(partnership=locked, by=by, school=school, what=f"added meeting notes: {note.title}",
                    link=Subject(locked).url("notes"))
    return note
