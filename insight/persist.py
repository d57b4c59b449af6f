"""Write a run's result frames into the result tables in bulk.

PostgreSQL: one ``COPY ... FROM STDIN (FORMAT binary)`` per table, the binary stream built by
numpy from the frame's columns (:func:`binary_copy`; no value is formatted as text, which took
half the time to persist a run as CSV). SQLite: ``bulk_create`` in batches. Frame columns are matched to model fields by name (the models use the
engine's column names); a field the frame lacks takes its default.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from django.db import connection, models

from .benchmarking import columns as c
from .benchmarking.engine import BenchmarkResult
from .models import (
    BenchmarkRun,
    CohortResult,
    DeprivationResult,
    NormalisedScore,
    PartnerRanking,
    RankingBasis,
    RelaxationCount,
    VCInterval,
    WeightedScore,
)


def _prepare(model: type[models.Model], frame: pd.DataFrame, constants: dict) -> tuple[list[str], pd.DataFrame]:
    out = pd.DataFrame(index=frame.index)
    columns = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        col = field.attname
        if col in constants:
            out[col] = constants[col]
        elif col in frame.columns:
            out[col] = frame[col]
        elif field.name in frame.columns:
            out[col] = frame[field.name]
        elif field.has_default():
            out[col] = field.get_default()
        elif field.null:
            out[col] = None
        else:
            raise ValueError(f"{model.__name__}.{col} has no column in the frame and no default")
        if isinstance(field, models.IntegerField) and out[col].dtype.kind == "f":
            out[col] = out[col].round().astype("Int64")
        columns.append(col)
    return columns, out[columns]


# PostgreSQL column type -> numpy big-endian dtype of its binary COPY form.
_BINARY = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8", "double precision": ">f8", "boolean": "u1"}
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)


def _binary_kind(field: models.Field) -> str | None:
    db_type = (field.db_type(connection) or "").split("(")[0]
    if db_type in _BINARY:
        return _BINARY[db_type]
    if db_type in ("varchar", "text"):
        return "text"
    return None


def binary_copy(data: pd.DataFrame, kinds: list[str]) -> bytes:
    """``data`` as a PostgreSQL binary COPY stream; ``kinds[i]`` is column i's :data:`_BINARY` dtype or "text".

    Each tuple is a field count, then per field its byte length (-1 for NULL) and its bytes. numpy
    lays every row out at the widest (text padded to the longest value, NULLs with room for a
    value), then one boolean mask drops the padding and the room, leaving the exact stream.
    Missing values (NaN, None, pd.NA) are NULL.
    """
    n = len(data)
    layout: list[tuple[str, object]] = [("count", ">i2")]
    prepared = []
    for i, kind in enumerate(kinds):
        col = data.iloc[:, i]
        null = col.isna().to_numpy()
        if kind == "text":
            encoded = np.array([b"" if v is None else str(v).encode() for v in col.where(~null, None)], dtype=object)
            lengths = np.fromiter((len(v) for v in encoded), dtype=np.int64, count=n)
            width = max(1, int(lengths.max()) if n else 1)
            values: np.ndarray = encoded.astype(f"S{width}")
            dtype: object = f"S{width}"
        else:
            width = np.dtype(kind).itemsize
            values = col.to_numpy(dtype="float64" if kind == ">f8" else "int64", na_value=0).astype(kind)
            lengths = np.full(n, width, dtype=np.int64)
            dtype = kind
        lengths = np.where(null, -1, lengths)
        layout += [(f"l{i}", ">i4"), (f"v{i}", dtype)]
        prepared.append((values, lengths, width))
    records = np.zeros(n, dtype=np.dtype(layout))  # packed: no alignment padding
    records["count"] = len(kinds)
    keep = np.ones((n, records.dtype.itemsize), dtype=bool)
    for i, (values, lengths, width) in enumerate(prepared):
        records[f"l{i}"] = lengths
        records[f"v{i}"] = values
        offset = records.dtype.fields[f"v{i}"][1]
        keep[:, offset:offset + width] = np.arange(width)[None, :] < np.maximum(lengths, 0)[:, None]
    body = records.view(np.uint8).reshape(n, records.dtype.itemsize)[keep]
    return _COPY_HEADER + body.tobytes() + _COPY_TRAILER


def write_frame(model: type[models.Model], frame: pd.DataFrame, **constants: object) -> int:
    """Insert every row of ``frame`` into ``model``'s table; returns the number of rows."""
    if frame is None or len(frame) == 0:
        return 0
    columns, data = _prepare(model, frame, constants)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    kinds = [_binary_kind(fields[col]) for col in columns]
    if connection.vendor == "postgresql" and all(kinds):
        # NOT NULL text columns take "" for a missing value, as the CSV form did.
        for col in columns:
            f = fields[col]
            if isinstance(f, models.CharField | models.TextField) and not f.null:
                data[col] = data[col].where(data[col].notna(), "")
        quoted = ", ".join(connection.ops.quote_name(col) for col in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {model._meta.db_table} ({quoted}) FROM STDIN WITH (FORMAT binary)"
        ) as copy:
            copy.write(binary_copy(data, kinds))  # type: ignore[arg-type]
        return len(data)
    if connection.vendor == "postgresql":
        buf = io.StringIO()
        # numpy writes the shortest repr that round-trips, so floats are stored exactly.
        data.to_csv(buf, index=False, header=False, na_rep="")
        quoted = ", ".join(connection.ops.quote_name(col) for col in columns)
        # In CSV an empty unquoted field is NULL: text columns that are NOT NULL read it as "".
        text = [
            connection.ops.quote_name(f.attname)
            for f in model._meta.concrete_fields
            if f.attname in columns and isinstance(f, models.CharField | models.TextField) and not f.null
        ]
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {model._meta.db_table} ({quoted}) FROM STDIN WITH ({options})"
        ) as copy:
            copy.write(buf.getvalue())
        return len(data)
    objs = []
    for row in data.itertuples(index=False, name=None):
        values = {}
        for col, v in zip(columns, row, strict=True):
            if v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                v = None
            elif isinstance(v, np.generic):
                v = v.item()
            values[col] = v
        objs.append(model(**values))
    model.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def cohort_frame(result: BenchmarkResult) -> pd.DataFrame:
    """All headline and breakdown rows in one long frame (breakdown empty = all leavers)."""
    parts = []
    for cohort, frame, id_col in (
        (c.COHORT_ESTABLISHMENT, result.establishment_measures, c.ESTABLISHMENT_ID),
        (c.COHORT_VC, result.vc_measures, c.ESTABLISHMENT_ID),
        (c.COHORT_AUTHORITY, result.authority_measures, c.AUTHORITY_ID),
        (c.COHORT_NATIONAL, result.national_measures, None),
    ):
        f = frame.copy()
        f[c.COHORT] = cohort
        f[c.COHORT_ID] = f[id_col] if id_col else c.NATIONAL_COHORT_ID
        f[c.BREAKDOWN] = ""
        f[c.BREAKDOWN_VALUE] = ""
        parts.append(f)
    b = result.breakdowns.copy()
    b[c.BREAKDOWN_VALUE] = b[c.BREAKDOWN_VALUE].astype(str)
    parts.append(b)
    return pd.concat(parts, ignore_index=True)


