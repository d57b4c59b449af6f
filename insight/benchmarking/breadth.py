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

**Virtual comparator** (:func:`vc_draw`): ten members of the same cohort from other authorities
per member, matched and relaxed exactly as the leavers' VC (:mod:`.comparator`); every VC figure
is computed on the drawn comparators as for the school.

How it is vectorised (:func:`member_award_counts`): one cohort year at a time, each learner once;
every result becomes a small integer *kind* (level x grade x credit class), packed with its
(learner, subject) and sorted, so each (learner, subject) is one run; a look-up table gives the
level each kind counts at under each of the nine filters and ``np.maximum.reduceat`` the best per
run; ``np.bincount`` per filter counts each learner's subjects per level. Each school group's
distribution of counts (0 .. 10 or more) is one ``np.bincount`` over (group, filter, level,
count); authorities and Scotland sum their schools' distributions; the VC's is one
``np.bincount`` per cell over the draws. Figures are counts, so they do not depend on row order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import columns as c
from .comparator import draw_rows, find_candidates
from .ordering import dense_codes
from .tariff import rows_of

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


_CREDIT_CLASSES: Final = len(c.MIN_CREDIT_OPTIONS)
_N_GRADES: Final = len(c.GRADE_CODES)
_KIND_BITS: Final = 7  # (level 0..7) x grade (5) x credit class (3) = 120 kinds < 2**7


