"""Code lists and identifier checks used across the portal (no Django models here).

Sources: docs/domain.md (authority codes, SEED and SCN check digits), Scottish Government
statistics code lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (education code, GSS code, name): the 32 Scottish councils. Education codes run 100..400 in
# alphabetical steps as in ScotXed/Insight-era files (docs/domain.md; Edinburgh sorts as "Edinburgh City"
# and Na h-Eileanan Siar as "Eilean Siar"); 0 is Scotland, 900 grant-aided.
LOCAL_AUTHORITIES: tuple[tuple[int, str, str], ...] = (
    (100, "S12000033", "Aberdeen City"),
    (110, "S12000034", "Aberdeenshire"),
    (120, "S12000041", "Angus"),
    (130, "S12000035", "Argyll and Bute"),
    (230, "S12000036", "City of Edinburgh"),
    (150, "S12000005", "Clackmannanshire"),
    (170, "S12000006", "Dumfries and Galloway"),
    (180, "S12000042", "Dundee City"),
    (190, "S12000008", "East Ayrshire"),
    (200, "S12000045", "East Dunbartonshire"),
    (210, "S12000010", "East Lothian"),
    (220, "S12000011", "East Renfrewshire"),
    (240, "S12000014", "Falkirk"),
    (250, "S12000047", "Fife"),
    (260, "S12000049", "Glasgow City"),
    (270, "S12000017", "Highland"),
    (280, "S12000018", "Inverclyde"),
    (290, "S12000019", "Midlothian"),
    (300, "S12000020", "Moray"),
    (235, "S12000013", "Na h-Eileanan Siar"),
    (310, "S12000021", "North Ayrshire"),
    (320, "S12000050", "North Lanarkshire"),
    (330, "S12000023", "Orkney Islands"),
    (340, "S12000048", "Perth and Kinross"),
    (350, "S12000038", "Renfrewshire"),
    (355, "S12000026", "Scottish Borders"),
    (360, "S12000027", "Shetland Islands"),
    (370, "S12000028", "South Ayrshire"),
    (380, "S12000029", "South Lanarkshire"),
    (390, "S12000030", "Stirling"),
    (395, "S12000039", "West Dunbartonshire"),
    (400, "S12000040", "West Lothian"),
)

# (code, name, education authority codes): the six Regional Improvement Collaboratives (DOMAIN.md,
# "Regional Improvement Collaboratives"; kept as editable reference data, datahub.Collaborative).
COLLABORATIVES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("NA", "Northern Alliance", (100, 110, 130, 270, 300, 235, 330, 360)),
    ("TAY", "Tayside", (120, 180, 340)),
    ("FVWL", "Forth Valley and West Lothian", (150, 240, 390, 400)),
    ("SE", "South East", (230, 210, 250, 290, 355)),
    ("WP", "West Partnership", (200, 220, 260, 280, 320, 350, 380, 395)),
    ("SW", "South West", (170, 190, 310, 370)),
)

SEED_RE = re.compile(r"^\d{7}$")
SCN_RE = re.compile(r"^\d{9}$")
DATA_ZONE_RE = re.compile(r"^S01\d{6}$")


def seed_check_digit(first_six: str) -> int:
    """SEED check digit: weights 7,6,5,4,3,2; check = (11 - sum mod 11) mod 11, 10 written as 0."""
    total = sum(int(d) * w for d, w in zip(first_six, (7, 6, 5, 4, 3, 2), strict=True))
    check = (11 - total % 11) % 11
    return 0 if check == 10 else check


@dataclass(frozen=True)
class SeedCheck:
    valid_format: bool
    check_digit_ok: bool


def check_seed_code(code: str) -> SeedCheck:
    """A SEED code must be 7 digits. A check-digit mismatch is only a warning: two real codes break it."""
    if not SEED_RE.match(code or ""):
        return SeedCheck(False, False)
    return SeedCheck(True, seed_check_digit(code[:6]) == int(code[6]))


def scn_check_digit(first_eight: str) -> int | None:
    """SCN check digit: weights 3,2,7,6,5,4,3,2, sum mod 11; remainder 0 -> 0, 1 -> invalid, else 11 - r."""
    total = sum(int(d) * w for d, w in zip(first_eight, (3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    remainder = total % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def is_valid_scn(scn: str) -> bool:
    if not SCN_RE.match(scn or ""):
        return False
    check = scn_check_digit(scn[:8])
    return check is not None and check == int(scn[8])


def make_scn(serial: int) -> str:
    """The smallest valid SCN whose first eight digits are >= ``serial`` (used by demo data)."""
    n = serial
    while True:
        body = f"{n:08d}"
        check = scn_check_digit(body)
        if check is not None:
            return body + str(check)
        n += 1


def make_seed_code(serial: int) -> str:
    body = f"{serial:06d}"
    return body + str(seed_check_digit(body))


def simd_quintile(decile: int) -> int:
    """SIMD quintile from decile: deciles 1-2 are quintile 1 (most deprived) ... 9-10 quintile 5."""
    return (decile + 1) // 2
