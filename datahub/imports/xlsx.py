"""The rows of a workbook's first worksheet, streamed from its XML with expat.

openpyxl (read-only mode) still opens the workbook and reads what the worksheet refers to: the
shared strings, which cell styles are dates, the date epoch. Its own read-only row reader is not
used for the rows: it parses the sheet with ``xml.etree`` ``iterparse``, which keeps every parsed
(and cleared) ``<row>`` element attached to the sheet's root until the end, about 100 bytes per
row (a 100 MB climb over a million-row sheet), and it builds each cell through a general-purpose
path. This reader keeps nothing of a row once it is handed on, and converts the values exactly as
openpyxl's reader does with ``data_only=True`` (numbers, shared and inline strings, booleans,
dates by cell style, ISO dates, errors as their text; formulas as their cached value). Like
``iter_rows(values_only=True)``, rows missing from the XML come out empty and missing cells None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterator
from typing import IO, Any
from xml.parsers import expat

BLOCK = 1 << 16


def _column_index(ref: str) -> int:
    """1-based column of a cell reference such as ``AB12``."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n


def _row_index(ref: str) -> int:
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return int(digits) if digits.isdigit() else 0


class SheetRows:
    """Rows (tuples of values) of one worksheet part, parsed a block of XML at a time."""

    def __init__(self, source: IO[bytes], shared_strings: list[Any], date_styles: set[int],
                 timedelta_styles: set[int], epoch: dt.datetime) -> None:
        self.source = source
        self.shared = shared_strings
        self.dates = date_styles
        self.timedeltas = timedelta_styles
        self.epoch = epoch
        self.done: list[tuple[int, dict[int, Any]]] = []
        self._row: dict[int, Any] | None = None
        self._row_no = 0
        self._col = 0
        self._type = "n"
        self._style = 0
        self._text: list[str] = []
        self._collect = False
        self._in_inline = False
        self._in_phonetic = False
        self._has_value = False

    # --- expat handlers (tags arrive as "namespace}local" or plain "local") -------------------

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        name = tag.rpartition("}")[2]
        if name == "c":
            ref = attrs.get("r")
            self._col = _column_index(ref) if ref else self._col + 1
            self._type = attrs.get("t", "n")
            style = attrs.get("s")
            self._style = int(style) if style else 0
            self._text = []
            self._has_value = False
        elif name == "v" and not self._in_inline:
            self._collect, self._has_value = True, True
            self._text = []
        elif name == "is":
            self._in_inline = True
            self._has_value = True
        elif name == "rPh":
            self._in_phonetic = True
        elif name == "t" and self._in_inline and not self._in_phonetic:
            self._collect = True
        elif name == "row":
            ref = attrs.get("r")
            self._row_no = int(ref) if ref and ref.isdigit() else self._row_no + 1
            self._row = {}
            self._col = 0

    def _end(self, tag: str) -> None:
        name = tag.rpartition("}")[2]
        if name in ("v", "t"):
            self._collect = False
        elif name == "rPh":
            self._in_phonetic = False
        elif name == "is":
            self._in_inline = False
        elif name == "c":
            if self._row is not None and self._has_value:
                value = self._value("".join(self._text))
                if value is not None:
                    self._row[self._col] = value
        elif name == "row":
            if self._row is not None:
                self.done.append((self._row_no, self._row))
            self._row = None

    def _chars(self, data: str) -> None:
        if self._collect:
            self._text.append(data)

    def _value(self, text: str) -> Any:
        kind = self._type
        if kind == "inlineStr":
            return text
        if text == "":
            return None
        if kind == "n":
            number: int | float = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            if self._style in self.dates:
                from openpyxl.utils.datetime import from_excel

                try:
                    return from_excel(number, self.epoch, timedelta=self._style in self.timedeltas)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.shared[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        return text  # "str" (a formula's text), "e" (an error such as #N/A)

    # --- rows -----------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        expected = 1
        while True:
            block = self.source.read(BLOCK)
            parser.Parse(block, not block)
            rows, self.done = self.done, []
            for number, cells in rows:
                if number < expected:  # out of order: openpyxl skips it too
                    continue
                while expected < number:  # rows absent from the XML are empty
                    expected += 1
                    yield ()
                expected += 1
                if not cells:
                    yield ()
                    continue
                width = max(cells)
                yield tuple(cells.get(i) for i in range(1, width + 1))
            if not block:
                return


class FirstSheet:
    """A workbook opened for its first worksheet: openpyxl reads the parts the sheet refers to
    (workbook, shared strings, styles). ``openpyxl.load_workbook(read_only=True)`` is not used:
    for a sheet without a ``<dimension>`` (openpyxl's own write-only files have none), it parses
    the whole sheet once just to size it, keeping every row element: half a minute and 100 MB for
    a million rows, before the first row is read."""

    def __init__(self, fh: IO[bytes]) -> None:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        reader = ExcelReader(fh, read_only=True, keep_vba=False, data_only=True, keep_links=False)
        self.archive = reader.archive
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            paths = [rel.target for _sheet, rel in reader.parser.find_sheets()
                     if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
        except BaseException:
            self.archive.close()
            raise
        if not paths:
            self.archive.close()
            raise IndexError("the workbook has no worksheet")
        self.path = paths[0]
        self.shared_strings = reader.shared_strings
        self.date_styles: set[int] = set(reader.wb._date_formats)
        self.timedelta_styles: set[int] = set(reader.wb._timedelta_formats)
        self.epoch = reader.wb.epoch

    def rows(self) -> Generator[tuple[Any, ...], None, None]:
        """The sheet's rows, streamed."""
        with self.archive.open(self.path) as source:
            yield from SheetRows(source, self.shared_strings, self.date_styles, self.timedelta_styles, self.epoch)

    def close(self) -> None:
        self.archive.close()
