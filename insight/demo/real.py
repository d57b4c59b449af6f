"""World building on the real schools: the published school contact list and SIMD 2020v2 from
``settings.REFERENCE_DATA_DIR`` give the establishments; pupils and outcomes stay synthetic.

What comes from the published files, per school: SEED code, name, authority, centre type, every
department with its roll, data zone, urban/rural classes, location, denomination and the published
SIMD band (the share of pupils living in the 20% most deprived data zones). What is made up: every
pupil (SCNs from the demo block ``scales.DEMO_SCN_BASE``), result and destination, and each school's
latent attainment and destinations effects, exactly as in the fictional world.

- **Which schools.** ``national``: every real secondary (principal department secondary, as
  benchmarking compares them). ``demo`` / ``tiny``: the same number per authority as the fictional
  world, drawn by the seed among secondaries with a roll of at least ``MIN_ROLL`` (so their figures
  are not all suppressed). Special and primary schools likewise, as many as the fictional world has.
- **The two named schools** the demo logins belong to: a Glasgow City and a City of Edinburgh
  secondary (``scales.DEMO_SCHOOL_1`` / ``_2``'s authorities), drawn by the seed among those with a
  roll of at least ``MIN_NAMED_ROLL`` and a published SIMD band; they keep the fictional schools'
  fixed character (school 1 good for its lowest attainers, school 2 slightly below its comparators).
- **Cohort size** from the roll of the principal department: about ``LEAVERS_PER_ROLL`` leavers a
  year per pupil on the roll (Scotland: about 50,000 leavers a year from 313,061 secondary pupils in
  the 2023 list), Poisson around it.
- **SIMD profile.** A pupil's decile is drawn as in the fictional world, ``z = mu + within * N(0, 1)``
  cut into deciles by ``numeric.phi``. For a school with a published band, ``mu`` is set so the
  expected share in quintile 1 (deciles 1-2) is the band's midpoint (``0%`` taken as 0.4%); when the
  band is withheld (``*``), the decile of the school's own data zone centres it, halfway towards the
  authority's typical school. The pupil's home data zone is then a real data zone of that decile in
  the school's council area (any Scottish zone of that decile when the council has none), so a
  learner's decile always agrees with the SIMD table and the school's profile, computed from its
  pupils, sits near its published band.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import numpy as np
from django.conf import settings

from datahub.codes import LOCAL_AUTHORITIES
from datahub.models import EstablishmentType, LocalAuthority, SimdDataZone
from datahub.referencedata import (
    ReferenceDataError,
    reference_files,
    school_list_read,
    school_list_year,
    simd_load,
)
from insight.demo.names import AUTHORITY_PROFILES
from insight.demo.scales import DEMO_SCHOOL_1, DEMO_SCHOOL_2, DemoDataError, Scale
from insight.demo.schools import PRI, SEC, SPE, Schools

LEAVERS_PER_ROLL = 0.16
MIN_ROLL = 300
MIN_NAMED_ROLL = 600
_Q1_CUT = math.log(0.2 / 0.8) / 1.702  # numeric.phi(z) < 0.2, i.e. deciles 1-2
_TYPE_INDEX = {EstablishmentType.SECONDARY.value: SEC, EstablishmentType.SPECIAL.value: SPE,
               EstablishmentType.PRIMARY.value: PRI}
# The SIMD file names one council differently from the GSS register.
_COUNCIL_ALIASES = {"Na h-Eileanan an Iar": "Na h-Eileanan Siar"}


@dataclass(frozen=True)
class RealSchool:
    """One establishment of the published list, as the demo writes it."""

    seed_code: str
    name: str
    authority: str
    type: int  # SEC, SPE or PRI: the principal department
    roll: int  # the principal department's roll
    fields: dict  # Establishment fields from the list (authority_id, centre_type, data_zone, ...)
    departments: dict[str, int]  # department type -> roll
    band_share: float | None  # published share of pupils in the 20% most deprived zones (midpoint)


@dataclass
class RealListing:
    year: int
    path: Path
    schools: list[RealSchool] = field(default_factory=list)


def real_world_sources() -> tuple[Path, Path] | str:
    """The school list and SIMD file in ``REFERENCE_DATA_DIR``, or why the real world cannot be built."""
    folder = getattr(settings, "REFERENCE_DATA_DIR", "") or ""
    files = reference_files()
    if not folder or not Path(folder).is_dir():
        return f"no reference data folder (REFERENCE_DATA_DIR is {folder or 'not set'})"
    missing = [pattern for key, pattern in (("school_list", "school-contact-list-YYYY.csv"),
                                            ("simd", "simd2020v2*.csv")) if files[key] is None]
    if missing:
        return f"{' and '.join(missing)} not found in {folder}"
    school_list, simd = files["school_list"], files["simd"]
    assert school_list is not None and simd is not None
    return school_list, simd


def band_share(band: str) -> float | None:
    """The midpoint of a published band: ``'10 - <15%'`` -> 0.125, ``'0%'`` -> 0.004, ``'*'`` -> None."""
    text = band.strip()
    if re.fullmatch(r"0\s*%?", text):
        return 0.004
    found = re.fullmatch(r"(\d+)\s*-\s*<\s*(\d+)\s*%", text)
    if not found:
        return None
    return (int(found.group(1)) + int(found.group(2))) / 200


def read_listing(school_list: Path, simd: Path) -> RealListing:
    """The published schools, with SIMD by data zone loaded as reference data when it is not yet
    (``make run`` loads it first; it is the same table the importer derives deciles from)."""
    year = school_list_year(school_list.name)
    if year is None:
        raise DemoDataError(f"The school list's year is not in its file name {school_list.name!r}.")
    try:
        if not SimdDataZone.objects.exists():
            with simd.open("rb") as fh:
                simd_load(fh=fh, file_name=simd.name)
        with school_list.open("rb") as fh:
            ests, deps = school_list_read(fh)
    except ReferenceDataError as exc:
        where = "; ".join(f"row {n}, {col} {val!r}: {why}" for n, col, val, why in exc.problems[:3])
        raise DemoDataError(f"The reference files cannot be read: {exc} {where}".strip()) from exc
    names = dict(LocalAuthority.objects.values_list("id", "name"))
    listing = RealListing(year=year, path=school_list)
    for seed, fields in sorted(ests.items()):
        principal = min(deps[seed], key=lambda t: _TYPE_INDEX[t])
        listing.schools.append(RealSchool(
            seed_code=seed, name=fields["name"], authority=names[fields["authority_id"]],
            type=_TYPE_INDEX[principal], roll=deps[seed][principal], fields=fields, departments=deps[seed],
            band_share=band_share(fields.get("published_simd_band", "")),
        ))
    return listing


def _mu(school: RealSchool, zone_decile: int | None) -> float:
    """The latent SIMD location that gives the school its published profile (module docstring)."""
    prof = AUTHORITY_PROFILES[school.authority]
    if school.band_share is not None:
        share = min(max(school.band_share, 0.004), 0.96)
        return _Q1_CUT - prof.within * NormalDist().inv_cdf(share)
    typical = prof.affluence - 0.1
    if zone_decile is None:
        return typical
    p = (zone_decile - 0.5) / 10
    return 0.5 * math.log(p / (1 - p)) / 1.702 + 0.5 * typical


def _pick(rng: np.random.Generator, pool: list[RealSchool], n: int) -> list[RealSchool]:
    if n >= len(pool):
        return list(pool)
    return [pool[i] for i in sorted(rng.choice(len(pool), size=n, replace=False).tolist())]


def choose_schools(listing: RealListing, scale: Scale, seed: int, *, every_secondary: bool) -> list[RealSchool]:
    """The real schools of a scale: the two named secondaries first, then authority by authority."""
    rng = np.random.default_rng([seed, 12])
    by_type: dict[tuple[str, int], list[RealSchool]] = {}
    for school in listing.schools:
        by_type.setdefault((school.authority, school.type), []).append(school)
    named: list[RealSchool] = []
    for authority, _fictional in (DEMO_SCHOOL_1, DEMO_SCHOOL_2):
        pool = [s for s in by_type.get((authority, SEC), [])
                if s.roll >= MIN_NAMED_ROLL and s.band_share is not None and s.fields["centre_type"] == "local_authority"]
        if not pool:
            raise DemoDataError(f"The school list has no {authority} secondary with a roll of {MIN_NAMED_ROLL}+.")
        named.append(pool[int(rng.integers(len(pool)))])
    chosen = list(named)
    for _code, _gss, authority in sorted(LOCAL_AUTHORITIES):
        pool = [s for s in by_type.get((authority, SEC), []) if s not in named]
        if every_secondary:
            chosen += pool
        else:
            wanted = scale.secondaries.get(authority, 0) - sum(s.authority == authority for s in named)
            big = [s for s in pool if s.roll >= MIN_ROLL]
            chosen += _pick(rng, big if len(big) >= wanted else pool, max(wanted, 0))
        for kind, counts in ((SPE, scale.special), (PRI, scale.primary)):
            pool = [s for s in by_type.get((authority, kind), []) if s.roll > 0]
            chosen += _pick(rng, pool, counts.get(authority, 0))
    return chosen


def build_real_schools(listing: RealListing, scale: Scale, seed: int, *, every_secondary: bool) -> Schools:
    """The world's schools on the real list: published facts, latent effects drawn as in ``schools``."""
    chosen = choose_schools(listing, scale, seed, every_secondary=every_secondary)
    zone_deciles = dict(SimdDataZone.objects.values_list("code", "decile"))
    s = Schools()
    for i, school in enumerate(chosen):
        prof = AUTHORITY_PROFILES[school.authority]
        srng = np.random.default_rng([seed, 13, int(school.seed_code)])
        if i == 0:  # DEMO_SCHOOL_1's character: good for its lowest attainers
            effect, slope = 0.08, -0.08
        elif i == 1:  # DEMO_SCHOOL_2's: slightly below its comparators
            effect, slope = -0.06, 0.06
        else:
            effect, slope = float(srng.normal(0, 0.18)), float(srng.normal(0, 0.07))
        if school.type == SEC:
            courses = int(srng.choice([6, 7, 8], p=[0.05, 0.35, 0.6]))
            dest = float(srng.normal(0, 0.25))
        else:
            courses, dest = 5, 0.0
            effect, slope = (float(srng.normal(0, 0.1)), 0.0) if school.type == SPE else (0.0, 0.0)
        mu = _mu(school, zone_deciles.get(school.fields.get("data_zone", "")))
        if school.type == SPE:
            mu -= 0.2
        s.add(name=school.name, authority=school.authority, type=school.type, roll=school.roll, mu=mu,
              within=prof.within, effect=effect, slope=slope, courses=courses, dest=dest)
        s.real.append(school)
    s.named = [0, 1]
    return s


