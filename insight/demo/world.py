"""World building, step 2: one leaver year, as numpy columns (no per-row Python objects).

Per school and year a Poisson count of leavers proportional to the roll. SIMD decile from the
school's ``mu`` plus individual noise (so Glasgow, Dundee, Inverclyde are deprived and East
Renfrewshire, East Dunbartonshire, Aberdeenshire affluent); ASN (~30%), care experience (~2%) and
free school meals depend on SIMD (intercepts calibrated on the sample so the shares hold at every
scale). A latent *ability* combines the school effect, SIMD, ASN, care experience, sex and noise.
Stage of leaving comes from a staying-on score (ability and, separately, deprivation) cut at the
national 12% / 37% quantiles (S4 / S5 / S6 = 12 / 25 / 63%). Then attainment
(``attainment.py``), destinations and, for the latest two years, APM spells (``outcomes.py``).

Every draw of a year comes from one random stream seeded by (seed, year), in a fixed order: keep
the order of the steps below, or the same seed no longer gives the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from datahub.codes import LOCAL_AUTHORITIES
from insight.demo.attainment import attainment
from insight.demo.names import AUTHORITY_PROFILES, FAMILY_NAMES, FEMALE_NAMES, MALE_NAMES
from insight.demo.numeric import calibrate, phi, sigmoid, zipf
from insight.demo.outcomes import destinations, spells
from insight.demo.schools import PRI, SEC, SPE, Schools


@dataclass
class Year:
    """Every row of one leaver year, as columns (index = learner within the year)."""

    year: int
    n: int
    school: np.ndarray
    sex: np.ndarray  # 'F'/'M'
    decile: np.ndarray
    asn: np.ndarray
    care: np.ndarray
    fsm: np.ndarray
    stage: np.ndarray  # 0 S4, 1 S5, 2 S6
    dob: np.ndarray  # datetime64[D]
    leaving: np.ndarray  # datetime64[D]
    zone: np.ndarray
    given: np.ndarray
    family: np.ndarray
    first_school: np.ndarray  # school of the S4 year (movers differ)
    # results
    r_learner: np.ndarray
    r_subject: np.ndarray
    r_award: np.ndarray
    r_level: np.ndarray
    r_credits: np.ndarray
    r_grade: np.ndarray
    r_year: np.ndarray
    r_school: np.ndarray
    points: np.ndarray  # total tariff (latest and best), per learner
    # destinations (current), history and participation
    d_initial: np.ndarray
    d_follow: np.ndarray
    d_initial_at: np.ndarray  # datetime64[s]
    d_follow_at: np.ndarray
    h_learner: np.ndarray  # superseded follow-up records
    h_category: np.ndarray
    h_at: np.ndarray
    h_superseded: np.ndarray
    spells: dict[str, np.ndarray] | None


@dataclass
class _Pupils:
    """Who the year's leavers are: school, sex, deprivation, needs and latent ability."""

    school: np.ndarray
    special: np.ndarray  # at a special school
    female: np.ndarray
    decile: np.ndarray
    sc: np.ndarray  # standardised SIMD (positive = less deprived)
    asn: np.ndarray
    care: np.ndarray
    fsm: np.ndarray
    ability: np.ndarray

    @property
    def n(self) -> int:
        return int(self.school.size)


def zone_table() -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """Data zones (2011, S01006506..S01013481) split between authorities and, inside, by decile."""
    weight = {a: p.schools * p.roll for a, p in AUTHORITY_PROFILES.items()}
    total = sum(weight.values())
    starts: dict[str, int] = {}
    slices: dict[str, np.ndarray] = {}
    pos = 6506
    for _code, _gss, auth in sorted(LOCAL_AUTHORITIES):
        size = max(20, int(6976 * weight[auth] / total))
        starts[auth] = pos
        slices[auth] = np.linspace(0, size, 11).astype(int)  # decile d owns [slices[d-1], slices[d])
        pos += size
    return starts, slices


HomeZones = Callable[[np.random.Generator, np.ndarray, np.ndarray], np.ndarray]


