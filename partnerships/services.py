"""Writes to learning partnerships: the state machine.

    proposed --accept (partner's admin)----> active --end (either admin)--> ended
        |-----decline (partner's admin)----> declined
        '-----withdraw (proposer's admin)--> withdrawn

Rules (docs/domain.md, "Learning Partners"):

- only an establishment admin of the school concerned may act for it (datahub.access
  ``can_act_for_establishment``); anyone else is refused with PermissionDenied;
- no partnership with yourself and at most one live (proposed or active) partnership per pair of
  schools whichever side proposed: both are database constraints (partnerships/models.py), so two
  schools proposing to each other at the same moment give one proposal and one clean refusal;
- partners are schools of the same type (Insight finds partners among them);
- a transition is race-safe: the row is locked (``select_for_update``) and moved with a
  conditional update on its current status, so two admins accepting at once give one partnership
  and one refusal;
- every transition records who, when, for which school and an optional message
  (PartnershipEvent), writes an audit entry, and notifies the *other* school's admins in the
  portal (Notification) and by email (sent after the transaction commits, see tasks.py); the
  words of both are in notifications.py and its templates.

The state machine itself (TRANSITIONS, STATE_REFUSAL) is data next to the model (models.py);
reads, such as which school a user acts for, are in selectors.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from datahub.access import can_act_for_establishment
from datahub.models import Establishment, User
from datahub.services import audit_event_create

from .models import STATE_REFUSAL, TRANSITIONS, Notification, Partnership, PartnershipEvent, Status
from .notifications import notice_text
from .selectors import admins_of, live_partnership_between
from .tasks import partnership_emails_enqueue

MAX_MESSAGE = 2000


class PartnershipError(Exception):
    """The request cannot be carried out as asked (e.g. a school proposing to itself)."""


class PartnershipStateError(PartnershipError):
    """The partnership is not in a state that allows this (already accepted, ended, ...)."""


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE:
        raise PartnershipError(f"The message can be at most {MAX_MESSAGE} characters.")
    return message


def _require_admin(by: User, acting_for: Establishment) -> None:
    if not can_act_for_establishment(by, acting_for):
        raise PermissionDenied(
            f"Only a Learning Partner Administrator of {acting_for.name} can act on its learning partnerships."
        )


def _record(
    *, partnership: Partnership, verb: str, by: User, acting_for: Establishment, from_status: str,
    to_status: Status, message: str,
) -> PartnershipEvent:
    """The event, the audit entry and the other school's notifications; email after commit."""
    event = PartnershipEvent.objects.create(
        partnership=partnership, actor=by, acting_for=acting_for, from_status=from_status,
        to_status=to_status, message=message, at=partnership.updated_at,
    )
    other = partnership.other(acting_for)
    audit_event_create(
        actor=by, action=f"partnership_{verb}", object_type="partnership", object_id=partnership.pk,
        establishment=acting_for,
        detail={"other_seed_code": other.seed_code, "from": from_status, "to": str(to_status)},
    )
    text = notice_text(verb, acting_for, other)
    Notification.objects.bulk_create(
        [
            Notification(recipient=u, partnership=partnership, event=event, establishment=other, text=text,
                         created_at=event.at)
            for u in admins_of(other)
            if u.pk != by.pk
        ]
    )
    event_id = event.pk
    transaction.on_commit(lambda: partnership_emails_enqueue(event_id))
    return event


@transaction.atomic
def partnership_propose(
    *, proposer: Establishment, partner: Establishment, by: User, message: str = ""
) -> Partnership:
    """``by`` (an admin of ``proposer``) proposes a learning partnership to ``partner``."""
    _require_admin(by, proposer)
    message = _clean_message(message)
    if proposer.pk == partner.pk:
        raise PartnershipError("A school cannot be its own learning partner.")
    if proposer.type != partner.type:
        raise PartnershipError(
            f"Learning partners are schools of the same type: {partner.name} is a "
            f"{partner.get_type_display().lower()} school, {proposer.name} a {proposer.get_type_display().lower()} school."
        )
    existing = live_partnership_between(proposer, partner)
    if existing is not None:
        raise PartnershipStateError(_exists_message(existing, proposer))
    now = timezone.now()
    try:
        # A savepoint: when the other school proposed at the same moment, the one-live-per-pair
        # index refuses this insert (PostgreSQL waits for the other transaction, then raises).
        with transaction.atomic():
            partnership = Partnership.objects.create(
                proposer=proposer, partner=partner, status=Status.PROPOSED, created_at=now, updated_at=now
            )
    except IntegrityError:
        existing = live_partnership_between(proposer, partner)
        raise PartnershipStateError(
            _exists_message(existing, proposer) if existing else
            f"A proposal or partnership with {partner.name} already exists."
        ) from None
    _record(partnership=partnership, verb="propose", by=by, acting_for=proposer, from_status="",
            to_status=Status.PROPOSED, message=message)
    return partnership


