"""Set-based writing: a staging table, counts by join, history, and the ON CONFLICT merge.

PostgreSQL is the fast path: the staging table is filled with COPY (binary, laid out by numpy;
CSV when it has a date column) and analysed, every step is
one statement over the whole file (the merge runs in chunks of rows so progress and cancel can be
reported). SQLite (the embedded default) runs the same SQL; only the staging load differs
(executemany). Table and column names come from model metadata, never from user input; values
always travel as parameters or through COPY.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from ..models import ChangeRecord
from ..pgcopy import copy_in
from .types import Context, Counts, Issue

WRITE_CHUNK_ROWS = 200_000  # rows merged per statement, so progress and cancel are checked between

PG_TYPES = {"text": "text", "bigint": "bigint", "int": "integer", "bool": "boolean", "date": "date", "float": "double precision"}
# Staging column types with a binary COPY form (datahub.pgcopy); a date column makes the stage CSV.
BINARY_STAGING = {"text": "text", "bigint": ">i8", "int": ">i4", "bool": "u1", "float": ">f8"}
SQLITE_TYPES = {"text": "TEXT", "bigint": "INTEGER", "int": "INTEGER", "bool": "INTEGER", "date": "TEXT", "float": "REAL"}


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def same(a: str, b: str, columns: Sequence[str]) -> str:
    """SQL: every column of ``a`` equals ``b``'s, NULLs equal (IS NOT DISTINCT FROM / SQLite IS)."""
    op = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    if not columns:
        return "TRUE" if connection.vendor == "postgresql" else "1"
    return "(" + " AND ".join(f"{a}.{qn(c)} {op} {b}.{qn(c)}" for c in columns) + ")"


def json_object(alias: str, columns: Sequence[str]) -> str:
    fn = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{fn}(" + ", ".join(f"'{c}', {alias}.{qn(c)}" for c in columns) + ")"


class Staging:
    """A temporary table holding the import's rows (``row_no`` 0..n-1 plus typed columns)."""

    def __init__(self, columns: Sequence[tuple[str, str]], ctx: Context | None = None) -> None:
        self.ctx = ctx
        if ctx is not None:
            ctx.lap("before staging")
        self.name = f"import_stg_{uuid.uuid4().hex[:12]}"
        self.columns = [("row_no", "bigint"), *columns]
        types = PG_TYPES if connection.vendor == "postgresql" else SQLITE_TYPES
        cols = ", ".join(f"{qn(c)} {types[t]}" for c, t in self.columns)
        suffix = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cur:
            cur.execute(f"CREATE TEMPORARY TABLE {qn(self.name)} ({cols}){suffix}")
        if ctx is not None:
            ctx.temp_tables.append(self.name)
        self.rows = 0

    def fill(self, frame: pd.DataFrame | Iterable[pd.DataFrame]) -> None:
        """Load ``frame`` (columns as declared, without row_no), or its chunks in file order
        (``Context.chunks``), into the staging table; ``row_no`` is the row's position."""
        chunks = [frame] if isinstance(frame, pd.DataFrame) else frame
        for chunk in chunks:
            self._fill_chunk(chunk)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {qn(self.name)}")
        if self.ctx is not None:
            self.ctx.lap("staging")

    def _fill_chunk(self, frame: pd.DataFrame) -> None:
        names = [c for c, _ in self.columns]
        data = frame.reset_index(drop=True).copy()
        data.insert(0, "row_no", range(self.rows, self.rows + len(data)))
        data = data[names]
        self.rows += len(data)
        collist = ", ".join(qn(c) for c in names)
        binary = [BINARY_STAGING.get(t) for _c, t in self.columns]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql" and all(binary):
                # A missing text is "" (as FORCE_NOT_NULL makes it in the CSV form below).
                for c, t in self.columns:
                    if t == "text":
                        data[c] = data[c].where(data[c].notna(), "")
                copy_in(self.name, names, data, binary)  # type: ignore[arg-type]
            elif connection.vendor == "postgresql":
                text_cols = [qn(c) for c, t in self.columns if t == "text"]
                options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text_cols)})" if text_cols else "")
                step = 250_000
                with cur.cursor.copy(f"COPY {qn(self.name)} ({collist}) FROM STDIN WITH ({options})") as copy:
                    for start in range(0, len(data), step):
                        buf = io.StringIO()
                        data.iloc[start:start + step].to_csv(buf, index=False, header=False, na_rep="")
                        copy.write(buf.getvalue())
            else:
                placeholders = ", ".join(["%s"] * len(names))
                records = (tuple(_plain(v) for v in row) for row in data.itertuples(index=False, name=None))
                cur.executemany(f"INSERT INTO {qn(self.name)} ({collist}) VALUES ({placeholders})", records)  # type: ignore[arg-type]

    def drop(self) -> None:
        if connection.vendor != "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {qn(self.name)}")


