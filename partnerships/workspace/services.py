"""Writes to a partnership's workspace: every one checked, locked and audited.

Each write locks the partnership row (``select_for_update``) and checks again, under the lock,
that the partnership is still active and the writer still a member (or admin) of one of its
schools: ``partnership_end`` takes the same lock, so nothing is written into a workspace after
its partnership ended. Each write leaves an audit entry ``partnership_workspace_<verb>`` for the
writer's school (datahub.services.audit_event_create), like every other write of the portal.

Purpose and aims, leads and joint measures are managed by the schools' admins; actions, meeting
notes and files are for every member of staff of either school (access.py).

Leads, files and joint measures also serve a partnership group's workspace: their functions take
the pair or the group (``partnership`` may be a ``PartnershipGroup``; subject.py). A group's writes
lock the group's row (as ``group_leave`` and ``group_end`` do), are audited
``partnership_group_<verb>`` and tell the other member schools' staff (notices.py); a group's new
lead or joint measure is told too.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from datahub.models import Establishment, User
from datahub.services import audit_event_create

from ..groups.models import PartnershipGroup
from ..models import Partnership
from . import access
from .evaluation import figure_source
from .files import FileRefused, file_check
from .models import (
    Action,
    ActionStatus,
    JointBaseline,
    JointMeasure,
    Lead,
    MeetingNote,
    SharedFile,
    Workspace,
    WorkspaceNotice,
)
from .notices import activity_notify
from .selectors import workspace_people
from .subject import Owner, Subject, subject_of


class WorkspaceError(Exception):
    """The request cannot be carried out as asked; the message says why (field first when known)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _locked(partnership: Partnership) -> Partnership:
    return (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("proposer__authority", "partner__authority")
        .get(pk=partnership.pk)
    )


def _locked_subject(owner: Owner) -> Subject:
    return subject_of(owner).locked()


def owner_of(row: Lead | SharedFile | JointMeasure) -> Owner:
    """The pair or the group a workspace row belongs to."""
    owner = row.partnership if row.partnership_id is not None else row.group
    assert owner is not None  # a CHECK constraint: exactly one is set
    return owner


def _audit(by: User, verb: str, partnership: Owner, school: Establishment, **detail: Any) -> None:
    s = subject_of(partnership)
    audit_event_create(
        actor=by,
        action=f"{s.audit_prefix}{verb}",
        object_type=s.audit_type,
        object_id=partnership.pk,
        establishment=school,
        detail=detail,
    )


