"""Odd files (issue 13 item 5): text in UTF-8 with or without a byte-order mark, UTF-16 with one,
Windows-1252; an unreadable encoding named in the error; a workbook's row limit and unpacked-size
limit stated in the error; a workbook read streaming, one list per column."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from datahub.imports.parsing import FileProblem, decode_text, read_head, read_table
from datahub.models import Learner
from tests.datahub.imports.worlds import learner_row, run

TEXT = "scn,given_name\n123456785,Siobhán Ó Dónaill \u2013 \u201cShiv\u201d\n"


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("UTF-8", TEXT.encode("utf-8")),
        ("UTF-8 with BOM", TEXT.encode("utf-8-sig")),
        ("UTF-16 LE with BOM", TEXT.encode("utf-16")),  # Python writes the platform's (little-endian) BOM
        ("UTF-16 BE with BOM", b"\xfe\xff" + TEXT.encode("utf-16-be")),
        ("Windows-1252", TEXT.encode("cp1252")),
    ],
)
def test_each_supported_encoding_reads_the_same_text(label, data):
    parsed = read_table(io.BytesIO(data), name="file.csv")
    assert parsed.headers == ["scn", "given_name"], label
    assert parsed.frame["given_name"].tolist() == ["Siobhán Ó Dónaill \u2013 \u201cShiv\u201d"], label


def test_a_byte_neither_utf8_nor_windows_1252_is_named_with_its_line():
    data = b"scn,given_name\n123456785,Ann\n123456793,B\x81b\n"
    with pytest.raises(FileProblem) as err:
        decode_text(data)
    assert "byte 0x81 on line 3 is neither UTF-8 nor Windows-1252" in str(err.value)
    assert "CSV UTF-8" in str(err.value)


def test_a_file_mixing_utf8_and_another_encoding_is_refused_not_garbled():
    data = "scn,given_name\n123456785,Siobhán\n".encode() + b"123456793,Zo\xeb\n"  # é in UTF-8, then ë in cp1252
    with pytest.raises(FileProblem, match=r"mixes encodings: .* byte 0xEB on line 3 is not valid UTF-8"):
        decode_text(data)


def test_utf16_without_a_byte_order_mark_and_utf32_are_named():
    with pytest.raises(FileProblem, match="UTF-16 text without a byte-order mark"):
        decode_text(TEXT.encode("utf-16-le"))
    with pytest.raises(FileProblem, match="UTF-32"):
        decode_text(TEXT.encode("utf-32"))


@pytest.mark.django_db
def test_a_utf16_census_file_imports_and_an_unreadable_one_is_rejected_with_the_reason(world):
    row = learner_row(world, 1, given_name="Zoë")
    text = ",".join(row) + "\r\n" + ",".join(row.values()) + "\r\n"
    batch = run(world.personas["dm_x"], "learners", text.encode("utf-16"))
    assert batch.status == "succeeded", batch.errors
    assert Learner.objects.get(scn=row["scn"]).given_name == "Zoë"
    bad = run(world.personas["dm_x"], "learners", text.encode("cp1252") + b"\x8d\n")
    assert bad.status == "rejected" and "neither UTF-8 nor Windows-1252" in bad.message


def _workbook(rows: int, width: int = 3) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([f"col{i}" for i in range(width)])
    for r in range(rows):
        ws.append([f"r{r}c{i}" if i else r for i in range(width)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_workbook_over_the_row_limit_is_refused_stating_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 50
    assert len(read_table(io.BytesIO(_workbook(50)), name="ok.xlsx").frame) == 50
    with pytest.raises(FileProblem, match="more than 50 rows of data, the most one import takes"):
        read_table(io.BytesIO(_workbook(51)), name="big.xlsx")


def test_a_csv_over_the_row_limit_is_refused_too(settings):
    settings.IMPORT_MAX_ROWS = 2
    with pytest.raises(FileProblem, match="more than 2 rows"):
        read_table(io.BytesIO(b"a,b\n1,2\n3,4\n5,6\n"), name="big.csv")


def test_a_workbook_unpacking_past_the_limit_is_refused_before_it_is_read(settings):
    data = _workbook(2000)
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 20_000
    with pytest.raises(FileProblem) as err:
        read_table(io.BytesIO(data), name="bomb.xlsx")
    assert "more than the limit of 20 KB" in str(err.value) and "unpacks to" in str(err.value)
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 50_000_000
    assert len(read_table(io.BytesIO(data), name="fine.xlsx").frame) == 2000


def test_a_streamed_workbook_keeps_values_rows_and_reports_rows_read():
    seen: list[int] = []
    wb = Workbook()
    ws = wb.active
    ws.append(["SCN", "Stage", "Extra"])
    ws.append(["012345678", "S4"])  # a short row: the missing cell is blank
    ws.append([None, None, None])  # a blank row keeps its number
    ws.append([123456785, "S5", True])
    buf = io.BytesIO()
    wb.save(buf)
    parsed = read_table(io.BytesIO(buf.getvalue()), name="x.xlsx", on_rows=seen.append)
    assert parsed.frame.to_dict("list") == {"scn": ["012345678", "123456785"], "stage": ["S4", "S5"], "extra": ["", "Y"]}
    assert parsed.row_numbers.tolist() == [2, 4]
    head = read_head(io.BytesIO(buf.getvalue()), name="x.xlsx", rows=1)
    assert head.frame["scn"].tolist() == ["012345678"]
