"""Writes to destination data: destination records, participation spells, contacts and cases.

History is never overwritten: a new destination record supersedes the current one of its kind
(``superseded_at``) and a new participation status closes the open spell. Every change writes an
audit entry (datahub.services.audit_event_create) naming the young person (object type ``learner``,
their learner id) and the authority of their last school, so the authority's admins read it in
their audit log. Bulk changes run in one transaction: all or nothing.

Callers (views, API) have already checked that ``by`` may work on these young people; the bulk
services check again, so a foreign id anywhere in a batch rolls the whole batch back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from datahub.models import Learner, SchoolLeaver, User
from datahub.services import audit_event_create

from . import classification as cls
from .access import is_mcmc_officer_for, may_work_case
from .models import (
    Case,
    CaseSync,
    ContactMethod,
    ContactNote,
    ContactOutcome,
    DestinationKind,
    DestinationRecord,
    ParticipationSpell,
    Source,
)

REFRESH_CHUNK = 1000  # ids per IN list
FULL_REFRESH_CHUNK = 10000  # leaver id range per step of a full refresh


def _actor(by: User | None) -> User | None:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _audit(*, by: User | None, action: str, learner: Learner, reason: str = "", detail: dict[str, Any]) -> None:
    audit_event_create(
        actor=by,
        action=action,
        object_type="learner",
        object_id=learner.pk,
        establishment=learner.establishment,
        reason=reason,
        detail=detail,
    )


# --- Destination records ------------------------------------------------------------------------


def destination_record_create(
    *,
    leaver: SchoolLeaver,
    kind: str,
    category: str,
    by: User | None,
    source: str = Source.MANUAL,
    note: str = "",
    survey_date: dt.date | None = None,
    reason: str = "",
    audit_action: str = "destination_record",
) -> DestinationRecord:
    """Record a destination: the current record of this kind is superseded, a new one inserted.

    ``survey_date`` defaults to the census date of the kind for the leaver's year.
    """
    if kind not in DestinationKind.values:
        raise ValidationError({"kind": f"Unknown destination kind: {kind}"})
    if category not in cls.Category.values:
        raise ValidationError({"category": f"Unknown destination category: {category}"})
    if source not in Source.values:
        raise ValidationError({"source": f"Unknown source: {source}"})
    with transaction.atomic():
        now = timezone.now()
        current = (
            DestinationRecord.objects.select_for_update()
            .filter(leaver=leaver, kind=kind, superseded_at__isnull=True)
            .first()
        )
        if current is not None:
            current.superseded_at = now
            current.save(update_fields=["superseded_at"])
        record = DestinationRecord.objects.create(
            leaver=leaver,
            kind=kind,
            category=category,
            recorded_at=now,
            survey_date=survey_date or cls.survey_date(kind, leaver.leaver_year),
            recorded_by=_actor(by),
            source=source,
            note=note,
        )
        case_refresh(leaver_ids=[leaver.pk])
        _audit(
            by=by,
            action=audit_action,
            learner=leaver.learner,
            reason=reason,
            detail={
                "record": record.pk,
                "kind": kind,
                "category": category,
                "previous": current.category if current else None,
                "source": source,
            },
        )
    return record


# --- Participation (APM) status -----------------------------------------------------------------


def participation_spell_create(
    *,
    learner: Learner,
    status: str,
    start_date: dt.date,
    by: User | None,
    source: str = Source.MANUAL,
    note: str = "",
    reason: str = "",
    audit_action: str = "participation_record",
) -> ParticipationSpell:
    """Record a participation status from ``start_date``; the spell open before it is closed the
    day before. A status may not start on or before the start of the latest spell (history is
    added to, never rewritten)."""
    if status not in cls.ParticipationStatus.values:
        raise ValidationError({"status": f"Unknown participation status: {status}"})
    if source not in Source.values:
        raise ValidationError({"source": f"Unknown source: {source}"})
    with transaction.atomic():
        latest = (
            ParticipationSpell.objects.select_for_update().filter(learner=learner).order_by("-start_date").first()
        )
        if latest is not None and start_date <= latest.start_date:
            raise ValidationError(
                {"start_date": f"The latest status started on {latest.start_date:%d/%m/%Y}: a new status must "
                               "start after it."}
            )
        previous = None
        if latest is not None and (latest.end_date is None or latest.end_date >= start_date):
            previous = latest.status
            latest.end_date = start_date - dt.timedelta(days=1)
            latest.save(update_fields=["end_date"])
        spell = ParticipationSpell.objects.create(
            learner=learner,
            status=status,
            start_date=start_date,
            source=source,
            recorded_by=_actor(by),
            note=note,
        )
        leaver_ids = list(SchoolLeaver.objects.filter(learner=learner).values_list("id", flat=True))
        case_refresh(leaver_ids=leaver_ids)
        _audit(
            by=by,
            action=audit_action,
            learner=learner,
            reason=reason,
            detail={"spell": spell.pk, "status": status, "start_date": start_date.isoformat(), "previous": previous,
                    "source": source},
        )
    return spell


# --- Contacts and next actions ------------------------------------------------------------------


def contact_note_create(
    *,
    leaver: SchoolLeaver,
    by: User | None,
    contact_date: dt.date,
    method: str,
    outcome: str,
    note: str = "",
    next_action: str = "",
    next_action_date: dt.date | None = None,
) -> ContactNote:
    """Record a contact (or a case note) and set the case's next action from it."""
    if method not in ContactMethod.values:
        raise ValidationError({"method": f"Unknown contact method: {method}"})
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": f"Unknown contact outcome: {outcome}"})
    if contact_date > timezone.localdate():
        raise ValidationError({"contact_date": "The date of a contact cannot be in the future."})
    if next_action_date is not None and not next_action.strip():
        raise ValidationError({"next_action": "Say what the next action is."})
    with transaction.atomic():
        contact = ContactNote.objects.create(
            leaver=leaver,
            contact_date=contact_date,
            method=method,
            outcome=outcome,
            note=note,
            next_action=next_action.strip(),
            next_action_date=next_action_date,
            recorded_by=_actor(by),
        )
        case = _case_for_update(leaver)
        if method != ContactMethod.NOTE and (case.last_contact_date is None or contact_date > case.last_contact_date):
            case.last_contact_date = contact_date
        case.next_action = contact.next_action
        case.next_action_date = next_action_date
        case.updated_at = timezone.now()
        case.save(update_fields=["last_contact_date", "next_action", "next_action_date", "updated_at"])
        _audit(
            by=by,
            action="contact_record",
            learner=leaver.learner,
            detail={"contact": contact.pk, "method": method, "outcome": outcome,
                    "next_action_date": next_action_date.isoformat() if next_action_date else None},
        )
    return contact


