"""Reading CSV and XLSX files into a frame of text cells, and writing templates.

Every cell is kept as text (a SEED code or SCN must never become a number and lose a leading
zero). Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
Completely blank rows are skipped but keep their numbers, so a reported row is where it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd

from .columns import normalise_header

XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong format, no header, bad encoding)."""


@dataclass
class ParsedFile:
    frame: pd.DataFrame  # text cells, columns named by normalised header
    row_numbers: pd.Series  # file row number of each record (same index as frame)
    headers: list[str]  # normalised, in file order
    original_headers: list[str]


def detect_format(name: str, head: bytes) -> str:
    if head.startswith(XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def read_table(fh: IO[bytes], *, name: str = "") -> ParsedFile:
    head = fh.read(4)
    fh.seek(0)
    if detect_format(name, head) == "xlsx":
        return _read_xlsx(fh)
    return _read_csv(fh)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("The file is not text in UTF-8 or Windows-1252: save it as CSV (UTF-8) and try again.")


def _read_csv(fh: IO[bytes]) -> ParsedFile:
    text = _decode(fh.read())
    if not text.strip():
        raise FileProblem("The file is empty.")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise FileProblem(f"Line {line} contains a NUL character: the file is probably not a CSV text file.")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, header=0, engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise FileProblem(f"The file could not be read as CSV: {exc}") from None
    original = [str(c) for c in frame.columns]
    return _finish(frame, original)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(fh: IO[bytes]) -> ParsedFile:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except unreadable as exc:
        raise FileProblem(f"The file could not be read as an Excel workbook (.xlsx): {exc}") from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileProblem("The first worksheet is empty.")
        original = [_cell_text(h) for h in header]
        while original and not original[-1]:
            original.pop()
        width = len(original)
        data = [[_cell_text(v) for v in row[:width]] + [""] * max(0, width - len(row)) for row in rows]
    except unreadable as exc:
        raise FileProblem(f"The workbook could not be read: {exc}") from None
    finally:
        wb.close()
    frame = pd.DataFrame(data, columns=original, dtype=str) if data else pd.DataFrame(columns=original, dtype=str)
    return _finish(frame, original)


def _finish(frame: pd.DataFrame, original: list[str]) -> ParsedFile:
    headers = [normalise_header(h) for h in original]
    if not any(headers):
        raise FileProblem("The first row must name the columns (see the template).")
    first: dict[str, int] = {}  # drop unnamed columns, keep the first of repeats (by position)
    for position, header in enumerate(headers):
        if header and header not in first:
            first[header] = position
    frame = frame.iloc[:, list(first.values())]
    frame.columns = list(first)
    # Both readers give text cells only (read_csv: dtype=str without NA parsing; xlsx: _cell_text).
    if frame.isna().to_numpy().any():
        frame = frame.fillna("")
    row_numbers = pd.Series(range(2, len(frame) + 2), index=frame.index)
    if len(frame.columns):
        # Blank rows (every cell empty or spaces) are skipped. Column by column, only the rows still
        # possibly blank are looked at: usually the first column already rules out every row.
        candidates = np.arange(len(frame))
        for name in frame.columns:
            if not len(candidates):
                break
            values = frame[name].to_numpy(dtype=object)[candidates]
            codes, uniques = pd.factorize(values, sort=False)
            empty = np.array([not str(u).strip() for u in uniques], dtype=bool)
            candidates = candidates[empty[codes]] if len(uniques) else candidates
        if len(candidates):
            blank = np.zeros(len(frame), dtype=bool)
            blank[candidates] = True
            frame = frame.loc[~blank]
            row_numbers = row_numbers.loc[~blank]
    frame = frame.reset_index(drop=True)
    row_numbers = row_numbers.reset_index(drop=True)
    return ParsedFile(frame, row_numbers, headers, original)


def frame_from_records(records: list[dict]) -> ParsedFile:
    """API bodies: a list of JSON objects becomes the same text frame a file would give (row = position)."""
    texts = [{normalise_header(_storable(str(k)).replace("\x00", "")): _json_text(v) for k, v in rec.items()} for rec in records]
    headers = list(dict.fromkeys(h for rec in texts for h in rec))
    frame = pd.DataFrame([[rec.get(h, "") for h in headers] for rec in texts], columns=headers, dtype=str)
    if not len(frame):
        frame = pd.DataFrame(columns=headers, dtype=str)
    return ParsedFile(frame, pd.Series(range(1, len(frame) + 1)), headers, headers)


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dict | list):
        return "\x00structured"  # never a valid cell: reported as the wrong type
    text = str(value)
    clean = _storable(text)
    return clean if clean == text else clean + "\x00"  # flagged as unstorable by the engine


def _storable(text: str) -> str:
    """Lone surrogates (possible in JSON) cannot be stored in UTF-8: replace them."""
    return text.encode("utf-8", "replace").decode("utf-8")


def write_csv_rows(rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()