def persist_result(run: BenchmarkRun, result: BenchmarkResult) -> dict[str, int]:
    """Write every result table of ``run``. Call inside the run's finalising transaction."""
    counts = {
        "cohort_results": write_frame(CohortResult, cohort_frame(result), run_id=run.pk),
        "deprivation": write_frame(DeprivationResult, result.deprivation, run_id=run.pk),
        "normalised": write_frame(
            NormalisedScore,
            result.normalised.merge(
                result.establishment_measures[[c.ESTABLISHMENT_ID, c.YEAR, c.N_LEAVERS]],
                on=[c.ESTABLISHMENT_ID, c.YEAR],
                how="left",
                suffixes=("_dup", ""),
            ),
            run_id=run.pk,
        ),
        "weighted": write_frame(WeightedScore, result.weighted, run_id=run.pk),
        "relaxation": write_frame(RelaxationCount, result.relaxation_counts, run_id=run.pk),
    }
    n = 0
    for basis, frame in (
        (RankingBasis.PERFORMANCE, result.distances),
        (RankingBasis.CONTEXT, result.context_distances),
        (RankingBasis.STRONGER, result.stronger),
    ):
        if frame is not None:
            n += write_frame(PartnerRanking, frame, run_id=run.pk, basis=basis.value)
    counts["rankings"] = n
    if result.intervals is not None:
        counts["intervals"] = write_frame(VCInterval, result.intervals, run_id=run.pk)
    return counts
