"""Celery adapters for partnerships: e-mail the other school's admins about a transition.

partnerships.services calls ``partnership_emails_enqueue`` after the transaction commits (so a
rolled-back transition sends nothing); the task loads the event and hands it to
partnerships.notifications, which holds the texts and sends the mail. Runs in-process when no
broker is configured (the embedded default).
"""

from __future__ import annotations

import logging

from celery import shared_task

from .groups.notifications import group_emails_send
from .groups.selectors import group_event
from .notifications import partnership_emails_send
from .selectors import partnership_event

log = logging.getLogger(__name__)


@shared_task(name="partnerships.send_partnership_emails", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_partnership_emails(event_id: int) -> int:
    """E-mail the other school's admins about one transition. Safe to retry: it only sends mail."""
    event = partnership_event(event_id)
    if event is None:
        return 0
    return partnership_emails_send(event=event)


def partnership_emails_enqueue(event_id: int) -> None:
    """After commit: the transition stands even if mail (or the broker) is down; say so in the log."""
    try:
        send_partnership_emails.delay(event_id)
    except Exception:  # the in-app notification is already stored; mail is best effort
        log.exception("could not send the e-mails for partnership event %s", event_id)


@shared_task(name="partnerships.send_group_emails", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_group_emails(event_id: int) -> int:
    """E-mail the admins of a partnership group's other schools about one change."""
    event = group_event(event_id)
    if event is None:
        return 0
    return group_emails_send(event=event)


def group_emails_enqueue(event_id: int) -> None:
    """After commit, as for a pair: the change stands even if mail (or the broker) is down."""
    try:
        send_group_emails.delay(event_id)
    except Exception:  # the in-app notification is already stored; mail is best effort
        log.exception("could not send the e-mails for partnership group event %s", event_id)


@shared_task(name="partnerships.workspace_actions_due", ignore_result=True)
def workspace_actions_due() -> int:
    """Daily: remind owners of workspace actions due soon (partnerships.workspace.notices)."""
    from django.utils import timezone

    from .workspace.notices import actions_due_notify

    return actions_due_notify(today=timezone.localdate())


@shared_task(name="partnerships.workspace_digest", ignore_result=True)
def workspace_digest() -> int:
    """Daily, after the reminders: one e-mail per person who chose a daily digest of workspace notices."""
    from django.utils import timezone

    from .workspace.notices import digest_send

    return digest_send(now=timezone.now())
