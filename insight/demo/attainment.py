"""World building, step 3: attainment.

Per senior-phase year a course choice (English and Mathematics or Applications of Mathematics for
almost everyone, electives by interest, sex and ability) and a level per course (S4: N3/N4/N5; S5:
Higher where the National 5 was A-C, else N5/N4; S6: Advanced Higher after a Higher A/B, Highers
in new subjects or after a National 5, ...). Grades come from ability + course noise + a diet-year
shift (2020-22 alternative certification) against fixed thresholds; a failed National 5 often
yields a National 4. Some Skills for Work, NPAs, Foundation Apprenticeships, a National
Certificate and wider achievement awards are added. Vectorised over all leavers of a year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from insight.demo.courses import (
    AC_ABLE,
    AC_MALE,
    AC_MAX,
    AC_POP,
    AC_S4,
    AC_SUBJ,
    AW,
    DIET_SHIFT,
    GRADE_CUTS,
    I_AMATH,
    I_ENG,
    I_GAI,
    I_MATH,
    LEVEL_TO_AWARD,
    N_ACADEMIC,
    PASS_CUT,
    SUBJ,
    SUBJECT_CODES,
    points,
)
from insight.demo.numeric import top_k

_SHIFT_BY_DIET = np.array([DIET_SHIFT.get(int(d), 0.0) for d in range(2000, 2101)])  # index = diet - 2000


@dataclass
class _Sitting:
    """The learners sitting one senior-phase year (index = position in ``who``)."""

    k: int  # 0 = S4 year, 1 = S5, 2 = S6
    who: np.ndarray  # learner indexes
    ab: np.ndarray  # ability
    asn: np.ndarray
    female: np.ndarray
    special: np.ndarray
    diet: np.ndarray  # diet year
    sch: np.ndarray  # school sat at


class _Results:
    """Result rows as they are drawn: (learner, subject, award, level, credits, grade, year, school)."""

    def __init__(self) -> None:
        self.rows: list[tuple[np.ndarray, ...]] = []

    def emit(self, li: np.ndarray, subj: np.ndarray, award: np.ndarray, lvl: np.ndarray, credits: np.ndarray,
             grd: np.ndarray, diet: np.ndarray, sch: np.ndarray) -> None:
        if li.size:
            self.rows.append((li, subj, award, lvl.astype(np.int64), credits.astype(np.int64), grd, diet, sch))


def attainment(rng: np.random.Generator, ability: np.ndarray, female: np.ndarray, asn: np.ndarray,
               special: np.ndarray, stage: np.ndarray, winter: np.ndarray, year: int, school: np.ndarray,
               first_school: np.ndarray, courses: np.ndarray, gaelic_share: np.ndarray) -> dict[str, np.ndarray]:
    """Course choices and results for every senior-phase year of every leaver, vectorised."""
    n = ability.size
    n_years = stage + 1
    male = (~female).astype(float)
    # Aptitude per subject; interest per subject (popularity, sex, ability and taste).
    apt = ability[:, None] + rng.normal(0, 0.45, (n, N_ACADEMIC))
    interest = (AC_POP[None, :] + AC_MALE[None, :] * (male[:, None] * 2 - 1) * 0.6
                + AC_ABLE[None, :] * ability[:, None] * 0.6 + rng.gumbel(0, 0.7, (n, N_ACADEMIC)))
    level = np.zeros((n, N_ACADEMIC), dtype=np.int8)  # best SCQF level attained per subject
    grade = np.zeros((n, N_ACADEMIC), dtype=np.int8)  # its grade rank (A 4 .. D 1; 0 ungraded)
    taken = np.zeros((n, N_ACADEMIC), dtype=bool)
    gaelic = rng.random(n) < gaelic_share
    amath = (ability + rng.normal(0, 0.5, n)) < -0.45
    results = _Results()

    for k in range(3):  # 0 = S4 year, 1 = S5, 2 = S6
        who = np.flatnonzero((n_years > k) & ~((stage == k) & winter))  # winter leavers sit no exams
        if who.size == 0:
            continue
        diet = year - n_years[who] + k + 1
        sit = _Sitting(k=k, who=who, ab=ability[who], asn=asn[who], female=female[who], special=special[who],
                       diet=diet, sch=first_school[who] if k == 0 else school[who])
        lv, gr, tk = level[who], grade[who], taken[who]
        if k == 0:
            target, pr, kk = _s4_choice(rng, sit, apt[who], interest[who], amath[who], gaelic[who], courses[who])
        else:
            target, pr, kk = _later_choice(rng, sit, apt[who], interest[who], lv, gr, tk)
        kk = np.where(sit.special, np.minimum(kk, 4), kk)
        pr = np.where(target > 0, pr, -np.inf)
        chosen = top_k(pr, np.maximum(kk, 1))
        _sit_exams(rng, results, sit, chosen, target, apt[who], _SHIFT_BY_DIET[diet - 2000], lv, gr, tk)
        level[who], grade[who], taken[who] = lv, gr, tk
        _literacy_and_numeracy_units(rng, results, sit, lv)
        _vocational(rng, results.emit, sit.who, k, sit.ab, sit.female, sit.special, sit.diet, sit.sch)
    return _collect(results, n)


def _s4_choice(rng: np.random.Generator, sit: _Sitting, apt: np.ndarray, interest: np.ndarray, amath: np.ndarray,
               gaelic: np.ndarray, courses: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S4: the target level per subject, the choice priorities and the number of courses."""
    m = sit.who.size
    target = np.zeros((m, N_ACADEMIC), dtype=np.int8)  # 0 = not available
    s = apt + rng.normal(0, 0.3, (m, N_ACADEMIC))
    target[:] = np.where(s > -0.75, 5, np.where(s > -1.7, 4, 3))
    target[:, ~AC_S4] = 0
    pr = interest.copy()
    pr[:, I_ENG] += 100
    pr[:, I_MATH] += np.where(amath, -np.inf, 90)
    pr[:, I_AMATH] += np.where(amath, 90, -np.inf)
    pr[:, I_GAI] += np.where(gaelic, 50, -np.inf)
    kk = courses - ((sit.asn | (sit.ab < -1.2)) & (rng.random(m) < 0.4))
    return target, pr, kk