def _exists_message(existing: Partnership, acting_for: Establishment) -> str:
    other = existing.other(acting_for)
    if existing.status == Status.ACTIVE:
        return f"{acting_for.name} and {other.name} are already learning partners."
    if existing.proposer_id == acting_for.pk:
        return f"{acting_for.name} has already proposed a partnership to {other.name}; it is waiting for an answer."
    return (f"{other.name} has already proposed a partnership to {acting_for.name}: "
            "accept or decline it under Partnership requests received.")


def _transition(
    name: str, *, partnership: Partnership, by: User, acting_for: Establishment, message: str
) -> Partnership:
    t = TRANSITIONS[name]
    message = _clean_message(message)
    with transaction.atomic():
        # Lock the row: a second admin acting at the same moment waits here, then sees the new state.
        locked = (
            Partnership.objects.select_for_update(of=("self",))
            .select_related("proposer__authority", "partner__authority")
            .get(pk=partnership.pk)
        )
        if acting_for.pk not in (locked.proposer_id, locked.partner_id):
            raise PermissionDenied(f"{acting_for.name} is not part of this partnership.")
        _require_admin(by, acting_for)
        side_ok = (
            t.side == "either"
            or (t.side == "partner" and acting_for.pk == locked.partner_id)
            or (t.side == "proposer" and acting_for.pk == locked.proposer_id)
        )
        if not side_ok:
            raise PermissionDenied(t.refusal)
        if locked.status != t.from_status:
            raise PartnershipStateError(STATE_REFUSAL[Status(locked.status)])
        now = timezone.now()
        # Conditional update: a belt to the lock's braces (and the whole guard on databases
        # without row locks): only the first mover finds the expected status.
        moved = Partnership.objects.filter(pk=locked.pk, status=t.from_status).update(
            status=t.to_status, updated_at=now
        )
        if not moved:
            locked.refresh_from_db()
            raise PartnershipStateError(STATE_REFUSAL[Status(locked.status)])
        locked.status = t.to_status
        locked.updated_at = now
        _record(partnership=locked, verb=t.verb, by=by, acting_for=acting_for, from_status=t.from_status,
                to_status=t.to_status, message=message)
        # The school has acted on this partnership: its notices about it are handled, for every
        # admin of the school (the waiting count in the header clears).
        Notification.objects.filter(
            partnership=locked, establishment=acting_for, read_at__isnull=True
        ).update(read_at=now)
    partnership.status, partnership.updated_at = locked.status, locked.updated_at
    return locked


def partnership_accept(*, partnership: Partnership, by: User, acting_for: Establishment, message: str = "") -> Partnership:
    """The partner school's admin accepts a proposal: the schools become learning partners."""
    return _transition("accept", partnership=partnership, by=by, acting_for=acting_for, message=message)


def partnership_decline(*, partnership: Partnership, by: User, acting_for: Establishment, message: str = "") -> Partnership:
    """The partner school's admin declines a proposal."""
    return _transition("decline", partnership=partnership, by=by, acting_for=acting_for, message=message)


def partnership_withdraw(*, partnership: Partnership, by: User, acting_for: Establishment, message: str = "") -> Partnership:
    """The proposing school's admin withdraws a proposal not yet answered."""
    return _transition("withdraw", partnership=partnership, by=by, acting_for=acting_for, message=message)


def partnership_end(*, partnership: Partnership, by: User, acting_for: Establishment, message: str = "") -> Partnership:
    """Either school's admin ends an active partnership; data is suppressed again from then on."""
    return _transition("end", partnership=partnership, by=by, acting_for=acting_for, message=message)


ACTIONS = {
    "accept": partnership_accept,
    "decline": partnership_decline,
    "withdraw": partnership_withdraw,
    "end": partnership_end,
}


def notification_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread partnership notifications (all, or those in ``ids``) as read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
