"""World building, step 1: the schools.

Each authority has a count of secondaries (at national scale roughly the real one), a typical roll,
a share of denominational schools and a deprivation profile (``names.AUTHORITY_PROFILES``). Each
school gets a latent deprivation location ``mu`` (authority profile + school noise), a latent
*school effect* on attainment (a level and a slope: some schools do better for their lowest
attainers, others for their highest), a curriculum width (6-8 courses in S4) and a destinations
effect. The two demo schools (``scales.DEMO_SCHOOL_1`` / ``_2``) have a fixed character.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from datahub.codes import LOCAL_AUTHORITIES
from insight.demo.names import AUTHORITY_PROFILES, SAINTS, SPECIAL_NAMES, AuthorityProfile
from insight.demo.scales import DEMO_SCHOOL_1, DEMO_SCHOOL_2, Scale

# Establishment types, as indexes (the loader maps them onto EstablishmentType).
SEC, SPE, PRI = 0, 1, 2


@dataclass
class Schools:
    """Every establishment of the world, as parallel columns (index = school)."""

    names: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    type: list[int] = field(default_factory=list)
    roll: list[int] = field(default_factory=list)
    mu: list[float] = field(default_factory=list)  # latent SIMD location
    within: list[float] = field(default_factory=list)
    effect: list[float] = field(default_factory=list)  # attainment level effect
    slope: list[float] = field(default_factory=list)  # attainment slope effect (spread)
    courses: list[int] = field(default_factory=list)  # courses in S4
    dest: list[float] = field(default_factory=list)  # destinations effect (log-odds of not positive)
    # The two named schools the demo logins belong to (indexes of DEMO_SCHOOL_1, DEMO_SCHOOL_2).
    named: list[int] = field(default_factory=list)
    # On the real-schools world: each school's published facts (``real.RealSchool``), else empty.
    real: list[Any] = field(default_factory=list)

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in self.__dict__.items() if k not in ("names", "authority", "named", "real")}

    def add(self, *, name: str, authority: str, type: int, roll: int, mu: float, within: float, effect: float,
            slope: float, courses: int, dest: float) -> None:
        self.names.append(name)
        self.authority.append(authority)
        self.type.append(type)
        self.roll.append(roll)
        self.mu.append(mu)
        self.within.append(within)
        self.effect.append(effect)
        self.slope.append(slope)
        self.courses.append(courses)
        self.dest.append(dest)


def build_schools(scale: Scale, seed: int) -> Schools:
    """The establishments of ``scale``, authority by authority."""
    s = Schools()
    used_special: set[str] = set()
    used: set[str] = {name for _a, name in (DEMO_SCHOOL_1, DEMO_SCHOOL_2)}
    for code, _gss, auth in sorted(LOCAL_AUTHORITIES):
        prof = AUTHORITY_PROFILES[auth]
        # Every authority's draws come from the same stream, whatever the scale asks of it.
        arng = np.random.default_rng([seed, 2, code])
        places = list(arng.permutation(prof.places))
        anchors = [name for a, name in (DEMO_SCHOOL_1, DEMO_SCHOOL_2) if a == auth]
        names = _secondary_names(arng, auth, prof, places, anchors, scale.secondaries.get(auth, 0), used)
        for i, name in enumerate(names):
            _add_secondary(s, arng, auth, prof, name, anchor=i < len(anchors))
        for _ in range(scale.special.get(auth, 0)):
            _add_special(s, arng, auth, prof, used_special)
        for _ in range(scale.primary.get(auth, 0)):
            _add_primary(s, arng, auth, prof, places)
    s.named = [s.names.index(name) for _a, name in (DEMO_SCHOOL_1, DEMO_SCHOOL_2) if name in s.names]
    return s


def _school_name(place: str, rng: np.random.Generator) -> str:
    if any(w in place for w in ("School", "Academy", "Sgoil", "Institute")):
        return place
    r = rng.random()
    suffix = "Academy" if r < 0.47 else "High School" if r < 0.92 else "Grammar School" if r < 0.96 else (
        "Community High School")
    return f"{place} {suffix}"


def _secondary_names(arng: np.random.Generator, auth: str, prof: AuthorityProfile, places: list[str],
                     anchors: list[str], n_sec: int, used: set[str]) -> list[str]:
    """The authority's secondary names: the demo schools, place names, then saints (RC schools).
    Takes the place names it uses from ``places`` and records every name in ``used``."""
    n_rc = round(max(n_sec - len(anchors), 0) * prof.rc)
    saints = list(arng.permutation(SAINTS))
    names: list[str] = list(anchors)
    while len(names) < n_sec - n_rc and places:
        name = _school_name(places.pop(0), arng)
        if name in used:  # the same place name in another authority: try the other suffix
            name = name.replace("Academy", "High School") if "Academy" in name else f"{name.split(' ')[0]} Academy"
        if name not in used:
            names.append(name)
            used.add(name)
    while len(names) < n_sec:
        saint = saints.pop(0) if saints else f"{auth.split(' ')[0]}"
        for suffix in ("RC Secondary", "High School", "Academy", "RC High School"):
            name = f"St {saint}'s {suffix}" if saint != "Mary" else f"Our Lady's {suffix}"
            if name not in used:
                break
        if name in used:
            continue
        names.append(name)
        used.add(name)
    return names


def _add_secondary(s: Schools, arng: np.random.Generator, auth: str, prof: AuthorityProfile, name: str, *,
                   anchor: bool) -> None:
    mean_roll = prof.roll * (0.8 if name.startswith("St ") else 1.0)
    roll = int(np.clip(round(arng.lognormal(math.log(mean_roll), 0.3)), 300, 1800))
    mu = prof.affluence - 0.1 + (0.0 if anchor else arng.normal(0, prof.spread))
    # The demo schools have a fixed character: school 1 good for its lowest attainers
    # (positive level, narrower spread), school 2 slightly below its comparators.
    if anchor and name == DEMO_SCHOOL_1[1]:
        effect, slope = 0.08, -0.08
    elif anchor:
        effect, slope = -0.06, 0.06
    else:
        effect = float(arng.normal(0, 0.18))
        slope = float(arng.normal(0, 0.07))
    courses = int(arng.choice([6, 7, 8], p=[0.05, 0.35, 0.6]))
    dest = float(arng.normal(0, 0.25))
    s.add(name=name, authority=auth, type=SEC, roll=roll, mu=mu, within=prof.within, effect=effect, slope=slope,
          courses=courses, dest=dest)


def _add_special(s: Schools, arng: np.random.Generator, auth: str, prof: AuthorityProfile,
                 used_special: set[str]) -> None:
    name = next(n for n in SPECIAL_NAMES if n not in used_special)
    used_special.add(name)
    roll = int(arng.integers(40, 160))
    effect = float(arng.normal(0, 0.1))
    s.add(name=f"{name} School", authority=auth, type=SPE, roll=roll, mu=prof.affluence - 0.3, within=prof.within,
          effect=effect, slope=0.0, courses=5, dest=0.0)


def _add_primary(s: Schools, arng: np.random.Generator, auth: str, prof: AuthorityProfile,
                 places: list[str]) -> None:
    place = places.pop(0) if places else f"{auth} Central"
    base = place.split(" ")[0] if any(w in place for w in ("School", "Sgoil", "Academy")) else place
    roll = int(arng.integers(60, 450))
    s.add(name=f"{base} Primary School", authority=auth, type=PRI, roll=roll, mu=prof.affluence,
          within=prof.within, effect=0.0, slope=0.0, courses=0, dest=0.0)