def leavers_per_year(schools: Schools) -> int:
    """The world's expected leavers a year: ``LEAVERS_PER_ROLL`` per pupil on a secondary or special roll."""
    return round(LEAVERS_PER_ROLL * sum(r for r, t in zip(schools.roll, schools.type, strict=True) if t != PRI))


class ZonePool:
    """Real data zones by council and SIMD decile, to give each pupil a home zone of their decile."""

    def __init__(self) -> None:
        by_council: dict[tuple[str, int], list[int]] = {}
        national: dict[int, list[int]] = {}
        for code, decile, council in SimdDataZone.objects.values_list("code", "decile", "council_area"):
            number = int(code[3:])
            by_council.setdefault((_COUNCIL_ALIASES.get(council, council), decile), []).append(number)
            national.setdefault(decile, []).append(number)
        self.by_council = {k: np.array(sorted(v), dtype=np.int64) for k, v in by_council.items()}
        self.national = {k: np.array(sorted(v), dtype=np.int64) for k, v in national.items()}
        if len(self.national) != 10:
            raise DemoDataError("The SIMD table does not have data zones of all ten deciles.")

    def draw(self, rng: np.random.Generator, auth: np.ndarray, decile: np.ndarray) -> np.ndarray:
        """A home data zone (its number after ``S01``) for each pupil: of their decile, in their council."""
        zone = np.zeros(auth.size, dtype=np.int64)
        for a in np.unique(auth):
            in_auth = auth == a
            for d in np.unique(decile[in_auth]):
                idx = np.flatnonzero(in_auth & (decile == d))
                pool = self.by_council.get((str(a), int(d)))
                if pool is None:
                    pool = self.national[int(d)]
                zone[idx] = pool[rng.integers(0, pool.size, idx.size)]
        return zone
