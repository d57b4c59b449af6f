"""PostgreSQL binary COPY streams built by numpy, for the bulk writers (imports' staging tables,
benchmark results): no value is formatted or parsed as text on the way in.

Format (PostgreSQL documentation, "COPY", binary format): a signature and two zero words, then
per row a 16-bit field count and per field a 32-bit byte length (-1 for NULL) and the bytes, then a
16-bit -1. Integers and floats are big-endian; text is UTF-8.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from django.db import connection, models
from psycopg.abc import Buffer
from psycopg.copy import LibpqWriter, QueuedLibpqWriter

# PostgreSQL column type -> numpy big-endian dtype of its binary COPY form.
_BINARY = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8", "double precision": ">f8", "boolean": "u1"}
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)


def binary_kind(field: models.Field) -> str | None:
    """The :func:`binary_copy` kind of a model field's column, or None when it has none."""
    db_type = (field.db_type(connection) or "").split("(")[0]
    if db_type in _BINARY:
        return _BINARY[db_type]
    if db_type in ("varchar", "text"):
        return "text"
    return None


def binary_copy(data: pd.DataFrame, kinds: list[str]) -> bytes:
    """``data`` as a whole PostgreSQL binary COPY stream; ``kinds[i]`` is column i's :data:`_BINARY` dtype or "text"."""
    return _COPY_HEADER + _binary_rows(data, kinds) + _COPY_TRAILER


def _integers(col: pd.Series, kind: str) -> np.ndarray:
    """The column as ``kind`` integers; a fraction or a value out of the type's range is an error
    (PostgreSQL refuses them in text form, and binary would silently truncate or wrap them)."""
    if col.dtype.kind in "iub":  # numpy or pandas (nullable) integers and booleans
        values = col.to_numpy(dtype="int64", na_value=0)
    elif col.dtype.kind == "f":
        floats = col.to_numpy(dtype="float64", na_value=0.0)
        if not np.all(np.isfinite(floats)) or np.any(floats != np.trunc(floats)):
            raise ValueError(f"column {col.name!r}: not a whole number")
        values = floats.astype("int64")
    else:  # Python objects: exact (no detour through float), fractions refused by pandas
        try:
            values = pd.array(col, dtype="Int64").to_numpy(dtype="int64", na_value=0)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"column {col.name!r}: not a whole number") from None
    info = np.iinfo(np.dtype(kind))
    if len(values) and (values.min() < info.min or values.max() > info.max):
        raise ValueError(f"column {col.name!r}: out of range for {np.dtype(kind).itemsize * 8}-bit integers")
    return values.astype(kind)


def _binary_rows(data: pd.DataFrame, kinds: list[str]) -> bytes:
    """The tuples of the stream (no header or trailer).

    Each tuple is a field count, then per field its byte length (-1 for NULL) and its bytes. numpy
    lays every row out at the widest (text padded to the longest value, NULLs with room for a
    value), then one boolean mask drops the padding and the room, leaving the exact stream (a
    number column without NULLs has neither, so the mask is left alone there; a frame with no
    padding or room anywhere is the laid-out rows as they are). Missing values (NaN, None,
    pd.NA) are NULL.
    """
    n = len(data)
    layout: list[tuple[str, object]] = [("count", ">i2")]
    prepared = []
    for i, kind in enumerate(kinds):
        col = data.iloc[:, i]
        null = col.isna().to_numpy()
        if kind == "text":
            values, lengths = _utf8(col.where(~null, ""))
            width = values.dtype.itemsize
            dtype: object = values.dtype
            trimmed = True
        else:
            width = np.dtype(kind).itemsize
            floats = kind == ">f8"
            values = col.to_numpy(dtype="float64", na_value=0.0).astype(kind) if floats else _integers(col, kind)
            lengths = np.full(n, width, dtype=np.int64)
            dtype = kind
            trimmed = bool(null.any())
        lengths = np.where(null, -1, lengths)
        layout += [(f"l{i}", ">i4"), (f"v{i}", dtype)]
        prepared.append((values, lengths, width, trimmed))
    records = np.zeros(n, dtype=np.dtype(layout))  # packed: no alignment padding
    records["count"] = len(kinds)
    keep = None
    for i, (values, lengths, width, trimmed) in enumerate(prepared):
        records[f"l{i}"] = lengths
        records[f"v{i}"] = values
        if trimmed:
            if keep is None:
                keep = np.ones((n, records.dtype.itemsize), dtype=bool)
            offset = records.dtype.fields[f"v{i}"][1]  # type: ignore[index]  # a structured dtype has fields
            keep[:, offset:offset + width] = np.arange(width)[None, :] < np.maximum(lengths, 0)[:, None]
    if keep is None:
        return records.tobytes()
    return records.view(np.uint8).reshape(n, records.dtype.itemsize)[keep].tobytes()


COPY_CHUNK_ROWS = 100_000


def copy_in(table: str, columns: list[str], data: pd.DataFrame, kinds: list[str]) -> None:
    """COPY ``data`` (its columns in the order of ``columns``) into ``table`` in binary.

    The bytes go to the server from a thread of psycopg's (``QueuedLibpqWriter``: a bounded queue,
    at most 1,024 buffers of 128 KiB), so numpy lays out the next chunk of rows while the server
    stores the last one, instead of each waiting for the other.
    """
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(
        f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT binary)",
        writer=QueuedLibpqWriter(cursor.cursor),
    ) as copy:
        # In chunks: the laid-out rows of a chunk are all in memory at once, not the whole frame's.
        copy.write(_COPY_HEADER)
        for start in range(0, len(data), COPY_CHUNK_ROWS):
            copy.write(_binary_rows(data.iloc[start:start + COPY_CHUNK_ROWS], kinds))
        copy.write(_COPY_TRAILER)


