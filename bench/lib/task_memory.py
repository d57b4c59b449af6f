"""Peak memory of each chunk and each finalise in a Celery worker (bench/scale_curve.py).

Imported by the benchmark's workers only (``celery worker --include bench.lib.task_memory``),
with ``BENCH_TASK_MEMORY_FILE`` naming a file. It wraps ``insight.services.chunk_compute`` and
``run_finalise`` (what the tasks call) so that each call first resets the process's peak resident
set (``/proc/self/clear_refs``, Linux) and then appends one line to the file: the step, its id,
whether it did the work, its peak RSS in MB and its seconds. A worker's whole-life peak cannot
tell a chunk from the finalise that the last chunk's task runs after it; this can.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from insight import services


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measured(step: str, fn: Callable[[int], bool]) -> Callable[[int], bool]:
    @functools.wraps(fn)
    def wrapper(object_id: int) -> bool:
        Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from the current RSS
        t0 = time.perf_counter()
        did = fn(object_id)
        line = f"{step}\t{object_id}\t{int(did)}\t{_peak_mb():.1f}\t{time.perf_counter() - t0:.2f}\n"
        with open(os.environ["BENCH_TASK_MEMORY_FILE"], "a") as out:
            out.write(line)
        return did

    return wrapper


def read(path: Path) -> list[dict[str, Any]]:
    """The lines the workers wrote: step, id, did (the work), peak_mb, seconds."""
    rows = []
    for line in path.read_text().splitlines() if path.exists() else []:
        step, object_id, did, peak, seconds = line.split("\t")
        rows.append({"step": step, "id": int(object_id), "did": did == "1", "peak_mb": float(peak),
                     "seconds": float(seconds)})
    return rows


if os.environ.get("BENCH_TASK_MEMORY_FILE"):
    services.chunk_compute = _measured("chunk", services.chunk_compute)  # type: ignore[assignment]
    services.run_finalise = _measured("finalise", services.run_finalise)  # type: ignore[assignment]
