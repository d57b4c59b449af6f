"""Writes to the senior-phase pipeline: pathway records, offers and their status, board exports.

History is never overwritten: a pathway change supersedes the current record and adds a new one;
an offer's status change adds an ``OfferEvent``. Every write is audited (object type ``learner``,
the pupil's id, the authority of their school) so the authority's audit log shows it beside the
casework. A service refuses a user who may not work on the pupil (PermissionDenied), whatever the
caller checked, so a foreign id can never be written through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from datahub.models import Establishment, Learner, LocalAuthority, User
from datahub.services import audit_event_create

from ..access import may_work_pathway, risk_weight_authority_ids
from ..classification import Category
from .models import Offer, OfferEvent, OfferKind, OfferStatus, PathwayKind, PathwayRecord, PathwaySource, RiskWeights
from .risk import MAX_WEIGHT, WEIGHTS
from .selectors import key_worker_choices

PATHWAY_FIELDS = (
    "aspiration", "intended_category", "intended_stage", "intended_date", "pathway", "pathway_detail",
    "pathway_provider", "key_worker", "note", "next_action", "next_action_due", "next_action_owner",
    "next_action_done",
)


def _actor(by: User | None) -> User | None:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _check(by: User | None, learner: Learner) -> None:
    if _actor(by) is not None and not may_work_pathway(by, learner):
        raise PermissionDenied("You may not work on this pupil's pathway")


def _audit(*, by: User | None, action: str, learner: Learner, detail: dict[str, Any], reason: str = "") -> None:
    audit_event_create(actor=_actor(by), action=action, object_type="learner", object_id=learner.pk,
                       establishment=learner.establishment, reason=reason, detail=detail)


def _value(record: PathwayRecord | None, name: str) -> Any:
    if record is None:
        return None
    if name in ("key_worker", "next_action_owner"):
        return getattr(record, f"{name}_id")
    value = getattr(record, name)
    return value.isoformat() if isinstance(value, dt.date) else value


def pathway_record_create(
    *,
    learner: Learner,
    by: User | None,
    aspiration: str = "",
    intended_category: str = "",
    intended_stage: str = "",
    intended_date: dt.date | None = None,
    pathway: str = PathwayKind.NONE,
    pathway_detail: str = "",
    pathway_provider: str = "",
    key_worker: User | None = None,
    note: str = "",
    next_action: str = "",
    next_action_due: dt.date | None = None,
    next_action_owner: User | None = None,
    next_action_done: bool = False,
    source: str = PathwaySource.MANUAL,
) -> PathwayRecord:
    """Record the pupil's pathway as it is now; the current record is kept as history. The next
    action (what, due date, owner, done) is part of the record: its changes are history too."""
    _check(by, learner)
    errors: dict[str, str] = {}
    if intended_category and intended_category not in Category.values:
        errors["intended_category"] = f"Unknown destination category: {intended_category}"
    if intended_stage and intended_stage not in ("S4", "S5", "S6"):
        errors["intended_stage"] = f"The stage of leaving must be S4, S5 or S6, not {intended_stage}"
    if pathway not in PathwayKind.values:
        errors["pathway"] = f"Unknown learning pathway: {pathway}"
    if pathway != PathwayKind.NONE and not pathway_provider.strip():
        errors["pathway_provider"] = "Name the provider of the learning pathway (college, employer, training provider)"
    if key_worker is not None and key_worker.pk not in {u.pk for u in key_worker_choices(learner)}:
        errors["key_worker"] = "The key worker must be a member of the school's staff or an MCMC officer of its authority"
    if source not in PathwaySource.values:
        errors["source"] = f"Unknown source: {source}"
    if next_action.strip() and next_action_due is None:
        errors["next_action_due"] = "Give the date the next action is due"
    if not next_action.strip() and (next_action_due is not None or next_action_owner is not None):
        errors["next_action"] = "Say what the next action is, or leave its date and owner empty"
    if next_action_owner is not None and next_action_owner.pk not in {u.pk for u in key_worker_choices(learner)}:
        errors["next_action_owner"] = ("The owner of the next action must be a member of the school's staff or an "
                                       "MCMC officer of its authority")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        current = PathwayRecord.objects.select_for_update().filter(learner=learner, superseded_at__isnull=True).first()
        if current is not None:
            current.superseded_at = now
            current.save(update_fields=["superseded_at"])
        record = PathwayRecord.objects.create(
            learner=learner, aspiration=aspiration.strip(), intended_category=intended_category,
            intended_stage=intended_stage, intended_date=intended_date, pathway=pathway,
            pathway_detail=pathway_detail.strip(), pathway_provider=pathway_provider.strip(), key_worker=key_worker,
            note=note.strip(), next_action=next_action.strip(), next_action_due=next_action_due,
            next_action_owner=next_action_owner, next_action_done=bool(next_action_done and next_action.strip()),
            source=source, recorded_at=now, recorded_by=_actor(by),
        )
        changed = [f for f in PATHWAY_FIELDS if _value(current, f) != _value(record, f)]
        _audit(by=by, action="pathway_record", learner=learner,
               detail={"record": record.pk, "previous": current.pk if current else None, "changed": changed,
                       "source": source})
    return record


def offer_create(
    *,
    learner: Learner,
    by: User | None,
    kind: str,
    provider: str,
    status: str = OfferStatus.APPLIED,
    status_date: dt.date,
    applied_on: dt.date | None = None,
    course: str = "",
    note: str = "",
    source: str = PathwaySource.MANUAL,
) -> Offer:
    """Record an application (or an offer already made) with its first status."""
    _check(by, learner)
    errors: dict[str, str] = {}
    if kind not in OfferKind.values:
        errors["kind"] = f"Unknown kind of offer: {kind}"
    if not provider.strip():
        errors["provider"] = "Name the college, university, employer or training provider"
    if status not in OfferStatus.values:
        errors["status"] = f"Unknown offer status: {status}"
    if status_date > timezone.localdate():
        errors["status_date"] = "The date of the status cannot be in the future"
    if applied_on is not None and applied_on > status_date:
        errors["applied_on"] = "The application date cannot be after the date of the status"
    if source not in PathwaySource.values:
        errors["source"] = f"Unknown source: {source}"
    if Offer.objects.filter(learner=learner, kind=kind, provider=provider.strip(), course=course.strip()).exists():
        errors["provider"] = "This application is already recorded: change its status instead"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offer = Offer.objects.create(
            learner=learner, kind=kind, provider=provider.strip(), course=course.strip(), status=status,
            applied_on=applied_on or (status_date if status == OfferStatus.APPLIED else None),
            status_date=status_date, source=source, recorded_by=_actor(by),
        )
        OfferEvent.objects.create(offer=offer, status=status, status_date=status_date, note=note.strip(),
                                  recorded_by=_actor(by))
        _audit(by=by, action="offer_record", learner=learner,
               detail={"offer": offer.pk, "kind": kind, "status": status, "source": source})
    return offer


def offer_status_set(
    *, offer: Offer, by: User | None, status: str, status_date: dt.date, note: str = ""
) -> Offer:
    """Move an offer to a new status; the earlier statuses stay in its history."""
    learner = offer.learner
    _check(by, learner)
    errors: dict[str, str] = {}
    if status not in OfferStatus.values:
        errors["status"] = f"Unknown offer status: {status}"
    if status_date > timezone.localdate():
        errors["status_date"] = "The date of the status cannot be in the future"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        if status == locked.status:
            raise ValidationError({"status": f"The offer is already {locked.get_status_display().lower()}"})
        if status_date < locked.status_date:
            raise ValidationError(
                {"status_date": f"The current status dates from {locked.status_date:%d/%m/%Y}: a new status cannot "
                                "be earlier"})
        previous = locked.status
        locked.status, locked.status_date = status, status_date
        locked.save(update_fields=["status", "status_date"])
        OfferEvent.objects.create(offer=locked, status=status, status_date=status_date, note=note.strip(),
                                  recorded_by=_actor(by))
        _audit(by=by, action="offer_status", learner=learner,
               detail={"offer": locked.pk, "status": status, "previous": previous})
    return locked


def pathway_bulk_assign_key_worker(*, learners: Sequence[Learner], key_worker: User | None, by: User,
                                   reason: str) -> int:
    """Make ``key_worker`` (None: nobody) the key worker of every selected pupil, as a new version
    of each pupil's pathway (the rest copied from the current one). All or nothing: one pupil the
    user may not work on, or for whom the key worker is not eligible, and nothing changes."""
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the change"})
    if not learners:
        raise ValidationError("Select at least one pupil")
    for learner in learners:
        _check(by, learner)
        if key_worker is not None and key_worker.pk not in {u.pk for u in key_worker_choices(learner)}:
            raise ValidationError({"key_worker": f"{key_worker.get_full_name() or key_worker.email} cannot be the key "
                                                 f"worker of a pupil at {learner.establishment.name}"})
    with transaction.atomic():
        now = timezone.now()
        for learner in learners:
            current = PathwayRecord.objects.select_for_update().filter(learner=learner,
                                                                       superseded_at__isnull=True).first()
            if current is not None and current.key_worker_id == (key_worker.pk if key_worker else None):
                continue
            if current is not None:
                current.superseded_at = now
                current.save(update_fields=["superseded_at"])
            copied = {f: getattr(current, f) for f in PATHWAY_FIELDS if f != "key_worker"} if current else {}
            record = PathwayRecord.objects.create(learner=learner, key_worker=key_worker, recorded_at=now,
                                                  recorded_by=_actor(by), **copied)
            _audit(by=by, action="pathway_bulk_key_worker", learner=learner, reason=reason.strip(),
                   detail={"record": record.pk, "previous": current.pk if current else None,
                           "key_worker": key_worker.pk if key_worker else None, "batch": len(learners)})
    return len(learners)


def risk_weights_set(*, authority: LocalAuthority, weights: dict[str, int], by: User, reason: str) -> RiskWeights:
    """Set the authority's weights for the risk rules (its data managers only); the earlier set is
    kept. Every rule gets a whole number from 0 (off) to MAX_WEIGHT."""
    if authority.pk not in risk_weight_authority_ids(by):
        raise PermissionDenied("Only the authority's data managers set its risk weights")
    errors = {k: f"Unknown rule: {k}" for k in weights if k not in WEIGHTS}
    for key in WEIGHTS:
        value = weights.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WEIGHT:
            errors[key] = f"A weight is a whole number from 0 to {MAX_WEIGHT}"
    if not reason.strip():
        errors["reason"] = "Give a reason for the change"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        current = RiskWeights.objects.select_for_update().filter(authority=authority, superseded_at__isnull=True).first()
        if current is not None:
            current.superseded_at = now
            current.save(update_fields=["superseded_at"])
        new = RiskWeights.objects.create(authority=authority, weights={k: weights[k] for k in WEIGHTS},
                                         reason=reason.strip(), recorded_at=now, recorded_by=by)
        audit_event_create(actor=by, action="risk_weights_set", object_type="authority", object_id=authority.pk,
                           authority=authority, reason=reason.strip(),
                           detail={"weights": new.weights, "previous": current.weights if current else None})
    return new


def readiness_export_audit(
    *, by: User, reason: str, establishment_ids: set[int], authority_ids: set[int], rows: int, filters: dict[str, Any]
) -> None:
    """One audit entry for an export of the readiness board (per authority it covers, or per school)."""
    detail = {"rows": rows, "filters": filters, "export": "readiness_board"}
    for authority in LocalAuthority.objects.filter(id__in=authority_ids):
        audit_event_create(actor=by, action="export_readiness_board", object_type="authority",
                           object_id=authority.pk, authority=authority, reason=reason, detail=detail)
    for est in Establishment.objects.filter(id__in=establishment_ids).exclude(authority_id__in=authority_ids):
        audit_event_create(actor=by, action="export_readiness_board", object_type="establishment",
                           object_id=est.pk, establishment=est, reason=reason, detail=detail)
