"""The ``offers`` import kind: applications and offers from files and partner systems (the API's
``POST /api/v1/imports/offers/rows/``), with the same checks and all-or-nothing rules as every kind.

Registered from DestinationsConfig.ready (through destinations.imports), so datahub never imports
this app; like every kind outside datahub it uses only ``datahub.imports``. An offer is identified
by pupil, kind, provider and course: a new one is inserted with its first event; a new status for
a known offer updates the offer and adds an event (the history is kept, never rewritten); the
status it already holds changes nothing. A status may not be dated before the offer's current one.
"""

from __future__ import annotations

import numpy as np
from django.db import connection
from django.utils import timezone

from datahub.imports import (
    SCN,
    Column,
    Context,
    Counts,
    ImportKind,
    Staging,
    check_learner_scope,
    choices_from,
    execute,
    json_object,
    learners_by_scn,
    qn,
    register,
)
from datahub.models import ChangeRecord

from .models import Offer, OfferEvent, OfferKind, OfferStatus, PathwaySource

VALUES = ["status", "status_date"]  # what a change record keeps
MATCH = "o.learner_id = s.learner_id AND o.kind = s.kind AND o.provider = s.provider AND o.course = s.course"


def _prepare(ctx: Context) -> None:
    f = ctx.frame
    learners = learners_by_scn(ctx)
    check_learner_scope(ctx, learners)
    ctx.set_row_establishment(learners["learner_est"], learners["learner_auth"], "scn")
    today = timezone.localdate().isoformat()
    ok = ctx.valid("status_date")
    ctx.add("status_date", ok & (f["status_date"] > today).to_numpy(), "The date of the status is in the future.")
    ok = ctx.valid("status_date", "applied_on") & (f["applied_on"] != "").to_numpy()
    ctx.add("applied_on", ok & (f["applied_on"] > f["status_date"]).to_numpy(),
            "The application date is after the date of the status.")
    f["learner_id"] = learners["learner_id"].astype("Int64")
    f["history_establishment"] = learners["learner_est"].astype("Int64")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _write(ctx: Context) -> Counts:
    cols = [("learner_id", "bigint"), ("kind", "text"), ("provider", "text"), ("course", "text"), ("status", "text"),
            ("applied_on", "date"), ("status_date", "date"), ("history_establishment", "bigint")]
    stg = Staging(cols, ctx)
    try:
        stg.fill(ctx.chunks([c for c, _ in cols], none_if_blank=["applied_on"]))
        s, o, e = qn(stg.name), qn(Offer._meta.db_table), qn(OfferEvent._meta.db_table)
        moved = "o.status <> s.status"
        total, new, changed = (int(v or 0) for v in _fetch(
            f"SELECT COUNT(*), SUM(CASE WHEN o.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN o.id IS NOT NULL AND {moved} THEN 1 ELSE 0 END) FROM {s} s LEFT JOIN {o} o ON {MATCH}",
            [])[0])
        counts = Counts(new, changed, total - new - changed)
        earlier = [r[0] for r in _fetch(
            f"SELECT s.row_no FROM {s} s JOIN {o} o ON {MATCH} WHERE {moved} AND s.status_date < o.status_date", [])]
        if earlier:
            mask = np.zeros(ctx.rows, dtype=bool)
            mask[earlier] = True
            ctx.add("status_date", mask, "The offer's current status is dated later: a new status cannot be earlier.")
        if ctx.create_only and total - new:
            found = [r[0] for r in _fetch(f"SELECT s.row_no FROM {s} s JOIN {o} o ON {MATCH}", [])]
            mask = np.zeros(ctx.rows, dtype=bool)
            mask[found] = True
            ctx.add("provider", mask, "This offer is already recorded; use the bulk upsert endpoint.")
        if ctx.dry_run or ctx.has_errors:
            return counts
        now = connection.ops.adapt_datetimefield_value(ctx.now)
        user_id = getattr(ctx.user, "pk", None)
        source = PathwaySource.API if ctx.source == "api" else PathwaySource.IMPORT
        if changed and ctx.batch_id is not None:
            execute(
                f"INSERT INTO {qn(ChangeRecord._meta.db_table)} "
                f"(batch_id, changed_by_id, at, model, object_id, action, establishment_id, before, after) "
                f"SELECT %s, %s, %s, %s, o.id, 'updated', s.history_establishment, "
                f"{json_object('o', VALUES)}, {json_object('s', VALUES)} FROM {s} s JOIN {o} o ON {MATCH} WHERE {moved}",
                [ctx.batch_id, user_id, now, Offer._meta.label_lower],
            )
        # The new status of a known offer: its event first (while the old status still tells it
        # apart), then the offer itself.
        execute(
            f"INSERT INTO {e} (offer_id, status, status_date, note, recorded_at, recorded_by_id) "
            f"SELECT o.id, s.status, s.status_date, '', %s, %s FROM {s} s JOIN {o} o ON {MATCH} WHERE {moved}",
            [now, user_id],
        )
        execute(
            f"UPDATE {o} SET status = s.status, status_date = s.status_date FROM {s} s "
            f"WHERE {o}.learner_id = s.learner_id AND {o}.kind = s.kind AND {o}.provider = s.provider "
            f"AND {o}.course = s.course AND {o}.status <> s.status",
            [],
        )
        ctx.check_cancel()
        execute(
            f"INSERT INTO {o} (learner_id, kind, provider, course, status, applied_on, status_date, source, "
            f"recorded_at, recorded_by_id) SELECT s.learner_id, s.kind, s.provider, s.course, s.status, "
            f"COALESCE(s.applied_on, CASE WHEN s.status = 'applied' THEN s.status_date END), s.status_date, %s, %s, %s "
            f"FROM {s} s WHERE NOT EXISTS (SELECT 1 FROM {o} o WHERE {MATCH})",
            [source, now, user_id],
        )
        execute(
            f"INSERT INTO {e} (offer_id, status, status_date, note, recorded_at, recorded_by_id) "
            f"SELECT o.id, o.status, o.status_date, '', %s, %s FROM {s} s JOIN {o} o ON {MATCH} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {e} x WHERE x.offer_id = o.id)",
            [now, user_id],
        )
        ctx.progress.written(stg.rows)
        return counts
    finally:
        stg.drop()


