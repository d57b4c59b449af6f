"""Celery adapters for partnerships: e-mail the other school's admins about a transition.

Enqueued by partnerships.services after the transaction commits (so a rolled-back transition sends
nothing). Runs in-process when no broker is configured (the embedded default).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from .models import PartnershipEvent

log = logging.getLogger(__name__)

_SUBJECT = {
    "proposed": "{who} proposes a learning partnership",
    "active": "{who} accepted your learning partnership proposal",
    "declined": "{who} declined your learning partnership proposal",
    "withdrawn": "{who} withdrew its learning partnership proposal",
    "ended": "{who} ended your learning partnership",
}


def _link() -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "").rstrip("/")
    path = reverse("partnerships:list")
    return f"{base}{path}" if base else f"the portal, Learning Partnerships > View Partnerships ({path})"


def partnership_emails(event: PartnershipEvent) -> list[tuple[str, str, str, list[str]]]:
    """One message per recipient (so no admin sees another school's addresses)."""
    from .services import _notice_text, admins_of

    p = event.partnership
    acting = event.acting_for
    other = p.other(acting)
    verb = {"proposed": "propose", "active": "accept", "declined": "decline", "withdrawn": "withdraw",
            "ended": "end"}[event.to_status]
    subject = _SUBJECT[event.to_status].format(who=acting.name)
    lines = [
        f"Dear Learning Partner Administrator of {other.name},",
        "",
        _notice_text(verb, acting, other),
    ]
    if event.actor is not None:
        lines.append(f"Done by {event.actor.get_full_name() or event.actor.email} on {event.at:%d %B %Y at %H:%M}.")
    if event.message:
        lines += ["", "Their message:", event.message]
    if event.to_status == "proposed":
        lines += ["", "Accept or decline the proposal under Partnership requests received."]
    lines += ["", f"See your school's partnerships in {_link()}.", "", "Insight Portal"]
    body = "\n".join(lines)
    sender = settings.DEFAULT_FROM_EMAIL
    return [
        (subject, body, sender, [u.email])
        for u in admins_of(other)
        if u.email and (event.actor_id is None or u.pk != event.actor_id)
    ]


@shared_task(name="partnerships.send_partnership_emails", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_partnership_emails(event_id: int) -> int:
    """E-mail the other school's admins about one transition. Safe to retry: it only sends mail."""
    event = (
        PartnershipEvent.objects.select_related("partnership__proposer", "partnership__partner", "acting_for", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    messages = partnership_emails(event)
    if not messages:
        return 0
    sent = send_mass_mail(messages, fail_silently=False)
    log.info("partnership event %s: %s e-mail(s) sent", event_id, sent)
    return sent
