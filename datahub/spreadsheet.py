"""One guard against spreadsheet formula injection, used by every CSV and XLSX export."""

from __future__ import annotations

# A cell a spreadsheet would read as a formula (or that could smuggle one past a tab/CR split).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, with a leading apostrophe when it starts like a formula (None -> "")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text
