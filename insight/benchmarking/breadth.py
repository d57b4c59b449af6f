"""Local measures: S4, S5 and S6 cohorts from the census, and Breadth and Depth.

Insight's local dashboard measures whole cohorts, not only leavers (DOMAIN, "Local measures").

**Cohorts** (built by the loader from the census, checked here): a row per member, with the
cohort's ``year`` (the year of the diet that ends the stage) and ``cohort_stage``:

* ``S4`` of year Y: the pupils on a school's S4 roll at the census of session Y-1/Y (Insight).
* ``S5`` of year Y, *based on the S4 roll*: the pupils of the S4 roll a year earlier (census of
  Y-2/Y-1), followed to the end of S5 whether they stayed on, left or moved school; the
  denominator is that S4 roll (Insight, published: "based on the S4 roll").
* ``S6`` of year Y: the S4 roll of the census of Y-3/Y-2, followed to the end of S6.
* ``leavers`` of year Y: the school leavers of Y, as the national measures count them.

A school is credited with a cohort by its S4 census (Insight); a pupil who moves school after S4
stays in the S5 and S6 cohorts of the school of their S4 census, with every award they gain
wherever they gain it, and is in no cohort of the school they move to (our rule: the denominator
is the S4 roll, so the pupil must stay in it, and a pupil counted by two schools would make the
authority and Scotland disagree with the sum of their schools). As a leaver the pupil belongs to
the school they leave, as in the national measures.

**Breadth and Depth** (Insight, published: percentage of the cohort with 1 or more ... 10 or more
awards at SCQF level 3 or better, 4, 5, 6 or better, and 7; grade and SCQF credit filters): a
member's awards are their results of diets up to the cohort's year. Our rules, where Insight
publishes none:

1. *Latest and best per subject*: a subject counts once. At level L it counts when any of the
   member's awards in that subject that pass the filters is at level L or better (so a National 5
   at A and a Higher at D in one subject count as one award at level 5 under "A only", and one at
   level 6 under "A-D").
2. *Grade filter*: "A" counts graded awards at A; "A-C" graded awards at A to C and ungraded
   awards (a pass); "A-D" every award. An ungraded pass is not an A, so "A only" leaves it out.
3. *Minimum SCQF credit points*: an award counts when its credit points are at least the minimum
   (offered: any, 12 or more, 24 or more: a full National course carries 24).
4. Levels above 7 count as 7; levels below 3 count at no level.

How it is vectorised: results are joined to members by learner (one sorted pass), each
(member, subject) is reduced to its best qualifying level under each of the nine filters
(``np.maximum.reduceat``), each member's award counts at each level come from one ``np.bincount``
per filter, and each group's distribution of counts (0 .. 10 or more) from one ``np.bincount``
over (group, filter, level, count). Figures are counts, so they do not depend on row order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .ordering import dense_codes

MEMBER_DTYPES: Final = {
    c.LEARNER_ID: "int64",
    c.ESTABLISHMENT_ID: "int64",
    c.AUTHORITY_ID: "int64",
    c.YEAR: "int64",
    c.COHORT_STAGE: "object",
}
RESULT_DTYPES: Final = {
    c.LEARNER_ID: "int64",
    c.SUBJECT_ID: "int64",
    c.SCQF_LEVEL: "int64",
    c.SCQF_CREDITS: "int64",
    c.GRADE: "int64",
    c.YEAR: "int64",
}
_N_LEVELS: Final = len(c.BD_LEVELS)
_N_FILTERS: Final = len(c.GRADE_FILTERS) * len(c.MIN_CREDIT_OPTIONS)
_N_COUNTS: Final = c.BD_MAX_AWARDS + 1  # 0 .. 10 or more
_TOP: Final = 7
# Grade filter -> highest grade code it admits, and whether it admits an ungraded pass.
_GRADE_LIMIT: Final = {"A": (0, False), "AC": (2, True), "AD": (3, True)}


def _checked(frame: pd.DataFrame, dtypes: dict[str, str], what: str) -> dict[str, np.ndarray]:
    missing = [col for col in dtypes if col not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame is missing columns: {', '.join(missing)}")
    out = {}
    for col, dtype in dtypes.items():
        if frame[col].isna().any():
            raise ValueError(f"{what}.{col} has missing values")
        out[col] = frame[col].astype(str).to_numpy(dtype=object) if dtype == "object" else frame[col].to_numpy(
            dtype=dtype)
    return out


def filter_levels(level: np.ndarray, credits: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Per result and filter (grade filter major, minimum credits minor): the SCQF level the award
    counts at under that filter (levels above 7 as 7), 0 when it does not count."""
    counted = np.where(level >= c.BD_LEVELS[0], np.minimum(level, _TOP), 0)
    out = np.zeros((len(level), _N_FILTERS), dtype=np.int8)
    column = 0
    for grade_filter in c.GRADE_FILTERS:
        limit, with_pass = _GRADE_LIMIT[grade_filter]
        grade_ok = (grade <= limit) | (with_pass & (grade == c.GRADE_CODES["P"]))
        for minimum in c.MIN_CREDIT_OPTIONS:
            out[:, column] = np.where(grade_ok & (credits >= minimum), counted, 0)
            column += 1
    return out


