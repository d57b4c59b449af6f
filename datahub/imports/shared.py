"""Columns, lookups and the one-table write that several kinds share (datahub's own kinds and
destinations'): a kind outside datahub reaches them through ``datahub.imports``."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from django.db import models

from ..models import Enrolment, Establishment, Learner, Sex
from .columns import Column, choices_from
from .sql import Staging, Upsert, qn, reject_existing
from .types import Context, Counts, lookup, lookup_columns

# --- shared columns -------------------------------------------------------------------------

SCN = Column("scn", "scn", help="Scottish Candidate Number of the learner.", example="123456785")
SEED = Column("seed_code", "seed", help="SEED code of the school.", example="5244439")
SEX = Column(
    "sex", "choice", choices={**choices_from(Sex.choices)}, help="F or M.", example="F",
)
SIMD = Column("simd_decile", "int", min_value=1, max_value=10, help="SIMD 2020 decile of the home data zone; 1 = most deprived 10%.", example="3")


def _flag(name: str, help_text: str) -> Column:
    return Column(name, "bool", required=False, default=False, help=help_text + " Blank means N.", example="N")


ASN = _flag("asn", "Additional support needs.")
CARE = _flag("care_experienced", "Care experienced / looked after.")
FSM = _flag("fsm", "Registered for free school meals.")


# --- shared lookups -------------------------------------------------------------------------


def learners_by_scn(ctx: Context, *, column: str = "scn", required: bool = True) -> pd.DataFrame:
    """Per row: learner_id, learner_est, learner_auth, last_year (NaN where unknown); unknown SCNs are errors."""
    ok = ctx.valid(column)
    scns = ctx.frame[column].where(ok, "")
    table = lookup(
        "SELECT l.scn, l.id, l.establishment_id, e.authority_id, "
        f"(SELECT MAX(en.year) FROM {qn(Enrolment._meta.db_table)} en WHERE en.learner_id = l.id) "
        f"FROM {qn(Learner._meta.db_table)} l JOIN {qn(Establishment._meta.db_table)} e ON e.id = l.establishment_id "
        "WHERE l.scn {keys}",
        scns.tolist(),
        ["scn", "learner_id", "learner_est", "learner_auth", "last_year"],
    ).set_index("scn")
    out = lookup_columns(scns, table, ["learner_id", "learner_est", "learner_auth", "last_year"])
    if required:
        unknown = ok & (scns != "").to_numpy() & out["learner_id"].isna().to_numpy()
        ctx.add(column, unknown, "No learner has this SCN: load the learner first with a learners file.")
    return out


def check_learner_scope(ctx: Context, learners: pd.DataFrame, column: str = "scn") -> None:
    ctx.check_scope(
        learners["learner_est"], learners["learner_auth"], column,
        "This learner is on the roll of a school outside the schools or authority you manage.",
    )


def upsert_one_table(
    ctx: Context,
    model: type[models.Model],
    columns: list[tuple[str, str]],
    frame: pd.DataFrame | Iterable[pd.DataFrame],
    key: list[str],
    values: list[str],
    *,
    existing: tuple[str, str],
    history_establishment: str = "history_establishment",
) -> Counts:
    """The write of a kind with one target table: stage ``frame`` (or its chunks), plan (counts), then, unless a
    dry run or an error, keep the history of changed records and merge on ``key``.

    ``existing``: (column, what) for the error on a create-only row whose key already exists.
    """
    stg = Staging(columns, ctx)
    try:
        stg.fill(frame)
        ctx.check_cancel()
        up = Upsert(model, key, values, qn(stg.name))
        counts = up.counts(ctx)
        if ctx.create_only:
            reject_existing(ctx, up, *existing)
        if ctx.dry_run or ctx.has_errors:
            return counts
        if counts.updated:
            up.record_history(ctx, establishment=history_establishment)
        up.merge(ctx, stg.rows)
        return counts
    finally:
        stg.drop()
