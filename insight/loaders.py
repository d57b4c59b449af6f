"""Turn the database into the engine's input frames, in a few set-based queries.

On PostgreSQL the server joins a frame's rows into one value that arrives in a single message:
the results (about 800,000 rows a year, all numbers) as fixed-width binary records that numpy
reads without parsing (:func:`fetch_packed`), the smaller frames as CSV text read by pandas' C
reader (:func:`fetch_as_text`). On SQLite (the embedded default) the same SELECT is fetched
through the cursor. No per-row ORM objects are built. Tariff points are
looked up in SQL from the tariff scale the run uses; destinations are classified positive/other by
destinations.classification (the one place that decides it).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from django.db import connection

from datahub.models import (
    Enrolment,
    Establishment,
    Learner,
    QualificationResult,
    SchoolLeaver,
    Subject,
    TariffEntry,
)
from destinations.classification import Category, is_positive
from destinations.models import DestinationKind, DestinationRecord

from .benchmarking import columns as C
from .benchmarking import courses


@dataclass
class EngineInput:
    leavers: pd.DataFrame
    results: pd.DataFrame
    establishments: pd.DataFrame  # establishment_id, seed_code, authority_id, type, context columns


def _table(model: type) -> str:
    return model._meta.db_table  # type: ignore[attr-defined]


def _col(model: type, field: str) -> str:
    return model._meta.get_field(field).column  # type: ignore[attr-defined]


def copy_out(sql: str) -> bytes:
    """The rows of a SELECT as CSV bytes, streamed with COPY (PostgreSQL only)."""
    buf = io.BytesIO()
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buf.write(chunk)
    return buf.getvalue()


def fetch_as_text(sql: str) -> bytes:
    """The rows of a SELECT as comma-separated lines, built by PostgreSQL into one value.

    COPY TO STDOUT hands rows to the client one message at a time, and reading a million of them
    costs the client more than the query. Here the server joins the rows (each row's composite
    text form, parentheses stripped) into a single text value that arrives in one message. The
    composite form matches CSV for the columns these loaders select (numbers, codes, booleans as
    t/f, NULL as an empty field).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT string_agg(substr(t::text, 2, length(t::text) - 2), E'\\n') FROM ({sql}) t"
        )
        (text,) = cursor.fetchone()
    return (text or "").encode()


# Fixed-width binary forms PostgreSQL's *send functions produce, and numpy's big-endian dtypes for them.
PACKED_TYPES = {"int8": ("int8send", ">i8", "int64"), "int2": ("int2send", ">i2", "int64"),
                "float8": ("float8send", ">f8", "float64")}