def member_award_counts(members: pd.DataFrame, results: pd.DataFrame) -> np.ndarray:
    """Per member (row of ``members``), filter and level: how many subjects the member holds an
    award in at that level or better (by the diet of the cohort's year), capped at 10.

    Returns an int64 array (members x 9 filters x 5 levels)."""
    m = _checked(members, MEMBER_DTYPES, "members")
    r = _checked(results, RESULT_DTYPES, "results")
    n = len(m[c.LEARNER_ID])
    by_learner = np.argsort(r[c.LEARNER_ID], kind="stable")
    learners = r[c.LEARNER_ID][by_learner]
    lo = np.searchsorted(learners, m[c.LEARNER_ID], side="left")
    hi = np.searchsorted(learners, m[c.LEARNER_ID], side="right")
    size = hi - lo
    member = np.repeat(np.arange(n, dtype=np.int64), size)
    offset = np.arange(member.size, dtype=np.int64) - np.repeat(np.cumsum(size) - size, size)
    row = by_learner[np.repeat(lo, size) + offset]
    sat = r[c.YEAR][row] <= m[c.YEAR][member]  # diets up to the end of the cohort's stage
    member, row = member[sat], row[sat]
    levels = filter_levels(r[c.SCQF_LEVEL][row], r[c.SCQF_CREDITS][row], r[c.GRADE][row])
    subject, n_subjects = dense_codes(r[c.SUBJECT_ID][row])
    key = member * max(n_subjects, 1) + subject
    order = np.argsort(key, kind="stable")
    key = key[order]
    counts = np.zeros((n, _N_FILTERS, _N_LEVELS), dtype=np.int64)
    if key.size == 0:
        return counts
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    best = np.maximum.reduceat(levels[order], starts, axis=0)  # (member, subject) x filter
    owner = key[starts] // max(n_subjects, 1)
    for f in range(_N_FILTERS):
        hist = np.bincount(owner * (_TOP + 1) + best[:, f], minlength=n * (_TOP + 1)).reshape(n, _TOP + 1)
        at_least = hist[:, ::-1].cumsum(axis=1)[:, ::-1]  # column L: subjects at level L or better
        counts[:, f, :] = at_least[:, c.BD_LEVELS[0]:_TOP + 1]
    return np.minimum(counts, c.BD_MAX_AWARDS)


