"""Write a run's result frames into the result tables in bulk.

PostgreSQL: one ``COPY ... FROM STDIN (FORMAT binary)`` per table, the binary stream built by
numpy from the frame's columns (:func:`binary_copy`; no value is formatted as text, which took
half the time to persist a run as CSV); a run's finaliser queues them on a
:class:`~datahub.pgcopy.CopyPipe` (a thread sends them, in its transaction). SQLite: ``bulk_create`` in batches. Frame columns are matched to model fields by name (the models use the
engine's column names); a field the frame lacks takes its default.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
from django.db import connection, models

from datahub.pgcopy import CopyPipe, binary_kind, copy_in

from .benchmarking import columns as c
from .benchmarking.engine import BenchmarkResult
from .models import (
    BenchmarkRun,
    BreadthDepthResult,
    CohortResult,
    CourseResult,
    CurricularAreaResult,
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


def write_frame(model: type[models.Model], frame: pd.DataFrame, *, pipe: CopyPipe | None = None,
                **constants: object) -> int:
    """Insert every row of ``frame`` into ``model``'s table; returns the number of rows. With a
    ``pipe`` (PostgreSQL) the rows are queued on it: stored when the pipe is flushed or closed."""
    if frame is None or len(frame) == 0:
        return 0
    columns, data = _prepare(model, frame, constants)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    kinds = [binary_kind(fields[col]) for col in columns]
    # NOT NULL text columns take "" for a missing value (whichever way the rows go in).
    for col in columns:
        f = fields[col]
        if isinstance(f, models.CharField | models.TextField) and not f.null:
            data[col] = data[col].where(data[col].notna(), "")
    if connection.vendor == "postgresql" and all(kinds) and pipe is not None:
        pipe.copy_in(model._meta.db_table, columns, data, kinds)  # type: ignore[arg-type]
        return len(data)
    if pipe is not None:  # the rows go by this connection: what the pipe holds first
        pipe.flush()
    if connection.vendor == "postgresql" and all(kinds):
        copy_in(model._meta.db_table, columns, data, kinds)  # type: ignore[arg-type]
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
    model._default_manager.bulk_create(objs, batch_size=2000)
    return len(objs)


def cohort_frame(result: BenchmarkResult) -> pd.DataFrame:
    """All headline and breakdown rows in one long frame (breakdown empty = all leavers)."""
    parts = []
    for cohort, frame, id_col in (
        (c.COHORT_ESTABLISHMENT, result.establishment_measures, c.ESTABLISHMENT_ID),
        (c.COHORT_VC, result.vc_measures, c.ESTABLISHMENT_ID),
        (c.COHORT_AUTHORITY, result.authority_measures, c.AUTHORITY_ID),
        (c.COHORT_COLLABORATIVE, result.collaborative_measures, c.COLLABORATIVE_ID),
        (c.COHORT_NATIONAL, result.national_measures, None),
    ):
        if frame is None:  # no collaboratives given to the engine
            continue
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
    return add_counts(persist_year_tables(run, result), persist_run_tables(run, result))


def add_counts(*counts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in counts:
        for key, n in part.items():
            out[key] = out.get(key, 0) + n
    return out


def persist_year_tables(run: BenchmarkRun, result: BenchmarkResult, pipe: CopyPipe | None = None) -> dict[str, int]:
    """The tables whose rows each belong to one leaver year (every table but the weighted scores
    and the partner rankings, which span the years): ``result`` may hold one year or several.
    With a ``pipe``, the rows are queued on it (:func:`write_frame`)."""
    counts = {
        "cohort_results": write_frame(CohortResult, cohort_frame(result), run_id=run.pk, pipe=pipe),
        "deprivation": write_frame(DeprivationResult, result.deprivation, run_id=run.pk, pipe=pipe),
        "normalised": write_frame(
            NormalisedScore,
            result.normalised.merge(
                result.establishment_measures[[c.ESTABLISHMENT_ID, c.YEAR, c.N_LEAVERS]],
                on=[c.ESTABLISHMENT_ID, c.YEAR],
                how="left",
                suffixes=("_dup", ""),
            ),
            run_id=run.pk,
            pipe=pipe,
        ),
        "relaxation": write_frame(RelaxationCount, result.relaxation_counts, run_id=run.pk, pipe=pipe),
    }
    if result.intervals is not None:
        counts["intervals"] = write_frame(VCInterval, result.intervals, run_id=run.pk, pipe=pipe)
    if result.breadth_depth is not None:
        counts["breadth_depth"] = write_frame(BreadthDepthResult, result.breadth_depth, run_id=run.pk, pipe=pipe)
    if result.curricular_areas is not None:
        counts["curricular_areas"] = write_frame(CurricularAreaResult, result.curricular_areas, run_id=run.pk, pipe=pipe)
    if result.courses is not None:
        counts["courses"] = write_frame(CourseResult, result.courses, run_id=run.pk, pipe=pipe)
    return counts


def persist_run_tables(run: BenchmarkRun, result: BenchmarkResult, pipe: CopyPipe | None = None) -> dict[str, int]:
    """The weighted scores and the partner rankings (over every year of the run); ``pipe`` as
    :func:`persist_year_tables`."""
    counts = {"weighted": write_frame(WeightedScore, result.weighted, run_id=run.pk, pipe=pipe)}
    n = 0
    for basis, frame in (
        (RankingBasis.PERFORMANCE, result.distances),
        (RankingBasis.CONTEXT, result.context_distances),
        (RankingBasis.STRONGER, result.stronger),
    ):
        if frame is not None:
            n += write_frame(PartnerRanking, frame, run_id=run.pk, basis=basis.value, pipe=pipe)
    counts["rankings"] = n
    return counts
