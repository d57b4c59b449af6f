"""Benchmark runs: create, compute chunks, finalise, reap. Load -> compute -> persist.

A run is split into chunks: per leaver year, the leavers' national measures of each authority
group, and the local measures of the year's cohorts (one chunk for every authority). Each chunk
is claimed with a conditional update and held under a lease, computed from the whole year's pool
of leavers or cohort members (so the virtual comparator draws from every other authority
whatever the chunking) and its frames kept in the chunk row. When every chunk is done, finalise (claimed once) combines the chunks, ranks
partners and writes every result table in one transaction. Everything is keyed by ids and safe
to run twice; results depend only on the input data and the seed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from datahub.models import LocalAuthority, SchoolLeaver, TariffScale, User
from datahub.pgcopy import CopyPipe

from . import framestore, loaders
from .benchmarking import areas, breadth, courses, engine
from .benchmarking import columns as c
from .groups.compute import groups_compute
from .groups.services import groups_follow_filters
from .models import BenchmarkChunk, BenchmarkRun, ChunkPart, ChunkStatus, RunStatus
from .persist import add_counts, persist_run_tables, persist_year_tables
from .selectors.leavers import latest_years

log = logging.getLogger(__name__)

ENGINE_VERSION = "1.0"
LEASE = timedelta(seconds=int(getattr(settings, "BENCHMARK_CHUNK_LEASE_SECONDS", 900)))
# Frames a chunk keeps for finalise: comparators and per-leaver relaxation are not stored.
_KEPT = (
    "establishments", "establishment_measures", "vc_measures", "authority_measures", "national_measures",
    "breakdowns", "deprivation", "normalised", "weighted", "relaxation_counts", "intervals", "breadth_depth",
    "curricular_areas",
    "courses",
    "collaborative_measures",
)
CONTEXT_COLUMNS = ("roll", "share_simd_q1", "share_fsm", "share_asn")


class RunError(Exception):
    pass


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def run_create(
    *,
    requested_by: User | None = None,
    years: list[int] | None = None,
    seed: int = 20260101,
    draws: int = 1,
    authority_chunks: int = 1,
    tariff_scale: TariffScale | None = None,
) -> BenchmarkRun:
    """Create a run and its chunks. Raises RunError when there is nothing to compute."""
    years = sorted(set(years)) if years else latest_years()
    if not years:
        raise RunError("There are no school leavers to benchmark.")
    if not 1 <= draws <= 100:
        raise RunError("draws must be between 1 and 100")
    scale = tariff_scale or TariffScale.objects.filter(is_default=True).first()
    if scale is None:
        raise RunError("There is no default tariff scale.")
    run = BenchmarkRun.objects.create(
        requested_by=requested_by, seed=seed, years=years, draws=draws,
        authority_chunks=max(1, authority_chunks), tariff_scale=scale, engine_version=ENGINE_VERSION,
        collaboratives=collaborative_membership(),
    )
    chunks = []
    for year in years:
        authorities = sorted(
            set(SchoolLeaver.objects.filter(leaver_year=year).values_list("establishment__authority_id", flat=True))
        )
        groups = [g for g in np.array_split(np.array(authorities, dtype=np.int64), run.authority_chunks) if len(g)]
        for index, group in enumerate(groups):
            chunks.append(BenchmarkChunk(run=run, year=year, index=index, authority_ids=[int(a) for a in group]))
        if groups:
            # The year's local measures, a chunk of their own (issue 12): computed for every
            # authority from the year's census, so the cohorts and awards are read once per run;
            # apart from the leavers' chunks, the workers share the two kinds of work evenly.
            chunks.append(BenchmarkChunk(run=run, year=year, part=ChunkPart.COHORTS, index=0,
                                         authority_ids=[int(a) for a in authorities]))
    if not chunks:
        raise RunError(f"There are no school leavers in {', '.join(map(str, years))}.")
    BenchmarkChunk.objects.bulk_create(chunks)
    run.chunks_total = len(chunks)
    run.save(update_fields=["chunks_total"])
    return run


def collaborative_membership() -> dict[str, int]:
    """Each authority's Regional Improvement Collaborative now (authority id as text -> id), as a
    run records it when created (authorities in none are left out)."""
    return {str(a): int(k) for a, k in LocalAuthority.objects.filter(collaborative__isnull=False)
            .order_by("id").values_list("id", "collaborative_id")}


def run_collaboratives(run: BenchmarkRun) -> tuple[dict[int, int], pd.DataFrame]:
    """The membership the run recorded, for the engine and as a frame for the input hash."""
    membership = {int(a): int(k) for a, k in sorted(run.collaboratives.items(), key=lambda item: int(item[0]))}
    frame = pd.DataFrame({c.AUTHORITY_ID: np.fromiter(membership.keys(), dtype=np.int64, count=len(membership)),
                          c.COLLABORATIVE_ID: np.fromiter(membership.values(), dtype=np.int64, count=len(membership))})
    return membership, frame


def _claim_chunk(chunk_id: int, me: str) -> bool:
    now = timezone.now()
    claimable = Q(status=ChunkStatus.PENDING) | Q(status=ChunkStatus.RUNNING, lease_until__lt=now)
    return bool(
        BenchmarkChunk.objects.filter(claimable, id=chunk_id).update(
            status=ChunkStatus.RUNNING, lease_until=now + LEASE, claimed_by=me, attempts=F("attempts") + 1
        )
    )


def _hash_frames(*frames: pd.DataFrame) -> str:
    """A hash of the frames' rows and columns that does not depend on the rows' order (the loaders'
    queries have no ORDER BY: PostgreSQL may return the same rows in another order)."""
    h = hashlib.sha256()
    for f in frames:
        h.update(np.sort(pd.util.hash_pandas_object(f, index=False).to_numpy()).tobytes())
        h.update(",".join(map(str, f.columns)).encode())
    return h.hexdigest()


def chunk_compute(chunk_id: int) -> bool:
    """Claim and compute one chunk. Returns False when another worker holds it or it is done."""
    me = worker_name()
    if not _claim_chunk(chunk_id, me):
        return False
    chunk = BenchmarkChunk.objects.select_related("run").get(id=chunk_id)
    run = chunk.run
    BenchmarkRun.objects.filter(id=run.id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if settings.BENCHMARK_FAULT_PAUSE_SECONDS:
        # Fault injection for the worker-death test only (0, i.e. off, unless set in the environment).
        time.sleep(settings.BENCHMARK_FAULT_PAUSE_SECONDS)
    t0 = time.perf_counter()
    collaboratives, membership = run_collaboratives(run)
    if chunk.part == ChunkPart.COHORTS:
        frames, inputs = _local_measures(run, chunk.year, collaboratives)
    else:
        data = loaders.load_engine_input([chunk.year], tariff_scale_id=run.tariff_scale_id)
        establishment_ids = data.leavers.loc[
            data.leavers[c.AUTHORITY_ID].isin(chunk.authority_ids), c.ESTABLISHMENT_ID
        ].unique()
        result = engine.compute(
            data.leavers, data.results, seed=run.seed, years=[chunk.year],
            establishment_ids=establishment_ids, draws=run.draws, collaboratives=collaboratives,
        )
        frames = {k: v for k, v in engine.frames_of(result).items() if k in _KEPT}
        # The membership is an input: a run with another membership has another input hash.
        inputs = [data.leavers, data.results, membership]
    payload = framestore.dumps(frames)
    seconds = time.perf_counter() - t0
    with transaction.atomic():
        done = BenchmarkChunk.objects.filter(id=chunk_id, status=ChunkStatus.RUNNING, claimed_by=me).update(
            status=ChunkStatus.DONE, payload=payload, seconds=seconds,
            input_hash=_hash_frames(*inputs), lease_until=None,
        )
        if done:
            BenchmarkRun.objects.filter(id=run.id).update(chunks_done=F("chunks_done") + 1)
        if settings.BENCHMARK_FAULT_CHUNK_WRITE_PAUSE_SECONDS:
            # Fault injection for the worker-death test only: the chunk's frames written, not committed.
            time.sleep(settings.BENCHMARK_FAULT_CHUNK_WRITE_PAUSE_SECONDS)
    return bool(done)


def _local_measures(run: BenchmarkRun, year: int,
                    collaboratives: dict[int, int]) -> tuple[dict[str, pd.DataFrame], list[pd.DataFrame]]:
    """The local measures of ``year`` (issue 12) for every authority, from the year's census:
    (frames, input frames). The figures do not depend on the chunking. The cohorts' VC draws
    from a stream of its own (run seed + 1), apart from the leavers'; Breadth and Depth and the
    curricular areas share the cohorts' groups and that draw."""
    members, cohort_results = loaders.load_cohorts(year)
    subject_areas = loaders.load_subject_areas()
    groups = breadth.cohort_groups(members, seed=run.seed + 1)
    frames = {
        "breadth_depth": breadth.breadth_depth(members, cohort_results, groups=groups, collaboratives=collaboratives),
        "curricular_areas": areas.curricular_areas(members, cohort_results, subject_areas, groups=groups,
                                                   collaboratives=collaboratives),
        # The Course Comparator: the courses' VC has a stream of its own too (run seed + 2).
        "courses": courses.course_results(members, cohort_results, seed=run.seed + 2, collaboratives=collaboratives),
    }
    return frames, [members, cohort_results, subject_areas]


