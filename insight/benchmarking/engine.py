"""One entry point for a benchmarking run, chunkable.

The Django service calls :func:`compute` (or :func:`compute_table`) once per chunk, e.g. per
leaver year and authority, then :func:`combine` on all chunks and :func:`finalise` for the
partner rankings. A chunked run gives *identical* frames to a one-shot run because:

* the comparator pool is always the whole year's leavers (only the schools that receive
  comparators are restricted), and each school-year draws from its own generator
  (:mod:`.comparator`);
* every measure sorts its cohort canonically before summing (:mod:`.measures`);
* authority and national figures are computed from the whole pool in every chunk that needs
  them; :func:`combine` keeps one copy and refuses to combine chunks that disagree;
* weighted scores and distances need every year and every school, so :func:`combine` and
  :func:`finalise` compute them after the chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .cohort import VCCohort, leaver_table, vc_cohort_arrays
from .comparator import N_COMPARATORS, draw_rows, find_candidates, relaxation_counts
from .courses import combine_courses
from .distance import context_distances, score_distances, stronger_where_weaker
from .measures import PreparedCohort
from .normalise import WEIGHTED_WINDOW, normalised_scores, weighted_scores
from .uncertainty import vc_intervals

_EST_YEAR: Final = [c.ESTABLISHMENT_ID, c.YEAR]
BREADTH_KEYS: Final = (c.COHORT, c.COHORT_ID, c.YEAR, c.COHORT_STAGE, c.GRADE_FILTER, c.MIN_CREDITS, c.SCQF_LEVEL)
AREA_KEYS: Final = (c.COHORT, c.COHORT_ID, c.YEAR, c.COHORT_STAGE, c.GRADE_FILTER, c.CURRICULAR_AREA)
_COHORT_ORDER: Final = {
    c.COHORT_ESTABLISHMENT: 0,
    c.COHORT_VC: 1,
    c.COHORT_AUTHORITY: 2,
    c.COHORT_COLLABORATIVE: 3,
    c.COHORT_NATIONAL: 4,
}


@dataclass(frozen=True)
class BenchmarkResult:
    """Every frame of a run (or of a chunk of one). Column lists are in ``docs/methodology.md``.

    ``establishments``: ``establishment_id``, ``year``, ``authority_id``, ``seed_code`` of the
    schools computed. ``establishment_measures`` / ``vc_measures``: ``establishment_id``,
    ``year`` + headline measures (the VC's row is the VC of that school and year).
    ``authority_measures``: ``authority_id``, ``year`` + headline. ``national_measures``:
    ``year`` + headline. ``breakdowns``: ``cohort``, ``cohort_id``, ``year``, ``breakdown``,
    ``breakdown_value`` + headline. ``deprivation``: ``cohort``, ``cohort_id``, ``year``,
    ``simd_band_kind``, ``simd_band``, ``n_leavers``, ``avg_total_tariff``. ``normalised``,
    ``weighted``: see :mod:`.normalise`. ``relaxation``: per leaver; ``relaxation_counts``: per
    school and year; ``comparators``: the draw. ``intervals``: only when ``draws > 1``.
    ``distances``, ``context_distances``, ``stronger``: filled by :func:`finalise`.
    """

    seed: int
    draws: int
    establishments: pd.DataFrame
    establishment_measures: pd.DataFrame
    vc_measures: pd.DataFrame
    authority_measures: pd.DataFrame
    national_measures: pd.DataFrame
    breakdowns: pd.DataFrame
    deprivation: pd.DataFrame
    normalised: pd.DataFrame
    weighted: pd.DataFrame
    relaxation: pd.DataFrame
    relaxation_counts: pd.DataFrame
    comparators: pd.DataFrame
    intervals: pd.DataFrame | None = None
    distances: pd.DataFrame | None = None
    context_distances: pd.DataFrame | None = None
    stronger: pd.DataFrame | None = None
    # Breadth and Depth of the S4, S5, S6 and leaver cohorts (:mod:`.breadth`), added per chunk
    # by the service from the census; ``None`` when not computed.
    breadth_depth: pd.DataFrame | None = None
    # Curricular areas of the same cohorts (:mod:`.areas`), added with Breadth and Depth.
    curricular_areas: pd.DataFrame | None = None
    # The Course Comparator (:mod:`.courses`), added per chunk by the service likewise.
    courses: pd.DataFrame | None = None
    # ``collaborative_id``, ``year`` + headline of the Regional Improvement Collaboratives of the
    # chunk's authorities (:func:`collaborative_cohort`); ``None`` when no membership was given.
    collaborative_measures: pd.DataFrame | None = None


def _label(frame: pd.DataFrame, cohort: str, id_column: str | None) -> pd.DataFrame:
    """Prefix a measures frame with ``cohort`` and ``cohort_id`` (0 for Scotland)."""
    out = frame.copy()
    cohort_id = out.pop(id_column).to_numpy(dtype=np.int64) if id_column else c.NATIONAL_COHORT_ID
    out.insert(0, c.COHORT, cohort)
    out.insert(1, c.COHORT_ID, cohort_id)
    out[c.COHORT_ID] = out[c.COHORT_ID].astype(np.int64)
    return out


def _sort_cohort_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical order of a long cohort frame: cohort kind, cohort id, year; rows inside keep
    their computed order (breakdown dimension, value / SIMD band kind, band)."""
    rank = frame[c.COHORT].map(_COHORT_ORDER).to_numpy()
    order = np.lexsort((frame[c.YEAR].to_numpy(), frame[c.COHORT_ID].to_numpy(), rank))
    return frame.iloc[order].reset_index(drop=True)


def _establishments(table: pd.DataFrame) -> pd.DataFrame:
    cols = [c.ESTABLISHMENT_ID, c.YEAR, c.AUTHORITY_ID, c.SEED_CODE]
    return table[cols].drop_duplicates(subset=_EST_YEAR).sort_values(_EST_YEAR, kind="stable", ignore_index=True)


def compute(
    leavers: pd.DataFrame,
    results: pd.DataFrame,
    *,
    seed: int,
    years: Iterable[int] | None = None,
    establishment_ids: Iterable[int] | None = None,
    draws: int = 1,
    n_comparators: int = N_COMPARATORS,
    collaboratives: Mapping[int, int] | None = None,
) -> BenchmarkResult:
    """Compute a run, or one chunk of it, from the loader's frames.

    ``leavers`` must hold every leaver of the years concerned (the comparator pool), whatever
    the chunk; ``results`` their results. ``years`` keeps only those leaver years;
    ``establishment_ids`` restricts the schools computed (the chunk). ``draws > 1`` adds VC
    intervals (:mod:`.uncertainty`). ``collaboratives`` (authority id -> collaborative id) adds
    the Regional Improvement Collaboratives as a cohort (:func:`collaborative_cohort`). When
    running many chunks of the same year, build the table once with :func:`.cohort.leaver_table`
    and call :func:`compute_table` instead.
    """
    if years is not None:
        wanted = np.fromiter(years, dtype=np.int64)
        leavers = leavers[np.isin(leavers[c.YEAR].to_numpy(dtype=np.int64), wanted)]
        results = results[np.isin(results[c.LEAVER_ID].to_numpy(), leavers[c.LEAVER_ID].to_numpy())]
    return compute_table(
        leaver_table(leavers, results),
        seed=seed,
        establishment_ids=establishment_ids,
        draws=draws,
        n_comparators=n_comparators,
        collaboratives=collaboratives,
    )


def collaborative_cohort(table: pd.DataFrame, authorities: np.ndarray, collaboratives: Mapping[int, int]) -> pd.DataFrame:
    """The leavers of the Regional Improvement Collaboratives of ``authorities``: every leaver of
    the pool whose authority belongs to one of them, with its ``collaborative_id``.

    A collaborative's figures are computed from its leavers exactly as an authority's (Insight
    compares with it between authority and Scotland; DOMAIN). An authority with no collaborative
    is in none. The membership is the run's (recorded on it), not read here.
    """
    lookup = pd.Series({int(a): float(k) for a, k in collaboratives.items()}, dtype="float64")
    collaborative = lookup.reindex(table[c.AUTHORITY_ID].to_numpy(dtype=np.int64)).to_numpy()  # NaN: in none
    wanted_ids = [float(collaboratives[int(a)]) for a in authorities if int(a) in collaboratives]
    wanted = np.isin(collaborative, wanted_ids)
    return table[wanted].assign(**{c.COLLABORATIVE_ID: collaborative[wanted].astype(np.int64)})


def compute_table(
    table: pd.DataFrame,
    *,
    seed: int,
    establishment_ids: Iterable[int] | None = None,
    draws: int = 1,
    n_comparators: int = N_COMPARATORS,
    collaboratives: Mapping[int, int] | None = None,
) -> BenchmarkResult:
    """Compute a run or chunk from a :func:`.cohort.leaver_table` of the whole pool.

    Steps:

    1. Chunk = the leavers of ``establishment_ids`` (all when ``None``).
    2. Draw the VC for the chunk from the whole pool (:mod:`.comparator`).
    3. Headline measures, breakdowns and deprivation for the chunk's schools, their VCs, the
       authorities of the chunk's schools, their collaboratives (when ``collaboratives`` is
       given) and Scotland (:mod:`.measures`).
    4. Normalised scores per school and year; weighted scores over the chunk's years
       (recomputed over all chunks by :func:`combine`).
    5. When ``draws > 1``: intervals over ``draws`` VC draws (:mod:`.uncertainty`).
    """
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    establishment = table[c.ESTABLISHMENT_ID].to_numpy(dtype=np.int64)
    chunk_ids = (
        np.unique(establishment)
        if establishment_ids is None
        else np.unique(np.fromiter(establishment_ids, dtype=np.int64))
    )
    in_chunk = np.isin(establishment, chunk_ids)
    chunk = table[in_chunk]
    authorities = np.unique(chunk[c.AUTHORITY_ID].to_numpy(dtype=np.int64))

    cells = find_candidates(table, establishment_ids=chunk_ids)
    leaver_rows, comparator_rows = draw_rows(cells, seed=seed, n_comparators=n_comparators)
    comparators = pd.DataFrame(
        {
            c.LEAVER_ID: cells.pool_leaver_ids[leaver_rows],
            c.COMPARATOR_ID: cells.pool_leaver_ids[comparator_rows],
        }
    )
    relaxation = cells.relaxation_frame()

    in_authorities = np.isin(table[c.AUTHORITY_ID].to_numpy(dtype=np.int64), authorities)
    cohorts: list[tuple[str, pd.DataFrame | VCCohort, list[str]]] = [
        (c.COHORT_ESTABLISHMENT, chunk, [c.ESTABLISHMENT_ID, c.YEAR]),
        (c.COHORT_VC, vc_cohort_arrays(table, leaver_rows, comparator_rows), [c.ESTABLISHMENT_ID, c.YEAR]),
        (c.COHORT_AUTHORITY, table[in_authorities], [c.AUTHORITY_ID, c.YEAR]),
        (c.COHORT_NATIONAL, table, [c.YEAR]),
    ]
    if collaboratives is not None:
        cohorts.append((c.COHORT_COLLABORATIVE, collaborative_cohort(table, authorities, collaboratives),
                        [c.COLLABORATIVE_ID, c.YEAR]))
    headline, breakdowns, deprivation = {}, [], []
    for name, frame, keys in cohorts:
        id_column = keys[0] if len(keys) > 1 else None
        cohort = PreparedCohort(frame, [*keys, *c.BREAKDOWN_DIMENSIONS])
        headline[name] = cohort.headline(keys)
        breakdowns.append(_label(cohort.breakdowns(keys, c.BREAKDOWN_DIMENSIONS), name, id_column))
        deprivation.append(_label(cohort.deprivation(keys), name, id_column))

    normalised = normalised_scores(headline[c.COHORT_ESTABLISHMENT], headline[c.COHORT_VC])
    intervals = None
    if draws > 1:
        intervals = vc_intervals(
            table,
            seed=seed,
            draws=draws,
            cells=cells,
            establishment_measures=headline[c.COHORT_ESTABLISHMENT],
            n_comparators=n_comparators,
        )
    return BenchmarkResult(
        seed=seed,
        draws=draws,
        establishments=_establishments(chunk),
        establishment_measures=headline[c.COHORT_ESTABLISHMENT],
        vc_measures=headline[c.COHORT_VC],
        authority_measures=headline[c.COHORT_AUTHORITY],
        national_measures=headline[c.COHORT_NATIONAL],
        breakdowns=_sort_cohort_frame(pd.concat(breakdowns, ignore_index=True)),
        deprivation=_sort_cohort_frame(pd.concat(deprivation, ignore_index=True)),
        normalised=normalised,
        weighted=weighted_scores(normalised),
        relaxation=relaxation,
        relaxation_counts=relaxation_counts(relaxation),
        comparators=comparators,
        intervals=intervals,
        collaborative_measures=headline.get(c.COHORT_COLLABORATIVE),
    )


def _combine_collaboratives(frames: Sequence[pd.DataFrame | None]) -> pd.DataFrame | None:
    """Collaboratives of the chunks: computed from the whole pool by every chunk that has one of
    their authorities, so one copy is kept (copies must agree), in id and year order."""
    present = [frame for frame in frames if frame is not None]
    if not present:
        return None
    keys = [c.COLLABORATIVE_ID, c.YEAR]
    return _shared(present, keys, "collaboratives").sort_values(keys, kind="stable", ignore_index=True)


def _disjoint(frames: Sequence[pd.DataFrame], keys: list[str], what: str) -> pd.DataFrame:
    """Concatenate per-school frames of different chunks, which must not overlap."""
    out = pd.concat(frames, ignore_index=True)
    if out.duplicated(subset=keys).any():
        raise ValueError(f"chunks overlap in {what}: each school-year must be computed once")
    return out.sort_values(keys, kind="stable", ignore_index=True)


def _shared(frames: Sequence[pd.DataFrame], keys: list[str], what: str) -> pd.DataFrame:
    """Concatenate frames that several chunks compute (authority, Scotland) keeping one copy.

    Copies are identical when every chunk saw the same pool; otherwise refuse to guess.
    """
    out = pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)
    if out.duplicated(subset=keys).any():
        raise ValueError(f"chunks disagree on {what}: were they computed from the same leavers?")
    return out


