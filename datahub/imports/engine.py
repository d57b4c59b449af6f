"""The import engine: validate every row, then write everything in one transaction or nothing.

Steps (docs/import-formats.md explains them for users):

1. Header: required columns present (an error names each missing one); unknown columns are
   ignored with a warning.
Steps 2 to 5 run a chunk of rows at a time as the file is read (datahub.imports.parsing streams
it; progress and cancel are checked between chunks); each checked chunk goes to a spool
(datahub.imports.spool) until the write, so a million-row file is never whole in memory.

2. Cells: each column's type, format, check digits, known codes, ranges (datahub.imports.columns).
3. Duplicates of the natural key inside the file: within the chunk, and against the keys of the
   chunks before it (kept as compact bytes, with the row each was first seen on).
4. The kind's cross-field and reference checks (unknown learners, establishments, subjects...),
   looked up set-based: one query for all the keys of the chunk. A kind whose checks compare
   rows with one another (``ImportKind.chunked`` False) takes the file as one chunk.
5. Access: every row's establishment must be in the uploader's import scope
   (datahub.access.can_import_for, vectorised); a row outside it rejects the whole import.
6. Any error: nothing is written, the batch is rejected with every error listed (the first
   ``MAX_LISTED_ERRORS`` kept, all counted).
7. Otherwise one transaction: the spooled rows go into a staging table a chunk at a time
   (PostgreSQL COPY, executemany on SQLite), counts of new/updated/unchanged are made by set-based joins, changed records are
   written to the history (ChangeRecord), and the kind merges the staging table into its tables
   (INSERT ... ON CONFLICT DO UPDATE ... WHERE changed). A dry run rolls back after counting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import time

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction

from .parsing import ParsedFile, TableStream, max_rows
from .spool import SeenKeys, Spool
from .types import Context, Counts, ImportCancelled, Issue, Outcome

log = logging.getLogger(__name__)

MAX_LISTED_ERRORS = 1000
MAX_LISTED_WARNINGS = 200


# --- the pipeline ---------------------------------------------------------------------------


def validate(ctx: Context, stream: TableStream) -> None:
    """Steps 1-5, a chunk of rows at a time: fills ``ctx.spool`` (cleaned, prepared values) and
    ``ctx.issues`` (every problem in the file, by position among its rows)."""
    kind = ctx.kind
    known = {c.name for c in kind.columns}
    header_issues: list[Issue] = []
    missing = [c for c in kind.required_columns if c not in stream.headers]
    for col in missing:
        header_issues.append(
            Issue(col, np.array([-1]), "This required column is missing from the first row (see the template).",
                  cell_values=np.array([""], dtype=object))
        )
    for header in stream.headers:
        if header and header not in known:
            header_issues.append(
                Issue(header, np.array([-1]), "Unknown column: ignored. Check its spelling against the template.",
                      warning=True, cell_values=np.array([""], dtype=object))
            )
    ctx.spool = Spool()
    issues: list[Issue] = []
    row_numbers: list[np.ndarray] = []
    if not missing:
        if not kind.chunked:  # a kind whose checks compare rows with one another takes the file whole
            stream = TableStream.of(_whole(stream), rows=max_rows() + 1)
        seen = SeenKeys()
        for piece in stream.chunks:
            ctx.check_cancel()
            _check_chunk(ctx, piece, seen)
            issues.extend(_shifted(ctx, ctx.spool.rows))
            row_numbers.append(ctx.row_numbers)
            ctx.spool.add(ctx.raw, ctx.frame)
            ctx.raw = ctx.frame = pd.DataFrame()
            _release_memory()
            done = ctx.spool.rows
            fraction = stream.fraction_read()
            ctx.progress.validated(done, max(done, int(done / fraction)) if fraction > 0 else done)
    # From here on the context covers the whole file; position -1 reads as the header row (row 1).
    ctx.issues = header_issues + issues
    ctx.row_numbers = np.concatenate([*row_numbers, np.array([1], dtype=np.int64)])
    ctx.total_rows = ctx.spool.rows
    ctx.raw = ctx.frame = pd.DataFrame()
    if not missing and not ctx.total_rows:
        ctx.issues.append(Issue(kind.columns[0].name, np.array([-1]), "The file has a header but no rows of data.",
                                cell_values=np.array([""], dtype=object)))


def _release_memory() -> None:
    """Between chunks: forget this thread's debug log of queries (``DEBUG`` keeps every query's
    SQL, a few hundred kilobytes per chunk of lookups), and hand the memory the chunk freed back to
    the system (glibc keeps a thread's freed memory in its own arena otherwise), so the process's
    resident size follows one chunk, not the largest it has seen."""
    if settings.DEBUG:
        connection.queries_log.clear()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc()


def _whole(stream: TableStream) -> ParsedFile:
    pieces = list(stream.chunks)
    if not pieces:
        return ParsedFile(pd.DataFrame(columns=[h for h in stream.headers if h]), pd.Series([], dtype=np.int64),
                          stream.headers, stream.original_headers)
    return ParsedFile(pd.concat([p.frame for p in pieces], ignore_index=True),
                      pd.concat([p.row_numbers for p in pieces], ignore_index=True), stream.headers, stream.original_headers)


def _check_chunk(ctx: Context, piece: ParsedFile, seen: SeenKeys) -> None:
    """Check one chunk as if it were the file (positions are the chunk's), against the keys of the
    chunks before it for duplicates."""
    kind = ctx.kind
    ctx.lap("read")
    ctx.issues = []
    ctx.raw = piece.frame
    ctx.row_numbers = piece.row_numbers.to_numpy(dtype=np.int64)
    out = {}
    for column in kind.columns:
        if column.name in piece.frame.columns:
            values, problems = column.check(piece.frame[column.name])
            for p in problems:
                ctx.add_problem(p)
        else:
            default = column.default if column.default is not None else ""
            values = pd.Series([default] * len(piece.frame), index=piece.frame.index)
        out[column.name] = values
    ctx.frame = pd.DataFrame(out).reset_index(drop=True)
    ctx.row_establishment = pd.Series(dtype="float64")
    ctx.lap("cells")
    _check_duplicates(ctx, seen)
    ctx.lap("duplicates")
    kind.prepare(ctx)
    _check_scope_and_restriction(ctx)
    ctx.touched.update(touched_establishments(ctx))
    ctx.lap("references and scope")


def _shifted(ctx: Context, offset: int) -> list[Issue]:
    """The chunk's issues by position in the file, with the file's cells they show (only as many
    as can be listed are kept: every position is, for counting the rows rejected)."""
    out = []
    cap = max(MAX_LISTED_ERRORS, MAX_LISTED_WARNINGS)
    for issue in ctx.issues:
        values = issue.cell_values
        if values is None:
            values = (ctx.raw[issue.column].to_numpy(dtype=object)[issue.positions[:cap]]
                      if issue.column in ctx.raw.columns else np.array([""] * min(cap, len(issue.positions)), dtype=object))
        reason = issue.reason if isinstance(issue.reason, str) else issue.reason[:cap]
        out.append(Issue(issue.column, issue.positions + offset, reason, issue.warning, values[:cap], issue.scope))
    return out


def _check_duplicates(ctx: Context, seen: SeenKeys) -> None:
    """A natural key seen before, in this chunk or an earlier one, is an error naming the row it was
    first seen on."""
    key = list(ctx.kind.key)
    usable = np.flatnonzero(ctx.valid(*key))
    if not len(usable):
        return
    keys = SeenKeys.encode(ctx.frame.iloc[usable], key)
    rows = ctx.row_numbers[usable]
    codes, _ = pd.factorize(keys, sort=False)
    first = pd.Series(np.arange(len(keys))).groupby(codes).transform("min").to_numpy()
    earlier = seen.find(keys)
    first_rows = np.where(earlier[first] > 0, earlier[first], rows[first])
    dup = (np.arange(len(keys)) != first) | (earlier > 0)
    seen.add(keys[~dup], rows[~dup])
    if not dup.any():
        return
    mask = np.zeros(len(ctx.frame), dtype=bool)
    mask[usable[dup]] = True
    reasons = np.empty(len(ctx.frame), dtype=object)
    names = ", ".join(key)
    reasons[usable] = [f"Duplicate: row {r} has the same {names}." for r in first_rows]
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


def run(ctx: Context, parsed: ParsedFile | TableStream) -> Outcome:
    """Validate, then write in one transaction (or nothing). Never raises for bad data; a file that
    turns out unreadable part-way (``FileProblem``: a broken workbook, the row limit) raises,
    before anything is written."""
    started = time.perf_counter()
    stream = parsed if isinstance(parsed, TableStream) else TableStream.of(parsed)
    outcome = Outcome(status="validating")
    try:
        validate(ctx, stream)
        outcome.rows_total = ctx.rows
        outcome.establishment_ids = sorted(ctx.touched)
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
        close = getattr(stream.chunks, "close", None)
        if close is not None:
            close()  # a stream left part-read (cancelled)
        stream.release()  # and one never read (a required column missing)
        if ctx.spool is not None:
            ctx.spool.close()
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