@dataclass
class Upsert:
    """Merge a source (the staging table or a query over it) into a table with a unique key.

    ``source`` is a table name or a parenthesised subquery exposing ``row_no``, the key and value
    columns (named as in the target) and, for history, ``history_establishment``.
    """

    model: type[models.Model]
    key: Sequence[str]
    values: Sequence[str]
    source: str
    work: str = ""

    @property
    def table(self) -> str:
        return qn(self.model._meta.db_table)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def _join(self) -> str:
        return " AND ".join(f"t.{qn(k)} = s.{qn(k)}" for k in self.key)

    def counts(self, ctx: Context) -> Counts:
        """Plan the write: the rows that are new or changed go into a work table; count from it.

        One set-based join of the source with the target decides every row, so unchanged rows
        are never written (a re-import writes nothing) and the merge touches only real changes.
        """
        self.work = f"import_w_{uuid.uuid4().hex[:12]}"
        suffix = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
        order = ", ".join(f"s.{qn(k)}" for k in self.key)
        with connection.cursor() as cur:
            # In key order: the merge then walks the target's unique index in order, not at random
            # (a shuffled million-row file merged in less than half the time this way).
            cur.execute(
                f"CREATE TEMPORARY TABLE {qn(self.work)}{suffix} AS SELECT s.*, t.id AS existing_id "
                f"FROM {self.source} s LEFT JOIN {self.table} t ON {self._join()} "
                f"WHERE t.id IS NULL OR NOT {same('t', 's', self.values)} ORDER BY {order}"
            )
            ctx.temp_tables.append(self.work)
            if connection.vendor == "postgresql":
                cur.execute(f"ANALYZE {qn(self.work)}")
            cur.execute(f"SELECT COUNT(*), SUM(CASE WHEN existing_id IS NULL THEN 1 ELSE 0 END) FROM {qn(self.work)}")
            changed, new = (int(x or 0) for x in cur.fetchone())
            cur.execute(f"SELECT COUNT(*) FROM {self.source} s")
            total = int(cur.fetchone()[0])
        ctx.lap("counts")
        return Counts(new, changed - new, total - changed)

    def existing_rows(self, limit: int) -> list[int]:
        """row_no of source rows whose key already exists (create-only requests)."""
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.row_no FROM {self.source} s JOIN {self.table} t ON {self._join()} ORDER BY s.row_no LIMIT %s",
                [limit],
            )
            return [r[0] for r in cur.fetchall()]

    def record_history(self, ctx: Context, *, establishment: str = "history_establishment") -> int:
        """One ChangeRecord per existing record this merge will change, with before and after values."""
        if ctx.batch_id is None:
            return 0
        table = qn(ChangeRecord._meta.db_table)
        sql = (
            f"INSERT INTO {table} (batch_id, changed_by_id, at, model, object_id, action, establishment_id, before, after) "
            f"SELECT %s, %s, %s, %s, t.id, 'updated', w.{qn(establishment)}, "
            f"{json_object('t', self.values)}, {json_object('w', self.values)} "
            f"FROM {qn(self.work)} w JOIN {self.table} t ON t.id = w.existing_id"
        )
        user_id = _user_id(ctx)
        columns = {"batch_id": str(int(ctx.batch_id)), "establishment_id": f"w.{qn(establishment)}"}
        if user_id is not None:
            columns["changed_by_id"] = str(int(user_id))
        rows = f"FROM {qn(self.work)} w WHERE w.existing_id IS NOT NULL"
        with references_checked(ctx, ChangeRecord, rows, columns), connection.cursor() as cur:
            if ctx.has_errors:
                return 0
            cur.execute(sql, [ctx.batch_id, user_id, _db_now(ctx), self.label])
            ctx.lap("history")
            return cur.rowcount

    def merge(self, ctx: Context, rows: int, *, report: bool = True) -> None:
        """Write the planned rows, in chunks: a plain INSERT of the new ones, then INSERT ... ON
        CONFLICT (key) DO UPDATE ... WHERE changed for the changed ones.

        Imports of one kind take turns (:func:`.engine.lock_kind`) and plan under that lock, so no
        other import can have stored a key planned as new; a plain INSERT skips ON CONFLICT's
        speculative insertion (about a third faster). Should another writer (the admin) have
        stored one meanwhile, the unique key refuses that chunk and it is merged with ON CONFLICT
        instead. ON CONFLICT arbitrates every changed row, so a concurrent writer of the same keys
        can never make a duplicate or be overwritten with unchanged values.
        """
        cols = [*self.key, *self.values]
        collist = ", ".join(qn(c) for c in cols)
        select = ", ".join(f"w.{qn(c)}" for c in cols)
        update = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in self.values)
        changed = f"NOT {same(self.table, 'excluded', self.values)}"
        conflict = ", ".join(qn(k) for k in self.key)
        action = f"DO UPDATE SET {update} WHERE {changed}" if self.values else "DO NOTHING"
        base = (
            f"INSERT INTO {self.table} ({collist}) SELECT {select} FROM {qn(self.work)} w "
            f"WHERE w.row_no >= %s AND w.row_no < %s"
        )
        insert_new = f"{base} AND w.existing_id IS NULL"
        merge_new = f"{insert_new} ON CONFLICT ({conflict}) {action}"
        merge_changed = f"{base} AND w.existing_id IS NOT NULL ON CONFLICT ({conflict}) {action}"
        merged = {*self.key, *self.values}
        with references_checked(ctx, self.model, f"FROM {qn(self.work)} w", {c: f"w.{qn(c)}" for c in merged}):
            if ctx.has_errors:
                return
            with connection.cursor() as cur:
                for start in range(0, max(rows, 1), WRITE_CHUNK_ROWS):
                    ctx.check_cancel()
                    chunk = [start, start + WRITE_CHUNK_ROWS]
                    try:
                        with transaction.atomic():
                            cur.execute(insert_new, chunk)
                    except IntegrityError:
                        cur.execute(merge_new, chunk)
                    cur.execute(merge_changed, chunk)
                    if report:
                        ctx.progress.written(min(rows, start + WRITE_CHUNK_ROWS))
        ctx.lap("merge")


