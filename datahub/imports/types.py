"""The types every part of an import shares: a kind, the context it checks and writes in, counts,
row errors, progress, and the set-based lookups kinds use.

They live apart from the driver (datahub.imports.engine) so that kinds, the SQL helpers and the
engine all import them without importing one another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np
import pandas as pd
from django.db import connection

from ..access import Scope
from ..models import Establishment, LocalAuthority, Subject, User
from .columns import STRUCTURED, Column, Problem
from .spool import Spool


class ImportCancelled(Exception):
    pass


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_list(self) -> list[Any]:
        return [self.row, self.column, self.value, self.reason]


@dataclass
class Outcome:
    status: str  # an ImportStatus value
    counts: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0
    rejected_rows: int = 0
    scope_violation: bool = False
    establishment_ids: list[int] = field(default_factory=list)
    rows_total: int = 0
    message: str = ""
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


class Progress(Protocol):
    def writing(self) -> None: ...
    def validated(self, rows: int, total: int | None = None) -> None: ...
    def written(self, rows: int) -> None: ...
    def cancelled(self) -> bool: ...


class NoProgress:
    def writing(self) -> None:
        pass

    def validated(self, rows: int, total: int | None = None) -> None:
        pass

    def written(self, rows: int) -> None:
        pass

    def cancelled(self) -> bool:
        return False


@dataclass
class Issue:
    """Rows (positions) breaking one rule; ``reason`` is one text or one per position."""

    column: str
    positions: np.ndarray
    reason: str | np.ndarray
    warning: bool = False
    cell_values: np.ndarray | None = None
    scope: bool = False


@dataclass(frozen=True)
class ImportKind:
    """One kind of file: its columns, natural key, checks and how it is written.

    ``prepare(ctx)`` makes the cross-field and reference checks on ``ctx.frame`` (cleaned values)
    and adds the resolved ids the writer needs; it declares the establishment of each row with
    ``ctx.set_row_establishment`` so the engine can apply the import scope. ``write(ctx)`` runs
    inside the import's transaction once every row is valid, and returns the row counts; it must
    honour ``ctx.dry_run`` (count, write nothing).
    """

    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    prepare: Callable[[Context], None]
    write: Callable[[Context], Counts]
    notes: tuple[str, ...] = field(default_factory=tuple)
    order: int = 100
    # Checked a chunk of rows at a time (the default); False for a kind whose ``prepare`` compares
    # rows of the file with one another (it then sees the whole file as one chunk).
    chunked: bool = True

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


class Context:
    """Everything a kind needs while checking and writing one import."""

    def __init__(
        self,
        *,
        kind: ImportKind,
        user: User | None,
        scope: Scope,
        batch_id: int | None = None,
        dry_run: bool = False,
        create_only: bool = False,
        restrict_to: Establishment | None = None,
        source: str = "file",
        progress: Progress | None = None,
        before_commit: Callable[[Outcome], None] | None = None,
        fault_pause: float = 0.0,
    ) -> None:
        self.kind = kind
        # Called inside the write transaction once it has succeeded: records the outcome there, so
        # "written" and "the batch says so" commit together; raising rolls the write back.
        self.before_commit = before_commit
        # Test-only fault injection (IMPORT_FAULT_PAUSE_SECONDS): a pause inside the write
        # transaction, after the rows are merged, where tests kill the connection or the worker.
        self.fault_pause = fault_pause
        self.user = user
        self.scope = scope
        self.batch_id = batch_id
        self.dry_run = dry_run
        self.create_only = create_only
        self.restrict_to = restrict_to
        self.source = source
        self.progress: Progress = progress or NoProgress()
        self.issues: list[Issue] = []
        self.raw = pd.DataFrame()
        self.frame = pd.DataFrame()
        self.row_numbers = np.zeros(0, dtype=np.int64)
        self.row_establishment = pd.Series(dtype="float64")
        self.row_authority = pd.Series(dtype="float64")
        self.row_establishment_column = ""
        self.now = _now()
        self.timings: dict[str, float] = {}
        self.temp_tables: list[str] = []
        self._clock = time.perf_counter()
        # Chunked validation (datahub.imports.engine): while a chunk is checked, ``frame``, ``raw``,
        # ``row_numbers`` and ``issues`` are the chunk's; afterwards its rows are in ``spool``, and
        # ``issues`` and ``row_numbers`` cover the whole file (``total_rows`` rows).
        self.spool: Spool | None = None
        self.total_rows: int | None = None
        self.touched: set[int] = set()

    # --- problems -----------------------------------------------------------------------------

    def add(
        self,
        column: str,
        mask: np.ndarray | pd.Series,
        reason: str | np.ndarray | pd.Series,
        *,
        warning: bool = False,
        values: np.ndarray | pd.Series | None = None,
        scope: bool = False,
        offset: int = 0,
    ) -> None:
        """Record that the rows in ``mask`` break a rule. ``reason``/``values``: one, or one per row of mask."""
        m = np.asarray(mask, dtype=bool)
        positions = np.flatnonzero(m)
        if not len(positions):
            return
        r: str | np.ndarray = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[m]
        v = None if values is None else np.asarray(values, dtype=object)[m]
        self.issues.append(Issue(column, positions + offset, r, warning, v, scope))

    def add_problem(self, p: Problem, offset: int = 0) -> None:
        self.add(p.column, p.mask, p.reason, warning=p.warning, values=p.cell_values, scope=p.scope, offset=offset)

    def error_mask(self, columns: Iterable[str] | None = None) -> np.ndarray:
        """Rows that already have an error (in ``columns``, or anywhere)."""
        wanted = None if columns is None else set(columns)
        mask = np.zeros(self.rows, dtype=bool)
        for issue in self.issues:
            if not issue.warning and (wanted is None or issue.column in wanted):
                mask[issue.positions] = True
        return mask

    def valid(self, *columns: str) -> np.ndarray:
        """Rows whose ``columns`` passed their own checks (so references can be looked up)."""
        return ~self.error_mask(columns)

    @property
    def rows(self) -> int:
        """Rows of the file (of the chunk being checked, while one is)."""
        return self.total_rows if self.total_rows is not None else len(self.frame)

    def chunks(self, columns: Sequence[str], *, none_if_blank: Sequence[str] = ()) -> Iterator[pd.DataFrame]:
        """The checked rows' ``columns`` for the write, a chunk at a time in file order (positions
        continue from chunk to chunk); a blank text in ``none_if_blank`` columns becomes None."""
        frames = self.spool.frames(columns) if self.spool is not None else iter([self.frame[list(columns)]])
        for frame in frames:
            if none_if_blank:
                frame = frame.copy()
                for name in none_if_blank:
                    frame[name] = frame[name].replace("", None)
            yield frame

    def whole(self, columns: Sequence[str]) -> pd.DataFrame:
        """The checked rows' ``columns`` as one frame: for small files only (establishments)."""
        parts = list(self.chunks(columns))
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)

    @property
    def has_errors(self) -> bool:
        return any(not i.warning for i in self.issues)

    # --- scope --------------------------------------------------------------------------------

    def set_row_establishment(self, establishment_ids: pd.Series, authority_ids: pd.Series, column: str) -> None:
        """The establishment each row is for (NaN where unknown): the engine checks the import scope on it."""
        self.row_establishment = establishment_ids.astype("float64")
        self.row_authority = authority_ids.astype("float64")
        self.row_establishment_column = column

    def outside_scope(self, establishment_ids: pd.Series, authority_ids: pd.Series) -> np.ndarray:
        """Rows whose establishment (or, for a new one, authority) the user may not import for.

        The vectorised form of datahub.access.can_import_for. NaN ids (unknown) are not flagged.
        """
        est = establishment_ids.astype("float64")
        auth = authority_ids.astype("float64")
        known = (est.notna() | auth.notna()).to_numpy()
        if self.scope.import_national:
            return np.zeros(len(est), dtype=bool)
        ok = est.isin(list(self.scope.import_establishment_ids)).to_numpy() | auth.isin(
            list(self.scope.import_authority_ids)
        ).to_numpy()
        return known & ~ok

    def check_scope(self, establishment_ids: pd.Series, authority_ids: pd.Series, column: str, reason: str) -> None:
        self.add(column, self.outside_scope(establishment_ids, authority_ids), reason, scope=True)

    # --- reference data (small tables, loaded whole) ------------------------------------------

    @cached_property
    def establishments(self) -> pd.DataFrame:
        """seed_code -> id, authority_id for every establishment."""
        rows = list(Establishment.objects.values_list("seed_code", "id", "authority_id"))
        return pd.DataFrame(rows, columns=["seed_code", "id", "authority_id"]).set_index("seed_code")

    @cached_property
    def subjects(self) -> dict[str, int]:
        return {code.upper(): pk for code, pk in Subject.objects.values_list("code", "id")}

    @cached_property
    def authorities(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for pk, code, gss in LocalAuthority.objects.values_list("id", "code", "gss_code"):
            out[str(code)] = pk
            out[gss.upper()] = pk
        return out

    def resolve_establishments(self, column: str) -> tuple[pd.Series, pd.Series]:
        """(establishment id, authority id) per row for a SEED code column; an unknown code is an error."""
        seeds = self.frame[column]
        ids, auths = (lookup_columns(seeds, self.establishments, ["id", "authority_id"])[c] for c in ["id", "authority_id"])
        ok = self.valid(column) & (seeds != "").to_numpy()
        self.add(column, ok & ids.isna().to_numpy(), "No establishment has this SEED code: load it first with an establishments file.")
        return ids, auths

    # --- progress and cancel ------------------------------------------------------------------

    def lap(self, phase: str) -> None:
        """Record how long the phase that ends now took (logged, and printed by the benchmark)."""
        now = time.perf_counter()
        self.timings[phase] = self.timings.get(phase, 0.0) + now - self._clock
        self._clock = now

    def check_cancel(self) -> None:
        if self.progress.cancelled():
            raise ImportCancelled

    # --- results ------------------------------------------------------------------------------

    def listed(self, warning: bool, cap: int) -> tuple[list[RowError], int]:
        """The first ``cap`` errors (or warnings) in row order, and how many there are in all."""
        order = {c.name: i for i, c in enumerate(self.kind.columns)}
        chosen: list[tuple[int, int, RowError]] = []
        total = 0
        for issue in self.issues:
            if issue.warning != warning:
                continue
            total += len(issue.positions)
            take = issue.positions[:cap]
            rows = self.row_numbers[take] if len(self.row_numbers) else take + 2
            if issue.cell_values is not None:
                values = issue.cell_values[:cap]
            elif self.spool is not None and self.total_rows is not None and len(take):
                values = self.spool.raw_values(issue.column, take)
            elif issue.column in self.raw.columns and len(take):
                values = self.raw[issue.column].to_numpy()[take]
            else:
                values = np.array([""] * len(take), dtype=object)
            reasons = issue.reason[:cap] if isinstance(issue.reason, np.ndarray) else [issue.reason] * len(take)
            for row, value, reason in zip(rows, values, reasons, strict=True):
                chosen.append(
                    (int(row), order.get(issue.column, 999), RowError(int(row), issue.column, _shown(value), str(reason)))
                )
        chosen.sort(key=lambda t: (t[0], t[1]))
        return [t[2] for t in chosen[:cap]], total

    def rejected_rows(self) -> int:
        return int(self.error_mask().sum()) if self.rows else 0


def _shown(value: object) -> str:
    text = "" if value is None else str(value)
    if text == STRUCTURED:
        return "(a list or object)"
    return text.replace("\x00", "")[:200]


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


# --- set-based lookups used by kinds ------------------------------------------------------


def lookup_columns(keys: pd.Series, table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``table``'s ``columns`` (numbers, as float64: NaN where the key is unknown) for each of ``keys``.

    ``table`` is indexed by key. Equivalent to ``keys.map(table[c])`` per column, but the keys
    (a million rows, a few thousand distinct) are hashed once, not once per column.
    """
    codes, uniques = pd.factorize(keys.to_numpy(dtype=object), sort=False)
    found = table.index.get_indexer(uniques) if len(uniques) else np.zeros(0, dtype=np.int64)
    out = {}
    for c in columns:
        per_key = np.full(len(uniques) + 1, np.nan)  # the last slot: keys factorize left out (NaN)
        hit = found >= 0
        per_key[:-1][hit] = table[c].to_numpy(dtype="float64")[found[hit]]
        out[c] = per_key[codes]
    return pd.DataFrame(out, index=keys.index)


def lookup(sql: str, keys: Sequence[str], columns: list[str], *, chunk: int = 900) -> pd.DataFrame:
    """Rows for many keys in few queries. ``sql`` has one ``{keys}`` placeholder for the key list.

    PostgreSQL: one query with ``= ANY(array)``; SQLite: ``IN (...)`` in chunks.
    """
    unique = list(dict.fromkeys(k for k in keys if k))
    rows: list[tuple] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(sql.format(keys="= ANY(%s)"), [unique])
            rows = cur.fetchall()
        else:
            for i in range(0, len(unique), chunk):
                part = unique[i:i + chunk]
                cur.execute(sql.format(keys="IN (" + ", ".join(["%s"] * len(part)) + ")"), part)
                rows.extend(cur.fetchall())
    return pd.DataFrame(rows, columns=columns)
