"""Import kinds for post-school destinations (initial, follow-up) and APM participation.

Registered with datahub's import registry from DestinationsConfig.ready, so datahub never
imports this app. Destination history is kept: a changed destination supersedes the current
record (``superseded_at`` set) and a new record is inserted; nothing is overwritten.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from django.db import connection

from datahub.imports import (
    SCN,
    SEED,
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
    lookup,
    lookup_columns,
    qn,
    register,
    same,
)
from datahub.models import ChangeRecord, Establishment, Learner, SchoolLeaver

from .classification import Category, ParticipationStatus
from .models import DestinationKind, DestinationRecord, ParticipationSpell, Source

# Survey windows (docs/domain.md): initial = first Monday in October after leaving, follow-up = first
# Monday in April. A survey date must fall in that season: September to December of the leaver
# year for the initial survey, March to May of the following year for the follow-up.
SURVEY_WINDOW = {
    DestinationKind.INITIAL: (0, 9, 12),
    DestinationKind.FOLLOW_UP: (1, 3, 5),
}


def _source(ctx: Context) -> str:
    return Source.API if ctx.source == "api" else Source.IMPORT


def _leavers_by_scn(ctx: Context) -> pd.DataFrame:
    ok = ctx.valid("scn")
    scns = ctx.frame["scn"].where(ok, "")
    table = lookup(
        "SELECT l.scn, sl.id, sl.establishment_id, e.authority_id, sl.leaver_year "
        f"FROM {qn(SchoolLeaver._meta.db_table)} sl JOIN {qn(Learner._meta.db_table)} l ON l.id = sl.learner_id "
        f"JOIN {qn(Establishment._meta.db_table)} e ON e.id = sl.establishment_id WHERE l.scn {{keys}}",
        scns.tolist(),
        ["scn", "leaver_id", "leaver_est", "leaver_auth", "leaver_year"],
    ).set_index("scn")
    out = lookup_columns(scns, table, ["leaver_id", "leaver_est", "leaver_auth", "leaver_year"])
    unknown = ok & (scns != "").to_numpy() & out["leaver_id"].isna().to_numpy()
    ctx.add("scn", unknown, "No school leaver record has this SCN: load the school leavers file first.")
    return out


def _prepare_destinations(ctx: Context, kind: str) -> None:
    f = ctx.frame
    est, auth = ctx.resolve_establishments("seed_code")
    ctx.set_row_establishment(est, auth, "seed_code")
    leavers = _leavers_by_scn(ctx)
    ctx.check_scope(leavers["leaver_est"], leavers["leaver_auth"], "scn",
                    "This leaver is from a school outside the schools or authority you manage.")
    known = leavers["leaver_id"].notna().to_numpy()
    other_school = known & est.notna().to_numpy() & (est != leavers["leaver_est"]).to_numpy()
    ctx.add("seed_code", other_school, "The leaver record for this SCN is for another school.")
    ok_year = known & ctx.valid("leaver_year")
    wrong_year = ok_year & (f["leaver_year"].astype("float64") != leavers["leaver_year"]).to_numpy()
    ctx.add("leaver_year", wrong_year,
            "The leaver record for this SCN is for leaver year " + leavers["leaver_year"].fillna(0).astype(int).astype(str) + ".")
    # The survey date must fall in the survey's season.
    offset, first_month, last_month = SURVEY_WINDOW[DestinationKind(kind)]
    ok = ctx.valid("survey_date", "leaver_year") & (f["survey_date"] != "").to_numpy()
    when = pd.to_datetime(f["survey_date"].where(ok, "2000-01-01"), format="%Y-%m-%d")
    year = f["leaver_year"].astype("int64") + offset
    outside = ok & ((when.dt.year != year) | (when.dt.month < first_month) | (when.dt.month > last_month)).to_numpy()
    season = "September to December of the leaver year" if kind == DestinationKind.INITIAL else "March to May after the leaver year"
    ctx.add("survey_date", outside, f"The survey date is outside the survey season ({season}).")
    f["leaver_id"] = leavers["leaver_id"].astype("Int64")
    f["history_establishment"] = leavers["leaver_est"].astype("Int64")


DESTINATION_VALUES = ["category", "survey_date", "note"]


def _write_destinations(ctx: Context, kind: str) -> Counts:
    cols = [("leaver_id", "bigint"), ("category", "text"), ("survey_date", "date"), ("note", "text"),
            ("history_establishment", "bigint")]
    stg = Staging(cols, ctx)
    try:
        stg.fill(ctx.chunks([c for c, _ in cols], none_if_blank=["survey_date"]))
        s, d = qn(stg.name), qn(DestinationRecord._meta.db_table)
        current = "d.leaver_id = s.leaver_id AND d.kind = %s AND d.superseded_at IS NULL"
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN d.id IS NULL THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN d.id IS NOT NULL AND NOT {same('d', 's', DESTINATION_VALUES)} THEN 1 ELSE 0 END) "
                f"FROM {s} s LEFT JOIN {d} d ON {current}",
                [kind],
            )
            total, new, changed = (int(v or 0) for v in cur.fetchone())
        counts = Counts(new, changed, total - new - changed)
        if ctx.create_only and total - new:
            rows = [r[0] for r in _fetch(f"SELECT s.row_no FROM {s} s JOIN {d} d ON {current} ORDER BY s.row_no", [kind])]
            mask = np.zeros(ctx.rows, dtype=bool)
            mask[rows] = True
            ctx.add("scn", mask, "This leaver already has a current destination of this kind; use the bulk upsert endpoint.")
        if ctx.dry_run or ctx.has_errors:
            return counts
        now = connection.ops.adapt_datetimefield_value(ctx.now)
        user_id = getattr(ctx.user, "pk", None)
        if changed and ctx.batch_id is not None:
            execute(
                f"INSERT INTO {qn(ChangeRecord._meta.db_table)} "
                f"(batch_id, changed_by_id, at, model, object_id, action, establishment_id, before, after) "
                f"SELECT %s, %s, %s, %s, d.id, 'superseded', s.history_establishment, "
                f"{json_object('d', DESTINATION_VALUES)}, {json_object('s', DESTINATION_VALUES)} "
                f"FROM {s} s JOIN {d} d ON {current} WHERE NOT {same('d', 's', DESTINATION_VALUES)}",
                [ctx.batch_id, user_id, now, DestinationRecord._meta.label_lower, kind],
            )
        # Supersede the current record where the new one differs, then insert wherever no current
        # record is left (new leavers and superseded ones).
        execute(
            f"UPDATE {d} SET superseded_at = %s WHERE superseded_at IS NULL AND kind = %s AND EXISTS "
            f"(SELECT 1 FROM {s} s WHERE s.leaver_id = {d}.leaver_id AND NOT {same(d, 's', DESTINATION_VALUES)})",
            [now, kind],
        )
        ctx.check_cancel()
        execute(
            f"INSERT INTO {d} (leaver_id, kind, category, recorded_at, survey_date, recorded_by_id, source, note, superseded_at) "
            f"SELECT s.leaver_id, %s, s.category, %s, s.survey_date, %s, %s, s.note, NULL FROM {s} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {d} d WHERE {current})",
            [kind, now, user_id, _source(ctx), kind],
        )
        ctx.progress.written(stg.rows)
        return counts
    finally:
        stg.drop()


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _destination_kind(name: str, kind: str, label: str, order: int) -> ImportKind:
    return register(ImportKind(
        name=name,
        label=label,
        description=f"One row per leaver: the {kind.replace('_', '-')} destination, as surveyed by the national skills body.",
        columns=(
            SCN, SEED,
            Column("leaver_year", "int", min_value=2000, max_value=2100, help="Year the leaver's session ended: 2024 means 2023/24 leavers.", example="2024"),
            Column("category", "choice", choices=choices_from(Category.choices),
                   help="Destination category: HE, FE, TRAINING, EMPLOYMENT, VOLUNTARY, ACTIVITY_AGREEMENT, PSD, UNEMPLOYED_SEEKING, UNEMPLOYED_NOT_SEEKING or UNKNOWN (or the full name).",
                   example="HE"),
            Column("survey_date", "date", required=False, default="", help="Date the status holds for (optional).",
                   example="2024-10-07" if kind == DestinationKind.INITIAL else "2025-04-07"),
            Column("note", "text", required=False, default="", max_length=500, help="Optional note.", example=""),
        ),
        key=("scn",),
        prepare=lambda ctx: _prepare_destinations(ctx, kind),
        write=lambda ctx: _write_destinations(ctx, kind),
        notes=(
            "The school leaver record must already be loaded; school and leaver year must match it.",
            "A changed destination supersedes the current one (history is kept); the same destination again changes nothing.",
        ),
        order=order,
    ))


INITIAL = _destination_kind("initial-destinations", DestinationKind.INITIAL, "Leaver destinations: initial (October)", 50)
FOLLOW_UP = _destination_kind("follow-up-destinations", DestinationKind.FOLLOW_UP, "Leaver destinations: follow-up (April)", 60)


# --- participation (Annual Participation Measure) -------------------------------------------


def _prepare_participation(ctx: Context) -> None:
    f = ctx.frame
    learners = learners_by_scn(ctx)
    check_learner_scope(ctx, learners)
    ctx.set_row_establishment(learners["learner_est"], learners["learner_auth"], "scn")
    ok = ctx.valid("start_date", "end_date") & (f["end_date"] != "").to_numpy()
    ctx.add("end_date", ok & (f["end_date"] < f["start_date"]).to_numpy(), "The end date is before the start date.")
    # Spells of one person must not overlap.
    usable = ctx.valid("scn", "start_date", "end_date")
    if usable.any():
        part = f.loc[usable, ["scn", "start_date", "end_date"]].copy()
        part["row"] = ctx.row_numbers[np.flatnonzero(usable)]
        part = part.sort_values(["scn", "start_date"], kind="stable")
        prev_end = part.groupby("scn")["end_date"].shift(1)
        prev_row = part.groupby("scn")["row"].shift(1)
        has_prev = prev_row.notna()
        overlap = has_prev & ((prev_end == "") | (prev_end >= part["start_date"]))
        mask = np.zeros(len(f), dtype=bool)
        reasons = np.empty(len(f), dtype=object)
        idx = part.index[overlap]
        mask[idx] = True
        reasons[idx] = ["This spell overlaps the spell in row " + str(int(r)) + "." for r in prev_row[overlap]]
        ctx.add("start_date", mask, reasons)
    f["learner_id"] = learners["learner_id"].astype("Int64")
    f["history_establishment"] = learners["learner_est"].astype("Int64")


SPELL_VALUES = ["status", "end_date"]


def _write_participation(ctx: Context) -> Counts:
    cols = [("learner_id", "bigint"), ("status", "text"), ("start_date", "date"), ("end_date", "date"),
            ("history_establishment", "bigint")]
    stg = Staging(cols, ctx)
    try:
        stg.fill(ctx.chunks([c for c, _ in cols], none_if_blank=["end_date"]))
        s, p = qn(stg.name), qn(ParticipationSpell._meta.db_table)
        match = "p.learner_id = s.learner_id AND p.start_date = s.start_date"
        rows = _fetch(
            f"SELECT COUNT(*), SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM {p} p WHERE {match}) THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN EXISTS (SELECT 1 FROM {p} p WHERE {match} AND NOT {same('p', 's', SPELL_VALUES)}) THEN 1 ELSE 0 END) "
            f"FROM {s} s",
            [],
        )
        total, new, changed = (int(v or 0) for v in rows[0])
        counts = Counts(new, changed, total - new - changed)
        if ctx.create_only and total - new:
            found = [r[0] for r in _fetch(f"SELECT s.row_no FROM {s} s WHERE EXISTS (SELECT 1 FROM {p} p WHERE {match})", [])]
            mask = np.zeros(ctx.rows, dtype=bool)
            mask[found] = True
            ctx.add("start_date", mask, "A spell starting on this date already exists; use the bulk upsert endpoint.")
        if ctx.dry_run or ctx.has_errors:
            return counts
        now = connection.ops.adapt_datetimefield_value(ctx.now)
        if changed and ctx.batch_id is not None:
            execute(
                f"INSERT INTO {qn(ChangeRecord._meta.db_table)} "
                f"(batch_id, changed_by_id, at, model, object_id, action, establishment_id, before, after) "
                f"SELECT %s, %s, %s, %s, p.id, 'updated', s.history_establishment, "
                f"{json_object('p', SPELL_VALUES)}, {json_object('s', SPELL_VALUES)} "
                f"FROM {s} s JOIN {p} p ON {match} WHERE NOT {same('p', 's', SPELL_VALUES)}",
                [ctx.batch_id, getattr(ctx.user, "pk", None), now, ParticipationSpell._meta.label_lower],
            )
        # recorded_at moves on a change: destinations' case sync notices spells changed in place by it.
        user_id = getattr(ctx.user, "pk", None)
        execute(
            f"UPDATE {p} SET status = s.status, end_date = s.end_date, source = %s, recorded_at = %s, recorded_by_id = %s "
            f"FROM {s} s WHERE {p}.learner_id = s.learner_id AND {p}.start_date = s.start_date "
            f"AND NOT {same(p, 's', SPELL_VALUES)}",
            [_source(ctx), now, user_id],
        )
        execute(
            f"INSERT INTO {p} (learner_id, status, start_date, end_date, source, recorded_at, recorded_by_id) "
            f"SELECT s.learner_id, s.status, s.start_date, s.end_date, %s, %s, %s FROM {s} s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {p} p WHERE {match})",
            [_source(ctx), now, user_id],
        )
        ctx.progress.written(stg.rows)
        return counts
    finally:
        stg.drop()


PARTICIPATION = register(ImportKind(
    name="participation",
    label="Participation (Annual Participation Measure)",
    description="Spells of participation status for 16 to 19 year olds, one row per spell.",
    columns=(
        SCN,
        Column("status", "choice", choices=choices_from(ParticipationStatus.choices),
               help="EDUCATION, TRAINING, EMPLOYMENT, UNEMPLOYED_SEEKING, UNEMPLOYED_NOT_SEEKING or UNCONFIRMED.", example="EDUCATION"),
        Column("start_date", "date", help="First day of the spell.", example="2024-08-19"),
        Column("end_date", "date", required=False, default="", help="Last day of the spell; blank while it goes on.", example="2025-06-27"),
    ),
    key=("scn", "start_date"),
    prepare=_prepare_participation,
    chunked=False,  # overlapping spells are found across the rows of one person
    write=_write_participation,
    notes=(
        "The learner must already be loaded; the learner's school decides who may import their spells.",
        "A spell is identified by learner and start date: a new status or end date for it updates it (history kept).",
    ),
    order=70,
))

__all__ = ["FOLLOW_UP", "INITIAL", "PARTICIPATION", "SEED"]
