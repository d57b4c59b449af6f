"""insight.persist writes result frames exactly: the binary COPY stream (PostgreSQL) and the
SQLite fallback store the same values, NULLs where the frame has none."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from datahub.pgcopy import binary_copy
from insight.models import DeprivationResult, PartnerRanking
from insight.persist import write_frame

pytestmark = pytest.mark.django_db


def test_rankings_round_trip_with_nulls_extremes_and_text() -> None:
    frame = pd.DataFrame({
        "establishment_id": [1, 2, 9_000_000_000, 4],
        "other_id": [2, 1, 3, 5],
        "distance": [0.1 + 0.2, np.nan, 1e-300, float("inf")],
        "rank": [1, 2, 2_000_000_000, 4],
        "score_gap": [np.nan, -0.0, -123.456, 5e300],
    })
    assert write_frame(PartnerRanking, frame, run_id=77, basis="stronger") == 4
    stored = list(PartnerRanking.objects.filter(run_id=77).order_by("id").values_list(
        "establishment_id", "other_id", "distance", "rank", "score_gap", "basis"))
    assert stored == [
        (1, 2, 0.1 + 0.2, 1, None, "stronger"),  # exactly the float, not a rounded text form
        (2, 1, None, 2, -0.0, "stronger"),
        (9_000_000_000, 3, 1e-300, 2_000_000_000, -123.456, "stronger"),
        (4, 5, float("inf"), 4, 5e300, "stronger"),
    ]


def test_text_smallint_and_missing_ints() -> None:
    frame = pd.DataFrame({
        "cohort": ["establishment", "vc", "authority", "national"],
        "cohort_id": [-5, 0, 2**40, 3],
        "year": [2021, 2022, 32767, 0],
        "simd_band_kind": ["décile", "", None, "quintile"],
        "simd_band": [1, 10, 5, 3],
        "n_leavers": pd.array([10, 0, 3, 4], dtype="Int64"),
        "avg_total_tariff": [np.nan, 812.5, 0.0, np.nan],
    })
    write_frame(DeprivationResult, frame, run_id=78)
    stored = list(DeprivationResult.objects.filter(run_id=78).order_by("id").values_list(
        "cohort", "cohort_id", "year", "simd_band_kind", "simd_band", "n_leavers", "avg_total_tariff"))
    assert stored == [
        ("establishment", -5, 2021, "décile", 1, 10, None),
        ("vc", 0, 2022, "", 10, 0, 812.5),
        ("authority", 2**40, 32767, "", 5, 3, 0.0),  # a missing NOT NULL text is "", as in CSV
        ("national", 3, 0, "quintile", 3, 4, None),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_binary_stream_is_the_documented_format() -> None:
    frame = pd.DataFrame({"a": pd.array([7, None], dtype="Int64"), "b": ["xy", None]})
    stream = binary_copy(frame, [">i2", "text"])
    header = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
    row1 = b"\x00\x02" + b"\x00\x00\x00\x02\x00\x07" + b"\x00\x00\x00\x02xy"
    row2 = b"\x00\x02" + b"\xff\xff\xff\xff" + b"\xff\xff\xff\xff"
    assert stream == header + row1 + row2 + b"\xff\xff"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_every_kind_round_trips_through_a_table() -> None:
    from datahub.pgcopy import copy_in

    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE pgcopy_check (b boolean, s smallint, i integer, g bigint, f double precision, "
                    "t text)")
    frame = pd.DataFrame({
        "b": pd.array([True, False, None], dtype="boolean"),
        "s": pd.array([-32768, 32767, None], dtype="Int64"),
        "i": [2**31 - 1, -(2**31), 0],
        "g": [2**62, -1, 7],
        "f": [1.5, np.nan, -2.25],
        "t": ["Ceòl", "", None],
    })
    copy_in("pgcopy_check", list(frame.columns), frame, ["u1", ">i2", ">i4", ">i8", ">f8", "text"])
    with connection.cursor() as cur:
        cur.execute("SELECT b, s, i, g, f, t FROM pgcopy_check ORDER BY i DESC")
        assert cur.fetchall() == [
            (True, -32768, 2**31 - 1, 2**62, 1.5, "Ceòl"),
            (None, None, 0, 7, -2.25, None),
            (False, 32767, -(2**31), -1, None, ""),
        ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the packed fetch is PostgreSQL's")
def test_packed_fetch_reads_numbers_and_raises_djangos_errors() -> None:
    from django.db import OperationalError, transaction

    from insight.loaders import fetch_packed

    frame = fetch_packed("SELECT g::int8, (g % 3)::int2, g / 4.0 FROM generate_series(1, 5) g",
                         [("a", "int8"), ("b", "int2"), ("c", "float8")])
    assert frame.sort_values("a").to_dict("list") == {"a": [1, 2, 3, 4, 5], "b": [1, 2, 0, 1, 2],
                                                      "c": [0.25, 0.5, 0.75, 1.0, 1.25]}
    with pytest.raises(ValueError, match="NULL"):
        fetch_packed("SELECT NULLIF(g, 2)::int8 FROM generate_series(1, 3) g", [("a", "int8")])
    # A cancelled query is Django's OperationalError (which the benchmark task retries), not psycopg's.
    with pytest.raises(OperationalError), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL statement_timeout = 10")
        fetch_packed("SELECT 1::int8 FROM pg_sleep(1)", [("a", "int8")])


def test_integers_that_do_not_fit_are_refused_not_wrapped() -> None:
    from datahub.pgcopy import binary_copy

    for frame, kind in (
        (pd.DataFrame({"a": [40_000]}), ">i2"),
        (pd.DataFrame({"a": [2**31 + 5]}), ">i4"),
        (pd.DataFrame({"a": [3.9]}), ">i4"),
        (pd.DataFrame({"a": pd.Series([2.5, None], dtype=object)}), ">i8"),
        (pd.DataFrame({"a": [float("inf")]}), ">i8"),
    ):
        with pytest.raises(ValueError, match="column 'a'"):
            binary_copy(frame, [kind])
    # Whole floats are fine; big Python ints stay exact.
    assert binary_copy(pd.DataFrame({"a": [3.0, np.nan]}), [">i4"]).endswith(
        b"\x00\x01\x00\x00\x00\x04\x00\x00\x00\x03\x00\x01\xff\xff\xff\xff\xff\xff")
    exact = binary_copy(pd.DataFrame({"a": pd.Series([2**62 + 1], dtype=object)}), [">i8"])
    assert exact[-10:-2] == (2**62 + 1).to_bytes(8, "big")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_a_stream_in_several_chunks_stores_every_row_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from datahub import pgcopy

    monkeypatch.setattr(pgcopy, "COPY_CHUNK_ROWS", 100)
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE pgcopy_chunks (i integer, t text)")
    frame = pd.DataFrame({"i": range(250), "t": ["x" * (k % 7) for k in range(250)]})
    pgcopy.copy_in("pgcopy_chunks", ["i", "t"], frame, [">i4", "text"])
    with connection.cursor() as cur:
        cur.execute("SELECT i, t FROM pgcopy_chunks ORDER BY i")
        assert cur.fetchall() == [(k, "x" * (k % 7)) for k in range(250)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_a_copy_pipe_stores_its_tables_in_order_in_the_callers_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    from datahub import pgcopy

    monkeypatch.setattr(pgcopy, "COPY_CHUNK_ROWS", 100)
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE pipe_a (i integer, t text)")
        cur.execute("CREATE TEMPORARY TABLE pipe_b (f double precision)")
    a = pd.DataFrame({"i": range(250), "t": ["y" * (k % 5) for k in range(250)]})
    with pgcopy.CopyPipe(depth=2) as pipe:  # a short queue: the caller waits for the thread
        pipe.copy_in("pipe_a", ["i", "t"], a, [">i4", "text"])
        pipe.copy_in("pipe_b", ["f"], pd.DataFrame({"f": [0.1 + 0.2, np.nan]}), [">f8"])
        pipe.flush()  # the connection is the caller's again
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pipe_b")
            assert cur.fetchone() == (2,)
        pipe.copy_in("pipe_a", ["i", "t"], pd.DataFrame({"i": [1000], "t": [None]}), [">i4", "text"])
    with connection.cursor() as cur:
        cur.execute("SELECT i, t FROM pipe_a ORDER BY i")
        assert cur.fetchall() == [*((k, "y" * (k % 5)) for k in range(250)), (1000, None)]
        cur.execute("SELECT f FROM pipe_b ORDER BY f NULLS LAST")
        assert cur.fetchall() == [(0.1 + 0.2,), (None,)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_a_copy_pipe_raises_a_copys_error_as_djangos_and_the_transaction_keeps_nothing() -> None:
    from django.db import IntegrityError, transaction

    from datahub.pgcopy import CopyPipe

    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE pipe_ok (i integer)")
        cur.execute("CREATE TEMPORARY TABLE pipe_checked (i integer CHECK (i >= 0))")
    with pytest.raises(IntegrityError), transaction.atomic(), CopyPipe() as pipe:
        pipe.copy_in("pipe_ok", ["i"], pd.DataFrame({"i": [1, 2]}), [">i4"])
        pipe.copy_in("pipe_checked", ["i"], pd.DataFrame({"i": [3, -1]}), [">i4"])
        pipe.copy_in("pipe_ok", ["i"], pd.DataFrame({"i": [4]}), [">i4"])
    with connection.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM pipe_ok), (SELECT count(*) FROM pipe_checked)")
        assert cur.fetchone() == (0, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_an_error_in_the_caller_abandons_the_pipes_copy_and_keeps_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import transaction

    from datahub import pgcopy

    monkeypatch.setattr(pgcopy, "COPY_CHUNK_ROWS", 10)
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE pipe_half (i integer)")
    calls = 0
    rows = pgcopy._binary_rows

    def failing(data: pd.DataFrame, kinds: list[str]) -> bytes:  # the caller fails mid-table
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ValueError("caller failed")
        return rows(data, kinds)

    monkeypatch.setattr(pgcopy, "_binary_rows", failing)
    with pytest.raises(ValueError, match="caller failed"), transaction.atomic(), pgcopy.CopyPipe() as pipe:
        pipe.copy_in("pipe_half", ["i"], pd.DataFrame({"i": range(50)}), [">i4"])
    assert not any(t.name == "copy-pipe" and t.is_alive() for t in threading.enumerate())
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pipe_half")
        assert cur.fetchone() == (0,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary COPY is PostgreSQL's")
def test_a_text_column_of_few_distinct_values_round_trips() -> None:
    """Such a column is encoded once per distinct text (datahub.pgcopy._utf8): the same bytes."""
    from datahub.pgcopy import copy_in

    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE pgcopy_codes (k integer, t text)")
    texts = ["S4", "Ceòl", "", "東京", None]
    frame = pd.DataFrame({"k": range(500), "t": [texts[k % 5] for k in range(500)]})
    copy_in("pgcopy_codes", ["k", "t"], frame, [">i4", "text"])
    with connection.cursor() as cur:
        cur.execute("SELECT k, t FROM pgcopy_codes ORDER BY k")
        assert cur.fetchall() == [(k, texts[k % 5]) for k in range(500)]
