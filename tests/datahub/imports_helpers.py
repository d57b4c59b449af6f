"""Helpers for the import tests: files in memory, running an import as a persona."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from datahub.imports import services
from datahub.models import ImportBatch, Role

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
ORDER = ["establishments", "learners", "leavers", "results", "initial-destinations", "follow-up-destinations",
         "participation"]


def csv_bytes(header: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def run(user, kind: str, data: bytes, *, name: str = "file.csv", **kw) -> ImportBatch:
    return services.import_batch_create(user=user, kind=kind, fh=io.BytesIO(data), file_name=name, **kw)


def national_dm():
    from tests.factories import member

    return member(Role.DATA_MANAGER)


def load_samples(user, upto: str | None = None) -> dict[str, ImportBatch]:
    out = {}
    for kind in ORDER:
        out[kind] = run(user, kind, (SAMPLES / f"{kind}.csv").read_bytes(), name=f"{kind}.csv")
        if kind == upto:
            break
    return out