def filter_levels(level: np.ndarray, credits: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Per result and filter (grade filter major, minimum credits minor): the SCQF level the award
    counts at under that filter (levels above 7 as 7), 0 when it does not count."""
    return _KIND_LEVELS[_kind(level, credits, grade)]


def _kind(level: np.ndarray, credits: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Each result as one small integer: counted level (0, 3..7) x grade code x credit class."""
    counted = np.where(level >= c.BD_LEVELS[0], np.minimum(level, _TOP), 0)
    credit_class = np.searchsorted(np.asarray(c.MIN_CREDIT_OPTIONS[1:]), credits, side="right")
    return (counted * _N_GRADES + grade) * _CREDIT_CLASSES + credit_class


def _kind_levels() -> np.ndarray:
    """The level each kind of result counts at under each filter (a 120 x 9 look-up table)."""
    kinds = np.arange((_TOP + 1) * _N_GRADES * _CREDIT_CLASSES)
    credit_class = kinds % _CREDIT_CLASSES
    grade = (kinds // _CREDIT_CLASSES) % _N_GRADES
    level = kinds // (_CREDIT_CLASSES * _N_GRADES)
    out = np.zeros((len(kinds), _N_FILTERS), dtype=np.int8)
    column = 0
    for grade_filter in c.GRADE_FILTERS:
        limit, with_pass = _GRADE_LIMIT[grade_filter]
        grade_ok = (grade <= limit) if not with_pass else ((grade <= limit) | (grade == c.GRADE_CODES["P"]))
        for threshold in range(_CREDIT_CLASSES):
            out[:, column] = np.where(grade_ok & (credit_class >= threshold), level, 0)
            column += 1
    return out


_KIND_LEVELS: Final = _kind_levels()
_KIND_BINS: Final = np.ascontiguousarray(
    np.where(_KIND_LEVELS > 0, _KIND_LEVELS - (c.BD_LEVELS[0] - 1), 0).astype(np.int64).T
).T


def member_award_counts(members: pd.DataFrame, results: pd.DataFrame) -> np.ndarray:
    """Per member (row of ``members``), filter and level: how many subjects the member holds an
    award in at that level or better (by the diet of the cohort's year), capped at 10.

    Steps, one cohort year at a time (a run's chunk has one): the year's learners (each counted
    once however many of its cohorts they are in); their results of diets up to the year, each
    packed with its (learner, subject) into one integer with its *kind* (level x grade x credit
    class) and sorted, so every (learner, subject) is one run; the level each kind counts at under
    each filter from a look-up table, and the best of each run (``np.maximum.reduceat``); per
    learner and filter the number of subjects at each level or better (``np.bincount``, then a
    cumulative sum from the top). Returns an int64 array (members x 9 filters x 5 levels)."""
    m = _checked(members, MEMBER_DTYPES, "members")
    r = _checked(results, RESULT_DTYPES, "results")
    counts = np.zeros((len(m[c.LEARNER_ID]), _N_FILTERS, _N_LEVELS), dtype=np.int64)
    kind = _kind(r[c.SCQF_LEVEL], r[c.SCQF_CREDITS], r[c.GRADE])
    subject, n_subjects = dense_codes(r[c.SUBJECT_ID])
    n_subjects = max(n_subjects, 1)
    for year in np.unique(m[c.YEAR]):
        in_year = np.flatnonzero(m[c.YEAR] == year)
        learners, member_row = np.unique(m[c.LEARNER_ID][in_year], return_inverse=True)
        row = rows_of(learners, r[c.LEARNER_ID])
        sat = (row >= 0) & (r[c.YEAR] <= year)  # diets up to the end of the cohort's stage
        counts[in_year] = _learner_counts(len(learners), row[sat] * n_subjects + subject[sat], kind[sat],
                                          n_subjects)[member_row.reshape(-1)]
    return counts


def _learner_counts(n: int, key: np.ndarray, kind: np.ndarray, n_subjects: int) -> np.ndarray:
    """(learners x filters x levels) subject counts, capped at 10, from (learner, subject) keys."""
    out = np.zeros((n, _N_FILTERS, _N_LEVELS), dtype=np.int64)
    if key.size == 0:
        return out
    dtype = np.int32 if (int(key.max()) << _KIND_BITS) < 2**31 else np.int64
    packed: npt.NDArray[np.signedinteger[Any]] = key.astype(dtype)
    packed <<= _KIND_BITS
    packed |= kind.astype(dtype)
    packed.sort()
    key = packed >> _KIND_BITS
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    # Per filter: each run's best level as a bin (0 none, 1..5 for levels 3..7), then per learner
    # how many runs reach each bin, summed from the top: level L or better.
    kinds = packed & ((1 << _KIND_BITS) - 1)
    n_bins = _N_LEVELS + 1
    owner = (key[starts] // n_subjects).astype(np.int64) * n_bins
    for f in range(_N_FILTERS):
        best = np.maximum.reduceat(_KIND_BINS[:, f][kinds], starts)
        hist = np.bincount(owner + best, minlength=n * n_bins).reshape(n, n_bins)
        running = np.zeros(n, dtype=np.int64)
        for index in range(_N_LEVELS - 1, -1, -1):
            running += hist[:, index + 1]
            np.minimum(running, c.BD_MAX_AWARDS, out=out[:, f, index])
    return out


@dataclass(frozen=True)
class CohortGroups:
    """The cohort groups of a year's members and their virtual comparator draw, shared by every
    cohort measure (Breadth and Depth, curricular areas: :mod:`.areas`) so the members are
    grouped and the comparators drawn once.

    ``keys``: one row per (school, year, stage) group in ascending order (``cohort_id``,
    ``year``, ``stage_code``, ``authority_id``); ``group``: each member's group; ``wanted``:
    the groups of the chunk's authorities; ``target`` and ``source``: the VC draws (member rows,
    ten per matched member), ``None`` when not drawn."""

    keys: pd.DataFrame
    group: np.ndarray
    wanted: np.ndarray
    target: np.ndarray | None = None
    source: np.ndarray | None = None

    def tables(self, values: np.ndarray, n_values: int, *,
               collaboratives: Mapping[int, int] | None = None) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
        """Per member (rows of ``values``) and cell (columns): a small integer 0 .. n_values - 1.
        Returns (cohort, keys, groups x cells x n_values histogram) for the schools, their VCs
        (when drawn), authorities and Scotland: how many members (drawn comparators) hold each
        value in each cell. Authorities and Scotland sum their schools' histograms (a member
        belongs to exactly one school); a comparator drawn twice counts twice. With
        ``collaboratives`` (authority id -> collaborative id), the collaboratives of the chunk's
        authorities too, each the sum of its authorities' schools (:func:`_collaborative_sums`)."""
        keys, wanted = self.keys, self.wanted
        hist = _histograms(self.group, len(keys), values, n_values)
        parts = [(c.COHORT_ESTABLISHMENT, keys[wanted], hist[wanted])]
        if self.target is not None and self.source is not None:
            vc_hist = _vc_histograms(self.group[self.target], self.source, values, len(keys), n_values)
            drawn = wanted & (vc_hist[:, 0, :].sum(axis=1) > 0)
            parts.append((c.COHORT_VC, keys[drawn], vc_hist[drawn]))
        for cohort, by in ((c.COHORT_AUTHORITY, [c.AUTHORITY_ID, c.YEAR, "stage_code"]),
                           (c.COHORT_NATIONAL, [c.YEAR, "stage_code"])):
            rows = keys[wanted] if cohort == c.COHORT_AUTHORITY else keys
            sums = pd.DataFrame(hist[rows.index.to_numpy()].reshape(len(rows), -1), index=rows.index)
            summed = sums.groupby([rows[col] for col in by], sort=True).sum()
            group_keys = summed.index.to_frame(index=False)
            group_keys.insert(0, c.COHORT_ID, group_keys.pop(c.AUTHORITY_ID) if cohort == c.COHORT_AUTHORITY
                              else c.NATIONAL_COHORT_ID)
            parts.append((cohort, group_keys, summed.to_numpy().reshape(len(summed), *hist.shape[1:])))
            if cohort == c.COHORT_AUTHORITY and collaboratives is not None:
                parts.append(_collaborative_sums(keys, hist, keys.loc[wanted, c.AUTHORITY_ID], collaboratives))
        return [(cohort, k.drop(columns=c.AUTHORITY_ID, errors="ignore"), h) for cohort, k, h in parts]


def cohort_groups(members: pd.DataFrame, *, authority_ids: Sequence[int] | None = None,
                  seed: int | None = None) -> CohortGroups:
    """Group the members by (school, year, stage) and, with a ``seed``, draw the schools' virtual
    comparators (:func:`vc_draw`) for the groups of ``authority_ids`` (every authority when
    ``None``)."""
    stage_code = pd.Categorical(members[c.COHORT_STAGE].astype(str), categories=list(c.COHORT_STAGES)).codes
    if (stage_code < 0).any():
        raise ValueError(f"members.{c.COHORT_STAGE} must be one of {', '.join(c.COHORT_STAGES)}")
    stage_code = stage_code.astype(np.int64)
    school = members[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64)
    keys, group = _groups(school, members[c.YEAR].to_numpy(dtype=np.int64), stage_code)
    authority_of = pd.Series(members[c.AUTHORITY_ID].to_numpy(dtype=np.int64), index=school)
    authority_of = authority_of[~authority_of.index.duplicated()]
    keys[c.AUTHORITY_ID] = authority_of.reindex(keys[c.COHORT_ID].to_numpy()).to_numpy()
    wanted = (np.ones(len(keys), dtype=bool) if authority_ids is None
              else np.isin(keys[c.AUTHORITY_ID].to_numpy(), np.asarray(authority_ids, dtype=np.int64)))
    if seed is None:
        return CohortGroups(keys, group, wanted)
    target, source = vc_draw(members, stage_code, seed=seed, establishment_ids=np.unique(
        keys.loc[wanted, c.COHORT_ID].to_numpy()))
    return CohortGroups(keys, group, wanted, target, source)


def breadth_depth(
    members: pd.DataFrame,
    results: pd.DataFrame,
    *,
    authority_ids: Sequence[int] | None = None,
    seed: int | None = None,
    groups: CohortGroups | None = None,
    collaboratives: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """Breadth and Depth of every school, its virtual comparator, authority and Scotland, per
    year and cohort stage.

    ``members``: one row per cohort member (``learner_id``, ``establishment_id``,
    ``authority_id``, ``year``, ``cohort_stage``, and for the virtual comparator ``sex``, ``asn``
    and ``simd_decile``); ``results``: every award of those learners (``learner_id``,
    ``subject_id``, ``scqf_level``, ``scqf_credits``, ``grade`` code, diet ``year``).
    ``authority_ids`` limits the school, VC and authority rows to those authorities (a chunk of
    a run); Scotland is always the whole of ``members``, and so is the comparator pool. ``seed``:
    draw the virtual comparators (:func:`vc_draw`); ``None`` leaves them out. ``groups``: the
    members' groups and draw already made by :func:`cohort_groups` (then ``authority_ids`` and
    ``seed`` are not used), so other cohort measures share them.
    ``collaboratives`` (authority id -> Regional Improvement Collaborative id) adds each
    collaborative of the chunk's authorities: the sum of its authorities' histograms, as
    Scotland is the sum of all (:func:`_collaborative_sums`).

    Returns ``cohort`` (establishment / vc / authority / collaborative / national), ``cohort_id``, ``year``,
    ``cohort_stage``, ``grade_filter``, ``min_credits``, ``scqf_level``, ``n_cohort`` (members;
    for a VC, drawn comparators) and ``n_awards_1`` .. ``n_awards_10`` (members with that many
    awards or more), one row per group, filter and level. Percentages are ``100 * n_awards_k /
    n_cohort``, taken by the pages after disclosure control.
    """
    counts = member_award_counts(members, results)
    if groups is None:
        groups = cohort_groups(members, authority_ids=authority_ids, seed=seed)
    values = counts.reshape(len(counts), _N_FILTERS * _N_LEVELS)
    return pd.concat([_frame(cohort, keys, hist) for cohort, keys, hist
                      in groups.tables(values, _N_COUNTS, collaboratives=collaboratives)],
                     ignore_index=True)


def _collaborative_sums(keys: pd.DataFrame, hist: np.ndarray, chunk_authorities: pd.Series,
                        collaboratives: Mapping[int, int]) -> tuple[str, pd.DataFrame, np.ndarray]:
    """Breadth and Depth of the collaboratives of ``chunk_authorities``: every school group of
    their member authorities summed (a member belongs to exactly one school, so to one
    collaborative at most; an authority in none is in none)."""
    of = keys[c.AUTHORITY_ID].map(lambda a: collaboratives.get(int(a), -1)).to_numpy(dtype=np.int64)
    wanted_ids = {collaboratives[int(a)] for a in chunk_authorities.unique() if int(a) in collaboratives}
    rows = keys[np.isin(of, np.fromiter(wanted_ids, dtype=np.int64, count=len(wanted_ids)))]
    sums = pd.DataFrame(hist[rows.index.to_numpy()].reshape(len(rows), -1), index=rows.index)
    summed = sums.groupby([pd.Series(of[rows.index.to_numpy()], index=rows.index, name=c.COHORT_ID),
                           rows[c.YEAR], rows["stage_code"]], sort=True).sum()
    return (c.COHORT_COLLABORATIVE, summed.index.to_frame(index=False),
            summed.to_numpy().reshape(len(summed), *hist.shape[1:]))


def vc_draw(members: pd.DataFrame, stage_code: np.ndarray, *, seed: int,
            establishment_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cohorts' virtual comparator, drawn as the leavers' is (:mod:`.comparator`).

    For every member of the schools ``establishment_ids``: ten members of the same cohort (year
    and stage: *stage being the cohort's*) from schools in **other authorities** with the same
    sex, ASN and SIMD decile, drawn with replacement, relaxed as for leavers (decile to quintile,
    then without ASN) when a cell has no candidates (Insight, published for leavers; the rest is
    our rule, as for leavers). The pool is every member of the year, whatever the chunk. The
    draw of each (school, year) uses its own random stream, so chunking changes nothing.

    Returns (target rows, comparator rows): member row numbers, ten per matched member."""
    for column in (c.SEX, c.ASN, c.SIMD_DECILE):
        if column not in members.columns:
            raise ValueError(f"members frame is missing columns: {column} (the virtual comparator matches on it)")
    # Canonical order (year, learner, stage: one member each), so the draw never depends on the
    # order the rows came in; a member's position in it is its id for the comparator module.
    order = np.lexsort((stage_code, members[c.LEARNER_ID].to_numpy(dtype=np.int64),
                        members[c.YEAR].to_numpy(dtype=np.int64)))
    pool = pd.DataFrame({
        c.LEAVER_ID: np.arange(len(members), dtype=np.int64),  # the comparator module's id column
        c.ESTABLISHMENT_ID: members[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64)[order],
        c.AUTHORITY_ID: members[c.AUTHORITY_ID].to_numpy(dtype=np.int64)[order],
        c.YEAR: members[c.YEAR].to_numpy(dtype=np.int64)[order],
        c.SEX: members[c.SEX].to_numpy()[order],
        c.ASN: members[c.ASN].to_numpy()[order],
        c.STAGE: stage_code[order],
        c.SIMD_DECILE: members[c.SIMD_DECILE].to_numpy(dtype=np.int64)[order],
    })
    cells = find_candidates(pool, establishment_ids=establishment_ids.tolist())
    target, source = draw_rows(cells, seed=seed)
    return order[target], order[source]


def _vc_histograms(target_group: np.ndarray, source: np.ndarray, values: np.ndarray, n_groups: int,
                   n_values: int) -> np.ndarray:
    """Per school group (of the member drawn for), cell and value, how many drawn comparators:
    the VC's distributions, a comparator drawn twice counted twice. One ``np.bincount`` per cell
    over the draws, each gathering one small integer per draw from the cell's row of member
    values (never the draws x cells array)."""
    cells = values.shape[1]
    by_cell = np.ascontiguousarray(values.T.astype(np.int8))
    base = target_group.astype(np.int64) * n_values
    hist = np.zeros((n_groups, cells, n_values), dtype=np.int64)
    for cell in range(cells):
        hist[:, cell, :] = np.bincount(base + by_cell[cell][source], minlength=n_groups * n_values).reshape(
            n_groups, n_values)
    return hist


def _groups(ids: np.ndarray, years: np.ndarray, stages: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Groups of (id, year, stage) in ascending order and each member's group."""
    # (id, year, stage) packed into one integer whose order is the keys' order.
    packed = (ids * 4096 + years) * 4 + stages
    unique_keys, group = np.unique(packed, return_inverse=True)
    keys = pd.DataFrame({c.COHORT_ID: unique_keys // 4 // 4096, c.YEAR: (unique_keys // 4) % 4096,
                         "stage_code": unique_keys % 4})
    return keys, group.reshape(-1)


def _histograms(group: np.ndarray, n_groups: int, values: np.ndarray, n_values: int) -> np.ndarray:
    """Per group, cell and value 0 .. n_values - 1, how many members: groups x cells x n_values."""
    cells = values.shape[1]
    flat = values.astype(np.int64) + (group * (cells * n_values))[:, None]
    flat += np.arange(0, cells * n_values, n_values)[None, :]
    return np.bincount(flat.reshape(-1), minlength=n_groups * cells * n_values).reshape(n_groups, cells, n_values)


def _frame(cohort: str, keys: pd.DataFrame, hist: np.ndarray) -> pd.DataFrame:
    """Output rows of groups ``keys`` (``cohort_id``, ``year``, ``stage_code``) from their histograms."""
    n_groups, cells = len(keys), _N_FILTERS * _N_LEVELS
    at_least = hist.reshape(n_groups * cells, _N_COUNTS)[:, ::-1].cumsum(axis=1)[:, ::-1]  # column k: k or more
    out = pd.DataFrame({
        c.COHORT: np.full(n_groups * cells, cohort, dtype=object),
        c.COHORT_ID: np.repeat(keys[c.COHORT_ID].to_numpy(dtype=np.int64), cells),
        c.YEAR: np.repeat(keys[c.YEAR].to_numpy(dtype=np.int64), cells),
        c.COHORT_STAGE: np.asarray(c.COHORT_STAGES, dtype=object)[
            np.repeat(keys["stage_code"].to_numpy(dtype=np.int64), cells)],
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