def _case_for_update(leaver: SchoolLeaver) -> Case:
    case = Case.objects.select_for_update().filter(leaver=leaver).first()
    if case is None:
        case_refresh(leaver_ids=[leaver.pk])
        case = Case.objects.select_for_update().get(leaver=leaver)
    return case


# --- Assignment -----------------------------------------------------------------------------


def case_update(
    *,
    leaver: SchoolLeaver,
    by: User,
    officer: User | None,
    next_action: str,
    next_action_date: dt.date | None,
    reason: str = "",
) -> Case:
    """Assign one young person to an officer (or nobody) and set the next action."""
    authority = leaver.learner.establishment.authority
    if officer is not None and not is_mcmc_officer_for(officer, authority):
        raise ValidationError({"officer": "Choose an MCMC officer of the young person's authority."})
    if next_action_date is not None and not next_action.strip():
        raise ValidationError({"next_action": "Say what the next action is."})
    with transaction.atomic():
        case = _case_for_update(leaver)
        before = {"officer": case.officer_id, "next_action": case.next_action,
                  "next_action_date": case.next_action_date.isoformat() if case.next_action_date else None}
        case.officer = officer
        case.next_action = next_action.strip()
        case.next_action_date = next_action_date
        case.updated_at = timezone.now()
        case.save(update_fields=["officer", "next_action", "next_action_date", "updated_at"])
        _audit(
            by=by,
            action="case_update",
            learner=leaver.learner,
            reason=reason,
            detail={"before": before, "officer": officer.pk if officer else None, "next_action": case.next_action,
                    "next_action_date": next_action_date.isoformat() if next_action_date else None},
        )
    return case


