"""Files read, checked and written a chunk of rows at a time (IMPORT_CHUNK_ROWS made tiny here):
the same rows, errors and all-or-nothing outcome as a file taken whole; duplicates found across
chunks; the XLSX row reader against openpyxl's own."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from datahub.imports.parsing import stream_table
from datahub.imports.xlsx import FirstSheet
from datahub.models import Enrolment, Learner
from tests.datahub.imports.worlds import as_csv, learner_row, run, scn

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = 2


def _xlsx(rows: list[dict]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("learners")
    header = list(rows[0])
    ws.append(header)
    for row in rows:
        ws.append([row[h] for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_of_many_chunks_is_written_whole(world, small_chunks, fmt):
    rows = [learner_row(world, n) for n in range(1, 8)]
    data, name = (as_csv(rows), "f.csv") if fmt == "csv" else (_xlsx(rows), "f.xlsx")
    batch = run(world.personas["dm_x"], "learners", data, name=name)
    assert batch.status == "succeeded", batch.errors
    assert (batch.count_new, batch.rows_total) == (7, 7)
    assert Learner.objects.filter(scn__in=[scn(n) for n in range(1, 8)]).count() == 7
    assert Enrolment.objects.filter(learner__scn__in=[scn(n) for n in range(1, 8)]).count() == 7


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_errors_in_later_chunks_and_duplicates_across_chunks_name_their_rows_and_nothing_is_written(
    world, small_chunks, fmt
):
    rows = [learner_row(world, n) for n in range(1, 8)]
    rows[5]["stage"] = "S9"  # row 7 of the file, in the third chunk
    rows[6]["scn"] = scn(2)  # row 8 repeats row 3 (second chunk)
    data, name = (as_csv(rows), "f.csv") if fmt == "csv" else (_xlsx(rows), "f.xlsx")
    batch = run(world.personas["dm_x"], "learners", data, name=name)
    assert batch.status == "rejected"
    assert batch.error_count == 2
    assert [e[:3] for e in batch.errors] == [[7, "stage", "S9"], [8, "scn", scn(2)]]
    assert "Duplicate: row 3 has the same scn." in batch.errors[1][3]
    assert batch.count_rejected == 2
    assert not Learner.objects.filter(scn__in=[scn(n) for n in range(1, 8)]).exists()


def test_a_blank_row_between_chunks_keeps_the_numbers_of_the_rows_after_it(world, small_chunks):
    rows = [learner_row(world, n) for n in range(1, 5)]
    text = as_csv(rows).decode().splitlines()
    text.insert(3, ",,,,,,,,,,,,")  # a blank row 4
    rows_bad = "\n".join(text).replace(f"{scn(4)},Import4", f"{scn(4)},") + "\n"
    batch = run(world.personas["dm_x"], "learners", rows_bad.encode())
    assert batch.status == "rejected"
    assert [e[:2] for e in batch.errors] == [[6, "given_name"]]


def test_the_row_limit_is_refused_when_a_later_chunk_passes_it(world, small_chunks, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [learner_row(world, n) for n in range(1, 8)]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "rejected"
    assert "more than 5 rows" in batch.message
    assert not Learner.objects.filter(scn__in=[scn(n) for n in range(1, 8)]).exists()


def test_the_streamed_xlsx_rows_are_openpyxls_values():
    wb = Workbook()
    ws = wb.active
    ws.append(["SCN", "Date", "N", "B", "F"])
    ws.append(["012345678", dt.date(2008, 3, 14), 5, True, 2.5])
    ws.append([None])
    ws["A6"] = "gap"
    ws["C6"] = dt.datetime(2020, 1, 2, 3, 4, 5)  # noqa: DTZ001 (a spreadsheet cell has no time zone)
    ws["B7"] = "x & <y>"
    ws["E7"] = 1e20
    wb.create_sheet("second")["A1"] = "not read"
    buf = io.BytesIO()
    wb.save(buf)
    theirs = list(load_workbook(io.BytesIO(buf.getvalue()), read_only=True, data_only=True).worksheets[0].iter_rows(
        values_only=True))
    sheet = FirstSheet(io.BytesIO(buf.getvalue()))
    ours = list(sheet.rows())
    sheet.close()

    def trimmed(row: tuple) -> tuple:  # openpyxl pads rows to the sheet's width with None
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        return tuple(values)

    assert [trimmed(r) for r in ours] == [trimmed(r) for r in theirs]
    assert len(ours) == 7
    stream = stream_table(io.BytesIO(buf.getvalue()), name="x.xlsx", rows=2)
    pieces = list(stream.chunks)
    assert stream.headers == ["scn", "date", "n", "b", "f"]
    assert [p.row_numbers.tolist() for p in pieces] == [[2], [6, 7]]  # blank rows 3-5 left out, numbers kept
    assert pieces[0].frame.iloc[0].tolist() == ["012345678", "2008-03-14", "5", "Y", "2.5"]
    assert stream.fraction_read() == 1.0
