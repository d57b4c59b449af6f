"""Workspace notifications (issue 15, item 5): new figures for the joint measures, and actions due.

- ``joint_figures_notify``: when a benchmark run is published (insight.publication calls it after
  the run is committed), every member of staff of both schools of each *active* partnership whose
  joint measures have a baseline older than the run gets a notice in the portal
  (``WorkspaceNotice``), and an e-mail if they asked for e-mails about new figures
  (``User.email_new_figures``, Account settings > E-mail notices). Each measure remembers the last
  run it was told about, so publishing is never announced twice.
- ``actions_due_notify``: once a day (Celery beat, ``partnerships.workspace_actions_due``) the owner
  of each open action due within ``DUE_SOON_DAYS`` (or overdue) gets a notice, once per due date
  (``Action.due_notified_on``; changing the date arms it again). A partnership group's actions
  (``GroupAction``, whose due date does not change) are reminded the same way.
- ``activity_notify``: when someone adds an action, a meeting note or a file, every other member of
  staff of both schools gets a notice.

A partnership group's workspace is told the same way (subject.py): its joined schools' staff get
the new figures of the group's joint measures, and the activity notices when someone adds an action,
meeting notes, a file, a lead or a joint measure; the e-mails follow the same per-user choices and
the same daily digest (a notice carries its ``group`` instead of its ``partnership``).

Workspace e-mail follows each person's choice (``User.workspace_email``, Account settings > E-mail
notices): *each time* sends a notice's e-mail at once; *one e-mail a day* leaves it to
``digest_send`` (Celery beat, ``partnerships.workspace_digest``, after the reminders), which sends each
person one e-mail listing their notices not yet read nor e-mailed; *never* sends none.
``WorkspaceNotice.emailed_at`` records that a notice went out, so nothing is e-mailed twice. A notice
read in the portal before the digest is left out of it. New figures keep their own setting. New
threads and replies in the person's communities of practice follow the same choice and go in the
same digest (partnerships.communities.notices).

Notices about a workspace are cleared when its reader opens the workspace; the header's waiting
count includes the unread ones (insight/nav.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from itertools import groupby
from typing import Any

from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from datahub.links import absolute_url
from datahub.models import Establishment, User

from ..communities.notices import digest_sections as community_digest_sections
from ..groups.models import GroupAction, GroupStatus
from ..models import Status
from .evaluation import RunRef
from .models import Action, ActionStatus, JointMeasure, WorkspaceNotice
from .selectors import workspace_people
from .subject import Owner, Subject, subject_of

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 7
NOTICE_MAX = 300
Message = tuple[str, str, None, list[str]]


def _render(name: str, ctx: dict[str, Any]) -> str:
    return render_to_string(f"partnerships/workspace/email/{name}.txt", ctx).strip()


def _send(messages: list[Message]) -> None:
    if messages:
        try:
            send_mass_mail(messages, fail_silently=False)
        except OSError:  # the notices are stored; mail is best effort
            log.exception("could not send %s workspace e-mail(s)", len(messages))


def joint_figures_notify(*, run: RunRef) -> int:
    """Tell both schools of each active partnership (every joined school of each active group) that
    ``run`` has figures for their joint measures."""
    with transaction.atomic():
        measures = list(
            JointMeasure.objects.select_for_update(of=("self",))
            .filter(Q(partnership__status=Status.ACTIVE) | Q(group__status=GroupStatus.ACTIVE),
                    baseline_published_at__lt=run.published_at)
            .exclude(last_notified_run_id=run.id)
            .select_related("partnership__proposer", "partnership__partner", "group")
        )
        owners: dict[tuple[int | None, int | None], Subject] = {
            (m.partnership_id, m.group_id): Subject(m.partnership or m.group)  # type: ignore[arg-type]
            for m in measures
        }
        notices, messages = [], []
        for s in owners.values():
            link = absolute_url(s.evaluation_url())
            for user, school in s.people():
                other = s.others_name(school)
                text = (f"New benchmark figures ({run.year_label} leavers) for the joint measures of "
                        f"{school.name} and {other}.")[:NOTICE_MAX]
                notices.append(WorkspaceNotice(recipient=user, **s.key, kind="new_figures", text=text))
                if user.email and user.email_new_figures:
                    ctx = {"notice": text, "school": school.name, "other": other, "year_label": run.year_label,
                           "published": run.published_at, "link": link}
                    messages.append((_render("figures_subject", ctx), _render("figures_body", ctx), None, [user.email]))
        WorkspaceNotice.objects.bulk_create(notices)
        JointMeasure.objects.filter(pk__in=[m.pk for m in measures]).update(last_notified_run_id=run.id)
        transaction.on_commit(lambda: _send(messages))
    return len(notices)


def actions_due_notify(*, today: dt.date) -> int:
    """Remind each open action's owner once it is due within DUE_SOON_DAYS (or overdue): the
    actions of active partnerships' workspaces and of active partnership groups alike."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    open_statuses = [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS]
    with transaction.atomic():
        pair_due = list(
            Action.objects.select_for_update(of=("self",))
            .filter(partnership__status=Status.ACTIVE, due_notified_on__isnull=True, status__in=open_statuses,
                    due_on__lte=soon, owner__is_active=True)
            .select_related("partnership__proposer", "partnership__partner", "owner", "owner_establishment")
        )
        group_due = list(
            GroupAction.objects.select_for_update(of=("self",))
            .filter(group__status=GroupStatus.ACTIVE, due_notified_on__isnull=True, status__in=open_statuses,
                    due_on__lte=soon, owner__is_active=True)
            .select_related("group", "owner", "owner_establishment")
        )
        notices, messages = [], []
        now = timezone.now()
        actions: list[Action | GroupAction] = [*pair_due, *group_due]
        for a in actions:
            owner: User = a.owner  # type: ignore[assignment]  # filtered on an active owner
            s = subject_of(a.partnership if isinstance(a, Action) else a.group)
            when = "was due" if a.due_on < today else "is due"
            text = f"Action {when} on {a.due_on.day} {a.due_on:%B %Y}: {a.title}"[:NOTICE_MAX]
            now_by_mail = bool(owner.email) and owner.workspace_email == "each"
            notices.append(WorkspaceNotice(recipient=owner, **s.key, kind="action_due", text=text,
                                           emailed_at=now if now_by_mail else None))
            if now_by_mail:
                link = (reverse("partnerships:workspace_action_edit", args=[a.partnership_id, a.pk])
                        if isinstance(a, Action) else s.url("plan"))
                ctx = {"notice": text, "title": a.title, "due": a.due_on, "school": a.owner_establishment.name,
                       "other": s.others_name(a.owner_establishment), "link": absolute_url(link)}
                messages.append((_render("action_due_subject", ctx), _render("action_due_body", ctx), None, [owner.email]))
        WorkspaceNotice.objects.bulk_create(notices)
        Action.objects.filter(pk__in=[a.pk for a in pair_due]).update(due_notified_on=today)
        GroupAction.objects.filter(pk__in=[a.pk for a in group_due]).update(due_notified_on=today)
        transaction.on_commit(lambda: _send(messages))
    return len(notices)


