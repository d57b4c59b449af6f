"""Local measures: the Course Comparator (issue 12, item 4).

A *course* is a subject at one award type and SCQF level (National 5 English, Higher Maths, an
NPA in Cyber Security at level 4); a school *presented* it in a year when members of one of its
cohorts (:mod:`.breadth`: S4, S5 or S6 based on the S4 roll, or leavers) sat it in that year's
diet. For each (school, year, cohort stage, course) this module counts:

* ``n_entries``: members who sat the course in the diet of the cohort's year (a learner has one
  result per course and diet);
* ``n_a``, ``n_ab``, ``n_ac``, ``n_ad``: of them, with a grade A, A or B, A to C, A to D (graded
  courses: National 5, Higher, Advanced Higher); ``n_pass``: with an ungraded pass (every other
  award type: National 3 and 4, NPA, Skills for Work, Foundation Apprenticeship, ...). Vocational
  awards are courses like any other, read for their uptake (entries);
* the **grade difference** (Insight's Course Comparator compares pupils' results in a course with
  the same pupils' results in their other courses; its formula is not published, so this one is
  ours): grades as numbers A = 4, B = 3, C = 2, D = 1 (ungraded awards have no number); for each
  entrant with a graded result in this course and at least one other graded result in the same
  diet, *this course's number minus the mean of their other courses' numbers*; ``n_compared``
  entrants have one, ``grade_diff`` is their mean (positive: these pupils did better here than in
  their other courses that year).

Against: the **virtual comparator for the course** (for every entrant, ten entrants of the same
course, year and cohort stage from schools in **other authorities** with the same sex, ASN and
SIMD decile, relaxed and drawn exactly as the leavers' VC, :mod:`.comparator`; a comparator drawn
twice counts twice; ``n_entries`` of the VC is the number drawn), the school's authority, its
Regional Improvement Collaborative (between authority and Scotland) and Scotland: each the sum
of its schools' rows.

Vectorised, one cohort year at a time: every member is joined to their learner's results of the
year's diet (``np.repeat`` over sorted ranges, no Python loop per pupil); the entries are put in a
canonical order (year, learner, stage, course) so that every figure, floats included, is the same
whatever order the rows came in; one ``np.unique`` over a packed (school, stage, course) key gives
the groups, and ``np.bincount`` the counts; the VC is the comparator module's draw over a pool of
*entries* whose "stage" is (cohort stage, course), so a comparator always sat the same course.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .comparator import draw_rows, find_candidates
from .ordering import dense_codes, order_by

AWARD_TYPE: Final = "award_type"
# Award type codes as the loader gives them (index into this tuple; datahub.models.AwardType).
AWARD_TYPES: Final = ("N3", "N4", "N5", "H", "AH", "NPA", "SFW", "FA", "NC", "WA")
GRADED_AWARD_TYPES: Final = ("N5", "H", "AH")
VOCATIONAL_AWARD_TYPES: Final = ("NPA", "SFW", "FA", "NC")
# Grade code (columns.GRADE_CODES: A 0, B 1, C 2, D 3, pass 4) -> our number (ungraded: none).
GRADE_NUMBERS: Final = {"A": 4, "B": 3, "C": 2, "D": 1}
# The levels a course is compared at, in page order: the collaborative (Regional Improvement
# Collaborative) between authority and Scotland, each summed from its schools' rows.
LEVELS: Final = (c.COHORT_ESTABLISHMENT, c.COHORT_VC, c.COHORT_AUTHORITY, c.COHORT_COLLABORATIVE,
                 c.COHORT_NATIONAL)

N_ENTRIES: Final = "n_entries"
N_A, N_AB, N_AC, N_AD, N_PASS = "n_a", "n_ab", "n_ac", "n_ad", "n_pass"
N_COMPARED: Final = "n_compared"
GRADE_DIFF: Final = "grade_diff"
DIFF_TOTAL: Final = "grade_diff_total"  # working column: the sum of the entrants' differences
COUNT_COLUMNS: Final = (N_ENTRIES, N_A, N_AB, N_AC, N_AD, N_PASS, N_COMPARED)
COURSE_KEYS: Final = (c.COHORT, c.COHORT_ID, c.YEAR, c.COHORT_STAGE, c.SUBJECT_ID, AWARD_TYPE, c.SCQF_LEVEL)
_PASS: Final = c.GRADE_CODES["P"]
_N_STAGES: Final = len(c.COHORT_STAGES)


def _array(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    if column not in frame.columns:
        raise ValueError(f"{what} frame is missing columns: {column}")
    if frame[column].isna().any():
        raise ValueError(f"{what}.{column} has missing values")
    return frame[column].to_numpy(dtype=np.int64)


def course_entries(members: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """One row per (member, result of the diet of the member's cohort year), in canonical order
    (year, learner, stage code, course): the member's row, school, authority, stage code and VC
    characteristics, the course (subject, award type code, level, and ``course``: a dense code in
    that order), the grade code, and the grade difference against the learner's other graded
    results of that diet (NaN when there is none)."""
    return pd.DataFrame(_entry_arrays(members, results))


def _entry_arrays(members: pd.DataFrame, results: pd.DataFrame) -> dict[str, np.ndarray]:
    """:func:`course_entries` as arrays (no frame is built on the engine's path)."""
    learner = _array(members, c.LEARNER_ID, "members")
    year = _array(members, c.YEAR, "members")
    stage = pd.Categorical(members[c.COHORT_STAGE].astype(str), categories=list(c.COHORT_STAGES)).codes.astype(np.int64)
    if (stage < 0).any():
        raise ValueError(f"members.{c.COHORT_STAGE} must be one of {', '.join(c.COHORT_STAGES)}")
    r_learner, r_year = _array(results, c.LEARNER_ID, "results"), _array(results, c.YEAR, "results")
    subject, award = _array(results, c.SUBJECT_ID, "results"), _array(results, AWARD_TYPE, "results")
    level, grade = _array(results, c.SCQF_LEVEL, "results"), _array(results, c.GRADE, "results")
    if ((award < 0) | (award >= len(AWARD_TYPES))).any():
        raise ValueError(f"results.{AWARD_TYPE} must be a code 0..{len(AWARD_TYPES) - 1}")
    # Results of the members' diets only, sorted by (diet year, learner): each learner-diet is
    # one contiguous range.
    member_key = year * (1 << 40) + learner
    r_key = r_year * (1 << 40) + r_learner
    r_keep = np.flatnonzero(np.isin(r_key, member_key))
    # Stable order of (diet year, learner): a packed np.sort (ordering.order_by), not a merge sort.
    by = r_keep[_stable_order(r_year[r_keep], r_learner[r_keep])]
    key = r_key[by]
    lo, hi = np.searchsorted(key, member_key, "left"), np.searchsorted(key, member_key, "right")
    n = hi - lo
    member_row = np.repeat(np.arange(len(learner)), n)
    position = np.repeat(lo, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    # The grade difference, per learner and diet: this result's number minus the mean of the others'.
    g = grade[by]
    number = np.where(g < _PASS, 4 - g, 0).astype(np.float64)
    graded = (g < _PASS).astype(np.int64)
    new_run = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, dtype=bool)
    starts, run_of = np.flatnonzero(new_run), np.cumsum(new_run) - 1
    total = np.add.reduceat(number, starts)[run_of] if len(key) else number
    count = np.add.reduceat(graded, starts)[run_of] if len(key) else graded
    with np.errstate(invalid="ignore", divide="ignore"):
        diff_sorted = np.where((graded == 1) & (count >= 2), number - (total - number) / (count - 1), np.nan)
    result_row = by[position]
    # The course as one dense code in (subject, award type, level) order.
    course_key = (dense_codes(subject)[0] * len(AWARD_TYPES) + award) * 64 + np.minimum(level, 63)
    course, _ = dense_codes(course_key[result_row]) if len(result_row) else (np.zeros(0, dtype=np.int64), 1)
    out = {
        "member": member_row,
        c.LEARNER_ID: learner[member_row],
        c.ESTABLISHMENT_ID: _array(members, c.ESTABLISHMENT_ID, "members")[member_row],
        c.AUTHORITY_ID: _array(members, c.AUTHORITY_ID, "members")[member_row],
        c.YEAR: year[member_row],
        "stage_code": stage[member_row],
        c.SUBJECT_ID: subject[result_row],
        AWARD_TYPE: award[result_row],
        c.SCQF_LEVEL: level[result_row],
        "course": course,
        c.GRADE: grade[result_row],
        GRADE_DIFF: diff_sorted[position],
    }
    for column in (c.SEX, c.ASN, c.SIMD_DECILE):
        if column in members.columns:
            out[column] = members[column].to_numpy()[member_row]
    # Canonical order: (year, learner, stage, course), stable.
    order = _stable_order(out[c.YEAR], out[c.LEARNER_ID], out["stage_code"], course)
    return {name: values[order] for name, values in out.items()}


def _stable_order(*keys: np.ndarray) -> np.ndarray:
    """Row positions sorted by ``keys`` (first most significant), ties in row order: the order
    ``np.argsort`` (stable) of the keys packed into one integer gives. Each key is shifted to start at
    0 (order kept), then :func:`.ordering.order_by` packs them with the position and sorts once."""
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    return order_by(*(key - key.min() for key in keys))


def dense_rank(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for non-negative integers: the sorted distinct
    values and each value's rank among them. A small range is ranked with a table of the values
    present (no sort); otherwise ``np.unique`` itself."""
    if len(values) and int(values.min()) >= 0 and int(values.max()) < 4 * len(values) + 2**16:
        present = np.bincount(values)
        rank = np.cumsum(present > 0) - 1
        return np.flatnonzero(present), rank[values]
    unique, inverse = np.unique(values, return_inverse=True)
    return unique, inverse.reshape(-1)


def _counts(group: np.ndarray, n_groups: int, code: np.ndarray, diff: np.ndarray) -> dict[str, np.ndarray]:
    """Per group: entries, grade bands, passes, compared entrants and the sum of their differences.

    ``code``: per entry its grade code * 2 + 1 when compared (:func:`_entry_codes`), so one
    ``np.bincount`` over (group, code) gives the bands and the compared entrants; ``diff``: the
    difference, 0 when not compared, summed by a second one (in entry order, as over the compared
    entries alone: adding 0.0 changes no sum)."""
    n_grades = _PASS + 1
    table = np.bincount(group * (2 * n_grades) + code, minlength=n_groups * 2 * n_grades).reshape(n_groups, n_grades, 2)
    by_grade = table.sum(axis=2)
    at_most = by_grade[:, :_PASS].cumsum(axis=1)  # A, A-B, A-C, A-D
    return {
        N_ENTRIES: by_grade.sum(axis=1).astype(np.int64),
        N_A: at_most[:, 0].astype(np.int64), N_AB: at_most[:, 1].astype(np.int64),
        N_AC: at_most[:, 2].astype(np.int64), N_AD: at_most[:, 3].astype(np.int64),
        N_PASS: by_grade[:, _PASS].astype(np.int64),
        N_COMPARED: table[:, :, 1].sum(axis=1).astype(np.int64),
        DIFF_TOTAL: np.bincount(group, weights=diff, minlength=n_groups),
    }


def _entry_codes(grade: np.ndarray, diff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per entry, :func:`_counts`' code (grade code * 2 + compared) and difference (0 when none)."""
    compared = ~np.isnan(diff)
    return grade * 2 + compared, np.where(compared, diff, 0.0)


def course_results(
    members: pd.DataFrame,
    results: pd.DataFrame,
    *,
    authority_ids: Sequence[int] | None = None,
    seed: int | None = None,
    collaboratives: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """The Course Comparator of every school, its virtual comparator, authority, collaborative
    and Scotland.

    ``members`` as :func:`.breadth.breadth_depth` takes them; ``results`` as well, with
    ``award_type`` (a code, :data:`AWARD_TYPES`). ``authority_ids`` limits the school, VC and
    authority rows to those authorities (a chunk); Scotland and the comparator pool are always the
    whole of ``members``. ``seed``: draw the courses' virtual comparators; ``None`` leaves them out.
    ``collaboratives`` (authority id -> Regional Improvement Collaborative id) adds each
    collaborative of the chunk's authorities: the sum of its authorities' schools (an authority in
    none is in none); a collaborative several chunks hold is computed by each, one copy kept
    (:func:`combine_courses`).

    Returns one row per (level, id, year, cohort stage, course): :data:`COURSE_KEYS` (award type
    as its code, e.g. "N5"), :data:`COUNT_COLUMNS` and ``grade_diff`` (mean, NaN when no entrant
    was compared), ordered by level, id, year, stage, subject, award type and SCQF level.
    """
    entries = _entry_arrays(members, results)
    school = entries[c.ESTABLISHMENT_ID]
    course = entries["course"]
    n_courses = int(course.max()) + 1 if len(course) else 1
    school_code, _ = dense_codes(school)
    year_code, n_years = dense_codes(entries[c.YEAR])
    stage_course = entries["stage_code"] * n_courses + course
    packed = (school_code * n_years + year_code) * (_N_STAGES * n_courses) + stage_course
    keys, group = dense_rank(packed)
    first = np.zeros(len(keys), dtype=np.int64)
    first[group[::-1]] = np.arange(len(group))[::-1]  # an entry of each group, for its keys
    code, diff = _entry_codes(entries[c.GRADE], entries[GRADE_DIFF])
    key_columns = [c.ESTABLISHMENT_ID, c.AUTHORITY_ID, c.YEAR, "stage_code", c.SUBJECT_ID, AWARD_TYPE, c.SCQF_LEVEL]
    school_rows = pd.DataFrame({col: entries[col][first] for col in key_columns})
    school_rows = school_rows.assign(**_counts(group, len(keys), code, diff))
    wanted = (np.ones(len(keys), dtype=bool) if authority_ids is None
              else np.isin(school_rows[c.AUTHORITY_ID].to_numpy(), np.asarray(authority_ids, dtype=np.int64)))
    parts = [_label(school_rows[wanted], c.COHORT_ESTABLISHMENT, c.ESTABLISHMENT_ID)]
    if seed is not None and len(group):
        target, source = vc_draw(entries, stage_course, seed=seed,
                                 establishment_ids=np.unique(school_rows.loc[wanted, c.ESTABLISHMENT_ID].to_numpy()))
        vc = school_rows[key_columns].assign(**_counts(group[target], len(keys), code[source], diff[source]))
        parts.append(_label(vc[wanted & (vc[N_ENTRIES].to_numpy() > 0)], c.COHORT_VC, c.ESTABLISHMENT_ID))
    # Authorities, collaboratives and Scotland: sums of their schools' rows (a member belongs to
    # one school).
    course_keys = [c.YEAR, "stage_code", c.SUBJECT_ID, AWARD_TYPE, c.SCQF_LEVEL]
    sums = [*COUNT_COLUMNS, DIFF_TOTAL]
    authority = school_rows[wanted].groupby([c.AUTHORITY_ID, *course_keys], sort=True)[sums].sum().reset_index()
    parts.append(_label(authority, c.COHORT_AUTHORITY, c.AUTHORITY_ID))
    if collaboratives is not None:
        parts.append(_collaborative_rows(school_rows, wanted, course_keys, sums, collaboratives))
    national = school_rows.groupby(course_keys, sort=True)[sums].sum().reset_index()
    parts.append(_label(national, c.COHORT_NATIONAL, None))
    return pd.concat(parts, ignore_index=True)


def _collaborative_rows(school_rows: pd.DataFrame, wanted: np.ndarray, course_keys: list[str], sums: list[str],
                        collaboratives: Mapping[int, int]) -> pd.DataFrame:
    """The collaboratives of the chunk's authorities (the ``wanted`` school rows'): every school
    row of their member authorities summed, whichever chunk holds those authorities."""
    lookup = pd.Series({int(a): int(k) for a, k in collaboratives.items()}, dtype="int64")
    of = lookup.reindex(school_rows[c.AUTHORITY_ID].to_numpy(dtype=np.int64)).fillna(-1).to_numpy(dtype=np.int64)
    chosen = np.isin(of, np.unique(of[wanted & (of >= 0)]))
    rows = school_rows[chosen].assign(**{c.COLLABORATIVE_ID: of[chosen]})
    summed = rows.groupby([c.COLLABORATIVE_ID, *course_keys], sort=True)[sums].sum().reset_index()
    return _label(summed, c.COHORT_COLLABORATIVE, c.COLLABORATIVE_ID)


def _label(frame: pd.DataFrame, cohort: str, id_column: str | None) -> pd.DataFrame:
    """Output rows of one level: keys, counts and the mean difference, in canonical order."""
    out = pd.DataFrame({
        c.COHORT: np.full(len(frame), cohort, dtype=object),
        c.COHORT_ID: (frame[id_column].to_numpy(dtype=np.int64) if id_column
                      else np.full(len(frame), c.NATIONAL_COHORT_ID, dtype=np.int64)),
        c.YEAR: frame[c.YEAR].to_numpy(dtype=np.int64),
        c.COHORT_STAGE: np.asarray(c.COHORT_STAGES, dtype=object)[frame["stage_code"].to_numpy(dtype=np.int64)],
        "stage_code": frame["stage_code"].to_numpy(dtype=np.int64),
        c.SUBJECT_ID: frame[c.SUBJECT_ID].to_numpy(dtype=np.int64),
        AWARD_TYPE: np.asarray(AWARD_TYPES, dtype=object)[frame[AWARD_TYPE].to_numpy(dtype=np.int64)],
        "award_code": frame[AWARD_TYPE].to_numpy(dtype=np.int64),
        c.SCQF_LEVEL: frame[c.SCQF_LEVEL].to_numpy(dtype=np.int64),
    })
    for column in COUNT_COLUMNS:
        out[column] = frame[column].to_numpy(dtype=np.int64)
    compared = out[N_COMPARED].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out[GRADE_DIFF] = np.where(compared > 0, np.round(frame[DIFF_TOTAL].to_numpy() / compared, 6), np.nan)
    order = np.lexsort((out[c.SCQF_LEVEL].to_numpy(), out["award_code"].to_numpy(), out[c.SUBJECT_ID].to_numpy(),
                        out["stage_code"].to_numpy(), out[c.YEAR].to_numpy(), out[c.COHORT_ID].to_numpy()))
    return out.iloc[order].drop(columns=["stage_code", "award_code"]).reset_index(drop=True)


def vc_draw(entries: pd.DataFrame | dict[str, np.ndarray], stage_course: np.ndarray, *, seed: int,
            establishment_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The courses' virtual comparator: for every entry of the schools ``establishment_ids``, ten
    entries of the **same course**, year and cohort stage from schools in other authorities with
    the same sex, ASN and SIMD decile, drawn and relaxed as the leavers' VC (:mod:`.comparator`:
    the course is part of the cell at every relaxation level, so a comparator always sat it).
    ``entries`` must be in :func:`course_entries`' canonical order (its row number is the id the
    draw order follows). Returns (target rows, comparator rows) of ``entries``."""
    for column in (c.SEX, c.ASN, c.SIMD_DECILE):
        if column not in entries:
            raise ValueError(f"members frame is missing columns: {column} (the virtual comparator matches on it)")
    pool = pd.DataFrame({
        c.LEAVER_ID: np.arange(len(stage_course), dtype=np.int64),
        c.ESTABLISHMENT_ID: np.asarray(entries[c.ESTABLISHMENT_ID], dtype=np.int64),
        c.AUTHORITY_ID: np.asarray(entries[c.AUTHORITY_ID], dtype=np.int64),
        c.YEAR: np.asarray(entries[c.YEAR], dtype=np.int64),
        c.SEX: np.asarray(entries[c.SEX]),
        c.ASN: np.asarray(entries[c.ASN]),
        # The (stage, course) cell as its rank among those present: the same order, so the same
        # draws, and a code space small enough for the comparator's counting path.
        c.STAGE: dense_rank(np.asarray(stage_course, dtype=np.int64))[1],
        c.SIMD_DECILE: np.asarray(entries[c.SIMD_DECILE], dtype=np.int64),
    })
    cells = find_candidates(pool, establishment_ids=establishment_ids.tolist())
    return draw_rows(cells, seed=seed)


def combine_courses(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The course results of a run's chunks: each (level, id, year, stage, course) from one chunk,
    Scotland's copies (every chunk of a year computes it) and a collaborative's (every chunk
    holding one of its authorities) identical; one copy kept."""
    out = pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)
    if out.duplicated(subset=list(COURSE_KEYS)).any():
        raise ValueError("chunks disagree on course results: each school-year must be computed once")
    rank = out[c.COHORT].map({level: i for i, level in enumerate(LEVELS)}).to_numpy()
    return out.iloc[np.lexsort((out[c.YEAR].to_numpy(), out[c.COHORT_ID].to_numpy(), rank))].reset_index(drop=True)
