"""The course and award catalogue of the attainment model: subjects offered as academic courses
(with who tends to choose them), award types, grades and their thresholds, diet-year shifts, and
the default tariff points of a result (datahub.reference) that the destinations model uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datahub.reference import GRADED_POINTS, PASS_POINTS, PER_CREDIT_AT_C, SUBJECTS, WIDER_FACTOR

SUBJECT_CODES: tuple[str, ...] = tuple(s[0] for s in SUBJECTS)
SUBJ = {code: i for i, code in enumerate(SUBJECT_CODES)}  # subject code -> index
AWARDS = ("N3", "N4", "N5", "H", "AH", "NPA", "SFW", "FA", "NC", "WA")
AW = {a: i for i, a in enumerate(AWARDS)}  # award type -> index
GRADES = ("A", "B", "C", "D", "P")  # index = 4 - rank for graded (A rank 4 ... D rank 1), P = 4
_LEVEL_AWARD = {3: AW["N3"], 4: AW["N4"], 5: AW["N5"], 6: AW["H"], 7: AW["AH"]}
LEVEL_TO_AWARD = np.array([-1, -1, -1, *(_LEVEL_AWARD[lvl] for lvl in range(3, 8))])


@dataclass(frozen=True)
class Course:
    """An academic subject and who tends to choose it."""

    code: str
    s4: bool  # offered in S4 (False: a new subject in S5/S6, e.g. Psychology)
    max_level: int
    male: float  # preference of boys over girls (negative: girls)
    able: float  # preference of more able pupils
    popularity: float  # relative uptake


ACADEMIC: tuple[Course, ...] = (
    Course("ENG", True, 7, 0, 0, 1), Course("MATH", True, 7, 0, 0, 1), Course("AMATH", True, 6, 0, 0, 1),
    Course("GAI", True, 7, 0, 0, 0.01),
    Course("PHY", True, 7, 0.5, 0.5, 1.0), Course("CHEM", True, 7, 0, 0.5, 1.0),
    Course("BIO", True, 7, -0.3, 0.3, 1.2), Course("HSCI", False, 6, -0.4, 0.1, 0.9),
    Course("HIST", True, 7, 0, 0.1, 1.0), Course("GEOG", True, 7, 0, 0, 1.1),
    Course("MODS", True, 7, 0, 0.1, 0.9), Course("RMPS", True, 7, -0.3, 0.1, 0.5),
    Course("FREN", True, 7, -0.4, 0.4, 0.8), Course("SPAN", True, 7, -0.3, 0.4, 0.6),
    Course("GERM", True, 7, 0, 0.5, 0.25), Course("ART", True, 7, -0.5, 0, 1.0),
    Course("MUS", True, 7, 0, 0.2, 0.7), Course("DRAM", True, 7, -0.6, 0, 0.6),
    Course("PE", True, 7, 0.4, -0.1, 1.2), Course("COMP", True, 7, 0.7, 0.3, 0.7),
    Course("BUS", True, 7, 0, 0, 1.0), Course("ADIT", True, 6, -0.2, -0.2, 0.6),
    Course("ACC", True, 6, 0, 0.3, 0.25), Course("DMAN", True, 7, 0.6, 0, 0.6),
    Course("GRAP", True, 7, 0.4, 0, 0.6), Course("ENGS", True, 7, 0.8, 0.5, 0.3),
    Course("PWOOD", True, 5, 0.9, -0.5, 0.6), Course("HFT", True, 6, -0.5, -0.2, 0.5),
    Course("HOSP", True, 5, -0.2, -0.4, 0.7), Course("PSY", False, 6, -0.6, 0.1, 0.9),
    Course("SOC", False, 6, -0.5, 0, 0.5), Course("MEDIA", False, 6, 0, -0.1, 0.5),
)
# The catalogue as arrays (index = position in ACADEMIC); English and the two Mathematics first.
N_ACADEMIC = len(ACADEMIC)
AC_SUBJ = np.array([SUBJ[c.code] for c in ACADEMIC])
AC_S4 = np.array([c.s4 for c in ACADEMIC])
AC_MAX = np.array([c.max_level for c in ACADEMIC], dtype=np.int8)
AC_MALE = np.array([c.male for c in ACADEMIC])
AC_ABLE = np.array([c.able for c in ACADEMIC])
AC_POP = np.log(np.array([c.popularity for c in ACADEMIC]))
I_ENG, I_MATH, I_AMATH, I_GAI = 0, 1, 2, 3

# Grade thresholds on the course score (ability + course noise + diet shift) by SCQF level:
# (A, B, C, D); below D no award. National 4 / 3 are pass/fail.
GRADE_CUTS = {5: (0.55, 0.05, -0.5, -0.85), 6: (0.87, 0.38, -0.1, -0.42), 7: (1.79, 1.39, 0.98, 0.72)}
PASS_CUT = {4: -2.0, 3: -2.8}
# Diet-year shifts: the 2020 and 2021 alternative certification models, the 2022 partial return.
DIET_SHIFT = {2020: 0.35, 2021: 0.35, 2022: 0.15}

_POINTS_GRADED = {lvl: GRADED_POINTS[(a, lvl)] for (a, lvl) in GRADED_POINTS}
_POINTS_PASS = {lvl: PASS_POINTS[(a, lvl)] for (a, lvl) in PASS_POINTS}


def points(award: np.ndarray, level: np.ndarray, credits: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Default tariff points (datahub.reference) per result, for the synthetic destinations model."""
    pts = np.zeros(award.size)
    for lvl, table in _POINTS_GRADED.items():
        for gi, g in enumerate(GRADES[:4]):
            pts[(level == lvl) & (grade == gi) & (award <= AW["AH"])] = table[g]
    for lvl, p in _POINTS_PASS.items():
        pts[(level == lvl) & (award == _LEVEL_AWARD[lvl])] = p
    per_credit = award >= AW["NPA"]
    rate = np.array([float(PER_CREDIT_AT_C.get(lvl, 0)) for lvl in range(13)])
    factor = np.where(award == AW["WA"], float(WIDER_FACTOR), 1.0)
    pts = np.where(per_credit, rate[np.clip(level, 0, 12)] * credits * factor, pts)
    return pts