def _text(value: str, label: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise WorkspaceError(f"Enter {label}.", field)
    if len(value) > limit:
        raise WorkspaceError(f"{label[0].upper()}{label[1:]} can be at most {limit:,} characters.", field)
    return value


@transaction.atomic
def workspace_update(*, partnership: Partnership, by: User, purpose: str, aims: str) -> Workspace:
    """An admin of either school records the partnership's agreed purpose and aims."""
    p = _locked(partnership)
    school = access.require_manage(by, p)
    purpose = _text(purpose, "the purpose of the partnership", "purpose", 2000)
    aims = _text(aims, "the aims", "aims", 4000)
    ws, _ = Workspace.objects.get_or_create(partnership=p)
    ws.purpose, ws.aims, ws.updated_at, ws.updated_by = purpose, aims, timezone.now(), by
    ws.save()
    _audit(by, "aims", p, school)
    return ws


def _person(p: Owner, user_id: int | None, field: str) -> tuple[User, Establishment]:
    for user, est in workspace_people(p):
        if user.pk == user_id:
            return user, est
    whose = "the group's schools" if isinstance(p, PartnershipGroup) else "the two schools"
    raise WorkspaceError(f"Choose a member of staff of one of {whose}.", field)


@transaction.atomic
def lead_add(*, partnership: Owner, by: User, user_id: int | None, responsibility: str) -> Lead:
    """An admin names a lead (a member of staff of either school, or of a group's school) and what
    they lead on."""
    s = _locked_subject(partnership)
    p = s.owner
    school = access.require_manage(by, p)
    user, est = _person(p, user_id, "lead")
    responsibility = _text(responsibility, "what they lead on", "responsibility", 200)
    if Lead.objects.filter(**s.key, establishment=est, user=user).exists():
        raise WorkspaceError(f"{user.get_full_name() or user.email} is already a lead.", "lead")
    name = user.get_full_name() or user.email
    lead = Lead.objects.create(**s.key, establishment=est, user=user, name=name, responsibility=responsibility)
    _audit(by, "lead_add", p, school, lead_user=user.pk, lead_school=est.seed_code)
    if s.is_group:  # (a pair's workspace does not announce its leads)
        activity_notify(partnership=p, by=by, school=school, what=f"named {name} ({est.name}) a lead: {responsibility}",
                        link=s.url("leads"))
    return lead


@transaction.atomic
def lead_remove(*, lead: Lead, by: User) -> None:
    p = _locked_subject(owner_of(lead)).owner
    school = access.require_manage(by, p)
    _audit(by, "lead_remove", p, school, lead_user=lead.user_id)
    lead.delete()


def _due(value: dt.date | None) -> dt.date:
    if value is None:
        raise WorkspaceError("Enter the date the action is due, for example 27 3 2027.", "due_on")
    return value


def _evidence(value: str) -> str:
    """A web address (http or https) or nothing: the link is shown to both schools."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise WorkspaceError("Enter the link to the evidence as a web address starting https://.",
                             "evidence_url") from None
    if len(value) > 500:
        raise WorkspaceError("The link to the evidence can be at most 500 characters.", "evidence_url")
    return value


def _status(value: str) -> str:
    if value not in ActionStatus.values:
        raise WorkspaceError("Choose a status.", "status")
    return value


@transaction.atomic
def action_create(
    *,
    partnership: Partnership,
    by: User,
    title: str,
    owner_id: int | None,
    due_on: dt.date | None,
    evidence_url: str = "",
    status: str = ActionStatus.NOT_STARTED,
) -> Action:
    """Anyone of either school adds an action to the shared plan, owned by someone of either school."""
    p = _locked(partnership)
    school = access.require_contribute(by, p)
    title = _text(title, "what the action is", "title", 200)
    owner, owner_school = _person(p, owner_id, "owner")
    now = timezone.now()
    action = Action.objects.create(
        partnership=p,
        title=title,
        owner=owner,
        owner_name=owner.get_full_name() or owner.email,
        owner_establishment=owner_school,
        due_on=_due(due_on),
        status=_status(status),
        evidence_url=_evidence(evidence_url),
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    _audit(by, "action_create", p, school, action=action.pk)
    activity_notify(partnership=p, by=by, school=school, what=f"added an action: {title}",
                    link=reverse("partnerships:workspace_action_edit", args=[p.pk, action.pk]))
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    by: User,
    title: str,
    owner_id: int | None,
    due_on: dt.date | None,
    status: str,
    evidence_url: str = "",
) -> Action:
    """Anyone of either school updates an action (its status, owner, due date, evidence)."""
    p = _locked(action.partnership)
    school = access.require_contribute(by, p)
    row = Action.objects.select_for_update().get(pk=action.pk, partnership=p)
    before = row.status
    row.title = _text(title, "what the action is", "title", 200)
    owner, owner_school = _person(p, owner_id, "owner")
    row.owner, row.owner_name, row.owner_establishment = owner, owner.get_full_name() or owner.email, owner_school
    new_due = _due(due_on)
    if new_due != row.due_on:
        row.due_notified_on = None  # a new due date is a new reminder
    row.due_on = new_due
    row.status = _status(status)
    row.evidence_url = _evidence(evidence_url)
    row.updated_at = timezone.now()
    row.save()
    _audit(by, "action_update", p, school, action=row.pk, status_from=before, status_to=row.status)
    return row


@transaction.atomic
def meeting_note_create(
    *, partnership: Partnership, by: User, held_on: dt.date | None, title: str, notes: str
) -> MeetingNote:
    p = _locked(partnership)
    school = access.require_contribute(by, p)
    if held_on is None:
        raise WorkspaceError("Enter the date of the meeting, for example 27 3 2027.", "held_on")
    note = MeetingNote.objects.create(
        partnership=p,
        held_on=held_on,
        title=_text(title, "a title", "title", 200),
        notes=_text(notes, "the notes", "notes", 10000),
        author=by,
        author_establishment=school,
    )
    _audit(by, "note_create", p, school, note=note.pk)
    activity_notify(partnership=p, by=by, school=school, what=f"added meeting notes: {note.title}",
                    link=reverse("partnerships:workspace", args=[p.pk]) + "#notes")
    return note


@transaction.atomic
def shared_file_create(*, partnership: Owner, by: User, upload: UploadedFile | None) -> SharedFile:
    """Share a file: size and type limits and the virus-scan hook (files.py) before it is stored."""
    s = _locked_subject(partnership)
    p = s.owner
    school = access.require_contribute(by, p)
    if upload is None:
        raise WorkspaceError("Choose a file to share.", "file")
    try:
        checked = file_check(upload)
    except FileRefused as exc:
        raise WorkspaceError(str(exc), "file") from None
    row = SharedFile(
        **s.key,
        token=secrets.token_hex(16),
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        scanned=checked.scanned,
        uploaded_by=by,
        uploaded_for=school,
    )
    row.file.save(row.token, upload, save=False)
    # A failed write must not leave the stored file behind.
    stored, storage = row.file.name, row.file.storage
    try:
        row.save()
        _audit(by, "file_create", p, school, file=row.token, size=checked.size, type=checked.content_type)
        activity_notify(partnership=p, by=by, school=school, what=f"shared a file: {checked.name}",
                        link=s.url("files"))
    except Exception:
        storage.delete(stored)
        raise
    return row


@transaction.atomic
def shared_file_delete(*, shared_file: SharedFile, by: User) -> None:
    """The uploader, or an admin of either school, removes a shared file."""
    p = _locked_subject(owner_of(shared_file)).owner
    school = access.require_contribute(by, p)
    if shared_file.uploaded_by_id != by.pk and access.managing_school(by, p) is None:
        raise PermissionDenied("Only the person who shared a file, or a Learning Partner Administrator, can remove it.")
    name, stored, storage = shared_file.name, shared_file.file.name, shared_file.file.storage
    _audit(by, "file_delete", p, school, file=shared_file.token, name=name)
    shared_file.delete()
    transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def joint_measures_choose(*, partnership: Owner, by: User, measures: list[str]) -> list[JointMeasure]:
    """An admin adds measures to the joint evaluation; each records its baseline now.

    The baseline is the published benchmark run of the day: its latest leaver year's figures of
    both schools and their virtual comparators, stored with the measure (JointBaseline). A measure
    already chosen keeps its baseline. For a group: every school that has joined it.
    """
    s = _locked_subject(partnership)
    p = s.owner
    school = access.require_manage(by, p)
    source = figure_source()
    options = {m.key: m for m in source.measures()}
    wanted = [m for m in dict.fromkeys(measures) if m]
    if not wanted:
        raise WorkspaceError("Choose at least one measure.", "measures")
    unknown = [m for m in wanted if m not in options]
    if unknown:
        raise WorkspaceError(f"Unknown measure: {', '.join(unknown)}.", "measures")
    chosen = set(JointMeasure.objects.filter(**s.key).values_list("measure", flat=True))
    new = [m for m in wanted if m not in chosen]
    if not new:
        raise WorkspaceError("Those measures are already in the joint evaluation.", "measures")
    run = source.current_run()
    if run is None:
        raise WorkspaceError("No benchmark figures are published yet, so there is no baseline to record.", "measures")
    schools = s.school_ids()
    figures = source.figures(run, schools, new)
    now = timezone.now()
    made = []
    for key in new:
        jm = JointMeasure.objects.create(
            **s.key,
            measure=key,
            label=options[key].label,
            kind=options[key].kind,
            baseline_run_id=run.id,
            baseline_published_at=run.published_at,
            baseline_year=run.year,
            chosen_by=by,
            chosen_at=now,
            last_notified_run_id=run.id,
        )
        JointBaseline.objects.bulk_create(
            [
                JointBaseline(
                    joint_measure=jm,
                    establishment_id=est,
                    value=figures.values[(est, key)][0],
                    vc_value=figures.values[(est, key)][1],
                )
                for est in schools
            ]
        )
        made.append(jm)
    _audit(by, "measures_choose", p, school, measures=new, baseline_run=run.id, baseline_year=run.year)
    if s.is_group:  # (a pair's workspace does not announce its measures)
        labels = ", ".join(options[k].label for k in new)
        activity_notify(partnership=p, by=by, school=school, what=f"added joint measures: {labels}",
                        link=s.evaluation_url())
    return made


def workspace_notice_mark_read(*, user: User, partnership: Owner | None = None) -> int:
    qs = WorkspaceNotice.objects.filter(recipient=user, read_at__isnull=True)
    if partnership is not None:
        qs = qs.filter(**subject_of(partnership).key)
    return qs.update(read_at=timezone.now())