def build_year(schools: Schools, arrays: dict[str, np.ndarray], per_year: int, year: int, seed: int,
               with_spells: bool, home_zones: HomeZones | None = None, stream: int = 3) -> Year:
    """The leavers of ``year`` with their results, destinations and (``with_spells``) APM spells.

    ``home_zones(rng, authority, decile)`` gives each pupil a home data zone (its number after
    ``S01``); by default the fictional zone table (``zone_table``), on the real-schools world real
    zones of the pupil's decile (``real.ZonePool.draw``). ``stream`` names the random stream: the
    leavers use 3; other pupils of the census (``census.py``) draw from streams of their own, so
    adding them leaves every leaver exactly as it was."""
    rng = np.random.default_rng([seed, stream, year])
    auth_names = np.array(schools.authority)
    p = _pupils(rng, arrays, per_year, year)
    auth = auth_names[p.school]
    n = p.n
    stage = _stage_of_leaving(rng, p)
    dob, leaving, winter = _dates(rng, year, stage)
    first_school = _movers(rng, p, stage, auth, auth_names, arrays["type"])
    zone = (home_zones or _home_zones)(rng, auth, p.decile)
    given, family = _names(rng, p.female, auth)

    gaelic_share = np.array([AUTHORITY_PROFILES[a].gaelic for a in auth_names])[p.school]
    res = attainment(rng, p.ability, p.female, p.asn, p.special, stage, winter, year, p.school, first_school,
                     arrays["courses"][p.school], gaelic_share)
    points = res.pop("points")
    dests = destinations(rng, year, n, points, res.pop("higher_points"), p.sc, stage, p.asn, p.care, p.female,
                         p.special, auth, arrays["dest"][p.school])
    return Year(
        year=year, n=n, school=p.school, sex=np.where(p.female, "F", "M"), decile=p.decile, asn=p.asn, care=p.care,
        fsm=p.fsm, stage=stage, dob=dob, leaving=leaving, zone=zone, given=given, family=family,
        first_school=first_school, points=points, spells=spells(rng, dests, leaving) if with_spells else None,
        **res, **dests,
    )


def _pupils(rng: np.random.Generator, arrays: dict[str, np.ndarray], per_year: int, year: int) -> _Pupils:
    types = arrays["type"]
    weight = np.where(types != PRI, arrays["roll"], 0).astype(float)
    trend = 1.0 + 0.01 * (year - 2021)
    counts = rng.poisson(per_year * trend * weight / weight.sum())
    school = np.repeat(np.arange(len(types)), counts)
    n = school.size
    special = types[school] == SPE

    female = rng.random(n) < 0.49
    z = arrays["mu"][school] + rng.normal(0, 1, n) * arrays["within"][school]
    decile = np.clip((10 * phi(z)).astype(np.int64) + 1, 1, 10)
    sc = (decile - 5.5) / 2.87  # standardised SIMD (positive = less deprived)

    lin = 0.35 * (~female) - 0.3 * sc
    asn = special | (rng.random(n) < sigmoid(lin + calibrate(lin[~special], 0.29)))
    lin = -0.9 * sc + 0.7 * asn
    care = rng.random(n) < sigmoid(lin + calibrate(lin, 0.02))
    lin = -1.6 * sc + 0.6 * care
    fsm = rng.random(n) < sigmoid(lin + calibrate(lin, 0.16))

    base = 0.42 * sc - 0.5 * asn - 0.55 * care + 0.12 * female - 0.12 * fsm + rng.normal(0, 0.8, n)
    base = np.where(special, base - 1.9, base)
    ability = base + arrays["effect"][school] + arrays["slope"][school] * base
    return _Pupils(school=school, special=special, female=female, decile=decile, sc=sc, asn=asn, care=care, fsm=fsm,
                   ability=ability)


def _stage_of_leaving(rng: np.random.Generator, p: _Pupils) -> np.ndarray:
    """0 S4, 1 S5, 2 S6: staying on depends on ability and, beyond it, on deprivation."""
    n = p.n
    stay = 0.9 * p.ability + 0.3 * p.sc + 0.15 * p.female + rng.normal(0, 0.75, n)
    stage = np.full(n, 2, dtype=np.int64)
    sec = ~p.special
    if sec.any():
        q12, q37 = np.quantile(stay[sec], [0.12, 0.37])
        stage[sec & (stay < q37)] = 1
        stage[sec & (stay < q12)] = 0
    r = rng.random(n)
    stage[p.special & (r < 0.2)] = 1
    stage[p.special & (r < 0.08)] = 0
    return stage


