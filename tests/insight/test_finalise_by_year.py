"""Finalise writes a run's results a leaver year at a time (its memory bounded by a year, issue 16
item 6): the rows it writes are exactly those of one engine.combine over every chunk at once."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from django.db import transaction

from insight import framestore, loaders
from insight.benchmarking import columns as c
from insight.benchmarking import engine
from insight.models import (
    BenchmarkChunk,
    BenchmarkRun,
    BreadthDepthResult,
    CohortResult,
    CurricularAreaResult,
    DeprivationResult,
    NormalisedScore,
    PartnerRanking,
    RelaxationCount,
    RunStatus,
    VCInterval,
    WeightedScore,
)
from insight.persist import persist_result
from insight.services import CONTEXT_COLUMNS, chunk_compute, run_create, run_finalise, year_results
from tests.insight.worlds import RUN_YEARS, build_world

pytestmark = pytest.mark.django_db

RESULT_MODELS = (CohortResult, DeprivationResult, NormalisedScore, WeightedScore, PartnerRanking, RelaxationCount,
                 VCInterval, BreadthDepthResult, CurricularAreaResult)


def table_hashes(run: BenchmarkRun) -> dict[str, str]:
    """Every result table of a run, all columns but the row id and the run, in a stable order."""
    out = {}
    for model in RESULT_MODELS:
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "run_id")]
        rows = sorted(repr(row) for row in model.objects.filter(run=run).values_list(*names))
        out[model.__name__] = f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()}"
    return out


def test_finalising_a_year_at_a_time_writes_what_combining_every_chunk_at_once_writes() -> None:
    build_world(n_authorities=3, schools_per_authority=2, leavers_per_school=20)
    run = run_create(years=list(RUN_YEARS), seed=7, draws=3, authority_chunks=2)
    chunks = list(run.chunks.order_by("year", "part", "index"))
    # Several chunks in a year, combined within it: two authority groups' leavers and the local measures.
    assert len(chunks) == 3 * len(RUN_YEARS)
    for chunk in chunks:
        assert chunk_compute(chunk.id)
    stored = dict(BenchmarkChunk.objects.filter(run=run).values_list("id", "payload"))
    payloads = {chunk_id: bytes(p) for chunk_id, p in stored.items() if p is not None}
    assert len(payloads) == len(chunks)

    assert run_finalise(run.id)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error

    # The reference: every chunk combined at once and written in one go, as finalise did before.
    parts = [part for _year, group in itertools.groupby(chunks, key=lambda ch: ch.year)
             for part in year_results(run, [(ch, framestore.loads(payloads[ch.id])) for ch in group])]
    est = loaders.load_establishments().rename(columns={"type": c.ESTABLISHMENT_TYPE})
    whole = engine.finalise(engine.combine(parts), establishments=est[[c.ESTABLISHMENT_ID, c.ESTABLISHMENT_TYPE]],
                            context=est[[c.ESTABLISHMENT_ID, *CONTEXT_COLUMNS]], context_columns=CONTEXT_COLUMNS)
    reference = run_create(years=list(RUN_YEARS), seed=7, draws=3)
    with transaction.atomic():
        counts = persist_result(reference, whole)

    written = table_hashes(run)
    assert written == table_hashes(reference)
    assert all(not h.startswith("0:") for h in written.values())  # every table has rows: a real comparison
    # Finalise also computes the saved comparator groups (none in this world: no rows).
    assert run.timings["rows"] == {**counts, "comparator_groups": 0}


@pytest.mark.parametrize("failure", ["caller", "copy"])
def test_a_finalise_that_fails_part_way_leaves_no_rows(monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    """The rows go to the server through a thread (datahub.pgcopy.CopyPipe on PostgreSQL) while
    later years are combined: a failure after some tables were sent still leaves nothing."""
    import pandas as pd
    from django.db import IntegrityError

    from insight import services
    from insight.models import CourseResult
    from insight.persist import write_frame

    build_world(n_authorities=2, schools_per_authority=2, leavers_per_school=15)
    run = run_create(years=list(RUN_YEARS), seed=7, draws=1)
    for chunk in run.chunks.all():
        assert chunk_compute(chunk.id)
    real = services.persist_run_tables

    def failing(run: BenchmarkRun, result: engine.BenchmarkResult, pipe: object = None) -> dict[str, int]:
        counts = real(run, result, pipe)  # type: ignore[arg-type]
        if failure == "caller":
            raise RuntimeError("finalise failed after writing")
        # A ranking of a school against itself breaks the table's check: the server refuses it.
        write_frame(PartnerRanking, pd.DataFrame({"establishment_id": [1], "other_id": [1], "rank": [1]}),
                    run_id=run.pk, basis="performance", pipe=pipe)  # type: ignore[arg-type]
        return counts

    monkeypatch.setattr(services, "persist_run_tables", failing)
    with pytest.raises(Exception) as raised:
        run_finalise(run.id)
    assert isinstance(raised.value, RuntimeError if failure == "caller" else IntegrityError)
    run.refresh_from_db()
    assert run.status != RunStatus.SUCCEEDED
    assert all(not model.objects.filter(run=run).exists() for model in (*RESULT_MODELS, CourseResult))