def _later_choice(rng: np.random.Generator, sit: _Sitting, apt: np.ndarray, interest: np.ndarray, lv: np.ndarray,
                  gr: np.ndarray, tk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S5 and S6: the next level after what was attained, the choice priorities and the course count."""
    m, ab = sit.who.size, sit.ab
    new_level = np.where(ab[:, None] + rng.normal(0, 0.4, (m, N_ACADEMIC)) > 0.5, 6,
                         np.where(ab[:, None] > -0.7, 5, 4))
    target = np.select(
        [lv == 7, (lv == 6) & (gr >= 3), lv == 6, (lv == 5) & (gr >= 2), lv == 5, lv == 4, lv == 3, tk],
        [0, 7, 0, 6, 5, 5, 4, np.where(ab[:, None] > -0.5, 5, 4)],
        default=new_level,
    ).astype(np.int8)
    # Advanced Highers only for the ablest; crash Highers only in S6 or new-only subjects.
    target = np.where((target == 7) & (apt < 0.9), 0, target)
    target = np.where(target > AC_MAX[None, :], 0, target)
    pr = interest + 0.5 * apt + np.where(tk, 1.5, np.where(AC_S4, -3.0, -1.2)[None, :])
    pr[:, I_ENG] += np.where(lv[:, I_ENG] < 6, 40, 0)
    pr[:, [I_MATH, I_AMATH]] += np.where(tk[:, [I_MATH, I_AMATH]], 2.0, -np.inf)
    resit = (target == lv) & (target > 0)
    pr = pr - 1.5 * resit
    if sit.k == 1:
        kk = 5 + (rng.random(m) < 0.5) - ((sit.asn | (ab < -0.8)) & (rng.random(m) < 0.5))
    else:
        kk = 4 + ((ab > 0.3) & (rng.random(m) < 0.5))
    return target, pr, kk


def _sit_exams(rng: np.random.Generator, results: _Results, sit: _Sitting, chosen: np.ndarray, target: np.ndarray,
               apt: np.ndarray, shift: np.ndarray, lv: np.ndarray, gr: np.ndarray, tk: np.ndarray) -> None:
    """Grade the chosen courses, emit the awards (a failed N5 may bring an N4, a failed N4 an N3) and
    update the best level and grade per subject (``lv``, ``gr``) and the subjects taken (``tk``)."""
    li, aj = np.nonzero(chosen)
    tl = target[li, aj]
    score = apt[li, aj] + rng.normal(0, 0.55, li.size) + shift[li]
    g_rank = np.zeros(li.size, dtype=np.int8)
    graded = tl >= 5
    for lvl, cuts in GRADE_CUTS.items():
        sel = tl == lvl
        g_rank[sel] = (score[sel][:, None] >= np.array(cuts)[None, :]).sum(axis=1).astype(np.int8)
    passed = np.where(graded, g_rank > 0, score >= np.where(tl == 4, PASS_CUT[4], PASS_CUT[3]))
    # A failed National 5 often brings a National 4; a failed National 4 sometimes a National 3.
    fb = ~passed & (((tl == 5) & (rng.random(li.size) < 0.65) & (score > PASS_CUT[4]))
                    | ((tl == 4) & (rng.random(li.size) < 0.5) & (score > PASS_CUT[3])))
    fb_level = np.where(tl == 5, 4, 3).astype(np.int8)
    for mask, lvls in ((passed, tl), (fb, fb_level)):
        l2, a2, v2 = li[mask], aj[mask], lvls[mask]
        gr2 = np.where(v2 >= 5, g_rank[mask], 0)
        results.emit(sit.who[l2], AC_SUBJ[a2], LEVEL_TO_AWARD[v2], v2,
                     np.where(v2 == 7, 32, 24), np.where(v2 >= 5, 4 - gr2, 4), sit.diet[l2], sit.sch[l2])
        better = (v2 > lv[l2, a2]) | ((v2 == lv[l2, a2]) & (gr2 > gr[l2, a2]))
        lv[l2[better], a2[better]] = v2[better]
        gr[l2[better], a2[better]] = gr2[better]
    tk[li, aj] = True


def _literacy_and_numeracy_units(rng: np.random.Generator, results: _Results, sit: _Sitting, lv: np.ndarray) -> None:
    """Literacy and numeracy units for those still without English / Mathematics at level 4."""
    m, ab = sit.who.size, sit.ab
    for subj, core in (("LIT", [I_ENG, I_GAI]), ("NUM", [I_MATH, I_AMATH])):
        need = (lv[:, core].max(axis=1) < 4) & (rng.random(m) < 0.55)
        idx = np.flatnonzero(need)
        lvl_u = np.where(ab[idx] > -2.2, 4, 3)
        results.emit(sit.who[idx], np.full(idx.size, SUBJ[subj]), np.where(lvl_u == 4, AW["N4"], AW["N3"]), lvl_u,
                     np.full(idx.size, 6), np.full(idx.size, 4), sit.diet[idx], sit.sch[idx])


def _collect(results: _Results, n: int) -> dict[str, np.ndarray]:
    """The result columns ordered by learner, diet year and subject, with each learner's total
    tariff (latest and best: per learner and subject only the best result counts) overall and at
    Higher level and above."""
    cols: list[np.ndarray]
    if results.rows:
        cols = [np.concatenate([r[i] for r in results.rows]) for i in range(8)]
    else:
        cols = [np.zeros(0, np.int64) for _ in range(8)]
    order = np.lexsort((cols[1], cols[6], cols[0]))  # by learner, diet year, subject
    learner, subject, award, r_level, credits, grd, diet_year, res_school = (c[order] for c in cols)
    pts = points(award, r_level, credits, grd)
    best = np.zeros((n, len(SUBJECT_CODES)))
    np.maximum.at(best, (learner, subject), pts)
    best_h = np.zeros((n, len(SUBJECT_CODES)))
    np.maximum.at(best_h, (learner, subject), np.where(r_level >= 6, pts, 0))
    return {
        "r_learner": learner, "r_subject": subject, "r_award": award, "r_level": r_level, "r_credits": credits,
        "r_grade": grd, "r_year": diet_year, "r_school": res_school, "points": best.sum(axis=1),
        "higher_points": best_h.sum(axis=1),
    }


def _vocational(rng: np.random.Generator, emit: Callable[..., None], who: np.ndarray, k: int, ab: np.ndarray,
                female: np.ndarray, special: np.ndarray, diet: np.ndarray, sch: np.ndarray) -> None:
    """Vocational and wider awards of one senior-phase year."""
    m = who.size
    u = rng.random((m, 6))
    pick = rng.random(m)
    # Wider achievement (Youth Achievement, Duke of Edinburgh's): 6-24 credits, levels 2-6.
    p = np.clip([0.4, 0.5, 0.6][k] + 0.08 * ab, 0.05, 0.85)
    idx = np.flatnonzero(u[:, 0] < p)
    lvl = np.clip(3 + k + (ab[idx] > 0.8) - special[idx] * 2, 2, 6)
    emit(who[idx], np.where(pick[idx] < 0.5, SUBJ["WAYP"], SUBJ["WADOE"]), np.full(idx.size, AW["WA"]), lvl,
         np.clip(6 * (lvl - 2), 6, 24), np.full(idx.size, 4), diet[idx], sch[idx])
    # A second wider award in S5/S6 for some (the other one).
    idx2 = idx[u[idx, 5] < 0.4]
    if idx2.size:
        lvl2 = np.clip(2 + k + (ab[idx2] > 0.5) - special[idx2] * 2, 2, 6)
        emit(who[idx2], np.where(pick[idx2] < 0.5, SUBJ["WADOE"], SUBJ["WAYP"]), np.full(idx2.size, AW["WA"]),
             lvl2, np.clip(6 * (lvl2 - 2), 6, 24), np.full(idx2.size, 4), diet[idx2], sch[idx2])
    # Skills for Work (more for mid and lower attainers): 24 credits, levels 4-5.
    p = np.where(ab < 0, 1.5, 0.5) * [0.08, 0.15, 0.15][k] * ~special
    idx = np.flatnonzero(u[:, 1] < p)
    f = female[idx]
    subj = np.where(pick[idx] < 0.45, np.where(f, SUBJ["SFWHC"], SUBJ["SFWCON"]), SUBJ["SFWSPT"])
    lvl = np.where(ab[idx] < -0.5, 4, 5)
    emit(who[idx], subj, np.full(idx.size, AW["SFW"]), lvl, np.where(lvl == 4, 18, 24), np.full(idx.size, 4),
         diet[idx], sch[idx])
    # National Progression Awards: 12-24 credits, levels 3-6.
    p = [0.08, 0.18, 0.25][k] + 0.05 * special
    idx = np.flatnonzero(u[:, 2] < p)
    subj = np.where((~female[idx]) ^ (pick[idx] < 0.3), SUBJ["NPACYB"], SUBJ["NPAMUS"])
    lvl = np.clip(4 + k - (ab[idx] < -0.5) + (ab[idx] > 1.0) - 2 * special[idx], 3, 6)
    emit(who[idx], subj, np.full(idx.size, AW["NPA"]), lvl, 6 * rng.integers(2, 5, idx.size),
         np.full(idx.size, 4), diet[idx], sch[idx])
    if k == 2:
        _s6_college_awards(rng, emit, who, u, pick, ab, female, special, diet, sch)


def _s6_college_awards(rng: np.random.Generator, emit: Callable[..., None], who: np.ndarray, u: np.ndarray,
                       pick: np.ndarray, ab: np.ndarray, female: np.ndarray, special: np.ndarray, diet: np.ndarray,
                       sch: np.ndarray) -> None:
    # Foundation Apprenticeships (two years, awarded in S6): level 6, 40-60 credits.
    p = np.where((ab > -0.6) & (ab < 1.0), 0.08, 0.02) * ~special
    idx = np.flatnonzero(u[:, 3] < p)
    subj = np.where(female[idx] ^ (pick[idx] < 0.2), SUBJ["FAELC"], SUBJ["FAENG"])
    emit(who[idx], subj, np.full(idx.size, AW["FA"]), np.full(idx.size, 6),
         rng.choice([40, 44, 48, 52, 56, 60], idx.size), np.full(idx.size, 4), diet[idx], sch[idx])
    # National Certificate in Health and Social Care (college partnership).
    idx = np.flatnonzero((u[:, 4] < 0.02) & ~special)
    lvl = np.where(ab[idx] > 0, 6, 5)
    emit(who[idx], np.full(idx.size, SUBJ["NCHSC"]), np.full(idx.size, AW["NC"]), lvl,
         np.where(lvl == 6, 72, 48), np.full(idx.size, 4), diet[idx], sch[idx])
