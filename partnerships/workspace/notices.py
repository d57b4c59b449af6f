"""Workspace notifications (issue 15, item 5): new figures for the joint measures, and actions due.

- ``joint_figures_notify``: when a benchmark run is published (insight.publication calls it after
  the run is committed), every member of staff of both schools of each *active* partnership whose
  joint measures have a baseline older than the run gets a notice in the portal
  (``WorkspaceNotice``), and an e-mail if they asked for e-mails about new figures
  (``User.email_new_figures``, Account settings > E-mail notices). Each measure remembers the last
  run it was told about, so publishing is never announced twice.
- ``actions_due_notify``: once a day (Celery beat, ``partnerships.workspace_actions_due``) the owner
  of each open action due within ``DUE_SOON_DAYS`` (or overdue) gets a notice and an e-mail, once
  per due date (``Action.due_notified_on``; changing the date arms it again).

Notices about a workspace are cleared when its reader opens the workspace; the header's waiting
count includes the unread ones (insight/nav.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from datahub.links import absolute_url
from datahub.models import User

from ..models import Partnership, Status
from .evaluation import RunRef
from .models import Action, ActionStatus, JointMeasure, WorkspaceNotice
from .selectors import workspace_people

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
    """Tell both schools of each active partnership that ``run`` has figures for their joint measures."""
    with transaction.atomic():
        measures = list(
            JointMeasure.objects.select_for_update(of=("self",))
            .filter(partnership__status=Status.ACTIVE, baseline_published_at__lt=run.published_at)
            .exclude(last_notified_run_id=run.id)
            .select_related("partnership__proposer", "partnership__partner")
        )
        by_partnership: dict[int, Partnership] = {m.partnership_id: m.partnership for m in measures}
        notices, messages = [], []
        for p in by_partnership.values():
            link = absolute_url(reverse("partnerships:workspace_evaluation", args=[p.pk]))
            for user, school in workspace_people(p):
                other = p.other(school)
                text = (f"New benchmark figures ({run.year_label} leavers) for the joint measures of "
                        f"{school.name} and {other.name}.")[:NOTICE_MAX]
                notices.append(WorkspaceNotice(recipient=user, partnership=p, kind="new_figures", text=text))
                if user.email and user.email_new_figures:
                    ctx = {"notice": text, "school": school.name, "other": other.name, "year_label": run.year_label,
                           "published": run.published_at, "link": link}
                    messages.append((_render("figures_subject", ctx), _render("figures_body", ctx), None, [user.email]))
        WorkspaceNotice.objects.bulk_create(notices)
        JointMeasure.objects.filter(pk__in=[m.pk for m in measures]).update(last_notified_run_id=run.id)
        transaction.on_commit(lambda: _send(messages))
    return len(notices)


def actions_due_notify(*, today: dt.date) -> int:
    """Remind each open action's owner once it is due within DUE_SOON_DAYS (or overdue)."""
    with transaction.atomic():
        due = list(
            Action.objects.select_for_update(of=("self",))
            .filter(partnership__status=Status.ACTIVE, due_notified_on__isnull=True,
                    status__in=[ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS],
                    due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS), owner__is_active=True)
            .select_related("partnership__proposer", "partnership__partner", "owner", "owner_establishment")
        )
        notices, messages = [], []
        sent_to: dict[int, list[int]] = defaultdict(list)
        for a in due:
            owner: User = a.owner  # type: ignore[assignment]  # filtered on an active owner
            school, other = a.owner_establishment, a.partnership.other(a.owner_establishment)
            when = "was due" if a.due_on < today else "is due"
            text = f"Action {when} on {a.due_on.day} {a.due_on:%B %Y}: {a.title}"[:NOTICE_MAX]
            notices.append(WorkspaceNotice(recipient=owner, partnership=a.partnership, kind="action_due", text=text))
            sent_to[owner.pk].append(a.pk)
            if owner.email:
                ctx = {"notice": text, "title": a.title, "due": a.due_on, "school": school.name, "other": other.name,
                       "link": absolute_url(reverse("partnerships:workspace_action_edit", args=[a.partnership_id, a.pk]))}
                messages.append((_render("action_due_subject", ctx), _render("action_due_body", ctx), None, [owner.email]))
        WorkspaceNotice.objects.bulk_create(notices)
        Action.objects.filter(pk__in=[a.pk for a in due]).update(due_notified_on=today)
        transaction.on_commit(lambda: _send(messages))
    return len(notices)


def unread_count(user: Any) -> int:
    """The user's unread workspace notices (the header's waiting count)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return WorkspaceNotice.objects.filter(recipient=user, read_at__isnull=True).count()