def chunk_fail(chunk_id: int, error: str) -> None:
    BenchmarkChunk.objects.filter(id=chunk_id).update(status=ChunkStatus.FAILED, error=error[:5000])
    run_id = BenchmarkChunk.objects.filter(id=chunk_id).values_list("run_id", flat=True).first()
    if run_id is None:  # the chunk is gone (its run was deleted): no run to mark
        return
    BenchmarkRun.objects.filter(id=run_id).exclude(status=RunStatus.SUCCEEDED).update(
        status=RunStatus.FAILED, error=f"Chunk {chunk_id} failed: {error[:2000]}", finished_at=timezone.now()
    )


def _result_from(frames: dict[str, pd.DataFrame], run: BenchmarkRun) -> engine.BenchmarkResult:
    empty = pd.DataFrame({c.LEAVER_ID: pd.Series(dtype="int64"), c.ESTABLISHMENT_ID: pd.Series(dtype="int64"),
                          c.YEAR: pd.Series(dtype="int64")})
    return engine.BenchmarkResult(
        seed=run.seed, draws=run.draws, relaxation=empty,
        comparators=pd.DataFrame({c.LEAVER_ID: pd.Series(dtype="int64"), c.COMPARATOR_ID: pd.Series(dtype="int64")}),
        intervals=frames.get("intervals"),
        **{k: v for k, v in frames.items() if k != "intervals"},
    )


