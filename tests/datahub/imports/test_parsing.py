"""Reading files: headers whatever their case and spacing, repeated columns, unreadable files,
NUL characters, XLSX like CSV, Windows-1252 with semicolons."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from datahub.models import Learner
from tests.datahub.imports.worlds import as_csv, csv_bytes, learner_row, run, scn

pytestmark = pytest.mark.django_db


def test_headers_are_matched_whatever_their_case_and_spacing(world):
    row = learner_row(world, 1)
    header = [h.upper().replace("_", " ") for h in row]
    batch = run(world.personas["dm_x"], "learners", csv_bytes(header, [list(row.values())]))
    assert batch.status == "succeeded", batch.errors


def test_a_repeated_column_counts_once_the_first_one_wins(world):
    row = learner_row(world, 1)
    header = [*row, "Family Name"]  # family_name again, spelt differently
    batch = run(world.personas["dm_x"], "learners", csv_bytes(header, [[*row.values(), "Other"]]))
    assert batch.status == "succeeded", batch.errors
    assert Learner.objects.get(scn=row["scn"]).family_name == row["family_name"]


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00\x00garbage\x81\x8d", b"PK\x03\x04 not really a workbook"])
def test_an_unreadable_file_is_rejected_with_a_reason(world, data):
    batch = run(world.personas["dm_x"], "learners", data, name="x.xlsx" if data.startswith(b"PK") else "x.csv")
    assert batch.status == "rejected"
    assert batch.message


def test_a_nul_character_rejects_the_file_naming_its_line(world):
    rows = [learner_row(world, 1), learner_row(world, 2, given_name="Ann\x00e")]
    batch = run(world.personas["dm_x"], "learners", as_csv(rows))
    assert batch.status == "rejected" and "Line 3 contains a NUL" in batch.message


def test_xlsx_files_import_like_csv(world):
    rows = [learner_row(world, 1), learner_row(world, 2)]
    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for r in rows:
        values = list(r.values())
        values[3] = dt.date(2007, 3, 14)  # a real date cell
        values[6] = int(values[6])  # a number cell
        ws.append(values)
    ws.append([None] * len(rows[0]))  # trailing blank row
    buf = io.BytesIO()
    wb.save(buf)
    batch = run(world.personas["dm_x"], "learners", buf.getvalue(), name="census.xlsx")
    assert batch.status == "succeeded", batch.errors
    assert batch.count_new == 2 and batch.rows_total == 2


def test_windows_1252_and_semicolons_are_read(world):
    row = learner_row(world, 1, given_name="Siobhán")
    data = (";".join(row) + "\r\n" + ";".join(row.values()) + "\r\n").encode("cp1252")
    batch = run(world.personas["dm_x"], "learners", data)
    assert batch.status == "succeeded", batch.errors
    assert Learner.objects.get(scn=scn(1)).given_name == "Siobhán"
