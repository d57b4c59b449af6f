"""What a partnership transition tells the other school's admins: the in-app notice and the e-mails.

The words are templates, one set per transition verb (propose, accept, decline, withdraw, end):

- ``templates/partnerships/notice/<verb>.txt``: the in-app notice (at most 300 characters, the
  width of ``Notification.text``);
- ``templates/partnerships/email/<verb>_subject.txt`` and ``<verb>_body.txt`` (the bodies extend
  the shared ``_body.txt``): the e-mail, one message per recipient so no admin sees another
  school's addresses.

They are plain text, so each template turns autoescaping off, and the newline that ends each
file is not part of the text.

partnerships.services stores the notice with every transition and, after the transaction
commits, enqueues the e-mails (partnerships.tasks), whose task calls ``partnership_emails_send``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from datahub.links import absolute_url
from datahub.models import Establishment

from .models import PartnershipEvent, Status
from .selectors import admins_of

log = logging.getLogger(__name__)

NOTICE_MAX = 300  # Notification.text

# The transition verb (templates, audit actions) of each status an event moves to.
VERB_FOR_STATUS = {
    Status.PROPOSED: "propose",
    Status.ACTIVE: "accept",
    Status.DECLINED: "decline",
    Status.WITHDRAWN: "withdraw",
    Status.ENDED: "end",
}

Message = tuple[str, str, str, list[str]]  # subject, body, sender, recipients (send_mass_mail)


def _render(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context).removesuffix("\n")


def _names(acting_for: Establishment, other: Establishment) -> dict[str, Any]:
    return {"school": acting_for.name, "seed_code": acting_for.seed_code, "other": other.name}


def notice_text(verb: str, acting_for: Establishment, other: Establishment) -> str:
    """The in-app notice to ``other``'s admins that ``acting_for`` did ``verb``."""
    return _render(f"partnerships/notice/{verb}.txt", _names(acting_for, other))[:NOTICE_MAX]


def portal_link() -> str:
    """Where the e-mail sends the reader: the full URL when PORTAL_BASE_URL is set."""
    path = reverse("partnerships:list")
    link = absolute_url(path)
    return link if link != path else f"the portal, Learning Partnerships > View Partnerships ({path})"


def partnership_emails(event: PartnershipEvent) -> list[Message]:
    """The e-mails about one transition: one per admin of the other school, except whoever did it."""
    acting = event.acting_for
    other = event.partnership.other(acting)
    verb = VERB_FOR_STATUS[Status(event.to_status)]
    names = _names(acting, other)
    subject = _render(f"partnerships/email/{verb}_subject.txt", names)
    actor = event.actor
    body = _render(f"partnerships/email/{verb}_body.txt", {
        **names,
        "notice": notice_text(verb, acting, other),
        "done_by": None if actor is None else (actor.get_full_name() or actor.email),
        "done_at": f"{event.at.day} {event.at:%B %Y at %H:%M}",
        "message": event.message,
        "link": portal_link(),
    })
    sender = settings.DEFAULT_FROM_EMAIL
    return [
        (subject, body, sender, [u.email])
        for u in admins_of(other)
        if u.email and (event.actor_id is None or u.pk != event.actor_id)
    ]


def partnership_emails_send(*, event: PartnershipEvent) -> int:
    """Send the e-mails about one transition; the number sent. Safe to repeat: it only sends mail."""
    messages = partnership_emails(event)
    if not messages:
        return 0
    sent = send_mass_mail(messages, fail_silently=False)
    log.info("partnership event %s: %s e-mail(s) sent", event.pk, sent)
    return sent
