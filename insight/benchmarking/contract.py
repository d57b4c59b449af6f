"""The input contract: what the loader hands the engine, checked once at the door.

Every public entry point that takes raw frames calls :func:`check_leavers` / :func:`check_results`
so the maths below can trust dtypes and value ranges. Checks fail loudly (``ValueError`` naming
the offending column) rather than guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from . import columns as c

LEAVER_DTYPES: Final[Mapping[str, str]] = {
    c.LEAVER_ID: "int64",
    c.ESTABLISHMENT_ID: "int64",
    c.AUTHORITY_ID: "int64",
    c.SEED_CODE: "object",
    c.YEAR: "int64",
    c.SEX: "object",
    c.ASN: "bool",
    c.STAGE: "int64",
    c.SIMD_DECILE: "int64",
    c.CARE_EXPERIENCED: "bool",
    c.FSM: "bool",
    c.INITIAL_POSITIVE: "float64",
    c.FOLLOWUP_POSITIVE: "float64",
}

RESULT_DTYPES: Final[Mapping[str, str]] = {
    c.LEAVER_ID: "int64",
    c.SUBJECT_ID: "int64",
    c.SCQF_LEVEL: "int64",
    c.POINTS: "float64",
    c.LITERACY: "bool",
    c.NUMERACY: "bool",
}

# Columns that may hold NaN: "no destination recorded".
_NULLABLE: Final = frozenset({c.INITIAL_POSITIVE, c.FOLLOWUP_POSITIVE})


def _require_columns(df: pd.DataFrame, wanted: Iterable[str], what: str) -> None:
    missing = [col for col in wanted if col not in df.columns]
    if missing:
        raise ValueError(f"{what} frame is missing columns: {', '.join(missing)}")


def _checked_columns(df: pd.DataFrame, dtypes: Mapping[str, str], what: str) -> dict[str, np.ndarray]:
    """The contract columns of ``df`` as arrays of the contract dtypes, missing values refused.

    A column that already has its dtype is passed through without a copy (the callers never
    write into it); text columns are converted with ``str`` element by element.
    """
    out = {}
    for col, dtype in dtypes.items():
        series = df[col]
        if dtype == "object" and series.dtype == object:
            values = series.to_numpy()
            # All text, nothing missing (one C pass): exactly what ``astype(str)`` would give.
            if pd.api.types.infer_dtype(values, skipna=False) == "string":
                out[col] = values
                continue
        # numpy integer and boolean columns cannot hold a missing value: no scan needed.
        if col not in _NULLABLE and series.dtype.kind not in "iub" and series.isna().any():
            raise ValueError(f"{what}.{col} has missing values")
        try:
            if dtype == "object":
                out[col] = series.astype(str).to_numpy(dtype=object)
            else:
                out[col] = series.to_numpy(dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{what}.{col} cannot be read as {dtype}: {exc}") from exc
    return out


def _check_leaver_values(columns: Mapping[str, np.ndarray], *, ids_sorted: bool = False) -> None:
    """The value checks of :func:`check_leavers` on contract columns (``ids_sorted``: the ids are
    known to be in ascending order, so duplicates are neighbours)."""
    ids = columns[c.LEAVER_ID]
    duplicated = (ids[1:] == ids[:-1]).any() if ids_sorted else len(np.unique(ids)) != len(ids)
    if duplicated:
        raise ValueError("leavers.leaver_id must be unique")
    decile = columns[c.SIMD_DECILE]
    if ((decile < 1) | (decile > 10)).any():
        raise ValueError("leavers.simd_decile must be between 1 and 10")
    for col in (c.INITIAL_POSITIVE, c.FOLLOWUP_POSITIVE):
        values = columns[col]
        if not ((values == 0.0) | (values == 1.0) | np.isnan(values)).all():
            raise ValueError(f"leavers.{col} must be 1.0, 0.0 or NaN")


def checked_leaver_columns(leavers: pd.DataFrame, *, sort_by_id: bool = False) -> dict[str, np.ndarray]:
    """:func:`check_leavers` as a dict of arrays, without building a frame (for the leaver table).

    With ``sort_by_id`` the rows come in ``leaver_id`` order (input already in that order is
    not copied) and the uniqueness check compares neighbours instead of sorting again. Raises
    exactly what :func:`check_leavers` raises.
    """
    _require_columns(leavers, c.LEAVER_COLUMNS, "leavers")
    out = _checked_columns(leavers, LEAVER_DTYPES, "leavers")
    if sort_by_id:
        ids = out[c.LEAVER_ID]
        if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
            order = np.argsort(ids, kind="stable")
            out = {name: values[order] for name, values in out.items()}
    _check_leaver_values(out, ids_sorted=sort_by_id)
    return out


def checked_result_columns(results: pd.DataFrame) -> dict[str, np.ndarray]:
    """:func:`check_results` as a dict of arrays, without building a frame (for the leaver table)."""
    _require_columns(results, c.RESULT_COLUMNS, "results")
    out = _checked_columns(results, RESULT_DTYPES, "results")
    if (out[c.POINTS] < 0).any():
        raise ValueError("results.points must not be negative")
    return out


def check_leavers(leavers: pd.DataFrame) -> pd.DataFrame:
    """Validate the leavers frame and return a copy holding only contract columns and dtypes.

    Checks: every contract column present; no missing values except the two destination
    columns; ``leaver_id`` unique; ``simd_decile`` in 1..10; destinations are 1.0, 0.0 or NaN.
    """
    return pd.DataFrame(checked_leaver_columns(leavers))


def check_results(results: pd.DataFrame) -> pd.DataFrame:
    """Validate the results frame and return a copy holding only contract columns and dtypes.

    Checks: every contract column present, none missing, ``points`` not negative.
    """
    return pd.DataFrame(checked_result_columns(results))


def leavers_from_records(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a checked leavers frame from dicts (fixtures, demos, the synthetic generator)."""
    return check_leavers(pd.DataFrame.from_records(list(records), columns=list(c.LEAVER_COLUMNS)))


def results_from_records(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Build a checked results frame from dicts; an empty iterable gives an empty, typed frame."""
    return check_results(pd.DataFrame.from_records(list(records), columns=list(c.RESULT_COLUMNS)))
