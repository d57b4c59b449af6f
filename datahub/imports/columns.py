"""Column types of import files, validated a whole column at a time (vectorised with pandas).

Every value arrives as text (CSV cells, XLSX cells turned into text, API JSON values). A column's
``check`` returns the cleaned values and the problems found, each as a boolean mask over the
rows with the reason to show. Reasons say what is wrong and what would be right, in words a
data manager can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..codes import SCN_RE

STRUCTURED = "\x00structured"  # what an API list/object value becomes (datahub.imports.parsing)
TRUE_WORDS = frozenset({"y", "yes", "true", "1", "t"})
FALSE_WORDS = frozenset({"n", "no", "false", "0", "f"})


@dataclass
class Problem:
    """Rows (mask) of one column that break one rule."""

    column: str
    mask: np.ndarray
    reason: str
    warning: bool = False
    # Text shown as the value; defaults to the raw cell.
    cell_values: pd.Series | None = None
    # The row is for a place outside the uploader's import scope (the whole import is refused).
    scope: bool = False


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``type``: text, int, bool, date, choice, scn, seed, datazone. ``choices`` maps each accepted
    spelling (lower case) to the stored code. ``required`` columns must be present in the header
    and filled in every row; optional columns may be left out or blank (``default`` is used).
    """

    name: str
    type: str = "text"
    required: bool = True
    help: str = ""
    example: str = ""
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: Mapping[str, str] = field(default_factory=dict)
    default: str | int | bool | None = None
    min_date: dt.date | None = None
    max_date: dt.date | None = None

    @property
    def accepted(self) -> str:
        """A short description of what the column accepts (documentation and templates)."""
        if self.type == "choice":
            codes = sorted(set(self.choices.values()))
            return "one of " + ", ".join(codes)
        return {
            "text": f"text{f' up to {self.max_length} characters' if self.max_length else ''}",
            "code": f"code{f' up to {self.max_length} characters' if self.max_length else ''}",
            "int": f"whole number{self._range()}",
            "bool": "Y or N (also yes/no, true/false, 1/0)",
            "date": "date as YYYY-MM-DD or DD/MM/YYYY",
            "scn": "Scottish Candidate Number: 9 digits with a valid check digit",
            "seed": "SEED code: 7 digits",
            "datazone": "2011 data zone code, S01 and 6 digits",
        }.get(self.type, self.type)

    def _range(self) -> str:
        if self.min_value is not None and self.max_value is not None:
            return f" from {self.min_value} to {self.max_value}"
        return ""

    def check(self, raw: pd.Series) -> tuple[pd.Series, list[Problem]]:
        """Clean ``raw`` (text) and list the problems. Blank cells in optional columns take the default.

        Real files repeat values heavily (a school's SEED code, award types, years, a learner's SCN
        on each of their results), so each distinct value is checked once and the verdicts are
        spread back to the rows: a million rows cost about as much as their distinct values.
        """
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object), sort=False)
        cleaned_u, problems = self._check_distinct(pd.Series(uniques, dtype=object))
        for p in problems:
            p.mask = p.mask[codes]
            if p.cell_values is not None:
                p.cell_values = pd.Series(np.asarray(p.cell_values, dtype=object)[codes], index=raw.index)
        cleaned = pd.Series(cleaned_u.to_numpy()[codes], index=raw.index)
        if cleaned_u.dtype.kind in "iub":
            cleaned = cleaned.astype(cleaned_u.dtype)
        return cleaned, problems

    def _check_distinct(self, raw: pd.Series) -> tuple[pd.Series, list[Problem]]:
        text = raw.astype(str)
        problems: list[Problem] = []
        # API values that are lists/objects, and NUL characters, can be neither checked nor stored.
        structured = (text == STRUCTURED).to_numpy()
        nul = text.str.contains("\x00", regex=False).to_numpy() & ~structured
        if structured.any():
            problems.append(Problem(self.name, structured, "Must be a single value, not a list or object."))
        if nul.any():
            problems.append(Problem(self.name, nul, "Contains a NUL character, which cannot be stored."))
        unusable = structured | nul
        text = text.where(~unusable, "").str.strip()
        blank = (text == "").to_numpy()
        checked = blank & ~unusable
        if self.required and checked.any():
            problems.append(Problem(self.name, checked, "A value is required here."))
        checker = getattr(self, f"_check_{self.type}")
        cleaned, more = checker(text, blank)
        problems.extend(more)
        if not self.required and self.default is not None and blank.any():
            cleaned = cleaned.astype(object) if cleaned.dtype.kind not in "O" else cleaned.copy()
            cleaned[blank] = self.default
            if isinstance(self.default, bool):
                cleaned = cleaned.astype(bool)
            elif isinstance(self.default, int):
                cleaned = cleaned.astype("int64")
        return cleaned, problems

    # --- one checker per type -----------------------------------------------------------------

    def _check_text(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        problems = []
        if self.max_length:
            too_long = (text.str.len() > self.max_length).to_numpy() & ~blank
            if too_long.any():
                problems.append(Problem(self.name, too_long, f"Longer than {self.max_length} characters."))
        return text, problems

    def _check_code(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        return self._check_text(text.str.upper(), blank)

    def _check_int(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        # Spreadsheets write whole numbers as "12.0"; accept that, but not "12.5".
        stripped = text.str.replace(r"\.0+$", "", regex=True)
        ok = stripped.str.fullmatch(r"[+-]?\d{1,9}").fillna(False).to_numpy()
        bad = ~ok & ~blank
        problems = []
        if bad.any():
            problems.append(Problem(self.name, bad, f"Not a whole number; expected a whole number{self._range()}."))
        numbers = pd.to_numeric(stripped.where(ok, "0"), errors="coerce").fillna(0).astype("int64")
        checkable = ok & ~blank
        if self.min_value is not None or self.max_value is not None:
            lo = self.min_value if self.min_value is not None else -(2**62)
            hi = self.max_value if self.max_value is not None else 2**62
            out = checkable & ((numbers < lo) | (numbers > hi)).to_numpy()
            if out.any():
                problems.append(Problem(self.name, out, f"Out of range: must be{self._range()}."))
        return numbers, problems

    def _check_bool(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        lower = text.str.lower()
        is_true = lower.isin(TRUE_WORDS).to_numpy()
        is_false = lower.isin(FALSE_WORDS).to_numpy()
        bad = ~(is_true | is_false) & ~blank
        problems = [Problem(self.name, bad, "Not a yes/no value; use Y or N.")] if bad.any() else []
        return pd.Series(is_true, index=text.index, dtype=bool), problems

    def _check_date(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        # XLSX cells carry a time part: "2024-06-30 00:00:00".
        stamp = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce")
        parsed = iso.fillna(uk).fillna(stamp)
        bad = parsed.isna().to_numpy() & ~blank
        problems = []
        if bad.any():
            problems.append(Problem(self.name, bad, "Not a date (or no such day); use YYYY-MM-DD or DD/MM/YYYY."))
        out = parsed.dt.strftime("%Y-%m-%d").fillna("")
        if self.min_date or self.max_date:
            lo = pd.Timestamp(self.min_date or dt.date(1900, 1, 1))
            hi = pd.Timestamp(self.max_date or dt.date(2100, 12, 31))
            out_of_range = (~parsed.isna() & ((parsed < lo) | (parsed > hi))).to_numpy()
            if out_of_range.any():
                problems.append(
                    Problem(self.name, out_of_range, f"Date out of range: must be between {lo:%Y-%m-%d} and {hi:%Y-%m-%d}.")
                )
        return out, problems

    def _check_choice(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        mapped = text.str.lower().map(dict(self.choices))
        bad = mapped.isna().to_numpy() & ~blank
        problems = []
        if bad.any():
            problems.append(Problem(self.name, bad, f"Unknown code; expected {self.accepted}."))
        return mapped.fillna(""), problems

    def _check_scn(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        return text, scn_problems(self.name, text, blank)

    def _check_seed(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        return text, seed_problems(self.name, text, blank)

    def _check_datazone(self, text: pd.Series, blank: np.ndarray) -> tuple[pd.Series, list[Problem]]:
        upper = text.str.upper()
        bad = ~upper.str.fullmatch(r"S01\d{6}").fillna(False).to_numpy() & ~blank
        problems = [Problem(self.name, bad, "Not a 2011 data zone code (S01 followed by 6 digits).")] if bad.any() else []
        return upper, problems


SCN_WEIGHTS = np.array([3, 2, 7, 6, 5, 4, 3, 2])
SEED_WEIGHTS = np.array([7, 6, 5, 4, 3, 2])


def _digits(text: pd.Series, ok: np.ndarray, width: int) -> np.ndarray:
    """An (n, width) array of the digits of the rows where ``ok`` (zeros elsewhere)."""
    filled = text.where(ok, "0" * width).to_numpy(dtype=f"<U{width}")
    return (np.frombuffer(filled.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(-1, width) - 48).astype(
        np.int64
    ) if len(filled) else np.zeros((0, width), dtype=np.int64)


def scn_problems(column: str, text: pd.Series, blank: np.ndarray) -> list[Problem]:
    """SCN: 9 digits; check digit from weights 3,2,7,6,5,4,3,2 (datahub.codes.scn_check_digit)."""
    fmt = text.str.fullmatch(SCN_RE.pattern[1:-1]).fillna(False).to_numpy()
    problems = []
    bad_format = ~fmt & ~blank
    if bad_format.any():
        short = text.str.fullmatch(r"\d{1,8}").fillna(False).to_numpy() & bad_format
        if short.any():
            problems.append(Problem(column, short, "An SCN is 9 digits; this has fewer (a leading zero may have been lost in a spreadsheet)."))
        rest = bad_format & ~short
        if rest.any():
            problems.append(Problem(column, rest, "Not a Scottish Candidate Number: it must be 9 digits."))
    if fmt.any():
        d = _digits(text, fmt, 9)
        remainder = (d[:, :8] * SCN_WEIGHTS).sum(axis=1) % 11
        check = np.where(remainder == 0, 0, 11 - remainder)
        bad_check = fmt & ((remainder == 1) | (check != d[:, 8]))
        if bad_check.any():
            problems.append(Problem(column, bad_check, "This SCN fails its check digit: check it was typed correctly."))
    return problems


def seed_problems(column: str, text: pd.Series, blank: np.ndarray) -> list[Problem]:
    """SEED: 7 digits (an error otherwise); a check-digit mismatch is a warning (two real codes break it)."""
    fmt = text.str.fullmatch(r"\d{7}").fillna(False).to_numpy()
    problems = []
    bad = ~fmt & ~blank
    if bad.any():
        problems.append(Problem(column, bad, "Not a SEED code: it must be 7 digits."))
    if fmt.any():
        d = _digits(text, fmt, 7)
        check = (11 - (d[:, :6] * SEED_WEIGHTS).sum(axis=1) % 11) % 11
        check = np.where(check == 10, 0, check)
        mismatch = fmt & (check != d[:, 6])
        if mismatch.any():
            problems.append(
                Problem(column, mismatch, "The SEED check digit does not match (accepted: a few real codes break it).",
                        warning=True)
            )
    return problems


def choices_from(pairs: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Accept each code and its label, case-insensitively: [("N5", "National 5")] -> {"n5": "N5", "national 5": "N5"}."""
    out: dict[str, str] = {}
    for code, label in pairs:
        out[str(code).lower()] = str(code)
        out[str(label).lower()] = str(code)
    return out


HEADER_RE = re.compile(r"[\s\-]+")


def normalise_header(name: object) -> str:
    return HEADER_RE.sub("_", str(name if name is not None else "").strip().lower()).strip("_")