def activity_notify(*, partnership: Owner, by: User, school: Establishment, what: str, link: str) -> int:
    """Tell every other member of staff of both schools (a group's joined schools) that ``by`` (of
    ``school``) did ``what``.

    Called inside the write's transaction: the notices stand or fall with the write, and the
    e-mails of those who want each one go after it commits."""
    who = by.get_full_name() or by.email
    text = f"{who} ({school.name}) {what}"[:NOTICE_MAX]
    now = timezone.now()
    notices, messages = [], []
    url = absolute_url(link)
    s = subject_of(partnership)
    for user, their_school in workspace_people(partnership):
        if user.pk == by.pk:
            continue
        now_by_mail = bool(user.email) and user.workspace_email == "each"
        notices.append(WorkspaceNotice(recipient=user, **s.key, kind="activity", text=text,
                                       emailed_at=now if now_by_mail else None))
        if now_by_mail:
            ctx = {"notice": text, "school": their_school.name, "other": s.others_name(their_school), "link": url}
            messages.append((_render("activity_subject", ctx), _render("activity_body", ctx), None, [user.email]))
    WorkspaceNotice.objects.bulk_create(notices)
    transaction.on_commit(lambda: _send(messages))
    return len(notices)


DIGEST_KINDS = ("activity", "action_due")


def digest_send(*, now: dt.datetime) -> int:
    """One e-mail per person who chose a daily e-mail, listing their workspace notices not yet read
    nor e-mailed (oldest first, per partnership); returns how many e-mails were sent."""
    with transaction.atomic():
        pending = list(
            WorkspaceNotice.objects.select_for_update(of=("self",))
            .filter(kind__in=DIGEST_KINDS, read_at__isnull=True, emailed_at__isnull=True, created_at__lte=now,
                    recipient__is_active=True, recipient__workspace_email="daily")
            .exclude(recipient__email="")
            .select_related("recipient", "partnership__proposer", "partnership__partner", "group")
            .order_by("recipient_id", "partnership_id", "group_id", "created_at", "id")
        )
        per_person: dict[int, tuple[User, list[dict[str, Any]]]] = {}
        count: dict[int, int] = {}
        for uid, group in groupby(pending, key=lambda n: n.recipient_id):
            items = list(group)
            recipient = items[0].recipient
            count[uid] = len(items)
            workspaces: list[dict[str, Any]] = []
            for _, of_one in groupby(items, key=lambda n: (n.partnership_id, n.group_id)):
                rows = list(of_one)
                s = Subject(rows[0].partnership or rows[0].group)  # type: ignore[arg-type]
                workspaces.append({
                    "name": s.name(),
                    "link": absolute_url(s.url()),
                    "notices": [n.text for n in rows],
                })
            per_person[uid] = (recipient, workspaces)
        WorkspaceNotice.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
        # New threads and replies in the person's communities of practice go in the same e-mail.
        for uid, (user, sections) in community_digest_sections(now=now).items():
            per_person.setdefault(uid, (user, []))[1].extend(sections)
            count[uid] = count.get(uid, 0) + sum(len(s["notices"]) for s in sections)
        messages: list[Message] = []
        for uid, (recipient, workspaces) in per_person.items():
            ctx = {"count": count[uid], "workspaces": workspaces}
            messages.append((_render("digest_subject", ctx), _render("digest_body", ctx), None, [recipient.email]))
        transaction.on_commit(lambda: _send(messages))
    return len(messages)


def unread_count(user: Any) -> int:
    """The user's unread workspace notices (the header's waiting count)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return WorkspaceNotice.objects.filter(recipient=user, read_at__isnull=True).count()