def fetch_packed(sql: str, columns: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """The rows of a SELECT of NOT NULL numbers as a DataFrame, moved as packed binary records.

    ``columns``: (name, type) per selected column, type one of :data:`PACKED_TYPES`. PostgreSQL
    concatenates each row's binary values (``int8send`` ...) and the rows into one ``bytea``,
    fetched over the binary protocol; ``np.frombuffer`` then reads it as a structured array,
    no text formatting or parsing on either side. A NULL would make its row vanish from the
    aggregate, so the row count is fetched alongside and checked against the bytes.
    """
    import psycopg

    aliases = [f"c{i}" for i in range(len(columns))]
    packed = " || ".join(f"{PACKED_TYPES[t][0]}(t.{a}::{t})" for a, (_n, t) in zip(aliases, columns, strict=True))
    dtype = np.dtype([(n, PACKED_TYPES[t][1]) for n, t in columns])
    connection.ensure_connection()
    # A raw psycopg cursor (Django's client-side cursors cannot fetch binary): Django's error
    # classes still apply, so a dropped connection stays an OperationalError the task retries.
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:
        cur.execute(f"SELECT count(*), string_agg({packed}, ''::bytea) FROM ({sql}) AS t({', '.join(aliases)})",
                    binary=True)
        row = cur.fetchone()
        assert row is not None  # an aggregate always returns one row
        count, data = row
    data = data or b""
    if len(data) != count * dtype.itemsize:
        raise ValueError(f"{count - len(data) // dtype.itemsize} of {count} rows have a NULL where a number is required")
    records = np.frombuffer(data, dtype=dtype)
    return pd.DataFrame({n: records[n].astype(PACKED_TYPES[t][2]) for n, t in columns})


def _frame(sql: str, names: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame with the given column names and types."""
    if connection.vendor == "postgresql":
        buf = io.BytesIO(fetch_as_text(sql))
        if buf.getbuffer().nbytes == 0:
            return pd.DataFrame({n: pd.Series(dtype=dtypes.get(n, "object")) for n in names})
        bool_cols = [n for n in names if dtypes.get(n) == "bool"]
        read_types = {n: t for n, t in dtypes.items() if t != "bool"}
        df = pd.read_csv(buf, header=None, names=names, dtype=read_types | {n: "str" for n in bool_cols},
                         keep_default_na=True, na_values=[""])
        for n in bool_cols:
            df[n] = df[n] == "t"
        return df
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    df = pd.DataFrame.from_records(rows, columns=names)
    for n, t in dtypes.items():
        if t == "bool":
            df[n] = df[n].astype(bool)
        elif n in df:
            df[n] = df[n].astype(t)
    return df


def _inline(sql: str, params: Sequence) -> str:
    # COPY takes no bound parameters; every parameter here is an integer id or year, so it is
    # inlined as an int literal (never text from a user).
    return sql % tuple(int(p) for p in params)


def leavers_query(years: Sequence[int]) -> str:
    L, E = _table(SchoolLeaver), _table(Establishment)
    sql = (
        f"SELECT l.id, l.{_col(SchoolLeaver, 'establishment')}, e.{_col(Establishment, 'authority')}, "
        f"e.seed_code, l.leaver_year, l.sex, l.asn, "
        f"CAST(SUBSTR(l.stage, 2, 1) AS INTEGER), l.simd_decile, l.care_experienced, l.fsm "
        f"FROM {L} l JOIN {E} e ON e.id = l.{_col(SchoolLeaver, 'establishment')} "
        f"WHERE l.leaver_year IN ({', '.join(['%s'] * len(years))}) "
        f"ORDER BY l.id"
    )
    return _inline(sql, years)


def load_leavers(years: Sequence[int]) -> pd.DataFrame:
    """One row per leaver of the given years, with positivity of the current destinations."""
    names = [C.LEAVER_ID, C.ESTABLISHMENT_ID, C.AUTHORITY_ID, C.SEED_CODE, C.YEAR, C.SEX, C.ASN, C.STAGE,
             C.SIMD_DECILE, C.CARE_EXPERIENCED, C.FSM]
    dtypes = {C.LEAVER_ID: "int64", C.ESTABLISHMENT_ID: "int64", C.AUTHORITY_ID: "int64", C.SEED_CODE: "str",
              C.YEAR: "int64", C.SEX: "str", C.ASN: "bool", C.STAGE: "int64", C.SIMD_DECILE: "int64",
              C.CARE_EXPERIENCED: "bool", C.FSM: "bool"}
    leavers = _frame(leavers_query(years), names, dtypes)
    leavers[C.SEED_CODE] = leavers[C.SEED_CODE].astype(str).str.zfill(7)
    dest = load_destinations(years)
    for kind, col in ((DestinationKind.INITIAL, C.INITIAL_POSITIVE), (DestinationKind.FOLLOW_UP, C.FOLLOWUP_POSITIVE)):
        d = dest[dest["kind"] == kind].set_index("leaver_id")["positive"]
        leavers[col] = leavers[C.LEAVER_ID].map(d).astype("float64")
    return leavers


def destinations_query(years: Sequence[int]) -> str:
    D, L = _table(DestinationRecord), _table(SchoolLeaver)
    sql = (
        f"SELECT d.{_col(DestinationRecord, 'leaver')}, d.kind, d.category, l.leaver_year FROM {D} d "
        f"JOIN {L} l ON l.id = d.{_col(DestinationRecord, 'leaver')} "
        f"WHERE d.superseded_at IS NULL AND l.leaver_year IN ({', '.join(['%s'] * len(years))})"
    )
    return _inline(sql, years)


def load_destinations(years: Sequence[int]) -> pd.DataFrame:
    """Current destination records of the years' leavers: leaver_id, kind, positive (1/0, NaN unknown).

    An "unknown" destination is not a known destination: it counts neither as positive nor in the
    denominator (our rule; Insight reports percentages of leavers with a known destination).
    """
    df = _frame(destinations_query(years), ["leaver_id", "kind", "category", "year"],
                {"leaver_id": "int64", "kind": "str", "category": "str", "year": "int64"})
    positive = np.zeros(len(df), dtype="float64")
    for (category, year), idx in df.groupby(["category", "year"]).groups.items():
        positive[df.index.get_indexer(idx)] = 1.0 if is_positive(str(category), int(year)) else 0.0
    positive[(df["category"] == Category.UNKNOWN).to_numpy()] = np.nan
    df["positive"] = positive
    return df


def results_query(years: Sequence[int], *, tariff_scale_id: int) -> str:
    R, L, T = _table(QualificationResult), _table(SchoolLeaver), _table(TariffEntry)
    sql = (
        f"SELECT l.id, r.{_col(QualificationResult, 'subject')}, r.scqf_level, "
        f"CASE WHEN t.per_credit THEN t.points * r.scqf_credits ELSE COALESCE(t.points, 0) END "
        f"FROM {R} r JOIN {L} l ON l.{_col(SchoolLeaver, 'learner')} = r.{_col(QualificationResult, 'learner')} "
        f"LEFT JOIN {T} t ON t.{_col(TariffEntry, 'scale')} = %s AND t.award_type = r.award_type "
        f"AND t.scqf_level = r.scqf_level AND t.grade = r.grade "
        f"WHERE l.leaver_year IN ({', '.join(['%s'] * len(years))}) AND r.year <= l.leaver_year"
    )
    return _inline(sql, [tariff_scale_id, *years])


def load_results(years: Sequence[int], *, tariff_scale_id: int) -> pd.DataFrame:
    """Every result of the years' leavers with its tariff points from the given scale."""
    sql = results_query(years, tariff_scale_id=tariff_scale_id)
    if connection.vendor == "postgresql":
        df = fetch_packed(sql, [(C.LEAVER_ID, "int8"), (C.SUBJECT_ID, "int8"), (C.SCQF_LEVEL, "int2"),
                                (C.POINTS, "float8")])
    else:
        df = _frame(sql, [C.LEAVER_ID, C.SUBJECT_ID, C.SCQF_LEVEL, C.POINTS],
                    {C.LEAVER_ID: "int64", C.SUBJECT_ID: "int64", C.SCQF_LEVEL: "int64", C.POINTS: "float64"})
    subjects = pd.DataFrame.from_records(
        list(Subject.objects.values_list("id", "literacy", "numeracy")), columns=[C.SUBJECT_ID, C.LITERACY, C.NUMERACY]
    ).set_index(C.SUBJECT_ID)
    df[C.LITERACY] = df[C.SUBJECT_ID].map(subjects[C.LITERACY]).fillna(False).astype(bool)
    df[C.NUMERACY] = df[C.SUBJECT_ID].map(subjects[C.NUMERACY]).fillna(False).astype(bool)
    return df


def load_establishments() -> pd.DataFrame:
    rows = Establishment.objects.values_list(
        "id", "seed_code", "authority_id", "type", "roll", "share_simd_q1", "share_fsm", "share_asn"
    )
    return pd.DataFrame.from_records(
        list(rows),
        columns=[C.ESTABLISHMENT_ID, C.SEED_CODE, C.AUTHORITY_ID, "type", "roll", "share_simd_q1", "share_fsm",
                 "share_asn"],
    )


def load_engine_input(years: Sequence[int], *, tariff_scale_id: int) -> EngineInput:
    return EngineInput(
        leavers=load_leavers(years),
        results=load_results(years, tariff_scale_id=tariff_scale_id),
        establishments=load_establishments(),
    )


# --- local measures: cohorts from the census (issue 12) ---------------------------------------------


def cohort_members_query(year: int) -> str:
    """Members of the cohorts of ``year``: the S4 rolls of the censuses of ``year - 1`` (S4),
    ``year - 2`` (S5 based on the S4 roll) and ``year - 3`` (S6 based on the S4 roll), each pupil
    with the school of that S4 census (a school is credited with a cohort by its S4 census), and
    the school leavers of ``year`` with the school they left. Stage codes index
    ``columns.COHORT_STAGES``; sex as 0 (F) or 1 (M); the characteristics the virtual comparator
    matches on are the learner's (a leaver's as at leaving, as the national measures use)."""
    E, L, S, P = _table(Enrolment), _table(SchoolLeaver), _table(Establishment), _table(Learner)
    learner, est = _col(Enrolment, "learner"), _col(Enrolment, "establishment")
    authority = _col(Establishment, "authority")
    sql = (
        f"SELECT e.{learner}, e.{est}, s.{authority}, %s, %s - 1 - e.year, "
        f"CASE p.sex WHEN 'F' THEN 0 ELSE 1 END, CASE WHEN p.asn THEN 1 ELSE 0 END, p.simd_decile "
        f"FROM {E} e JOIN {S} s ON s.id = e.{est} JOIN {P} p ON p.id = e.{learner} "
        f"WHERE e.stage = 'S4' AND e.year BETWEEN %s AND %s "
        f"UNION ALL "
        f"SELECT l.{_col(SchoolLeaver, 'learner')}, l.{_col(SchoolLeaver, 'establishment')}, s.{authority}, "
        f"l.leaver_year, 3, CASE l.sex WHEN 'F' THEN 0 ELSE 1 END, CASE WHEN l.asn THEN 1 ELSE 0 END, "
        f"l.simd_decile "
        f"FROM {L} l JOIN {S} s ON s.id = l.{_col(SchoolLeaver, 'establishment')} WHERE l.leaver_year = %s"
    )
    return _inline(sql, [year, year, year - 3, year - 1, year])


def cohort_results_query(year: int) -> str:
    """Every award of the members of ``year``'s cohorts sat by the diet of ``year``, the grade as
    a code (``columns.GRADE_CODES``) and the award type as a code (``courses.AWARD_TYPES``, for the
    Course Comparator)."""
    R, E, L = _table(QualificationResult), _table(Enrolment), _table(SchoolLeaver)
    grade = " ".join(f"WHEN '{g}' THEN {code}" for g, code in C.GRADE_CODES.items())
    award = " ".join(f"WHEN '{a}' THEN {code}" for code, a in enumerate(courses.AWARD_TYPES))
    learner = _col(QualificationResult, "learner")
    sql = (
        f"SELECT r.{learner}, r.{_col(QualificationResult, 'subject')}, r.scqf_level, r.scqf_credits, "
        f"CASE r.grade {grade} END, r.year, CASE r.award_type {award} END FROM {R} r "
        f"WHERE r.year <= %s AND r.{learner} IN ("
        f"SELECT e.{_col(Enrolment, 'learner')} FROM {E} e WHERE e.stage = 'S4' AND e.year BETWEEN %s AND %s "
        f"UNION SELECT l.{_col(SchoolLeaver, 'learner')} FROM {L} l WHERE l.leaver_year = %s)"
    )
    return _inline(sql, [year, year - 3, year - 1, year])


def load_cohorts(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members of ``year``'s S4, S5, S6 and leaver cohorts and their awards (as
    ``benchmarking.breadth`` takes them)."""
    member_cols = [(C.LEARNER_ID, "int8"), (C.ESTABLISHMENT_ID, "int8"), (C.AUTHORITY_ID, "int8"), (C.YEAR, "int2"),
                   ("stage_code", "int2"), (C.SEX, "int2"), (C.ASN, "int2"), (C.SIMD_DECILE, "int2")]
    result_cols = [(C.LEARNER_ID, "int8"), (C.SUBJECT_ID, "int8"), (C.SCQF_LEVEL, "int2"), (C.SCQF_CREDITS, "int2"),
                   (C.GRADE, "int2"), (C.YEAR, "int2"), (courses.AWARD_TYPE, "int2")]
    if connection.vendor == "postgresql":
        members = fetch_packed(cohort_members_query(year), member_cols)
        results = _fetch_awards(cohort_results_query(year), [n for n, _t in result_cols])
    else:
        members, results = (_frame(sql, [n for n, _t in cols], {n: "int64" for n, _t in cols}) for sql, cols in (
            (cohort_members_query(year), member_cols), (cohort_results_query(year), result_cols)))
    members[C.COHORT_STAGE] = np.asarray(C.COHORT_STAGES, dtype=object)[members.pop("stage_code").to_numpy()]
    return members, results


# The five small columns of an award (level, credits, grade, diet year, award type) as bit fields
# of one int8 on the wire: (width in bits, lowest bit) each, most significant first.
_AWARD_FIELDS: Final = ((15, 48), (16, 32), (8, 24), (16, 8), (8, 0))


def _fetch_awards(sql: str, names: list[str]) -> pd.DataFrame:
    """The rows of :func:`cohort_results_query` as :func:`fetch_packed` reads them, narrower on
    the wire: the learner and subject as they are, and the five small numbers packed by the server
    into one ``int8`` (:data:`_AWARD_FIELDS`), so each row costs the server three binary values
    instead of seven. A value outside its field's range makes the packed value NULL (an error,
    as a NULL is). The same rows and values as the query's own columns."""
    small = [f"c{i}" for i in range(2, 7)]
    fits = " AND ".join(f"t.{col} BETWEEN 0 AND {(1 << width) - 1}" for col, (width, _low) in zip(small, _AWARD_FIELDS,
                                                                                                    strict=True))
    packed = " | ".join(f"(t.{col}::int8 << {low})" for col, (_width, low) in zip(small, _AWARD_FIELDS, strict=True))
    frame = fetch_packed(
        f"SELECT t.c0, t.c1, CASE WHEN {fits} THEN {packed} END FROM ({sql}) AS t(c0, c1, {', '.join(small)})",
        [(names[0], "int8"), (names[1], "int8"), ("packed", "int8")],
    )
    value = frame.pop("packed").to_numpy()
    for name, (width, low) in zip(names[2:], _AWARD_FIELDS, strict=True):
        frame[name] = (value >> low) & ((1 << width) - 1)
    return frame


def load_subject_areas() -> pd.DataFrame:
    """Every subject's curricular area as ``benchmarking.areas`` takes it: ``subject_id`` and
    ``area_code`` (position in ``columns.CURRICULAR_AREAS``; -1 for a subject with no area)."""
    code = {area: index for index, area in enumerate(C.CURRICULAR_AREAS)}
    rows = [(pk, code.get(area, -1)) for pk, area in Subject.objects.order_by("id").values_list("id", "curricular_area")]
    return pd.DataFrame.from_records(rows, columns=[C.SUBJECT_ID, C.AREA_CODE]).astype("int64")
