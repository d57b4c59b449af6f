"""What a partnership group's change tells the admins of its other schools: notice and e-mails.

The same path as a pair's (partnerships.notifications): an in-app ``Notification`` stored with the
change, and one e-mail per admin sent after the transaction commits (partnerships.tasks). The
e-mail body extends the pair's ``templates/partnerships/email/_body.txt``; the words of each
change are in ``templates/partnerships/groups/`` (notice and e-mail subject per verb).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from datahub.links import absolute_url

from ..selectors import admins_of
from .models import GroupEvent, GroupMember, MemberStatus

log = logging.getLogger(__name__)

NOTICE_MAX = 300  # Notification.text

Message = tuple[str, str, str, list[str]]


def _render(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context).removesuffix("\n")


def _names(event: GroupEvent) -> dict[str, Any]:
    return {"school": event.acting_for.name, "seed_code": event.acting_for.seed_code, "group": event.group.name,
            "status": event.group_status}


def notice_text(event: GroupEvent) -> str:
    """The in-app notice to the other schools' admins about ``event``."""
    return _render(f"partnerships/groups/notice/{event.verb}.txt", _names(event))[:NOTICE_MAX]


def group_emails(event: GroupEvent) -> list[Message]:
    """One e-mail per admin of each other invited or joined school, except whoever acted."""
    names = _names(event)
    notice = notice_text(event)
    subject = _render(f"partnerships/groups/email/{event.verb}_subject.txt", names)
    link = absolute_url(reverse("partnerships:group", args=[event.group_id]))
    actor = event.actor
    sender = settings.DEFAULT_FROM_EMAIL
    out: list[Message] = []
    told = Q(status__in=(MemberStatus.INVITED, MemberStatus.JOINED))
    if event.verb == "withdraw":  # and the school whose invitation this event withdrew
        told |= Q(status=MemberStatus.WITHDRAWN, answered_at=event.at)
    for m in GroupMember.objects.filter(told, group_id=event.group_id).exclude(
        establishment_id=event.acting_for_id
    ).select_related("establishment"):
        body = _render("partnerships/groups/email/body.txt", {
            **names, "other": m.establishment.name, "notice": notice, "verb": event.verb,
            "done_by": None if actor is None else (actor.get_full_name() or actor.email),
            "done_at": f"{event.at.day} {event.at:%B %Y at %H:%M}", "message": event.message,
            "link": link, "invited": m.status == MemberStatus.INVITED,
        })
        out += [(subject, body, sender, [u.email]) for u in admins_of(m.establishment)
                if u.email and (event.actor_id is None or u.pk != event.actor_id)]
    return out


def group_emails_send(*, event: GroupEvent) -> int:
    """Send the e-mails about one change; the number sent. Safe to repeat: it only sends mail."""
    messages = group_emails(event)
    if not messages:
        return 0
    sent = send_mass_mail(messages, fail_silently=False)
    log.info("partnership group event %s: %s e-mail(s) sent", event.pk, sent)
    return sent
