"""The figures of a joint evaluation, from the benchmarking app (a higher layer) through a registry.

partnerships sits below insight (docs/architecture.md), so it cannot read benchmark runs itself:
the benchmarking app registers a ``FigureSource`` in its ``AppConfig.ready`` (insight/joint.py),
and the workspace asks it for the measures partners may choose, the published run of the day,
the runs published since, and a run's figures for the two schools and their virtual comparators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class MeasureOption:
    key: str
    label: str
    kind: str  # "tariff" (average points) or "pct" (percentage)


@dataclass(frozen=True)
class RunRef:
    """A published benchmark run: its id, when it was published, and its latest leaver year."""

    id: int
    published_at: dt.datetime
    year: int
    year_label: str


@dataclass(frozen=True)
class RunFigures:
    run: RunRef
    # (establishment id, measure key) -> (the school's figure, its virtual comparator's); None: no figure
    values: dict[tuple[int, str], tuple[float | None, float | None]] = field(default_factory=dict)


class FigureSource(Protocol):
    def measures(self) -> list[MeasureOption]: ...

    def current_run(self) -> RunRef | None:
        """The published run pages read today."""

    def published_runs(self) -> list[RunRef]:
        """Every run still published, oldest first."""

    def figures(self, run: RunRef, establishment_ids: Iterable[int], measures: Iterable[str]) -> RunFigures:
        """The run's all-leavers figures of its latest year for the schools and their VCs."""


_source: FigureSource | None = None


def register_figure_source(source: FigureSource) -> None:
    global _source
    _source = source


def figure_source() -> FigureSource:
    if _source is None:
        raise RuntimeError("No benchmark figure source is registered (the insight app registers it in ready()).")
    return _source
