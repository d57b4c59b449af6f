"""Reading CSV and XLSX files into a frame of text cells, and writing templates.

Every cell is kept as text (a SEED code or SCN must never become a number and lose a leading
zero). Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
Completely blank rows are skipped but keep their numbers, so a reported row is where it is.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

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


DEFAULT_CHUNK_ROWS = 25_000  # rows read, checked and spooled at a time (datahub.imports.engine)


def chunk_rows() -> int:
    from django.conf import settings

    return int(getattr(settings, "IMPORT_CHUNK_ROWS", DEFAULT_CHUNK_ROWS))


@dataclass
class TableStream:
    """A file read a chunk of rows at a time, so a million-row file never exists whole in memory.

    ``chunks`` yields consecutive ``ParsedFile`` pieces (blank rows already left out, row numbers
    the file's); reading a piece may raise ``FileProblem`` (a broken workbook, the row limit).
    ``fraction_read()`` tells how much of the file has been read so far (0 to 1), from which the
    engine estimates the row count while it reads (the progress bar).
    """

    headers: list[str]
    original_headers: list[str]
    chunks: Iterator[ParsedFile]
    fraction_read: Callable[[], float] = field(default=lambda: 0.0)
    # Releases what the reader holds (a workbook's archive) even when no chunk was ever read.
    release: Callable[[], None] = field(default=lambda: None)

    @classmethod
    def of(cls, parsed: ParsedFile, rows: int | None = None) -> TableStream:
        """A whole frame (an API body, a file read whole) in the same pieces."""
        n = len(parsed.frame)
        step = rows or chunk_rows()

        def pieces() -> Iterator[ParsedFile]:
            for start in range(0, n, step):
                yield ParsedFile(parsed.frame.iloc[start:start + step].reset_index(drop=True),
                                 parsed.row_numbers.iloc[start:start + step].reset_index(drop=True),
                                 parsed.headers, parsed.original_headers)

        return cls(parsed.headers, parsed.original_headers, pieces(), lambda: 1.0)


def detect_format(name: str, head: bytes) -> str:
    if head.startswith(XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def read_table(fh: IO[bytes], *, name: str = "", on_rows: Callable[[int], None] | None = None) -> ParsedFile:
    """The whole file as one frame (small files, tests). ``on_rows(n)`` is told how many rows have
    been read so far, a chunk at a time. Imports read files with :func:`stream_table`."""
    stream = stream_table(fh, name=name)
    pieces: list[ParsedFile] = []
    read = 0
    for piece in stream.chunks:
        pieces.append(piece)
        read += len(piece.frame)
        if on_rows is not None:
            on_rows(read)
    if not pieces:
        empty = pd.DataFrame({h: pd.Series(dtype=object) for h in stream.headers})
        return ParsedFile(empty, pd.Series([], dtype=np.int64), stream.headers, stream.original_headers)
    frame = pd.concat([p.frame for p in pieces], ignore_index=True) if len(pieces) > 1 else pieces[0].frame
    rows = pd.concat([p.row_numbers for p in pieces], ignore_index=True) if len(pieces) > 1 else pieces[0].row_numbers
    return ParsedFile(frame, rows, stream.headers, stream.original_headers)


def stream_table(fh: IO[bytes], *, name: str = "", rows: int | None = None) -> TableStream:
    """Read a CSV or XLSX file ``rows`` rows at a time (default: the ``IMPORT_CHUNK_ROWS`` setting,
    25,000; see :class:`TableStream`). The header is read (and checked) now; ``fh`` must stay open
    until the chunks have been read."""
    head = fh.read(4)
    fh.seek(0)
    if detect_format(name, head) == "xlsx":
        return _stream_xlsx(fh, rows or chunk_rows())
    return _stream_csv(fh, rows or chunk_rows())


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


BLOCK_BYTES = 1 << 22


@dataclass
class _TextScan:
    encoding: str
    empty: bool
    nul_line: int  # 0: no NUL character
    first_line: str
    size: int


def _scan_csv(fh: IO[bytes]) -> _TextScan:
    """The codec of a CSV file by the rules of :func:`decode_text`, whether it is empty, and the line
    of its first NUL character, read a block at a time without keeping the file or its text (only
    a refusal, or a UTF-16 file, reads it whole). ``fh`` is left at its start."""
    head = fh.read(4)
    fh.seek(0)
    utf16ish = len(head) >= 4 and (head[1:4:2] == b"\x00\x00" or head[0:4:2] == b"\x00\x00")
    if head.startswith(UTF32_BOMS) or head.startswith(UTF16_BOMS) or utf16ish:
        text = decode_text(fh.read())  # refuses UTF-32 and UTF-16 without a byte-order mark; checks UTF-16
        fh.seek(0)
        nul = text.find("\x00")
        return _TextScan("utf-16", not text.strip(), text.count("\n", 0, nul) + 1 if nul >= 0 else 0,
                         text.split("\n", 1)[0], len(text))
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    encoding, empty, nul_line, lines, size, first = "utf-8-sig", True, 0, 0, 0, b""
    try:
        while block := fh.read(BLOCK_BYTES):
            if not size:
                first = block.split(b"\n", 1)[0]
            decoder.decode(block)
            empty = empty and not block.removeprefix(codecs.BOM_UTF8 if not size else b"").strip()
            if not nul_line and (nul := block.find(b"\x00")) >= 0:
                nul_line = lines + block.count(b"\n", 0, nul) + 1
            lines += block.count(b"\n")
            size += len(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        fh.seek(0)
        decode_text(fh.read())  # refuses mixed or unreadable encodings with the line
        encoding = "cp1252"
        return _scan_rest(fh, encoding)
    fh.seek(0)
    return _TextScan(encoding, empty, nul_line, first.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace"), size)


def _scan_rest(fh: IO[bytes], encoding: str) -> _TextScan:
    """The same facts for a Windows-1252 file (already checked whole by :func:`decode_text`)."""
    fh.seek(0)
    empty, nul_line, lines, size, first = True, 0, 0, 0, b""
    while block := fh.read(BLOCK_BYTES):
        if not size:
            first = block.split(b"\n", 1)[0]
        empty = empty and not block.strip()
        if not nul_line and (nul := block.find(b"\x00")) >= 0:
            nul_line = lines + block.count(b"\n", 0, nul) + 1
        lines += block.count(b"\n")
        size += len(block)
    fh.seek(0)
    return _TextScan(encoding, empty, nul_line, first.decode(encoding, "replace"), size)


def _stream_csv(fh: IO[bytes], chunk_rows: int) -> TableStream:
    """A CSV file in chunks of rows (pandas' C parser, ``chunksize``), parsed from the file as it is
    read and decoded as the parser goes (a UTF-16 file, rare, is decoded whole first)."""
    scan = _scan_csv(fh)
    source: IO = io.StringIO(decode_text(fh.read())) if scan.encoding == "utf-16" else fh
    if scan.empty:
        raise FileProblem("The file is empty.")
    if scan.nul_line:
        raise FileProblem(f"Line {scan.nul_line} contains a NUL character: the file is probably not a CSV text file.")
    first_line, encoding = scan.first_line, scan.encoding
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        reader = pd.read_csv(
            source, sep=delimiter, dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False,
            header=0, engine="c", encoding=None if encoding == "utf-16" else encoding, chunksize=chunk_rows,
        )
        first = next(reader)
    except (pd.errors.ParserError, ValueError, StopIteration) as exc:
        raise FileProblem(f"The file could not be read as CSV: {exc}") from None
    original = [str(c) for c in first.columns]
    headers, keep = _columns_of(original)
    limit = max_rows()

    def pieces() -> Iterator[ParsedFile]:
        count = 0
        frame: pd.DataFrame | None = first
        try:
            while frame is not None:
                if count + len(frame) > limit:
                    raise FileProblem(
                        f"The file has more than {limit:,} rows of data, the most one import takes: split it into several files."
                    )
                piece = _piece(frame, count, keep)
                count += len(frame)
                if len(piece.frame):
                    yield ParsedFile(piece.frame, piece.row_numbers, headers, original)
                frame = next(reader, None)
        except (pd.errors.ParserError, ValueError) as exc:
            raise FileProblem(f"The file could not be read as CSV: {exc}") from None
        finally:
            reader.close()

    size = max(1, scan.size)
    return TableStream(headers, original, pieces(), lambda: min(1.0, source.tell() / size))


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
        parsed = read_table(io.BytesIO("".join(lines).encode("utf-8")), name="head.csv")
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


def _stream_xlsx(fh: IO[bytes], chunk_rows: int) -> TableStream:
    """Stream the first worksheet (openpyxl read-only mode for the workbook, its rows streamed by
    datahub.imports.xlsx) in chunks of rows: cells go straight
    into one list per kept column, each distinct short text kept once (codes, years and stages
    repeat on every row), so no more than a chunk of the sheet is ever in memory."""
    from xml.parsers.expat import ExpatError

    from openpyxl.utils.exceptions import InvalidFileException

    from .xlsx import FirstSheet

    _xlsx_limits_checked(fh)
    unreadable = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError,
                  ExpatError, AttributeError)
    try:
        wb = FirstSheet(fh)
    except unreadable as exc:
        raise FileProblem(f"The file could not be read as an Excel workbook (.xlsx): {exc}") from None
    try:
        rows = wb.rows()
        header = next(rows, None)
        if header is None:
            raise FileProblem("The first worksheet is empty.")
        original = [_cell_text(h) for h in header]
        while original and not original[-1]:
            original.pop()
        headers, keep = _columns_of(original)
    except unreadable as exc:
        wb.close()
        raise FileProblem(f"The workbook could not be read: {exc}") from None
    except FileProblem:
        wb.close()
        raise
    limit = max_rows()
    positions = list(keep.values())

    def pieces() -> Iterator[ParsedFile]:
        count = 0
        try:
            while True:
                columns: list[list[str]] = [[] for _ in keep]
                seen: list[dict[str, str]] = [{} for _ in keep]
                taken = 0
                for row in rows:
                    cells = len(row)
                    for i, position in enumerate(positions):
                        text = _cell_text(row[position]) if position < cells else ""
                        columns[i].append(seen[i].setdefault(text, text) if len(text) < 24 else text)
                    taken += 1
                    if taken == chunk_rows:
                        break
                if not taken:
                    return
                if count + taken > limit:
                    raise FileProblem(
                        f"The worksheet has more than {limit:,} rows of data, the most one import takes: split it into several files."
                    )
                data = {}
                for i, name in enumerate(keep):
                    array = np.empty(taken, dtype=object)
                    array[:] = columns[i]
                    data[name] = array
                del columns, seen
                frame = pd.DataFrame(data, copy=False) if keep else pd.DataFrame(index=range(taken))
                piece = _piece(frame, count, None)
                count += taken
                if len(piece.frame):
                    yield ParsedFile(piece.frame, piece.row_numbers, headers, original)
                if taken < chunk_rows:
                    return
        except unreadable as exc:
            raise FileProblem(f"The workbook could not be read: {exc}") from None
        finally:
            rows.close()
            wb.close()

    return TableStream(headers, original, pieces(), _fraction_of_sheet(wb, fh), wb.close)


def _fraction_of_sheet(wb: Any, fh: IO[bytes]) -> Callable[[], float]:
    """How much of the worksheet's compressed part has been read: the file's position within it."""
    try:
        info = wb.archive.getinfo(wb.path)
        start, size = info.header_offset, max(1, info.compress_size)
    except (AttributeError, KeyError):
        return lambda: 0.0

    def fraction() -> float:
        try:
            return min(1.0, max(0.0, (fh.tell() - start) / size))
        except (OSError, ValueError):
            return 0.0

    return fraction


def _columns_of(original: list[str]) -> tuple[list[str], dict[str, int]]:
    """The normalised headers (in file order) and the position of each named column kept: unnamed
    columns are dropped, and of a repeated name the first (by position) is kept."""
    headers = [normalise_header(h) for h in original]
    if not any(headers):
        raise FileProblem("The first row must name the columns (see the template).")
    keep: dict[str, int] = {}
    for position, header in enumerate(headers):
        if header and header not in keep:
            keep[header] = position
    return headers, keep


@dataclass
class _Piece:
    frame: pd.DataFrame
    row_numbers: pd.Series


def _piece(frame: pd.DataFrame, before: int, keep: dict[str, int] | None) -> _Piece:
    """Rows ``before + 1``... of the data (the header is row 1): the kept columns by name (``None``:
    ``frame`` has them already), blank rows (every cell empty or spaces) left out with their
    numbers, so a reported row is where it is."""
    if keep is not None:
        frame = frame.iloc[:, list(keep.values())]
        frame.columns = list(keep)
    # Both readers give text cells only (read_csv: dtype=str without NA parsing; xlsx: _cell_text).
    if frame.isna().to_numpy().any():
        frame = frame.fillna("")
    row_numbers = pd.Series(range(before + 2, before + len(frame) + 2), index=frame.index)
    if len(frame.columns):
        # Column by column, only the rows still possibly blank are looked at: usually the first
        # column already rules out every row.
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
    return _Piece(frame.reset_index(drop=True), row_numbers.reset_index(drop=True))


def _finish(frame: pd.DataFrame, original: list[str]) -> ParsedFile:
    headers, keep = _columns_of(original)
    piece = _piece(frame, 0, keep)
    return ParsedFile(piece.frame, piece.row_numbers, headers, original)


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