def _check_batch(leavers: Sequence[SchoolLeaver], by: User, reason: str) -> None:
    if not leavers:
        raise ValidationError("Select at least one young person.")
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for the change."})
    if len({lv.pk for lv in leavers}) != len(leavers):
        raise ValidationError("A young person is selected twice.")
    for leaver in leavers:
        if not may_work_case(by, leaver.learner):
            # Callers look leavers up inside the officer's scope, so this is a programming error or
            # a forged request: nothing of the batch is written.
            raise PermissionDenied("A selected young person is outside your authority.")


def case_bulk_assign(*, leavers: Sequence[SchoolLeaver], officer: User | None, by: User, reason: str) -> int:
    """Assign every selected young person to ``officer`` (None: unassign). All or nothing."""
    _check_batch(leavers, by, reason)
    if officer is not None:
        for leaver in leavers:
            if not is_mcmc_officer_for(officer, leaver.learner.establishment.authority):
                raise ValidationError({"officer": f"{officer} is not an MCMC officer of every selected young "
                                                  "person's authority."})
    with transaction.atomic():
        now = timezone.now()
        for leaver in leavers:
            case = _case_for_update(leaver)
            previous = case.officer_id
            case.officer = officer
            case.updated_at = now
            case.save(update_fields=["officer", "updated_at"])
            _audit(by=by, action="bulk_assign", learner=leaver.learner, reason=reason.strip(),
                   detail={"officer": officer.pk if officer else None, "previous": previous, "batch": len(leavers)})
    return len(leavers)


BULK_KINDS = (DestinationKind.INITIAL.value, DestinationKind.FOLLOW_UP.value, "participation")


def case_bulk_set_status(
    *,
    leavers: Sequence[SchoolLeaver],
    kind: str,
    value: str,
    by: User,
    reason: str,
    start_date: dt.date | None = None,
    note: str = "",
) -> int:
    """Record the same status for every selected young person, with a reason. All or nothing.

    ``kind``: ``initial`` or ``follow_up`` (``value`` a destination category; a new record
    supersedes the current one) or ``participation`` (``value`` a participation status starting
    on ``start_date``).
    """
    _check_batch(leavers, by, reason)
    if kind not in BULK_KINDS:
        raise ValidationError({"kind": "Choose what to update."})
    if kind == "participation" and start_date is None:
        raise ValidationError({"start_date": "Give the date the status starts."})
    with transaction.atomic():
        for leaver in leavers:
            if kind == "participation":
                assert start_date is not None
                participation_spell_create(learner=leaver.learner, status=value, start_date=start_date, by=by,
                                     note=note, reason=reason.strip(), audit_action="bulk_status")
            else:
                destination_record_create(leaver=leaver, kind=kind, category=value, by=by, note=note,
                                   reason=reason.strip(), audit_action="bulk_status")
    return len(leavers)


# --- Exports --------------------------------------------------------------------------------


def caseload_export_audit(*, by: User, reason: str, authority_ids: Iterable[int], rows: int,
                           filters: dict[str, str]) -> None:
    """Audit a caseload export: one entry per authority whose young people it holds."""
    from datahub.models import LocalAuthority

    for authority in LocalAuthority.objects.filter(id__in=list(authority_ids)):
        audit_event_create(actor=by, action="caseload_export", object_type="caseload", object_id=authority.code,
                     authority=authority, reason=reason.strip(), detail={"rows": rows, "filters": filters})


