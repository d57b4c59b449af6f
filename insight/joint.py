"""The figures of partnership workspaces' joint evaluations (partnerships.workspace.evaluation).

The partnerships app sits below this one, so it reads benchmark figures through the
``FigureSource`` registered here in ``InsightConfig.ready``: the measures partners may choose (the
national measures every published run holds, insight.selectors.catalogue), the published run of
the day, every published run, and a run's all-leavers figures of its latest leaver year for the
two schools and their virtual comparators.

The figures are unsuppressed: only the two schools' own staff see a workspace, and each school's
figures are their own or their learning partner's (docs/domain.md: partners see each other's data
without suppression). When a partnership ends, its workspace shows only the runs published while
it was active (partnerships.workspace.selectors), so no figure published after the end is seen.
"""

from __future__ import annotations

from collections.abc import Iterable

from partnerships.workspace.evaluation import MeasureOption, RunFigures, RunRef, register_figure_source

from .benchmarking import columns as c
from .models import BenchmarkRun, CohortResult
from .selectors.catalogue import MEASURES, TABLE_MEASURES, year_label


def run_ref(run: BenchmarkRun) -> RunRef:
    """A published run as the workspaces know it (its latest leaver year)."""
    year = max(int(y) for y in run.years)
    assert run.published_at is not None
    return RunRef(id=run.pk, published_at=run.published_at, year=year, year_label=year_label(year))


class BenchmarkFigureSource:
    """Reads the published benchmark runs' stored results (CohortResult)."""

    def measures(self) -> list[MeasureOption]:
        return [MeasureOption(k, MEASURES[k].label, MEASURES[k].kind) for k in TABLE_MEASURES]

    def current_run(self) -> RunRef | None:
        run = BenchmarkRun.objects.published()
        return run_ref(run) if run is not None else None

    def published_runs(self) -> list[RunRef]:
        runs = BenchmarkRun.objects.published_runs()
        return sorted((run_ref(r) for r in runs), key=lambda r: (r.published_at, r.id))

    def figures(self, run: RunRef, establishment_ids: Iterable[int], measures: Iterable[str]) -> RunFigures:
        keys = [m for m in measures if m in MEASURES]
        ids = list(establishment_ids)
        rows = CohortResult.objects.filter(
            run_id=run.id,
            cohort__in=[c.COHORT_ESTABLISHMENT, c.COHORT_VC],
            cohort_id__in=ids,
            year=run.year,
            breakdown="",
        ).values("cohort", "cohort_id", *keys)
        by = {(r["cohort"], r["cohort_id"]): r for r in rows}
        values: dict[tuple[int, str], tuple[float | None, float | None]] = {}
        for est in ids:
            school, vc = by.get((c.COHORT_ESTABLISHMENT, est)), by.get((c.COHORT_VC, est))
            for k in keys:
                values[(est, k)] = (school.get(k) if school else None, vc.get(k) if vc else None)
        return RunFigures(run=run, values=values)


def register() -> None:
    register_figure_source(BenchmarkFigureSource())
