"""Reading CSV and XLSX files into a frame of text cells, and writing templates.

Every cell is kept as text (a SEED code or SCN must never become a number and lose a leading
zero). Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
Completely blank rows are skipped but keep their numbers, so a reported row is where it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd

from .columns import normalise_header

XLSX_MAGIC = b"PK\x03\x04"


DEFAULT_MAX_ROWS = 1_048_575  # the most data rows an Excel worksheet holds below its header
DEFAULT_MAX_UNCOMPRESSED_BYTES = 2_000_000_000


def max_rows() -> int:
    from django.conf import settings

    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_uncompressed_bytes() -> int:
    from django.conf import settings

    return int(getattr(settings, "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES))


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


def read_table(fh: IO[bytes], *, name: str = "", on_rows: Callable[[int], None] | None = None) -> ParsedFile:
    """``on_rows(n)`` is told how many rows of a workbook have been read so far (every 50,000)."""
    head = fh.read(4)
    fh.seek(0)
    if detect_format(name, head) == "xlsx":
        return _read_xlsx(fh, on_rows)
    return _read_csv(fh)


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
# A UTF-8 sequence of two to four bytes: its presence in a file that is not valid UTF-8 means mixed encodings.
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
SAVE_AS = "Save it from your spreadsheet as \u201cCSV UTF-8\u201d and upload it again."


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_text(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark,
    or Windows-1252 (what older Excel saves as "CSV"). Anything else is refused with the reason."""
    if data.startswith(UTF32_BOMS):
        raise FileProblem(f"The file is in UTF-32, which the portal does not read. {SAVE_AS}")
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileProblem(
                f"The file starts as UTF-16 but byte {exc.start} is not valid UTF-16 (the file may be cut short). {SAVE_AS}"
            ) from None
    if len(data) >= 4 and (data[1:4:2] == b"\x00\x00" or data[0:4:2] == b"\x00\x00"):
        raise FileProblem(
            f"The file looks like UTF-16 text without a byte-order mark, which cannot be read safely. {SAVE_AS}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    if UTF8_MULTIBYTE.search(data):
        raise FileProblem(
            f"The file mixes encodings: it contains UTF-8 characters, but byte 0x{data[bad]:02X} on line "
            f"{_line_of(data, bad)} is not valid UTF-8. {SAVE_AS}"
        )
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"The file is in an encoding the portal cannot read: byte 0x{data[exc.start]:02X} on line "
            f"{_line_of(data, exc.start)} is neither UTF-8 nor Windows-1252. {SAVE_AS}"
        ) from None


def _read_csv(fh: IO[bytes]) -> ParsedFile:
    text = decode_text(fh.read())
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
    if len(frame) > max_rows():
        raise FileProblem(
            f"The file has more than {max_rows():,} rows of data, the most one import takes: split it into several files."
        )
    original = [str(c) for c in frame.columns]
    return _finish(frame, original)


HEAD_BYTES = 1 << 20


def read_head(fh: IO[bytes], *, name: str = "", rows: int = 200) -> ParsedFile:
    """The header and first ``rows`` rows only (for proposing and previewing a mapping): a CSV's
    first megabyte, a workbook's first rows (streamed). ``fh`` is left at its start."""
    head = fh.read(4)
    fh.seek(0)
    try:
        if detect_format(name, head) == "xlsx":
            return _read_xlsx_head(fh, rows)
        data = fh.read(HEAD_BYTES)
        if len(data) == HEAD_BYTES:  # cut after the last whole line (in UTF-16 the newline's second byte too)
            cut = data.rfind(b"\n") + 1
            data = data[: cut + (1 if data.startswith(b"\xff\xfe") else 0)]
        text = decode_text(data)
        if not text.strip():
            raise FileProblem("The file is empty.")
        lines = text.splitlines(keepends=True)[: rows + 1]
        parsed = _read_csv(io.BytesIO("".join(lines).encode("utf-8")))
    finally:
        fh.seek(0)
    return parsed


def _read_xlsx_head(fh: IO[bytes], rows: int) -> ParsedFile:
    from openpyxl import load_workbook

    _xlsx_limits_checked(fh)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
        try:
            found = list(wb.worksheets[0].iter_rows(max_row=rows + 1, values_only=True))
        finally:
            wb.close()
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileProblem(f"The file could not be read as an Excel workbook (.xlsx): {exc}") from None
    if not found:
        raise FileProblem("The first worksheet is empty.")
    original = [_cell_text(h) for h in found[0]]
    while original and not original[-1]:
        original.pop()
    width = len(original)
    data = [[_cell_text(v) for v in row[:width]] + [""] * max(0, width - len(row)) for row in found[1:]]
    frame = (
        pd.DataFrame(data, columns=range(width), dtype=object)
        if data
        else pd.DataFrame(columns=range(width), dtype=object)
    )
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


def _xlsx_limits_checked(fh: IO[bytes]) -> None:
    """Refuse a workbook whose parts would unpack to more than the limit (a "zip bomb" or a sheet
    far larger than any real export) before reading any of it."""
    limit = max_uncompressed_bytes()
    try:
        with zipfile.ZipFile(fh) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(f"The file could not be read as an Excel workbook (.xlsx): {exc}") from None
    finally:
        fh.seek(0)
    if unpacked > limit:
        raise FileProblem(
            f"The workbook unpacks to {_size(unpacked)}, more than the limit of {_size(limit)}: "
            "split it into several files, or save it as CSV."
        )


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


def _read_xlsx(fh: IO[bytes], on_rows: Callable[[int], None] | None = None) -> ParsedFile:
    """Stream the first worksheet (openpyxl read-only mode): cells go straight into one list per
    column, each distinct text kept once (codes, years and stages repeat on every row), so a
    million-row sheet never exists as a million row objects."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _xlsx_limits_checked(fh)
    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError)
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except unreadable as exc:
        raise FileProblem(f"The file could not be read as an Excel workbook (.xlsx): {exc}") from None
    limit = max_rows()
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
        columns: list[list[str]] = [[] for _ in range(width)]
        seen: list[dict[str, str]] = [{} for _ in range(width)]
        count = 0
        for row in rows:
            count += 1
            if count > limit:
                raise FileProblem(
                    f"The worksheet has more than {limit:,} rows of data, the most one import takes: split it into several files."
                )
            cells = len(row)
            for i in range(width):
                text = _cell_text(row[i]) if i < cells else ""
                columns[i].append(seen[i].setdefault(text, text) if len(text) < 24 else text)
            if on_rows is not None and count % 50_000 == 0:
                on_rows(count)
            if count % 65536 == 0:  # keep the per-column caches for values that repeat, not for every SCN
                for i, cache in enumerate(seen):
                    if len(cache) > 50_000:
                        seen[i] = {}
    except unreadable as exc:
        raise FileProblem(f"The workbook could not be read: {exc}") from None
    finally:
        wb.close()
    data = {}
    for i in range(width):
        array = np.empty(count, dtype=object)
        array[:] = columns[i]
        columns[i] = []
        data[i] = array
    frame = pd.DataFrame(data, copy=False) if width else pd.DataFrame(index=range(count))
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