@contextmanager
def references_checked(ctx: Context, model: type[models.Model], rows: str, columns: Mapping[str, str]) -> Iterator[bool]:
    """Check, for a whole statement at once, the foreign keys it is about to write, and let it skip
    the per-row constraint triggers while it runs.

    ``rows``: ``FROM`` ... [``WHERE`` ...] over the work table aliased ``w`` (it has ``row_no``);
    ``columns``: the written foreign-key column (attname) -> its SQL expression over those rows.

    PostgreSQL checks a foreign key with a trigger per written row: for a million results, three
    million lookups at commit, which took longer than the rest of the import. Where this
    connection's role may set ``session_replication_role`` (a superuser, or a role granted ``SET``
    on it, PostgreSQL 15), this does the triggers' check for all the rows in one query per key:
    every referenced row is locked ``FOR KEY SHARE`` (so it cannot be deleted before this
    transaction ends) and must exist. The statement in the ``with`` block then runs with the
    triggers off (``replica``, transaction-local; back to ``origin`` when the block ends). A
    reference that no longer exists is an error on its row (``ctx.has_errors``: write nothing).

    Yields True when the triggers are off; False (nothing done) on SQLite or where the role may
    not, and the constraints' own triggers check every row at commit.
    """
    fks = [f for f in model._meta.concrete_fields
           if isinstance(f, models.ForeignKey) and getattr(f, "db_constraint", True) and f.attname in columns]
    off = False
    if connection.vendor == "postgresql" and fks:
        try:
            with transaction.atomic(), connection.cursor() as cur:  # a savepoint: a refusal leaves no trace
                cur.execute("SET LOCAL session_replication_role = replica")
            off = True
        except DatabaseError:
            off = False
    try:
        if off:
            _check_references(ctx, fks, rows, columns)
        yield off
    finally:
        # After a failed statement the transaction only takes a rollback (which undoes the SET
        # LOCAL too): resetting then would replace the real error with "transaction aborted".
        if off and not _transaction_failed():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = origin")


