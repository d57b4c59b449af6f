"""Files as their sources export them: mapping a file's own columns and values onto a kind's.

A census export from a school's management information system says ``Forename``, ``Gender`` and
``Female`` where the portal's learners file says ``given_name``, ``sex`` and ``F``. A ``Mapping``
says which of the file's columns is which of the kind's, and how the file's values of a column
read as the portal's; ``propose`` guesses one from the names of the columns and from sample
values (a column whose values pass the check of ``scn`` is probably the SCN); ``apply`` turns a
parsed file into the frame the kind expects, with the file's row numbers, so every existing check
runs on it unchanged; ``relabel`` names the file's own columns in the errors found.

Mappings are saved as named profiles (datahub.models.ImportMappingProfile); the next file with the
same headers (``signature``) uses its profile without asking.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

from .columns import Column, normalise_header
from .parsing import ParsedFile, TableStream
from .types import ImportKind, RowError

SAMPLE_ROWS = 200
MAX_DISTINCT_VALUES = 40  # value mappings are offered for a column with at most this many distinct values
GOOD_ENOUGH = 0.55

# Other names sources give the portal's columns (normalised: lower case, underscores).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "scn": ("candidate_number", "scottish_candidate_number", "pupil_scn", "scn_number", "candidate_no"),
    "given_name": ("forename", "first_name", "firstname", "legal_forename", "preferred_forename", "christian_name"),
    "family_name": ("surname", "last_name", "lastname", "legal_surname", "preferred_surname"),
    "date_of_birth": ("dob", "birth_date", "birthdate", "date_born"),
    "sex": ("gender", "legal_sex", "sex_code"),
    "data_zone": ("datazone", "dz", "data_zone_2011", "home_data_zone"),
    "simd_decile": ("simd", "simd_2020_decile", "simd_decile_2020", "deprivation_decile"),
    "asn": ("additional_support_needs", "asn_flag", "support_needs", "has_asn"),
    "care_experienced": ("looked_after", "lac", "looked_after_child", "care_experience"),
    "fsm": ("free_school_meals", "fme", "fsm_registered", "fsm_eligible"),
    "seed_code": ("seed", "seed_number", "school_seed", "school_code", "centre_code", "seed_no"),
    "year": ("census_year", "session", "academic_year", "school_year", "exam_year"),
    "stage": ("year_group", "class_stage", "pupil_stage", "current_stage"),
    "subject_code": ("subject", "subject_id", "course_code"),
    "award_type": ("award", "qualification_type", "course_type", "qualification"),
    "scqf_level": ("level", "scqf"),
    "scqf_credits": ("credits", "credit_points"),
    "grade": ("result", "band", "course_result"),
    "leaver_year": ("leaving_year", "year_left"),
    "leaving_date": ("date_left", "leave_date", "date_of_leaving"),
}


@dataclass
class Mapping:
    """``columns``: kind column -> the file's header (normalised); ``translations``: kind column -> {file value: portal value}."""

    columns: dict[str, str] = field(default_factory=dict)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # the file's header as written, by normalised header


def signature(headers: Iterable[str]) -> str:
    """One identity for a set of column headings (order and spelling of case/spaces do not matter)."""
    names = sorted({normalise_header(h) for h in headers if normalise_header(h)})
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def headers_are_ours(kind: ImportKind, parsed: ParsedFile | TableStream) -> bool:
    """The file already uses the kind's columns (every required one present): no mapping needed."""
    return all(c in parsed.headers for c in kind.required_columns)


# --- applying a mapping ----------------------------------------------------------------------


def apply_stream(kind: ImportKind, stream: TableStream, mapping: Mapping) -> TableStream:
    """:func:`apply` to each chunk of a streamed file, as it is read."""
    present = {h for h in stream.headers if h}
    headers = [c.name for c in kind.columns if mapping.columns.get(c.name, "") in present]
    chunks = (apply(kind, piece, mapping) for piece in stream.chunks)
    return TableStream(headers, headers, chunks, stream.fraction_read, stream.release)