# --- Derived case status ---------------------------------------------------------------------


def _status_points(
    leaver_year: int, records: Iterable[tuple[str, str, dt.date]], spells: Iterable[tuple[str, dt.date]]
) -> list[cls.StatusPoint]:
    """Status points from current destination records (kind, category, effective date) and
    participation spells (status, start)."""
    points = [cls.destination_point(kind, category, on, leaver_year) for kind, category, on in records]
    points += [cls.participation_point(status, start) for status, start in spells]
    return points


def case_refresh(*, leaver_ids: Iterable[int] | None = None) -> int:
    """Recompute the derived columns of the cases of these leavers (all leavers when None),
    creating missing cases. Work columns (officer, next action) are left as they are."""
    done = 0
    if leaver_ids is None:
        bounds = SchoolLeaver.objects.aggregate(lo=Min("id"), hi=Max("id"))
        if bounds["lo"] is None:
            return 0
        for lo in range(bounds["lo"], bounds["hi"] + 1, FULL_REFRESH_CHUNK):
            hi = lo + FULL_REFRESH_CHUNK - 1
            done += _refresh_chunk(
                Q(id__gte=lo, id__lte=hi), Q(leaver_id__gte=lo, leaver_id__lte=hi),
                Q(learner__leaver__id__gte=lo, learner__leaver__id__lte=hi),
            )
        return done
    ids = sorted(set(leaver_ids))
    for i in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[i : i + REFRESH_CHUNK]
        done += _refresh_chunk(Q(id__in=chunk), Q(leaver_id__in=chunk), Q(learner__leaver__id__in=chunk))
    return done


def _refresh_chunk(leaver_q: Q, record_q: Q, spell_q: Q) -> int:
    leavers = list(
        SchoolLeaver.objects.filter(leaver_q).values_list(
            "id", "learner_id", "leaver_year", "learner__establishment__authority_id", "learner__date_of_birth"
        )
    )
    records: dict[int, list] = defaultdict(list)
    for leaver_id, kind, category, on in (
        DestinationRecord.objects.filter(record_q, superseded_at__isnull=True)
        .values_list("leaver_id", "kind", "category", Coalesce("survey_date", TruncDate("recorded_at")))
        .order_by()
    ):
        records[leaver_id].append((kind, category, on))
    spells: dict[int, list] = defaultdict(list)
    for learner_id, status, start in (
        ParticipationSpell.objects.filter(spell_q).values_list("learner_id", "status", "start_date").order_by()
    ):
        spells[learner_id].append((status, start))
    now = timezone.now()
    rows = []
    for leaver_id, learner_id, leaver_year, authority_id, date_of_birth in leavers:
        current = cls.current_status(_status_points(leaver_year, records[leaver_id], spells[learner_id]))
        point = current.point
        rows.append((
            leaver_id,
            authority_id,
            date_of_birth,
            current.status.value,
            point.source if point else "",
            point.value if point else "",
            point.on if point else None,
            current.not_sustained,
            now,
        ))
    _upsert_cases(rows)
    return len(rows)


_DERIVED = ("leaver_id", "authority_id", "date_of_birth", "status", "status_source", "status_value", "status_date", "not_sustained",
            "refreshed_at")


