"""SIMD 2020v2 by 2011 data zone (one row per data zone; rank 1 = most deprived)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.db import transaction

from ..codes import DATA_ZONE_RE
from ..models import SimdDataZone, User
from ..services import audit_event_create
from .files import ReferenceDataError, read_rows

COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("datazone", "datazone2011", "dz"),
    "intermediate_zone": ("intermediatezone", "intermediatezonename"),
    "council_area": ("councilarea", "council"),
    "population": ("totalpopulation", "population"),
    "rank": ("simd2020v2rank", "simd2020rank", "rank"),
    "vigintile": ("simd2020v2vigintile", "simd2020vigintile", "vigintile"),
    "decile": ("simd2020v2decile", "simd2020decile", "decile"),
    "quintile": ("simd2020v2quintile", "simd2020quintile", "quintile"),
}
REQUIRED = ("code", "council_area", "rank", "vigintile", "decile", "quintile")
N_DATA_ZONES = 6976
FIELDS = ("intermediate_zone", "council_area", "population", "rank", "vigintile", "decile", "quintile")


@dataclass
class SimdReport:
    rows: int
    new: int
    updated: int
    unchanged: int

    def lines(self) -> list[str]:
        return [
            f"SIMD 2020v2: {self.rows:,} data zones; {self.new:,} new, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged; 0 rows refused."
        ]


def _int(value: str, lo: int, hi: int) -> int | None:
    try:
        number = int(value.replace(",", ""))
    except ValueError:
        return None
    return number if lo <= number <= hi else None


@transaction.atomic
def simd_load(*, fh: IO[bytes], file_name: str, by: User | None = None) -> SimdReport:
    """Load SIMD by data zone: all rows checked first, then new zones created and changed ones
    updated (nothing written when nothing changed). Raises ReferenceDataError on any bad row."""
    problems: list[tuple[int, str, str, str]] = []
    rows: dict[str, dict] = {}
    limits = {"rank": (1, N_DATA_ZONES), "vigintile": (1, 20), "decile": (1, 10), "quintile": (1, 5)}
    for n, r in read_rows(fh, COLUMNS, REQUIRED):
        code = r["code"].upper()
        if not DATA_ZONE_RE.match(code):
            problems.append((n, "Data_Zone", code, "A 2011 data zone is S01 and six digits."))
            continue
        if code in rows:
            problems.append((n, "Data_Zone", code, "This data zone is listed twice."))
            continue
        values: dict = {
            "intermediate_zone": r.get("intermediate_zone", "")[:100],
            "council_area": r["council_area"][:100],
            "population": _int(r.get("population", ""), 0, 1_000_000),
        }
        for col, (lo, hi) in limits.items():
            values[col] = _int(r[col], lo, hi)
            if values[col] is None:
                problems.append((n, col, r[col], f"Expected a whole number from {lo} to {hi:,}."))
        if values["decile"] and values["quintile"] and (values["decile"] + 1) // 2 != values["quintile"]:
            problems.append((n, "quintile", r["quintile"], "The quintile does not match the decile."))
        rows[code] = values
    if problems:
        raise ReferenceDataError(f"{len(problems):,} rows refused: nothing was loaded.", problems)
    if not rows:
        raise ReferenceDataError("The file has no data zones.")
    existing = {z.code: z for z in SimdDataZone.objects.all()}
    create, update = [], []
    for code, values in rows.items():
        zone = existing.get(code)
        if zone is None:
            create.append(SimdDataZone(code=code, **values))
        elif any(getattr(zone, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(zone, k, v)
            update.append(zone)
    SimdDataZone.objects.bulk_create(create, batch_size=1000)
    SimdDataZone.objects.bulk_update(update, list(FIELDS), batch_size=1000)
    report = SimdReport(
        rows=len(rows), new=len(create), updated=len(update), unchanged=len(rows) - len(create) - len(update)
    )
    if create or update:
        audit_event_create(
            actor=by,
            action="reference.simd",
            object_type="simddatazone",
            object_id="2020v2",
            detail={"file": file_name, **report.__dict__},
        )
    return report


def simd_decile_by_zone() -> dict[str, int]:
    """Data zone -> SIMD decile, for deriving a learner's decile from their home data zone."""
    return dict(SimdDataZone.objects.values_list("code", "decile"))