def breadth_depth(
    members: pd.DataFrame,
    results: pd.DataFrame,
    *,
    authority_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Breadth and Depth of every school, authority and Scotland, per year and cohort stage.

    ``members``: one row per cohort member (``learner_id``, ``establishment_id``,
    ``authority_id``, ``year``, ``cohort_stage``); ``results``: every award of those learners
    (``learner_id``, ``subject_id``, ``scqf_level``, ``scqf_credits``, ``grade`` code, diet
    ``year``). ``authority_ids`` limits the school and authority rows to those authorities (a
    chunk of a run); Scotland is always the whole of ``members``.

    Returns ``cohort`` (establishment / authority / national), ``cohort_id``, ``year``,
    ``cohort_stage``, ``grade_filter``, ``min_credits``, ``scqf_level``, ``n_cohort`` (members)
    and ``n_awards_1`` .. ``n_awards_10`` (members with that many awards or more), one row per
    group, filter and level, sorted by those keys. Percentages are ``100 * n_awards_k /
    n_cohort``, taken by the pages after disclosure control.
    """
    counts = member_award_counts(members, results)
    stage_code = pd.Categorical(members[c.COHORT_STAGE].astype(str), categories=list(c.COHORT_STAGES))
    if (stage_code.codes < 0).any():
        raise ValueError(f"members.{c.COHORT_STAGE} must be one of {', '.join(c.COHORT_STAGES)}")
    base = pd.DataFrame({
        c.ESTABLISHMENT_ID: members[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64),
        c.AUTHORITY_ID: members[c.AUTHORITY_ID].to_numpy(dtype=np.int64),
        c.YEAR: members[c.YEAR].to_numpy(dtype=np.int64),
        "stage_code": stage_code.codes.astype(np.int64),
    })
    wanted = None if authority_ids is None else np.isin(base[c.AUTHORITY_ID].to_numpy(), np.asarray(authority_ids))
    parts = []
    for cohort, id_column in ((c.COHORT_ESTABLISHMENT, c.ESTABLISHMENT_ID), (c.COHORT_AUTHORITY, c.AUTHORITY_ID),
                              (c.COHORT_NATIONAL, None)):
        rows = np.arange(len(base)) if id_column is None or wanted is None else np.flatnonzero(wanted)
        ids = base[id_column].to_numpy()[rows] if id_column else np.full(len(rows), c.NATIONAL_COHORT_ID)
        parts.append(_grouped(cohort, ids, base[c.YEAR].to_numpy()[rows], base["stage_code"].to_numpy()[rows],
                              counts[rows]))
    return pd.concat(parts, ignore_index=True)


def _grouped(cohort: str, ids: np.ndarray, years: np.ndarray, stages: np.ndarray, counts: np.ndarray) -> pd.DataFrame:
    """The distribution of award counts per (id, year, stage) group, as ``n_awards_k`` columns."""
    keys = np.stack([np.asarray(ids, dtype=np.int64), np.asarray(years, dtype=np.int64),
                     np.asarray(stages, dtype=np.int64)], axis=1)
    uniques, group = np.unique(keys.reshape(-1, 3), axis=0, return_inverse=True)
    group = group.reshape(-1)
    n_groups = len(uniques)
    cells = _N_FILTERS * _N_LEVELS
    cell = np.arange(cells, dtype=np.int64)
    flat = ((group[:, None] * cells + cell[None, :]) * _N_COUNTS + counts.reshape(len(group), cells)).reshape(-1)
    hist = np.bincount(flat, minlength=n_groups * cells * _N_COUNTS).reshape(n_groups * cells, _N_COUNTS)
    at_least = hist[:, ::-1].cumsum(axis=1)[:, ::-1]  # column k: k or more awards
    out = pd.DataFrame({
        c.COHORT: np.full(n_groups * cells, cohort, dtype=object),
        c.COHORT_ID: np.repeat(uniques[:, 0], cells),
        c.YEAR: np.repeat(uniques[:, 1], cells),
        c.COHORT_STAGE: np.asarray(c.COHORT_STAGES, dtype=object)[np.repeat(uniques[:, 2], cells)],
        c.GRADE_FILTER: np.tile(np.repeat(np.asarray(c.GRADE_FILTERS, dtype=object),
                                          len(c.MIN_CREDIT_OPTIONS) * _N_LEVELS), n_groups),
        c.MIN_CREDITS: np.tile(np.repeat(np.asarray(c.MIN_CREDIT_OPTIONS, dtype=np.int64), _N_LEVELS),
                               len(c.GRADE_FILTERS) * n_groups),
        c.SCQF_LEVEL: np.tile(np.asarray(c.BD_LEVELS, dtype=np.int64), _N_FILTERS * n_groups),
        c.N_COHORT: at_least[:, 0].astype(np.int64),
    })
    for k in range(1, c.BD_MAX_AWARDS + 1):
        out[c.n_awards(k)] = at_least[:, k].astype(np.int64)
    return out