def _combine_cohort_measure(frames: Sequence[pd.DataFrame], keys: Sequence[str], first_cell: dict[str, object],
                            what: str) -> pd.DataFrame:
    """A cohort measure (Breadth and Depth, curricular areas) of the chunks: schools, VCs and
    authorities are each computed by one chunk (checked on one row per group, the cell
    ``first_cell``); Scotland, and a collaborative whose authorities several chunks hold, by each
    such chunk, one copy kept (the copies must agree). Rows ordered by cohort, id and year, each
    group's rows as computed."""
    shared = (c.COHORT_NATIONAL, c.COHORT_COLLABORATIVE)
    national = [frame[frame[c.COHORT].isin(shared)] for frame in frames]
    rest = pd.concat([frame[~frame[c.COHORT].isin(shared)] for frame in frames], ignore_index=True)
    first = np.ones(len(rest), dtype=bool)
    for column, value in first_cell.items():
        first &= (rest[column] == value).to_numpy()
    if rest[first].duplicated(subset=[c.COHORT, c.COHORT_ID, c.YEAR, c.COHORT_STAGE]).any():
        raise ValueError(f"chunks overlap in {what}: each school-year must be computed once")
    out = pd.concat([rest, _shared(national, list(keys), f"{what} for Scotland and collaboratives")], ignore_index=True)
    return out.sort_values([c.COHORT, c.COHORT_ID, c.YEAR], kind="stable", ignore_index=True)