def _transaction_failed() -> bool:
    import psycopg

    conn = connection.connection
    return conn is not None and conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR


def _check_references(ctx: Context, fks: list[models.ForeignKey], rows: str, columns: Mapping[str, str]) -> None:
    where = " AND " if " WHERE " in rows else " WHERE "
    with connection.cursor() as cur:
        for f in fks:
            expr, target = columns[f.attname], f.target_field
            ref_table, ref_col = qn(target.model._meta.db_table), qn(target.column)
            cur.execute(
                f"SELECT (SELECT COUNT(DISTINCT {expr}) {rows}), (SELECT COUNT(*) FROM (SELECT 1 FROM {ref_table} "
                f"WHERE {ref_col} IN (SELECT {expr} {rows}) FOR KEY SHARE) locked)"
            )
            wanted, locked = cur.fetchone() or (0, 0)
            if wanted == locked:
                continue
            cur.execute(
                f"SELECT w.row_no, {expr} {rows}{where}{expr} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {ref_table} r WHERE r.{ref_col} = {expr}) ORDER BY w.row_no"
            )
            missing = cur.fetchall()
            name = target.model._meta.verbose_name
            if not missing:
                # Deleted and made again between the two queries, so not locked: refuse all the same.
                ctx.issues.append(Issue(f.name, np.array([-1]), f"A {name} this file refers to changed while the "
                                        "import ran. Nothing was written: import the file again.",
                                        cell_values=np.array([""], dtype=object)))
                continue
            mask = np.zeros(ctx.rows, dtype=bool)
            values = np.empty(ctx.rows, dtype=object)
            for row_no, value in missing:
                mask[row_no], values[row_no] = True, value
            ctx.add(f.name, mask, f"The {name} of this row (id shown) was deleted "
                    "while the import ran. Nothing was written: import the file again.", values=values)


def _plain(value: object) -> Any:
    """A Python value sqlite3 can bind (numpy scalars, pandas NA and NaN become int/bool/None)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _user_id(ctx: Context) -> int | None:
    return getattr(ctx.user, "pk", None)


def _db_now(ctx: Context) -> Any:
    return connection.ops.adapt_datetimefield_value(ctx.now)


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return cur.rowcount


def reject_existing(ctx: Context, upsert: Upsert, column: str, what: str) -> None:
    """Create-only (API POST): rows whose natural key already exists are errors."""
    import numpy as np

    rows = upsert.existing_rows(limit=ctx.rows)
    if rows:
        mask = np.zeros(ctx.rows, dtype=bool)
        mask[rows] = True
        ctx.add(column, mask, f"{what} already exists; use the bulk upsert endpoint to change it.")
