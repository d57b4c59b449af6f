"""Reading a published CSV: encodings, headers matched by name, and where the files live."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str
    file_pattern: str  # glob in REFERENCE_DATA_DIR; the newest (by name) is used
    licence: str = LICENCE
    licence_url: str = LICENCE_URL


SCHOOL_LIST_SOURCE = Source(
    title="School contact list (school roll and contact details)",
    publisher="Scottish Government",
    url="https://www.gov.scot/publications/school-contact-list/",
    file_pattern="school-contact-list-*.csv",
)
SIMD_SOURCE = Source(
    title="Scottish Index of Multiple Deprivation 2020 version 2, by data zone",
    publisher="Scottish Government",
    url="https://www.gov.scot/collections/scottish-index-of-multiple-deprivation-2020/",
    file_pattern="simd2020v2*.csv",
)


class ReferenceDataError(Exception):
    """A reference file cannot be loaded. ``problems`` lists (row, column, value, reason)."""

    def __init__(self, message: str, problems: Sequence[tuple[int, str, str, str]] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def reference_files() -> dict[str, Path | None]:
    """The newest school list and SIMD file in ``settings.REFERENCE_DATA_DIR`` (None when absent)."""
    folder = getattr(settings, "REFERENCE_DATA_DIR", None)
    found: dict[str, Path | None] = {"school_list": None, "simd": None}
    if not folder or not Path(folder).is_dir():
        return found
    for key, source in (("school_list", SCHOOL_LIST_SOURCE), ("simd", SIMD_SOURCE)):
        matches = sorted(Path(folder).glob(source.file_pattern))
        found[key] = matches[-1] if matches else None
    return found


def normalise(header: str) -> str:
    """``Seed Code``, ``seed_code`` and ``SeedCode`` are one name."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 as older lists were saved."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_rows(
    fh: IO[bytes], wanted: Mapping[str, Sequence[str]], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(file row number, {field: value}) for each data row; the header row is row 1.

    ``wanted`` maps our field to the header names (normalised) it may have in any year's file; a
    header matches the first field whose names include it. Missing required columns are one error.
    """
    text = decode(fh.read())
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ReferenceDataError("The file is empty.") from None
    names = [normalise(h) for h in header]
    position: dict[str, int] = {}
    for field, aliases in wanted.items():
        for alias in aliases:
            if alias in names:
                position[field] = names.index(alias)
                break
    missing = [f"{wanted[f][0]}" for f in required if f not in position]
    if missing:
        raise ReferenceDataError(
            "The file lacks these columns (matched by name, in any order): " + ", ".join(missing) + "."
        )
    for n, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        yield n, {f: (row[i].strip() if i < len(row) else "") for f, i in position.items()}
