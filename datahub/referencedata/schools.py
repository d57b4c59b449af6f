"""The Scottish Government school contact list: one row per school *department*.

``SeedCode`` is the establishment and ``SchUID`` SEED + department (P, S, SP); an all-through
school has a primary and a secondary row under one SEED. Loading a list:

- checks every row first (all or nothing) and names row, column and reason for each problem;
- creates new establishments, updates listed ones (name, authority, centre type, data zone,
  urban/rural class, location, denomination, published SIMD band) and their departments;
- marks establishments an earlier list had but this one lacks as closed (never deletes them:
  their learners and results stay), and reopens a closed school that is listed again;
- writes nothing when nothing changed, so loading the same list twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction
from django.utils import timezone

from ..codes import DATA_ZONE_RE, SEED_RE
from ..models import PRINCIPAL_ORDER, CentreType, Department, Establishment, EstablishmentType, LocalAuthority, User
from ..services import audit_event_create
from .files import ReferenceDataError, read_rows

COLUMNS: dict[str, tuple[str, ...]] = {
    "seed_code": ("seedcode", "seed"),
    "school_type": ("schooltype", "type", "department"),
    "centre_type": ("centretype", "centertype"),
    "name": ("schoolname", "name"),
    "la_code": ("lacode", "gsscode", "lagsscode"),
    "data_zone": ("datazone", "datazone2011"),
    "denomination": ("denomination",),
    "roll": ("pupilroll", "roll"),
    "simd_band": ("proppupils20pcmostdeprived",),
    "urban_rural_6": ("addrur6", "dzur6", "ur6"),
    "urban_rural_8": ("addrur8", "dzur8", "ur8"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon"),
}
REQUIRED = ("seed_code", "school_type", "centre_type", "name", "la_code", "roll")

TYPES = {
    "primary": EstablishmentType.PRIMARY,
    "secondary": EstablishmentType.SECONDARY,
    "special": EstablishmentType.SPECIAL,
}
CENTRES = {
    "localauthority": CentreType.LOCAL_AUTHORITY,
    "grantaided": CentreType.GRANT_AIDED,
    "independent": CentreType.INDEPENDENT,
}
ESTABLISHMENT_FIELDS = (
    "name",
    "authority_id",
    "centre_type",
    "data_zone",
    "urban_rural_6",
    "urban_rural_8",
    "latitude",
    "longitude",
    "denomination",
    "published_simd_band",
    "listed_year",
    "closed_on",
)
_RANK = {t: i for i, t in enumerate(PRINCIPAL_ORDER)}


@dataclass
class SchoolListReport:
    year: int
    rows: int = 0
    establishments: int = 0
    departments_by_type: dict[str, int] = field(default_factory=dict)
    establishments_by_centre_type: dict[str, int] = field(default_factory=dict)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    departments_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.closed or self.departments_changed)

    def lines(self) -> list[str]:
        deps = ", ".join(f"{n:,} {t}" for t, n in sorted(self.departments_by_type.items()))
        centres = ", ".join(f"{n:,} {c}" for c, n in sorted(self.establishments_by_centre_type.items()))
        return [
            f"School list {self.year}: {self.rows:,} departments ({deps}) under {self.establishments:,} "
            f"establishments ({centres}); 0 rows refused.",
            f"Establishments: {self.new:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{self.closed:,} marked closed; departments changed: {self.departments_changed:,}.",
        ]


def school_list_year(file_name: str) -> int | None:
    found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", file_name)
    return int(found[-1]) if found else None


def _number(value: str, kind: type, lo: float, hi: float) -> float | int | None:
    try:
        number = kind(value)
    except ValueError:
        return None
    return number if lo <= number <= hi else None


def _parse(fh: IO[bytes]) -> tuple[dict[str, dict], dict[str, dict[str, int]], list[tuple[int, str, str, str]]]:
    """Establishment fields and departments by SEED, and every problem found."""
    authorities = dict(LocalAuthority.objects.values_list("gss_code", "id"))
    problems: list[tuple[int, str, str, str]] = []
    by_type: dict[str, dict[EstablishmentType, dict]] = {}
    deps: dict[str, dict[str, int]] = {}
    for n, r in read_rows(fh, COLUMNS, REQUIRED):
        bad = len(problems)

        def refuse(column: str, value: str, reason: str, n: int = n) -> None:
            problems.append((n, column, value, reason))

        seed = r["seed_code"]
        if not SEED_RE.match(seed):
            refuse("SeedCode", seed, "A SEED code is 7 digits.")
        dtype = TYPES.get(r["school_type"].lower())
        if dtype is None:
            refuse("SchoolType", r["school_type"], "Expected Primary, Secondary or Special.")
        centre = CENTRES.get(re.sub(r"[^a-z]", "", r["centre_type"].lower()))
        if centre is None:
            refuse("CentreType", r["centre_type"], "Expected Local Authority, Grant Aided or Independent.")
        authority = authorities.get(r["la_code"].upper())
        if authority is None:
            refuse("LACode", r["la_code"], "Not the GSS code of a Scottish council (S12...).")
        roll = _number(r["roll"] or "0", int, 0, 10_000)
        if roll is None:
            refuse("PupilRoll", r["roll"], "The roll is a whole number from 0 to 10,000.")
        zone = r.get("data_zone", "").upper()
        if zone and not DATA_ZONE_RE.match(zone):
            refuse("DataZone", zone, "A 2011 data zone is S01 and six digits.")
        coords = {}
        for col, lo, hi in (("latitude", 54.0, 61.5), ("longitude", -9.0, 0.0)):
            raw = r.get(col, "")
            coords[col] = _number(raw, float, lo, hi) if raw else None
            if raw and coords[col] is None:
                refuse(col.capitalize(), raw, f"Not a {col} in Scotland.")
        classes = {}
        for col, top in (("urban_rural_6", 6), ("urban_rural_8", 8)):
            raw = r.get(col, "")
            classes[col] = _number(raw, int, 1, top) if raw else None
            if raw and classes[col] is None:
                refuse(col, raw, f"An urban/rural class is 1 to {top}.")
        if not r["name"]:
            refuse("SchoolName", "", "The school needs a name.")
        if len(problems) > bad or dtype is None or roll is None:
            continue
        if dtype.value in deps.get(seed, {}):
            refuse("SchoolType", r["school_type"], f"SEED {seed} already has a {dtype.label.lower()} department above.")
            continue
        deps.setdefault(seed, {})[dtype.value] = int(roll)
        by_type.setdefault(seed, {})[dtype] = dict(
            name=r["name"][:200],
            authority_id=authority,
            centre_type=centre.value if centre else "",
            data_zone=zone,
            denomination=r.get("denomination", "")[:40],
            published_simd_band=r.get("simd_band", "")[:20],
            **coords,
            **classes,
        )
    # The principal department's row describes the establishment (the rows of one SEED agree).
    ests = {seed: rows[min(rows, key=_RANK.__getitem__)] for seed, rows in by_type.items()}
    return ests, deps, problems


def school_list_read(fh: IO[bytes]) -> tuple[dict[str, dict], dict[str, dict[str, int]]]:
    """Read a school contact list without writing anything: establishment fields by SEED (as
    ``school_list_load`` would store them, the principal department's row) and each SEED's
    departments ({type: roll}). Raises ReferenceDataError, naming every refused row, as the load
    does. The demo generator builds its real-schools world from this."""
    ests, deps, problems = _parse(fh)
    if problems:
        raise ReferenceDataError(f"{len(problems):,} rows refused: nothing was loaded.", problems)
    if not ests:
        raise ReferenceDataError("The file has no schools.")
    return ests, deps


@transaction.atomic
def school_list_load(
    *, fh: IO[bytes], file_name: str, year: int | None = None, by: User | None = None, today: dt.date | None = None
) -> SchoolListReport:
    """Load a school contact list (see the module docstring). Raises ReferenceDataError, writing
    nothing, when any row is refused."""
    year = year or school_list_year(file_name)
    if year is None:
        raise ReferenceDataError(f"Give the list's year: it is not in the file name {file_name!r}.")
    today = today or timezone.localdate()
    ests, deps = school_list_read(fh)
    report = SchoolListReport(year=year, rows=sum(len(d) for d in deps.values()), establishments=len(ests))
    report.departments_by_type = dict(Counter(t for d in deps.values() for t in d))
    report.establishments_by_centre_type = dict(Counter(f["centre_type"] for f in ests.values()))
    existing = {e.seed_code: e for e in Establishment.objects.all()}
    newer_or_same = [e for e in existing.values() if e.listed_year is not None and e.listed_year <= year]
    to_update: list[Establishment] = []
    to_create: list[Establishment] = []
    for seed, fields in ests.items():
        principal = min(deps[seed], key=lambda t: _RANK[EstablishmentType(t)])
        est = existing.get(seed)
        if est is not None and est.listed_year is not None and est.listed_year > year:
            report.unchanged += 1  # an older list never overrides a newer one
            continue
        wanted = {**fields, "listed_year": year, "closed_on": None, "type": principal, "roll": deps[seed][principal]}
        if est is None:
            to_create.append(Establishment(seed_code=seed, **wanted))
            continue
        if all(getattr(est, k) == v for k, v in wanted.items()):
            report.unchanged += 1
            continue
        for k, v in wanted.items():
            setattr(est, k, v)
        to_update.append(est)
    Establishment.objects.bulk_create(to_create, batch_size=500)
    Establishment.objects.bulk_update(to_update, [*ESTABLISHMENT_FIELDS, "type", "roll"], batch_size=500)
    report.new, report.updated = len(to_create), len(to_update)
    closing = [e for e in newer_or_same if e.seed_code not in ests and e.closed_on is None]
    for est in closing:
        est.closed_on = today
    Establishment.objects.bulk_update(closing, ["closed_on"], batch_size=500)
    report.closed = len(closing)
    report.departments_changed = _sync_departments(deps, year)
    if report.changed:
        audit_event_create(
            actor=by,
            action="reference.school_list",
            object_type="establishment",
            object_id=str(year),
            detail={"file": file_name, **report.__dict__},
        )
    return report


def _sync_departments(deps: dict[str, dict[str, int]], year: int) -> int:
    """Departments as listed: create, update rolls, and drop departments a school no longer has."""
    ids = dict(Establishment.objects.filter(seed_code__in=list(deps), listed_year=year).values_list("seed_code", "id"))
    have: dict[tuple[int, str], Department] = {
        (d.establishment_id, d.type): d for d in Department.objects.filter(establishment_id__in=list(ids.values()))
    }
    create, update = [], []
    wanted_keys = set()
    for seed, est_id in ids.items():
        for dtype, roll in deps[seed].items():
            wanted_keys.add((est_id, dtype))
            dep = have.get((est_id, dtype))
            if dep is None:
                create.append(Department(establishment_id=est_id, type=dtype, roll=roll))
            elif dep.roll != roll:
                dep.roll = roll
                update.append(dep)
    gone = [d.id for key, d in have.items() if key not in wanted_keys]
    Department.objects.bulk_create(create, batch_size=500)
    Department.objects.bulk_update(update, ["roll"], batch_size=500)
    Department.objects.filter(id__in=gone).delete()
    return len(create) + len(update) + len(gone)
