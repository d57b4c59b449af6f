"""Reads for the Benchmark runs page: the runs, one run's live progress, and whether the data
changed since a run read it (the stale data warning)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.urls import reverse

from datahub.imports import get_kind
from datahub.models import Establishment, ImportBatch, ImportStatus, QualificationResult, SchoolLeaver, User
from destinations.models import DestinationRecord

from ..models import BenchmarkChunk, BenchmarkRun, ChunkPart, ChunkStatus, RunNotice, RunStatus

# The page polls the progress endpoint this often while a run is active (the issue asks <= 2 s).
POLL_MILLISECONDS = 1000


def input_rows(years: Sequence[int]) -> dict[str, int]:
    """Rows of each source a run over ``years`` reads (the loaders' own filters), by source name."""
    return {
        "school leavers": SchoolLeaver.objects.filter(leaver_year__in=years).count(),
        "qualification results": QualificationResult.objects.filter(
            learner__leaver__leaver_year__in=years, year__lte=F("learner__leaver__leaver_year")
        ).count(),
        "destinations": DestinationRecord.objects.filter(
            leaver__leaver_year__in=years, superseded_at__isnull=True
        ).count(),
        "establishments": Establishment.objects.count(),
    }


def runs_listed(limit: int = 50) -> QuerySet[BenchmarkRun]:
    return BenchmarkRun.objects.select_related("requested_by", "published_by", "tariff_scale").order_by(
        "-created_at", "-id"
    )[:limit]


def run_found(pk: int) -> BenchmarkRun | None:
    return (
        BenchmarkRun.objects.select_related("requested_by", "published_by", "withdrawn_by", "tariff_scale")
        .filter(pk=pk)
        .first()
    )


def chunk_state(chunk: BenchmarkChunk) -> str:
    """queued, running, done, retried (running again after a worker died) or failed."""
    if chunk.status == ChunkStatus.PENDING:
        return "queued" if chunk.attempts == 0 else "retried"
    if chunk.status == ChunkStatus.RUNNING:
        return "retried" if chunk.attempts > 1 else "running"
    return "done" if chunk.status == ChunkStatus.DONE else "failed"


def run_progress(run: BenchmarkRun) -> dict[str, Any]:
    """What the runs page shows live: the run's state and one line per chunk (JSON-ready)."""
    chunks = list(
        run.chunks.order_by("year", "part", "index").only(
            "id", "year", "part", "index", "status", "attempts", "claimed_by", "seconds", "error", "authority_ids"
        )
    )
    lines = []
    counts = {"queued": 0, "running": 0, "retried": 0, "done": 0, "failed": 0}
    for ch in chunks:
        state = chunk_state(ch)
        counts[state] += 1
        lines.append(
            {
                "year": ch.year,
                "index": ch.index,
                "part": ch.part,
                # The page's "Group" column: the authority group, or the year's local measures.
                "group": str(ch.index + 1) if ch.part == ChunkPart.LEAVERS else ch.get_part_display(),
                "authorities": len(ch.authority_ids or []),
                "state": state,
                "worker": ch.claimed_by,
                "attempts": ch.attempts,
                "seconds": round(ch.seconds, 1) if ch.seconds is not None else None,
                "error": ch.error[:300],
            }
        )
    done = counts["done"]
    total = len(chunks)
    # Finalising (combine, rank, write) is the last step: 100% only once the run has succeeded.
    pct = 100 if run.status == RunStatus.SUCCEEDED else min(99, int(100 * done / total)) if total else 0
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "active": run.is_active,
        "publication": run.publication,
        "percent": pct,
        "chunks_done": done,
        "chunks_total": total,
        "counts": counts,
        "chunks": lines,
        "error": run.error[:500],
        "duration_seconds": round(run.duration_seconds, 1) if run.duration_seconds is not None else None,
        "poll_ms": POLL_MILLISECONDS,
        "url": reverse("insight:run_detail", kwargs={"pk": run.pk}),
    }


@dataclass
class SourceChange:
    source: str
    rows_then: int | None
    rows_now: int


@dataclass
class ImportSince:
    kind: str
    batches: int
    new: int
    updated: int


def _kind_label(name: str) -> str:
    kind = get_kind(name)
    return str(kind.label) if kind else name


@dataclass
class InputsChanged:
    """What changed in the data since ``run`` read it: row counts per source, and the imports."""

    run: BenchmarkRun
    sources: list[SourceChange] = field(default_factory=list)
    imports: list[ImportSince] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sources or any(i.new or i.updated for i in self.imports))


def inputs_changed_since(run: BenchmarkRun) -> InputsChanged:
    """Compare the row counts ``run`` recorded with today's, and list the imports that wrote rows
    after it started reading (an update keeps the count but changes the data)."""
    now = input_rows(run.years)
    out = InputsChanged(run)
    for source, rows in now.items():
        then = run.input_rows.get(source) if run.input_rows else None
        if then != rows:
            out.sources.append(SourceChange(source, then, rows))
    since = run.started_at or run.created_at
    batches = (
        ImportBatch.objects.filter(status=ImportStatus.SUCCEEDED, dry_run=False, finished_at__gte=since)
        .values("kind")
        .annotate(n=Count("id"), new=Sum("count_new"), updated=Sum("count_updated"))
        .order_by("kind")
    )
    out.imports = [ImportSince(_kind_label(b["kind"]), b["n"], b["new"] or 0, b["updated"] or 0) for b in batches]
    return out


def notices_unread(user: User | Any) -> list[RunNotice]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(RunNotice.objects.filter(recipient=user, read_at__isnull=True).select_related("run")[:3])