def _dates(rng: np.random.Generator, year: int, stage: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates of birth, leaving dates and who left at Christmas (winter leavers).

    A pupil starts S4 in August of T = year - n_years and was born between 1 March of T-16 and the
    end of February of T-15. Those born March-September may leave after S4 (summer); those born
    October-February may leave at Christmas of S5 (winter leavers)."""
    n = stage.size
    t = year - (stage + 1)
    born_from = (np.array(t - 16 - 1970, dtype="datetime64[Y]").astype("datetime64[M]") + np.timedelta64(2, "M")
                 ).astype("datetime64[D]")
    born_to = (np.array(t - 15 - 1970, dtype="datetime64[Y]").astype("datetime64[M]") + np.timedelta64(2, "M")
               ).astype("datetime64[D]")
    span = (born_to - born_from).astype(np.int64)
    offset = np.where(stage == 0, rng.integers(0, 214, n), (rng.random(n) * span).astype(np.int64))
    dob = born_from + offset.astype("timedelta64[D]")
    late_birthday = offset >= 214
    winter = (stage == 1) & late_birthday & (rng.random(n) < 0.45)
    y_start = np.datetime64(f"{year}-01-01")
    summer_early = y_start + np.timedelta64(144, "D") + rng.integers(0, 12, n).astype("timedelta64[D]")
    summer_s6 = y_start + np.timedelta64(170, "D") + rng.integers(0, 10, n).astype("timedelta64[D]")
    christmas = np.datetime64(f"{year - 1}-12-16") + rng.integers(0, 6, n).astype("timedelta64[D]")
    leaving = np.where(stage == 2, summer_s6, np.where(winter, christmas, summer_early))
    return dob, leaving, winter


def _movers(rng: np.random.Generator, p: _Pupils, stage: np.ndarray, auth: np.ndarray, auth_names: np.ndarray,
            types: np.ndarray) -> np.ndarray:
    """The school of the S4 year: a few learners spent it at another school of the same authority
    and type."""
    first_school = p.school.copy()
    mover = (stage + 1 > 1) & (rng.random(p.n) < 0.03)
    for a in np.unique(auth[mover]):
        pool = np.flatnonzero((auth_names == a) & (types == SEC))
        idx = np.flatnonzero(mover & (auth == a) & ~p.special)
        if pool.size > 1 and idx.size:
            first_school[idx] = pool[rng.integers(0, pool.size, idx.size)]
    return first_school


def _home_zones(rng: np.random.Generator, auth: np.ndarray, decile: np.ndarray) -> np.ndarray:
    """Home data zone consistent with the decile (same zone -> same decile everywhere)."""
    starts, slices = zone_table()
    zone = np.zeros(auth.size, dtype=np.int64)
    for a in np.unique(auth):
        idx = np.flatnonzero(auth == a)
        lo = slices[a][decile[idx] - 1]
        hi = np.maximum(slices[a][decile[idx]], lo + 1)
        zone[idx] = starts[a] + lo + (rng.random(idx.size) * (hi - lo)).astype(np.int64)
    return zone


def _names(rng: np.random.Generator, female: np.ndarray, auth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Given and family names (islands use local surnames half the time)."""
    n = female.size
    given = np.where(female, np.array(FEMALE_NAMES)[zipf(rng, len(FEMALE_NAMES), n)],
                     np.array(MALE_NAMES)[zipf(rng, len(MALE_NAMES), n)])
    family = np.array(FAMILY_NAMES)[zipf(rng, len(FAMILY_NAMES), n, 0.6)]
    for a, prof in AUTHORITY_PROFILES.items():
        if prof.surnames:
            idx = np.flatnonzero((auth == a) & (rng.random(n) < 0.5))
            family[idx] = np.array(prof.surnames)[rng.integers(0, len(prof.surnames), idx.size)]
    return given, family