def _combine_breadth(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Breadth and Depth of the chunks (:func:`_combine_cohort_measure`)."""
    return _combine_cohort_measure(frames, BREADTH_KEYS, {c.GRADE_FILTER: c.GRADE_FILTERS[0], c.MIN_CREDITS:
                                   c.MIN_CREDIT_OPTIONS[0], c.SCQF_LEVEL: c.BD_LEVELS[0]}, "Breadth and Depth")


def _combine_areas(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Curricular areas of the chunks (:func:`_combine_cohort_measure`)."""
    return _combine_cohort_measure(frames, AREA_KEYS, {c.GRADE_FILTER: c.GRADE_FILTERS[0],
                                   c.CURRICULAR_AREA: c.CURRICULAR_AREAS[0]}, "curricular areas")


def combine(parts: Sequence[BenchmarkResult], *, window: int = WEIGHTED_WINDOW) -> BenchmarkResult:
    """Put the chunks of one run together and compute the weighted scores over all of them.

    Chunks must share the seed and number of draws, and cover each school-year at most once.
    The combined frames are in the same canonical order as a one-shot :func:`compute`, so the
    two are equal frame for frame.
    """
    if not parts:
        raise ValueError("nothing to combine")
    seed, draws = parts[0].seed, parts[0].draws
    if any(part.seed != seed or part.draws != draws for part in parts):
        raise ValueError("chunks of one run must share the seed and the number of draws")

    def frames(name: str) -> list[pd.DataFrame]:
        return [getattr(part, name) for part in parts]

    relaxation = _disjoint(frames("relaxation"), [c.ESTABLISHMENT_ID, c.YEAR, c.LEAVER_ID], "relaxation")
    # Comparators carry no school or year: order them by their leaver's canonical position.
    comparators = pd.concat(frames("comparators"), ignore_index=True)
    relaxed_ids = relaxation[c.LEAVER_ID].to_numpy()
    by_id = np.argsort(relaxed_ids, kind="stable")
    position = by_id[np.searchsorted(relaxed_ids[by_id], comparators[c.LEAVER_ID].to_numpy())]
    order = np.argsort(position, kind="stable")
    comparators = comparators.iloc[order].reset_index(drop=True)

    breakdown_keys = [c.COHORT, c.COHORT_ID, c.YEAR, c.BREAKDOWN, c.BREAKDOWN_VALUE]
    deprivation_keys = [c.COHORT, c.COHORT_ID, c.YEAR, c.SIMD_BAND_KIND, c.SIMD_BAND]
    normalised = _disjoint(frames("normalised"), _EST_YEAR, "normalised scores")
    intervals = None
    interval_frames = [frame for frame in frames("intervals") if frame is not None]
    if draws > 1 and interval_frames:
        intervals = pd.concat(interval_frames, ignore_index=True)
        if intervals.duplicated(subset=[*_EST_YEAR, c.SOURCE, c.MEASURE]).any():
            raise ValueError("chunks overlap in intervals: each school-year must be computed once")
        intervals = intervals.sort_values(_EST_YEAR, kind="stable", ignore_index=True)
    breadth_frames = [frame for frame in frames("breadth_depth") if frame is not None]
    breadth_depth = _combine_breadth(breadth_frames) if breadth_frames else None
    area_frames = [frame for frame in frames("curricular_areas") if frame is not None]
    curricular_areas = _combine_areas(area_frames) if area_frames else None
    course_frames = [frame for frame in frames("courses") if frame is not None]
    return BenchmarkResult(
        seed=seed,
        draws=draws,
        breadth_depth=breadth_depth,
        curricular_areas=curricular_areas,
        courses=combine_courses(course_frames) if course_frames else None,
        collaborative_measures=_combine_collaboratives(frames("collaborative_measures")),
        establishments=_disjoint(frames("establishments"), _EST_YEAR, "establishments"),
        establishment_measures=_disjoint(frames("establishment_measures"), _EST_YEAR, "school measures"),
        vc_measures=_disjoint(frames("vc_measures"), _EST_YEAR, "VC measures"),
        authority_measures=_shared(frames("authority_measures"), [c.AUTHORITY_ID, c.YEAR], "authorities").sort_values(
            [c.AUTHORITY_ID, c.YEAR], kind="stable", ignore_index=True
        ),
        national_measures=_shared(frames("national_measures"), [c.YEAR], "Scotland").sort_values(
            [c.YEAR], kind="stable", ignore_index=True
        ),
        breakdowns=_sort_cohort_frame(_shared(frames("breakdowns"), breakdown_keys, "breakdowns")),
        deprivation=_sort_cohort_frame(_shared(frames("deprivation"), deprivation_keys, "deprivation")),
        normalised=normalised,
        weighted=weighted_scores(normalised, window=window),
        relaxation=relaxation,
        relaxation_counts=_disjoint(frames("relaxation_counts"), _EST_YEAR, "relaxation counts"),
        comparators=comparators,
        intervals=intervals,
    )


def combine_scores(
    years: Sequence[BenchmarkResult], *, window: int = WEIGHTED_WINDOW
) -> BenchmarkResult:
    """The run-wide part of :func:`combine`, over results each combined for one leaver year.

    A finaliser that writes one year at a time (so its memory is one year's, not the run's)
    combines each year's chunks with :func:`combine`, writes that year's frames, and keeps only
    its schools and normalised scores; this puts those together in :func:`combine`'s order and
    computes the weighted scores over every year, as :func:`combine` over all the chunks does.
    The other frames are the last year's (``finalise`` reads only the schools and the weighted
    scores): pass each year through :func:`scores_only` to keep no more than these.
    """
    if not years:
        raise ValueError("nothing to combine")
    normalised = _disjoint([y.normalised for y in years], _EST_YEAR, "normalised scores")
    return replace(
        years[-1],
        establishments=_disjoint([y.establishments for y in years], _EST_YEAR, "establishments"),
        normalised=normalised,
        weighted=weighted_scores(normalised, window=window),
    )


def scores_only(result: BenchmarkResult) -> BenchmarkResult:
    """``result`` with only its schools and normalised scores: every other frame emptied (its
    columns kept), so holding it does not hold the rest of its memory."""
    keep = {"establishments", "normalised"}
    emptied = {
        f.name: value.iloc[0:0].copy()
        for f in fields(result)
        if f.name not in keep and isinstance(value := getattr(result, f.name), pd.DataFrame)
    }
    return replace(result, **emptied)


def finalise(
    result: BenchmarkResult,
    *,
    establishments: pd.DataFrame | None = None,
    context: pd.DataFrame | None = None,
    context_columns: Sequence[str] = (),
) -> BenchmarkResult:
    """Partner rankings over all schools of a combined run.

    ``establishments`` (optional) has ``establishment_id`` and ``establishment_type``; schools
    are ranked only against schools of the same type (Insight: partners are found among schools
    of the same type). Without it every school of the run is one group. SEED codes come from
    the run (the latest year's). ``context`` (optional) has ``establishment_id`` and
    ``context_columns`` for context closeness.

    Fills ``distances`` (:func:`.distance.score_distances`), ``stronger``
    (:func:`.distance.stronger_where_weaker`) and, with context, ``context_distances``
    (:func:`.distance.context_distances`).
    """
    latest = result.establishments.drop_duplicates(subset=[c.ESTABLISHMENT_ID], keep="last")
    schools = latest[[c.ESTABLISHMENT_ID, c.SEED_CODE]].merge(
        result.weighted, how="left", on=c.ESTABLISHMENT_ID, validate="one_to_one"
    )
    if establishments is not None:
        types = establishments[[c.ESTABLISHMENT_ID, c.ESTABLISHMENT_TYPE]]
        schools = schools.merge(types, how="left", on=c.ESTABLISHMENT_ID, validate="one_to_one")
    else:
        schools[c.ESTABLISHMENT_TYPE] = ""
    schools[c.ESTABLISHMENT_TYPE] = schools[c.ESTABLISHMENT_TYPE].fillna("").astype(str)
    if context is not None:
        schools = schools.merge(
            context[[c.ESTABLISHMENT_ID, *context_columns]],
            how="left",
            on=c.ESTABLISHMENT_ID,
            validate="one_to_one",
        )

    # An empty first group keeps the column types when there are no schools at all.
    distances, stronger, closeness = [score_distances(schools.iloc[0:0])], [], []
    stronger.append(stronger_where_weaker(schools.iloc[0:0]))
    if context is not None:
        closeness.append(context_distances(schools.iloc[0:0], list(context_columns)))
    for _, group in schools.groupby(c.ESTABLISHMENT_TYPE, sort=True):
        distances.append(score_distances(group))
        stronger.append(stronger_where_weaker(group))
        if context is not None:
            closeness.append(context_distances(group, list(context_columns)))

    def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values([c.ESTABLISHMENT_ID, c.RANK], kind="stable", ignore_index=True)

    return replace(
        result,
        distances=stack(distances),
        stronger=stack(stronger),
        context_distances=stack(closeness) if context is not None else None,
    )


def frames_of(result: BenchmarkResult) -> dict[str, pd.DataFrame]:
    """The result's frames by field name (``None`` fields left out), e.g. for persisting."""
    return {
        field.name: value for field in fields(result) if isinstance(value := getattr(result, field.name), pd.DataFrame)
    }