OFFERS = register(ImportKind(
    name="offers",
    label="Applications and offers (senior-phase pupils)",
    description="One row per application: college, university, apprenticeship, employment or training, with "
                "its current status.",
    columns=(
        SCN,
        Column("kind", "choice", choices=choices_from(OfferKind.choices),
               help="college, university, apprenticeship, employment or training.", example="college"),
        Column("provider", "text", max_length=200, help="The college, university, employer or training provider.",
               example="Glasgow Clyde College"),
        Column("course", "text", required=False, default="", max_length=200,
               help="Course, programme or job (optional; part of what identifies the offer).", example="HNC Social Services"),
        Column("status", "choice", choices=choices_from(OfferStatus.choices),
               help="applied, offered, accepted, declined or withdrawn.", example="offered"),
        Column("status_date", "date", help="Date of this status (not in the future).", example="2026-11-20"),
        Column("applied_on", "date", required=False, default="",
               help="Date applied (optional; for an 'applied' row the status date is used).", example="2026-10-02"),
    ),
    key=("scn", "kind", "provider", "course"),
    prepare=_prepare,
    write=_write,
    notes=(
        "The pupil must already be loaded; the pupil's school decides who may import their offers.",
        "An offer is identified by pupil, kind, provider and course. A new status adds to the offer's history; "
        "the status it already holds changes nothing; a status dated before the current one is refused.",
    ),
    order=80,
))

__all__ = ["OFFERS", "SCN"]
