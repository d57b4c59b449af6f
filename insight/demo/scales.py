"""What a demo run builds: its scales, the reserved code blocks that mark demo rows, and the two
named schools the demo logins belong to."""

from __future__ import annotations

from dataclasses import dataclass

from insight.demo.names import AUTHORITY_PROFILES, NATIONAL_PRIMARY, NATIONAL_SPECIAL

LAST_LEAVER_YEAR = 2025
SCALES = ("demo", "national")  # "tiny" also exists for tests (not offered in --help)

# Demo establishments use SEED serials 900000..900999 (codes "900xxxx"): that block marks them.
DEMO_SEED_SERIAL_BASE = 900_000
DEMO_SEED_PREFIX = "900"
# Demo SCNs start here (the smallest valid numbers from this base on, make_scn's rule).
DEMO_SCN_BASE = 60_000_000

# The two named schools the demo logins belong to in the fictional world (the same at every scale
# and seed). On the real schools the seed picks a real secondary of each of these two authorities.
DEMO_SCHOOL_1 = ("Glasgow City", "Kelvinbank Academy")
DEMO_SCHOOL_2 = ("City of Edinburgh", "Morningside High School")


class DemoDataError(Exception):
    """The demo data cannot be generated as asked (e.g. data exists and --replace was not given)."""


@dataclass(frozen=True)
class Scale:
    leavers_per_year: int
    secondaries: dict[str, int]
    special: dict[str, int]
    primary: dict[str, int]


def scale_spec(name: str) -> Scale:
    """The schools per authority and leavers per year of a named scale."""
    if name == "national":
        return Scale(50_000, {a: p.schools for a, p in AUTHORITY_PROFILES.items()}, NATIONAL_SPECIAL,
                     NATIONAL_PRIMARY)
    if name == "demo":
        extra = {"Glasgow City": 2, "City of Edinburgh": 2, "Fife": 1, "North Lanarkshire": 1,
                 "South Lanarkshire": 1, "Highland": 1}
        return Scale(5_000, {a: 1 + extra.get(a, 0) for a in AUTHORITY_PROFILES}, {"Glasgow City": 1},
                     {"Glasgow City": 1})
    if name == "tiny":  # for tests: four authorities, a few hundred leavers a year
        return Scale(400, {"Glasgow City": 3, "City of Edinburgh": 2, "Fife": 2, "East Renfrewshire": 1},
                     {"Glasgow City": 1}, {"Fife": 1})
    raise DemoDataError(f"Unknown scale {name!r}: use one of {', '.join(SCALES)}")