def finalise_lease() -> timedelta:
    """Longer than finalise's hard time limit (insight.tasks.finalise_run, 960 s), so a live
    finaliser is never taken over; tests shorten it."""
    return timedelta(seconds=int(getattr(settings, "BENCHMARK_FINALISE_LEASE_SECONDS", 1020)))


def run_finalise(run_id: int) -> bool:
    """Combine the chunks and write the results, once. False when not ready, already done, or
    being finalised by a live worker. A run whose finaliser died (its lease ran out) is claimed
    again; only the holder of the claim may write, inside one transaction."""
    if BenchmarkChunk.objects.filter(run_id=run_id).exclude(status=ChunkStatus.DONE).exists():
        return False
    me = f"{worker_name()}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    claimable = Q(status__in=[RunStatus.RUNNING, RunStatus.PENDING]) | Q(status=RunStatus.FINALISING, lease_until__lt=now)
    claimed = BenchmarkRun.objects.filter(claimable, id=run_id).update(
        status=RunStatus.FINALISING, lease_until=now + finalise_lease(), claimed_by=me
    )
    if not claimed:
        return False
    run = BenchmarkRun.objects.get(id=run_id)
    # The chunks without their frames: those are read a year at a time (_years).
    chunks = list(BenchmarkChunk.objects.filter(run=run).defer("payload").order_by("year", "part", "index"))
    input_hash = run_input_hash(chunks)
    with transaction.atomic():
        # Still ours? (A finaliser that outlived its lease may have been replaced.) The row lock
        # makes a second finaliser wait here until this one commits or dies.
        if not BenchmarkRun.objects.select_for_update().filter(
            id=run.id, status=RunStatus.FINALISING, claimed_by=me
        ).exists():
            log.warning("run %s: another worker took over its finalise; this one writes nothing", run.id)
            return False
        counts, seconds = _write_results(run, chunks)
        # Comparator groups (issue 15): those that follow a filter choose their schools again, then
        # every saved group's figures, from its members' leavers.
        t0 = time.perf_counter()
        if changed := groups_follow_filters(run):
            log.info("run %s: %s comparator group(s) changed schools by their filter", run.id, changed)
        counts["comparator_groups"] = groups_compute(run)
        seconds["groups"] = time.perf_counter() - t0
        BenchmarkChunk.objects.filter(run=run).update(payload=None)
        if settings.BENCHMARK_FAULT_FINALISE_PAUSE_SECONDS:
            # Fault injection for the worker-death test only: results written, not yet committed.
            time.sleep(settings.BENCHMARK_FAULT_FINALISE_PAUSE_SECONDS)
        BenchmarkRun.objects.filter(id=run.id).update(
            status=RunStatus.SUCCEEDED, finished_at=timezone.now(), input_hash=input_hash, lease_until=None,
            timings={
                "chunks_seconds": sum(ch.seconds or 0 for ch in chunks),
                "combine_seconds": round(seconds["combine"], 3),
                "persist_seconds": round(seconds["persist"], 3),
                "groups_seconds": round(seconds["groups"], 3),
                "rows": counts,
            },
        )
    return True