def apply(kind: ImportKind, parsed: ParsedFile, mapping: Mapping) -> ParsedFile:
    """The file as the kind reads it: the mapped columns renamed, their values translated; the
    file's other columns left out (the profile chose to ignore them), row numbers kept."""
    out: dict[str, pd.Series] = {}
    for column in kind.columns:
        source = mapping.columns.get(column.name, "")
        if not source or source not in parsed.frame.columns:
            continue
        series = parsed.frame[source]
        table = mapping.translations.get(column.name)
        if table:
            series = translate(series, table)
        out[column.name] = series
    frame = pd.DataFrame(out, index=parsed.frame.index) if out else pd.DataFrame(index=parsed.frame.index)
    headers = list(out)
    return ParsedFile(frame, parsed.row_numbers, headers, headers)


def translate(series: pd.Series, table: dict[str, str]) -> pd.Series:
    """Each value found in ``table`` (as written, or ignoring case and surrounding spaces) becomes its
    mapped value; others are left as they are (and checked as they are)."""
    folded = {k.strip().casefold(): v for k, v in table.items()}
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), sort=False)
    if not len(uniques):
        return series
    mapped = np.array([table.get(u, folded.get(str(u).strip().casefold(), u)) for u in uniques], dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def relabel(errors: list[RowError], mapping: Mapping) -> list[RowError]:
    """Errors name the file's own column (``Gender``), and the portal's in brackets (``Gender (sex)``)."""
    names = {ours: mapping.labels.get(theirs, theirs) for ours, theirs in mapping.columns.items() if theirs}
    out = []
    for e in errors:
        label = names.get(e.column)
        out.append(
            RowError(e.row, f"{label} ({e.column})" if label and label != e.column else e.column, e.value, e.reason)
        )
    return out


# --- proposing a mapping ---------------------------------------------------------------------


def _name_score(ours: str, theirs: str) -> float:
    if theirs == ours:
        return 1.0
    names = (ours, *SYNONYMS.get(ours, ()))
    if theirs in names:
        return 0.95
    best = max(SequenceMatcher(None, theirs, n).ratio() for n in names)
    tokens = set(theirs.split("_"))
    if any(set(n.split("_")) <= tokens for n in names):  # "pupil_forename" contains "forename"
        best = max(best, 0.85)
    return best


def value_fit(column: Column, sample: pd.Series) -> float:
    """The share of the sample's non-blank values that pass the column's own check."""
    filled = sample[sample.str.strip() != ""]
    if not len(filled):
        return 0.0
    _cleaned, problems = column.check(filled.reset_index(drop=True))
    bad = np.zeros(len(filled), dtype=bool)
    for p in problems:
        if not p.warning:
            bad |= np.asarray(p.mask, dtype=bool)
    return float(1 - bad.mean())


def propose(kind: ImportKind, parsed: ParsedFile) -> Mapping:
    """A first guess: each kind column takes the file column with the best score, each file column
    used once. Names weigh most; sample values decide between similar names and find a column by
    its content (SCNs, SEED codes, data zones, dates) when its name says nothing."""
    sample = parsed.frame.head(SAMPLE_ROWS)
    scores: list[tuple[float, str, str]] = []
    for column in kind.columns:
        for theirs in parsed.headers:
            if not theirs:
                continue
            name = _name_score(column.name, theirs)
            if column.type == "text":
                score = name
            else:
                fit = value_fit(column, sample[theirs].astype(str)) if theirs in sample.columns else 0.0
                score = 0.6 * name + 0.4 * fit if name >= 0.5 else 0.35 * name + 0.45 * fit
            scores.append((score, column.name, theirs))
    mapping = Mapping(labels=dict(zip(parsed.headers, parsed.original_headers, strict=False)))
    taken: set[str] = set()
    for score, ours, theirs in sorted(scores, key=lambda t: -t[0]):
        if score < GOOD_ENOUGH or ours in mapping.columns or theirs in taken:
            continue
        mapping.columns[ours] = theirs
        taken.add(theirs)
    for column in kind.columns:
        source = mapping.columns.get(column.name)
        if source and column.type in ("choice", "bool"):
            proposed = propose_values(column, distinct_values(parsed.frame[source]))
            if proposed:
                mapping.translations[column.name] = proposed
    return mapping


def distinct_values(series: pd.Series, cap: int = MAX_DISTINCT_VALUES) -> list[str]:
    """The distinct non-blank values of a column (in order of first appearance), or [] when there are too many."""
    uniques = pd.unique(series.to_numpy(dtype=object))
    values = [str(u) for u in uniques if str(u).strip()]
    return values if len(values) <= cap else []


def accepted_codes(column: Column) -> list[str]:
    if column.type == "bool":
        return ["Y", "N"]
    return sorted(set(column.choices.values()))


def propose_values(column: Column, values: list[str]) -> dict[str, str]:
    """For each value the column would refuse, the code it most probably means (``Female`` -> ``F``,
    ``Yes`` -> ``Y``, ``Secondary 4`` -> ``S4``); values accepted as they are map to themselves
    only in the page, not in the profile."""
    out: dict[str, str] = {}
    codes = accepted_codes(column)
    for value in values:
        if accepts(column, value):
            continue
        guess = guess_code(value, codes)
        if guess:
            out[value] = guess
    return out


def accepts(column: Column, value: str) -> bool:
    _cleaned, problems = column.check(pd.Series([value], dtype=object))
    return not any(p.mask.any() and not p.warning for p in problems)


def guess_code(value: str, codes: list[str]) -> str:
    text = value.strip().casefold()
    if not text:
        return ""
    for code in codes:  # "Secondary 4" / "S4 pupil" / "Year S4": the code's letters and digits in order
        letters, digits = re.sub(r"\d", "", code).casefold(), re.sub(r"\D", "", code)
        if digits and re.search(rf"(^|\D){digits}(\D|$)", text) and text.startswith(letters[:1]):
            return code
    starts = [c for c in codes if not re.search(r"\d", c) and text.startswith(c.casefold())]
    if len(starts) == 1:
        return starts[0]
    if text in ("true", "1", "t"):
        return "Y" if "Y" in codes else ""
    if text in ("false", "0"):
        return "N" if "N" in codes else ""
    return ""


# --- previewing --------------------------------------------------------------------------------


@dataclass
class PreviewCell:
    value: str
    problem: str = ""


def preview(
    kind: ImportKind, parsed: ParsedFile, mapping: Mapping, rows: int = 10
) -> tuple[list[str], list[tuple[int, list[PreviewCell]]]]:
    """The first ``rows`` rows as the portal would read them: each mapped column's cleaned value, or
    the reason its check refuses it (reference checks such as unknown SCNs come with the import)."""
    head = ParsedFile(parsed.frame.head(rows), parsed.row_numbers.head(rows), parsed.headers, parsed.original_headers)
    mapped = apply(kind, head, mapping)
    columns = [c for c in kind.columns if c.name in mapped.frame.columns]
    cells: dict[str, list[PreviewCell]] = {}
    for column in columns:
        cleaned, problems = column.check(mapped.frame[column.name].reset_index(drop=True))
        reasons = [""] * len(cleaned)
        for p in problems:
            for pos in np.flatnonzero(p.mask).tolist():
                reasons[pos] = reasons[pos] or p.reason
        cells[column.name] = [PreviewCell(_shown(v), r) for v, r in zip(cleaned.tolist(), reasons, strict=True)]
    out = []
    for i, row in enumerate(mapped.row_numbers.tolist()):
        out.append((int(row), [cells[c.name][i] for c in columns]))
    return [c.name for c in columns], out


def _shown(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "Y" if value else "N"
    return "" if value is None else str(value)
