"""Curricular areas (a local measure): per cohort and curricular area, the percentage of the cohort
with an award in that area at each SCQF level.

Each subject belongs to one of the eight curricular areas of Curriculum for Excellence (expressive
arts; health and wellbeing; languages; mathematics; religious and moral education; sciences;
social studies; technologies), reference data a national data manager keeps (Insight publishes
the measure, not a subject list: the assignment is ours, docs/methodology.md).

The cohorts (S4, S5 and S6 based on the S4 roll, leavers), the awards a member counts (diets up
to the cohort's year), the grade filters and the virtual comparator are Breadth and Depth's
(:mod:`.breadth`); the groups and the comparator draw are shared with it (:class:`CohortGroups`).
Our rules, where Insight publishes none:

1. A member counts in area X at level L when any of their awards in a subject of area X that
   passes the grade filter is at level L or better (levels above 7 as 7, below 3 at no level).
2. Grade filters as Breadth and Depth: "A" graded awards at A; "A-C" graded awards at A to C and
   ungraded passes; "A-D" every award. No SCQF credit filter (Insight offers none here).
3. A subject with no area (not yet assigned) counts in no area; the reference data page names it.

How it is vectorised (:func:`member_area_levels`): one cohort year at a time, each learner once;
each result's level under each grade filter from Breadth and Depth's look-up table of kinds, and
per (learner, area) the best with ``np.maximum.at``; the per-member best levels become each
group's histogram through :meth:`CohortGroups.tables` (``np.bincount``), as Breadth and Depth's
award counts do. Figures are counts, so they do not depend on row order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .breadth import _KIND_BINS, MEMBER_DTYPES, RESULT_DTYPES, CohortGroups, _checked, _kind, cohort_groups
from .tariff import rows_of

_N_AREAS: Final = len(c.CURRICULAR_AREAS)
_N_GRADES: Final = len(c.GRADE_FILTERS)
_N_LEVELS: Final = len(c.BD_LEVELS)
_N_BINS: Final = _N_LEVELS + 1  # 0: no award; 1 .. 5: best award at level 3 .. 7
# Breadth and Depth's filter columns are grade filter major, minimum credits minor: the columns of
# "any credits" are every len(MIN_CREDIT_OPTIONS)-th.
_ANY_CREDITS: Final = np.arange(_N_GRADES) * len(c.MIN_CREDIT_OPTIONS)
# Per kind of result, the bin it counts in under each grade filter (a 120 x 3 look-up table).
_AREA_BINS: Final = np.ascontiguousarray(_KIND_BINS[:, _ANY_CREDITS].astype(np.int8))
SUBJECT_AREA_DTYPES: Final = {c.SUBJECT_ID: "int64", c.AREA_CODE: "int64"}


def member_area_levels(members: pd.DataFrame, results: pd.DataFrame, subject_areas: pd.DataFrame) -> np.ndarray:
    """Per member (row of ``members``), grade filter and area: the bin of the member's best award
    in the area (0 none, 1 .. 5 for SCQF level 3 .. 7), by the diet of the cohort's year.

    ``subject_areas``: ``subject_id`` and ``area_code`` (position in ``columns.CURRICULAR_AREAS``,
    -1 for a subject with no area). Returns an int8 array (members x 3 grade filters x 8 areas)."""
    m = _checked(members, MEMBER_DTYPES, "members")
    r = _checked(results, RESULT_DTYPES, "results")
    s = _checked(subject_areas, SUBJECT_AREA_DTYPES, "subject_areas")
    if ((s[c.AREA_CODE] < -1) | (s[c.AREA_CODE] >= _N_AREAS)).any():
        raise ValueError(f"subject_areas.{c.AREA_CODE} must be -1 or 0 .. {_N_AREAS - 1}")
    out = np.zeros((len(m[c.LEARNER_ID]), _N_GRADES, _N_AREAS), dtype=np.int8)
    order = np.argsort(s[c.SUBJECT_ID], kind="stable")
    at = rows_of(s[c.SUBJECT_ID][order], r[c.SUBJECT_ID])
    area = np.where(at >= 0, s[c.AREA_CODE][order][np.maximum(at, 0)], -1)
    bins = _AREA_BINS[_kind(r[c.SCQF_LEVEL], r[c.SCQF_CREDITS], r[c.GRADE])]
    for year in np.unique(m[c.YEAR]):
        in_year = np.flatnonzero(m[c.YEAR] == year)
        learners, member_row = np.unique(m[c.LEARNER_ID][in_year], return_inverse=True)
        row = rows_of(learners, r[c.LEARNER_ID])
        sat = np.flatnonzero((row >= 0) & (r[c.YEAR] <= year) & (area >= 0))
        key = row[sat] * _N_AREAS + area[sat]
        best = np.zeros((len(learners) * _N_AREAS, _N_GRADES), dtype=np.int8)
        for g in range(_N_GRADES):
            np.maximum.at(best[:, g], key, bins[sat, g])
        per_learner = best.reshape(len(learners), _N_AREAS, _N_GRADES).transpose(0, 2, 1)
        out[in_year] = per_learner[member_row.reshape(-1)]
    return out


def curricular_areas(
    members: pd.DataFrame,
    results: pd.DataFrame,
    subject_areas: pd.DataFrame,
    *,
    groups: CohortGroups | None = None,
    collaboratives: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """Curricular areas of every school, its virtual comparator, authority, collaborative and
    Scotland, per year and cohort stage.

    ``members`` and ``results`` as :func:`.breadth.breadth_depth` takes them; ``subject_areas``
    as :func:`member_area_levels`. ``groups``: the cohort groups and comparator draw of
    :func:`.breadth.cohort_groups` (shared with Breadth and Depth); ``None`` groups every
    authority without a VC. ``collaboratives`` (authority id -> Regional Improvement
    Collaborative id) adds each collaborative of the chunk's authorities, the sum of its
    authorities' schools, as Breadth and Depth does (:meth:`CohortGroups.tables`).

    Returns ``cohort`` (establishment / vc / authority / collaborative / national), ``cohort_id``, ``year``, ``cohort_stage``, ``grade_filter``,
    ``curricular_area``, ``n_cohort`` (members; for a VC, drawn comparators) and ``n_level_3``
    .. ``n_level_7`` (members with an award in the area at that SCQF level or better), one row
    per group, grade filter and area. Percentages are ``100 * n_level_L / n_cohort``, taken by
    the pages after disclosure control."""
    levels = member_area_levels(members, results, subject_areas)
    if groups is None:
        groups = cohort_groups(members)
    values = levels.reshape(len(levels), _N_GRADES * _N_AREAS)
    return pd.concat([_frame(cohort, keys, hist) for cohort, keys, hist
                      in groups.tables(values, _N_BINS, collaboratives=collaboratives)],
                     ignore_index=True)


def _frame(cohort: str, keys: pd.DataFrame, hist: np.ndarray) -> pd.DataFrame:
    """Output rows of groups ``keys`` (``cohort_id``, ``year``, ``stage_code``) from their
    histograms (groups x (grade filter x area) x bins)."""
    n_groups, cells = len(keys), _N_GRADES * _N_AREAS
    at_least = hist.reshape(n_groups * cells, _N_BINS)[:, ::-1].cumsum(axis=1)[:, ::-1]  # column b: bin b or better
    out = pd.DataFrame({
        c.COHORT: np.full(n_groups * cells, cohort, dtype=object),
        c.COHORT_ID: np.repeat(keys[c.COHORT_ID].to_numpy(dtype=np.int64), cells),
        c.YEAR: np.repeat(keys[c.YEAR].to_numpy(dtype=np.int64), cells),
        c.COHORT_STAGE: np.asarray(c.COHORT_STAGES, dtype=object)[
            np.repeat(keys["stage_code"].to_numpy(dtype=np.int64), cells)],
        c.GRADE_FILTER: np.tile(np.repeat(np.asarray(c.GRADE_FILTERS, dtype=object), _N_AREAS), n_groups),
        c.CURRICULAR_AREA: np.tile(np.asarray(c.CURRICULAR_AREAS, dtype=object), _N_GRADES * n_groups),
        c.N_COHORT: at_least[:, 0].astype(np.int64),
    })
    for index, level in enumerate(c.BD_LEVELS):
        out[c.n_level(level)] = at_least[:, index + 1].astype(np.int64)
    return out