def run_input_hash(chunks: list[BenchmarkChunk]) -> str:
    """The run's input hash from its chunks' (``year``, ``part``, ``index`` order). Every chunk of a
    year and part loads the same input (the year's leavers and results, or its cohorts and their
    awards), so the run's hash is over the first of each, year by year."""
    firsts = [ch.input_hash for ch in chunks if ch.index == 0]
    return hashlib.sha256("".join(firsts).encode()).hexdigest()


def year_results(run: BenchmarkRun, chunks: list[tuple[BenchmarkChunk, dict[str, pd.DataFrame]]]
                 ) -> list[engine.BenchmarkResult]:
    """One leaver year's chunks (with their stored frames) as results for engine.combine: the
    local measures' chunk's frames go with the year's first leavers' chunk, as if that chunk had
    computed them (they are computed once a year, for every authority)."""
    local: dict[str, pd.DataFrame] = {}
    for ch, frames in chunks:
        if ch.part == ChunkPart.COHORTS:
            local.update(frames)
    return [_result_from({**frames, **(local if ch.index == 0 else {})}, run)
            for ch, frames in chunks if ch.part == ChunkPart.LEAVERS]


def _years(run: BenchmarkRun, chunks: list[BenchmarkChunk],
           payloads: dict[int, bytes] | None = None) -> Iterator[list[engine.BenchmarkResult]]:
    """Each leaver year's chunks as results, one year at a time: a year's frames are read (from
    ``payloads``, the chunks' stored bytes by chunk id, or else from the database) and unpacked
    when it is reached, so no more than one year's frames are held."""
    for _year, group in itertools.groupby(chunks, key=lambda ch: ch.year):
        stored = []
        for ch in group:
            payload: bytes | memoryview | None
            if payloads is not None:
                payload = payloads[ch.id]
            else:
                payload = BenchmarkChunk.objects.filter(id=ch.id).values_list("payload", flat=True).get()
            assert payload is not None  # every chunk is DONE (checked by run_finalise) and DONE chunks keep their frames
            stored.append((ch, framestore.loads(bytes(payload))))
        yield year_results(run, stored)