def _upsert_cases(rows: list[tuple]) -> None:
    """Insert or update the derived columns of cases in one statement per chunk; rows whose
    derived values did not change are left alone (no dead rows). Work columns are never touched."""
    if not rows:
        return
    table = connection.ops.quote_name(Case._meta.db_table)
    cols = ", ".join(_DERIVED)
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in _DERIVED[1:])
    work = (", officer_id, next_action, next_action_date, last_contact_date, updated_at", ", NULL, '', NULL, NULL, NULL")
    conflict = (
        f"ON CONFLICT (leaver_id) DO UPDATE SET {update} "
        f"WHERE ({', '.join(f'{table}.{c}' for c in _DERIVED[1:-1])}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{c}' for c in _DERIVED[1:-1])})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = ("bigint", "bigint", "date", "text", "text", "text", "date", "boolean", "timestamptz")
            columns = list(zip(*rows, strict=True))
            unnest = ", ".join(f"%s::{t}[]" for t in types)
            cursor.execute(
                f"INSERT INTO {table} ({cols}{work[0]}) SELECT *{work[1]} FROM unnest({unnest}) {conflict}",  # noqa: S608
                [list(c) for c in columns],
            )
        else:
            marks = ", ".join(["%s"] * len(_DERIVED))
            conflict = conflict.replace(" IS DISTINCT FROM ", " IS NOT ")
            cursor.executemany(
                f"INSERT INTO {table} ({cols}{work[0]}) VALUES ({marks}{work[1]}) {conflict}",  # noqa: S608
                rows,
            )


def _max_id(model: type) -> int:
    return model.objects.aggregate(m=Max("id"))["m"] or 0  # type: ignore[attr-defined]


def _marks() -> tuple[int, int, int, dt.datetime | None]:
    return (
        _max_id(DestinationRecord),
        _max_id(ParticipationSpell),
        _max_id(SchoolLeaver),
        ParticipationSpell.objects.aggregate(m=Max("recorded_at"))["m"],
    )


def case_sync(*, full: bool = False) -> int:
    """Bring cases up to date with rows written outside these services (bulk loads, imports).

    Cheap when nothing changed (a few index lookups). Rows with ids above the stored high-water
    marks, and spells recorded or updated in place since the last sync, have their leavers'
    cases refreshed; when the marks went backwards or the newest leaver has no case (data deleted
    and loaded again), every case is refreshed. ``manage.py refresh_cases`` (nightly) repairs
    anything else, e.g. a learner moving to a school in another authority. ``full``: refresh
    every case whatever the marks say.
    """
    marks = _marks()
    state = CaseSync.objects.filter(pk=1).first()
    if (
        not full
        and state is not None
        and marks == (state.destination_id, state.spell_id, state.leaver_id, state.spell_recorded_at)
        and (marks[2] == 0 or Case.objects.filter(leaver_id=marks[2]).exists())
    ):
        return 0
    with transaction.atomic():
        state, _ = CaseSync.objects.select_for_update().get_or_create(pk=1)
        marks = _marks()
        dest_mark, spell_mark, leaver_mark, _ = marks
        full = bool(
            full
            or state.leaver_id == 0
            or dest_mark < state.destination_id
            or spell_mark < state.spell_id
            or leaver_mark < state.leaver_id
            or (leaver_mark and not Case.objects.filter(leaver_id=leaver_mark).exists())
        )
        if full:
            n = case_refresh()
        else:
            ids = set(
                DestinationRecord.objects.filter(id__gt=state.destination_id, id__lte=dest_mark).values_list(
                    "leaver_id", flat=True
                )
            )
            changed_spells = Q(learner__participation__id__gt=state.spell_id, learner__participation__id__lte=spell_mark)
            if state.spell_recorded_at is not None:
                changed_spells |= Q(learner__participation__recorded_at__gt=state.spell_recorded_at)
            ids |= set(SchoolLeaver.objects.filter(changed_spells).values_list("id", flat=True))
            ids |= set(SchoolLeaver.objects.filter(id__gt=state.leaver_id, id__lte=leaver_mark).values_list("id", flat=True))
            n = case_refresh(leaver_ids=ids) if ids else 0
        state.destination_id, state.spell_id, state.leaver_id, state.spell_recorded_at = marks
        state.synced_at = timezone.now()
        state.save()
    return n
