"""Reads of a partnership's workspace: its people, its record, and the joint evaluation.

Leads, files, joint measures, the evaluation and notices are read for a pair or a partnership
group alike (``p`` may be either; subject.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from datahub.models import Establishment, User

from ..models import Partnership
from .evaluation import RunRef, figure_source
from .models import Action, ActionStatus, JointMeasure, Lead, MeetingNote, SharedFile, Workspace, WorkspaceNotice
from .subject import Owner, subject_of


def workspace_people(p: Owner) -> list[tuple[User, Establishment]]:
    """Active staff (admins and staff) of the two schools (a group's joined schools), with the
    school each works for."""
    return subject_of(p).people()


def workspace_of(p: Partnership) -> Workspace:
    """The workspace (an empty, unsaved one until the first write)."""
    return Workspace.objects.filter(partnership=p).select_related("updated_by").first() or Workspace(partnership=p)


def leads(p: Owner) -> list[Lead]:
    return list(Lead.objects.filter(**subject_of(p).key).select_related("establishment"))


def actions(p: Partnership) -> list[Action]:
    return list(Action.objects.filter(partnership=p).select_related("owner_establishment"))


def action(p: Partnership, pk: int) -> Action | None:
    return Action.objects.filter(partnership=p, pk=pk).first()


def lead(p: Owner, pk: int) -> Lead | None:
    return Lead.objects.filter(**subject_of(p).key, pk=pk).select_related("partnership", "group").first()


def meeting_notes(p: Partnership) -> list[MeetingNote]:
    return list(MeetingNote.objects.filter(partnership=p).select_related("author", "author_establishment"))


def shared_files(p: Owner) -> list[SharedFile]:
    return list(SharedFile.objects.filter(**subject_of(p).key).select_related("uploaded_by", "uploaded_for"))


def shared_file(p: Owner, pk: int) -> SharedFile | None:
    return SharedFile.objects.filter(**subject_of(p).key, pk=pk).select_related("partnership", "group").first()


def joint_measures(p: Owner) -> list[JointMeasure]:
    return list(JointMeasure.objects.filter(**subject_of(p).key).prefetch_related("baselines"))


def overdue(actions_: list[Action], today: dt.date) -> list[Action]:
    return [
        a for a in actions_ if a.due_on < today and a.status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)
    ]


# --- The joint evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolFigure:
    value: float | None
    vc: float | None
    change: float | None  # value - the school's baseline value


@dataclass(frozen=True)
class EvaluationRow:
    label: str  # "Baseline" or "Later release"
    year_label: str
    published_at: dt.datetime
    baseline: bool
    schools: list[SchoolFigure]  # proposer first, then partner (a group's schools by name)


@dataclass
class MeasureEvaluation:
    measure: JointMeasure
    rows: list[EvaluationRow] = field(default_factory=list)

    def by_school(self, schools: list[Establishment]) -> list[tuple[Establishment, list[SchoolFigure]]]:
        """The same figures turned round: each school with its baseline and later releases (a
        group's table, one row per school)."""
        return [(est, [row.schools[i] for row in self.rows]) for i, est in enumerate(schools)]


def runs_after_baseline(p: Owner, measure: JointMeasure, runs: list[RunRef]) -> list[RunRef]:
    """Published runs after the measure's baseline; for an ended partnership, only those published
    while it was active (a run published after the end is no longer the partners' to see)."""
    ended_at = subject_of(p).ended_at()
    return [
        r
        for r in runs
        if (r.published_at, r.id) > (measure.baseline_published_at, measure.baseline_run_id)
        and (ended_at is None or r.published_at <= ended_at)
    ]


def _change(value: float | None, base: float | None) -> float | None:
    return None if value is None or base is None else value - base


def joint_evaluation(p: Owner) -> list[MeasureEvaluation]:
    """Each joint measure: its baseline, then each later published run's figures, both schools
    (every school of a group)."""
    measures = joint_measures(p)
    if not measures:
        return []
    source = figure_source()
    runs = source.published_runs()
    schools = subject_of(p).school_ids()
    later = {jm.pk: runs_after_baseline(p, jm, runs) for jm in measures}
    figures = {}
    for run in {r.id: r for rs in later.values() for r in rs}.values():
        keys = [jm.measure for jm in measures if run in later[jm.pk]]
        figures[run.id] = source.figures(run, schools, keys)
    out = []
    for jm in measures:
        base = {b.establishment_id: b for b in jm.baselines.all()}
        ev = MeasureEvaluation(jm)
        ev.rows.append(
            EvaluationRow(
                "Baseline",
                _year_label(jm.baseline_year),
                jm.baseline_published_at,
                True,
                [
                    SchoolFigure(base[e].value if e in base else None, base[e].vc_value if e in base else None, None)
                    for e in schools
                ],
            )
        )
        for run in later[jm.pk]:
            cells = []
            for e in schools:
                value, vc = figures[run.id].values.get((e, jm.measure), (None, None))
                cells.append(SchoolFigure(value, vc, _change(value, base[e].value if e in base else None)))
            ev.rows.append(EvaluationRow("Later release", run.year_label, run.published_at, False, cells))
        out.append(ev)
    return out


def _year_label(year: int) -> str:
    return f"{year - 1}/{str(year)[2:]}"


def unread_notices(user: User, p: Owner | None = None) -> list[WorkspaceNotice]:
    qs = WorkspaceNotice.objects.filter(recipient=user, read_at__isnull=True)
    if p is not None:
        qs = qs.filter(**subject_of(p).key)
    return list(qs.select_related("partnership__proposer", "partnership__partner", "group")[:20])


def measure_options(p: Owner) -> list[tuple[str, str, bool]]:
    """(key, label, already chosen) for every measure the partners may choose."""
    chosen = set(JointMeasure.objects.filter(**subject_of(p).key).values_list("measure", flat=True))
    return [(m.key, m.label, m.key in chosen) for m in figure_source().measures()]