def _write_results(run: BenchmarkRun, chunks: list[BenchmarkChunk]) -> tuple[dict[str, int], dict[str, float]]:
    """Combine and write the run's results a leaver year at a time, then the weighted scores and
    partner rankings over every year (engine.combine_scores), so the finaliser's memory is
    bounded by a year, not by the run: the rows written are those of engine.combine over every
    chunk at once. Returns the rows written per table and the seconds spent combining and writing.

    On PostgreSQL the rows go through a :class:`~datahub.pgcopy.CopyPipe` (issue 12): a thread
    sends each table's COPY on this connection, in this transaction, while this thread lays out
    the next table's rows and combines the next year, so the server stores rows (index entries,
    checks) while the client computes, instead of each waiting for the other. The chunks' stored
    frames (compressed, a few MB a chunk) and the schools are read first, since the connection is
    the pipe's until it closes. "persist" is this thread's time laying out and queueing rows plus
    the wait for the server to store the last of them."""
    counts: dict[str, int] = {}
    seconds = {"combine": 0.0, "persist": 0.0}
    kept = []
    pipelined = connection.vendor == "postgresql"
    payloads = None
    if pipelined:
        stored = BenchmarkChunk.objects.filter(run=run).values_list("id", "payload")
        payloads = {chunk_id: bytes(payload) for chunk_id, payload in stored if payload is not None}
    est = loaders.load_establishments().rename(columns={"type": c.ESTABLISHMENT_TYPE})
    with CopyPipe() if pipelined else contextlib.nullcontext() as pipe:
        for parts in _years(run, chunks, payloads):
            t0 = time.perf_counter()
            year = engine.combine(parts)
            del parts
            t1 = time.perf_counter()
            counts = add_counts(counts, persist_year_tables(run, year, pipe))
            kept.append(engine.scores_only(year))
            del year
            seconds["combine"] += t1 - t0
            seconds["persist"] += time.perf_counter() - t1
        t0 = time.perf_counter()
        final = engine.finalise(
            engine.combine_scores(kept),
            establishments=est[[c.ESTABLISHMENT_ID, c.ESTABLISHMENT_TYPE]],
            context=est[[c.ESTABLISHMENT_ID, *CONTEXT_COLUMNS]],
            context_columns=CONTEXT_COLUMNS,
        )
        t1 = time.perf_counter()
        counts = add_counts(counts, persist_run_tables(run, final, pipe))
        seconds["combine"] += t1 - t0
    # Leaving the pipe waits for the server to store the last rows (and raises a COPY's error).
    seconds["persist"] += time.perf_counter() - t1
    return counts, seconds


def run_reap_expired(*, now: None = None) -> int:
    """Put chunks whose worker died (lease expired) back to pending; returns how many."""
    return BenchmarkChunk.objects.filter(status=ChunkStatus.RUNNING, lease_until__lt=timezone.now()).update(
        status=ChunkStatus.PENDING, claimed_by=""
    )


def run_execute_in_process(run: BenchmarkRun) -> BenchmarkRun:
    """Compute every chunk and finalise in this process (the embedded default and tests)."""
    for chunk_id in run.chunks.order_by("year", "part", "index").values_list("id", flat=True):
        chunk_compute(chunk_id)
    run_finalise(run.id)
    run.refresh_from_db()
    return run
