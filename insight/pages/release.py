"""What the dashboards say about the release they show: unread notices of new figures, and what
changed against the release before (for viewers entitled to the unsuppressed figures)."""

from __future__ import annotations

from typing import Any

from ..models import BenchmarkRun
from ..selectors.release import Changes
from ..selectors.runs import notices_unread


def release_context(user: Any, run: BenchmarkRun, changes: Changes | None) -> dict[str, Any]:
    return {"changes": changes, "run_notices": [n for n in notices_unread(user) if n.run_id == run.pk]}
