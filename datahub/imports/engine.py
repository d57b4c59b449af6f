"""The import engine: validate every row, then write everything in one transaction or nothing.

Steps (docs/import-formats.md explains them for users):

1. Header: required columns present (an error names each missing one); unknown columns are
   ignored with a warning.
2. Cells, a chunk of rows at a time (progress and cancel are checked between chunks): each
   column's type, format, check digits, known codes, ranges (datahub.imports.columns).
3. Duplicates of the natural key inside the file.
4. The kind's cross-field and reference checks (unknown learners, establishments, subjects...),
   looked up set-based: one query for all the keys of the file.
5. Access: every row's establishment must be in the uploader's import scope
   (datahub.access.can_import_for, vectorised); a row outside it rejects the whole import.
6. Any error: nothing is written, the batch is rejected with every error listed (the first
   ``MAX_LISTED_ERRORS`` kept, all counted).
7. Otherwise one transaction: rows go into a staging table (PostgreSQL COPY, executemany on
   SQLite), counts of new/updated/unchanged are made by set-based joins, changed records are
   written to the history (ChangeRecord), and the kind merges the staging table into its tables
   (INSERT ... ON CONFLICT DO UPDATE ... WHERE changed). A dry run rolls back after counting.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from django.db import connection, transaction

from .parsing import ParsedFile
from .types import Context, Counts, ImportCancelled, Issue, Outcome

log = logging.getLogger(__name__)

MAX_LISTED_ERRORS = 1000
MAX_LISTED_WARNINGS = 200
VALIDATION_CHUNK_ROWS = 100_000


# --- the pipeline ---------------------------------------------------------------------------


def validate(ctx: Context, parsed: ParsedFile) -> None:
    """Steps 1-5: fills ``ctx.frame`` (cleaned values) and ``ctx.issues``."""
    kind = ctx.kind
    known = {c.name for c in kind.columns}
    ctx.raw = parsed.frame
    ctx.row_numbers = parsed.row_numbers.to_numpy(dtype=np.int64)
    missing = [c for c in kind.required_columns if c not in parsed.headers]
    for col in missing:
        ctx.issues.append(
            Issue(col, np.array([-1]), "This required column is missing from the first row (see the template).",
                  cell_values=np.array([""], dtype=object))
        )
    for header in parsed.headers:
        if header and header not in known:
            ctx.issues.append(
                Issue(header, np.array([-1]), "Unknown column: ignored. Check its spelling against the template.",
                      warning=True, cell_values=np.array([""], dtype=object))
            )
    # Position -1 reads as the header row (row 1) in listed errors.
    ctx.row_numbers = np.concatenate([ctx.row_numbers, [1]])
    if missing:
        return
    n = len(parsed.frame)
    if n == 0:
        ctx.issues.append(Issue(kind.columns[0].name, np.array([-1]), "The file has a header but no rows of data.",
                                cell_values=np.array([""], dtype=object)))
        return
    cleaned_chunks = []
    for start in range(0, n, VALIDATION_CHUNK_ROWS):
        ctx.check_cancel()
        raw = parsed.frame.iloc[start:start + VALIDATION_CHUNK_ROWS]
        out = {}
        for column in kind.columns:
            if column.name in raw.columns:
                values, problems = column.check(raw[column.name])
                for p in problems:
                    ctx.add_problem(p, offset=start)
            else:
                values = pd.Series([column.default if column.default is not None else ""] * len(raw), index=raw.index)
            out[column.name] = values
        cleaned_chunks.append(pd.DataFrame(out))
        ctx.progress.validated(min(n, start + VALIDATION_CHUNK_ROWS))
    ctx.frame = pd.concat(cleaned_chunks).reset_index(drop=True) if len(cleaned_chunks) > 1 else cleaned_chunks[0].reset_index(drop=True)
    ctx.lap("cells")
    _check_duplicates(ctx)
    ctx.lap("duplicates")
    kind.prepare(ctx)
    _check_scope_and_restriction(ctx)
    ctx.lap("references and scope")


def _check_duplicates(ctx: Context) -> None:
    key = list(ctx.kind.key)
    usable = ctx.valid(*key)
    if not usable.any():
        return
    frame = ctx.frame.loc[usable, key]
    dup = frame.duplicated(keep="first")
    if not dup.any():
        return
    codes = frame.groupby(key, sort=False, dropna=False).ngroup()
    first = pd.Series(np.arange(len(frame)), index=frame.index).groupby(codes).transform("min")
    first_rows = ctx.row_numbers[np.flatnonzero(usable)][first.to_numpy()]
    mask = np.zeros(len(ctx.frame), dtype=bool)
    mask[np.flatnonzero(usable)[dup.to_numpy()]] = True
    reasons = np.empty(len(ctx.frame), dtype=object)
    names = ", ".join(key)
    reasons[np.flatnonzero(usable)] = [f"Duplicate: row {r} has the same {names}." for r in first_rows]
    ctx.add(key[0], mask, reasons)


def _check_scope_and_restriction(ctx: Context) -> None:
    if not len(ctx.row_establishment):
        return
    column = ctx.row_establishment_column
    ctx.check_scope(
        ctx.row_establishment,
        ctx.row_authority,
        column,
        "You may not import for this establishment: it is outside the schools or authority you manage.",
    )
    if ctx.restrict_to is not None:
        other = (ctx.row_establishment.notna() & (ctx.row_establishment != ctx.restrict_to.id)).to_numpy()
        ctx.add(column, other, f"This row is for another establishment than the one chosen ({ctx.restrict_to.seed_code}).")


def touched_establishments(ctx: Context) -> list[int]:
    if not len(ctx.row_establishment):
        return []
    return sorted(int(x) for x in ctx.row_establishment.dropna().unique())


def run(ctx: Context, parsed: ParsedFile) -> Outcome:
    """Validate, then write in one transaction (or nothing). Never raises for bad data."""
    started = time.perf_counter()
    outcome = Outcome(status="validating", rows_total=len(parsed.frame))
    try:
        validate(ctx, parsed)
        outcome.establishment_ids = touched_establishments(ctx)
        outcome.warnings, outcome.warning_count = ctx.listed(True, MAX_LISTED_WARNINGS)
        if ctx.has_errors:
            outcome.errors, outcome.error_count = ctx.listed(False, MAX_LISTED_ERRORS)
            outcome.rejected_rows = ctx.rejected_rows()
            outcome.scope_violation = any(i.scope for i in ctx.issues)
            outcome.status = "rejected"
        else:
            ctx.check_cancel()
            ctx.progress.writing()
            with transaction.atomic():
                lock_kind(ctx.kind.name)
                outcome.counts = ctx.kind.write(ctx)
                if ctx.has_errors:  # e.g. create-only rows that already exist
                    outcome.errors, outcome.error_count = ctx.listed(False, MAX_LISTED_ERRORS)
                    outcome.rejected_rows = ctx.rejected_rows()
                    outcome.status = "rejected"
                    outcome.counts = Counts()
                    transaction.set_rollback(True)
                elif ctx.dry_run:
                    outcome.status = "validated"
                    transaction.set_rollback(True)
                else:
                    ctx.check_cancel()
                    outcome.status = "succeeded"
                    if ctx.fault_pause:
                        time.sleep(ctx.fault_pause)
                    if ctx.before_commit is not None:
                        ctx.before_commit(outcome)
    except ImportCancelled:
        outcome.status = "cancelled"
        outcome.counts = Counts()
        outcome.message = "Cancelled at your request; nothing was written."
    finally:
        drop_temp_tables(ctx)
    outcome.seconds = time.perf_counter() - started
    ctx.lap("commit")
    outcome.timings = dict(ctx.timings)
    log.info("Import %s of %s rows: %s in %.2f s (%s)", ctx.kind.name, outcome.rows_total, outcome.status,
             outcome.seconds, ", ".join(f"{k} {v:.2f}" for k, v in ctx.timings.items()))
    return outcome


def drop_temp_tables(ctx: Context) -> None:
    """PostgreSQL drops them at commit or rollback; SQLite keeps committed ones for the connection."""
    if connection.vendor != "postgresql" and ctx.temp_tables:
        with connection.cursor() as cur:
            for name in ctx.temp_tables:
                cur.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)}")
    ctx.temp_tables.clear()


def lock_kind(name: str) -> None:
    """Serialise the writing of one kind (PostgreSQL advisory lock, released at commit).

    ON CONFLICT alone keeps concurrent imports consistent; the lock also keeps their counts of
    new/updated/unchanged exact. SQLite serialises writers by itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"insight-import:{name}"])