def _utf8(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of each value (fixed-width ``S`` array, at least 1 wide) and their lengths.

    A column of a few distinct texts (a result table's cohort, stage or award type: a handful of
    values in 100,000 rows) is encoded once per distinct text and gathered by its codes. Otherwise
    ASCII text (every code the imports and results hold) is converted by numpy alone: the UCS-4
    code points narrowed to bytes, and anything else is encoded value by value.
    """
    if len(col) >= 64 and pd.api.types.infer_dtype(col, skipna=False) == "string":
        codes, uniques = pd.factorize(col.to_numpy(dtype=object))  # every value a str: no missing code
        if len(uniques) * 8 <= len(col):
            encoded = [str(v).encode() for v in uniques]
            unique_lengths = np.fromiter((len(v) for v in encoded), dtype=np.int64, count=len(encoded))
            table = np.array(encoded, dtype=f"S{max(1, int(unique_lengths.max()))}")
            return table[codes], unique_lengths[codes]
    text = col.astype(str).to_numpy(dtype=str)
    if len(text) == 0:
        return np.zeros(0, dtype="S1"), np.zeros(0, dtype=np.int64)
    lengths = np.char.str_len(text).astype(np.int64)
    width = max(1, int(lengths.max()))
    points = text.astype(f"U{width}").view(np.uint32).reshape(len(text), width)
    if int(points.max(initial=0)) < 128:
        return points.astype(np.uint8).view(f"S{width}").ravel(), lengths
    encoded = [v.encode() for v in text]
    lengths = np.fromiter((len(v) for v in encoded), dtype=np.int64, count=len(encoded))
    return np.array(encoded, dtype=f"S{max(1, int(lengths.max()))}"), lengths


_END = object()  # closes the COPY under way in a CopyPipe's queue


class _PipeWriter(LibpqWriter):
    """psycopg's writer, in pieces of 1 MiB rather than 128 KiB: the pipe's thread takes the GIL
    once a piece, and the caller holds it most of the time (numpy, pandas)."""

    def write(self, data: Buffer) -> None:
        for i in range(0, len(data), _PIPE_PIECE):
            self._put(data[i:i + _PIPE_PIECE])


_PIPE_PIECE = 1 << 20


class _Aborted(Exception):
    """The caller failed: the COPY under way is abandoned (psycopg ends it with an error)."""


class CopyPipe:
    """Binary COPYs sent in order by a thread of their own, in the caller's transaction, so the
    caller lays out (and computes) the next tables' rows while the server stores the last ones.

    Why (issue 12): a run's finaliser wrote table after table, each COPY waiting for the server to
    store its rows (index entries and checks) before the next table's rows were laid out, and the
    server sat idle while the next year was combined. Here the caller only queues bytes; the
    thread sends them on the same connection, so every row is in the one transaction. While a pipe
    is open the caller must not use the database connection itself (``flush`` first). Leaving the
    ``with`` block waits for the last COPY and raises, in the caller, any error a COPY met (as a
    Django database error, so the caller's transaction rolls back); an error in the caller
    abandons the COPY under way.
    """

    def __init__(self, depth: int = 8) -> None:
        # At most ``depth`` laid-out chunks (COPY_CHUNK_ROWS rows each) wait for the server.
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._abort = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> CopyPipe:
        connection.ensure_connection()
        raw = connection.connection
        self._thread = threading.Thread(target=self._run, args=(raw,), name="copy-pipe", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._thread is not None
        try:
            if exc_type is None:
                self._put(None)
        finally:
            if exc_type is not None or self._error is not None:
                self._abort.set()
            self._thread.join()
        if exc_type is None:
            self._raise()

    def copy_in(self, table: str, columns: list[str], data: pd.DataFrame, kinds: list[str]) -> None:
        """Queue a COPY of ``data`` into ``table`` (as :func:`copy_in`); its rows are laid out here,
        in chunks, while the thread sends the chunks before them."""
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        self._put(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN WITH (FORMAT binary)")
        self._put(_COPY_HEADER)
        for start in range(0, len(data), COPY_CHUNK_ROWS):
            self._put(_binary_rows(data.iloc[start:start + COPY_CHUNK_ROWS], kinds))
        self._put(_COPY_TRAILER)
        self._put(_END)

    def flush(self) -> None:
        """Wait until every COPY queued so far is stored (the connection is then the caller's again)."""
        done = threading.Event()
        self._put(done)
        assert self._thread is not None
        while not done.wait(0.2):
            self._raise()
            if not self._thread.is_alive():
                raise RuntimeError("the COPY thread has stopped")
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            with connection.wrap_database_errors:  # psycopg's errors as Django's, as a cursor raises them
                raise self._error

    def _put(self, item: object) -> None:
        assert self._thread is not None
        while True:
            self._raise()
            if not self._thread.is_alive():
                raise RuntimeError("the COPY thread has stopped")
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _get(self) -> object:
        while not self._abort.is_set():
            try:
                return self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
        raise _Aborted

    def _run(self, raw: psycopg.Connection[Any]) -> None:
        try:
            with raw.cursor() as cursor:
                while (item := self._get()) is not None:
                    if isinstance(item, threading.Event):  # a flush: everything before it is stored
                        item.set()
                        continue
                    with cursor.copy(str(item), writer=_PipeWriter(cursor)) as copy:
                        while (buf := self._get()) is not _END:
                            copy.write(buf)  # type: ignore[arg-type]  # bytes, as copy_in queued them
        except _Aborted:
            pass
        except BaseException as exc:  # handed to the caller by _raise
            self._error = exc
