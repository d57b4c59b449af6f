"""Positive / other classification of leaver destinations: the one place that decides it.

Source: Scottish Government leaver destination statistics (docs/domain.md). Personal skills
development counts as positive from the 2018-19 leavers on; activity agreements counted as
positive for the 2010-11 to 2017-18 leavers only. ``leaver_year`` is the year the session ends
(2019 means 2018/19 leavers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class Category(models.TextChoices):
    HIGHER_EDUCATION = "HE", "Higher education"
    FURTHER_EDUCATION = "FE", "Further education"
    TRAINING = "TRAINING", "Training"
    EMPLOYMENT = "EMPLOYMENT", "Employment"
    VOLUNTARY_WORK = "VOLUNTARY", "Voluntary work"
    ACTIVITY_AGREEMENT = "ACTIVITY_AGREEMENT", "Activity agreement"
    PERSONAL_SKILLS_DEVELOPMENT = "PSD", "Personal skills development"
    UNEMPLOYED_SEEKING = "UNEMPLOYED_SEEKING", "Unemployed seeking"
    UNEMPLOYED_NOT_SEEKING = "UNEMPLOYED_NOT_SEEKING", "Unemployed not seeking"
    UNKNOWN = "UNKNOWN", "Unknown"


ALWAYS_POSITIVE = frozenset(
    {
        Category.HIGHER_EDUCATION,
        Category.FURTHER_EDUCATION,
        Category.TRAINING,
        Category.EMPLOYMENT,
        Category.VOLUNTARY_WORK,
    }
)
PSD_POSITIVE_FROM = 2019  # 2018/19 leavers
ACTIVITY_AGREEMENT_POSITIVE = range(2011, 2019)  # 2010/11 to 2017/18 leavers


def is_positive(category: str, leaver_year: int) -> bool:
    if category in ALWAYS_POSITIVE:
        return True
    if category == Category.PERSONAL_SKILLS_DEVELOPMENT:
        return leaver_year >= PSD_POSITIVE_FROM
    if category == Category.ACTIVITY_AGREEMENT:
        return leaver_year in ACTIVITY_AGREEMENT_POSITIVE
    return False


def positive_categories(leaver_year: int) -> list[str]:
    return [c.value for c in Category if is_positive(c, leaver_year)]


class ParticipationStatus(models.TextChoices):
    """Annual Participation Measure statuses (16+ Data Hub)."""

    EDUCATION = "EDUCATION", "Participating: education"
    TRAINING = "TRAINING", "Participating: training"
    EMPLOYMENT = "EMPLOYMENT", "Participating: employment"
    UNEMPLOYED_SEEKING = "UNEMPLOYED_SEEKING", "Not participating: unemployed seeking"
    UNEMPLOYED_NOT_SEEKING = "UNEMPLOYED_NOT_SEEKING", "Not participating: unemployed not seeking"
    UNCONFIRMED = "UNCONFIRMED", "Unconfirmed"


PARTICIPATING = frozenset(
    {ParticipationStatus.EDUCATION, ParticipationStatus.TRAINING, ParticipationStatus.EMPLOYMENT}
)


# --- Census dates ------------------------------------------------------------------------------


def first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def survey_date(kind: str, leaver_year: int) -> dt.date:
    """The census date a destination of ``kind`` holds for (docs/domain.md): the first Monday in October
    after leaving (initial) and the first Monday in April after that (follow-up)."""
    if kind == "initial":
        return first_monday(leaver_year, 10)
    if kind == "follow_up":
        return first_monday(leaver_year + 1, 4)
    raise ValueError(f"Unknown destination kind: {kind!r}")


# --- A young person's status for MCMC work --------------------------------------------------------


class CaseStatus(models.TextChoices):
    """Where a young person stands now, for the MCMC caseload (our rule, see ``current_status``)."""

    POSITIVE = "positive", "Positive destination"
    NEGATIVE = "negative", "Not in a positive destination"
    UNKNOWN = "unknown", "Unknown"
    UNCONFIRMED = "unconfirmed", "Unconfirmed"


ON_CASELOAD = (CaseStatus.NEGATIVE, CaseStatus.UNKNOWN, CaseStatus.UNCONFIRMED)


class StatusSource(models.TextChoices):
    NONE = "", "Nothing recorded"
    INITIAL = "initial", "Initial destination"
    FOLLOW_UP = "follow_up", "Follow-up destination"
    PARTICIPATION = "participation", "Participation status"


_SOURCE_ORDER = {StatusSource.INITIAL: 0, StatusSource.FOLLOW_UP: 1, StatusSource.PARTICIPATION: 2}


def destination_case_status(category: str, leaver_year: int) -> CaseStatus:
    if is_positive(category, leaver_year):
        return CaseStatus.POSITIVE
    if category == Category.UNKNOWN:
        return CaseStatus.UNKNOWN
    return CaseStatus.NEGATIVE


def participation_case_status(status: str) -> CaseStatus:
    if status in PARTICIPATING:
        return CaseStatus.POSITIVE
    if status == ParticipationStatus.UNCONFIRMED:
        return CaseStatus.UNCONFIRMED
    return CaseStatus.NEGATIVE


@dataclass(frozen=True)
class StatusPoint:
    """One thing known about a young person: a destination record or a participation spell,
    with the date it holds from (a destination's census date, a spell's start)."""

    source: str  # StatusSource value
    value: str  # a Category or ParticipationStatus value
    on: dt.date
    status: CaseStatus

    @property
    def label(self) -> str:
        if self.source == StatusSource.PARTICIPATION:
            return ParticipationStatus(self.value).label
        return Category(self.value).label


@dataclass(frozen=True)
class CurrentStatus:
    status: CaseStatus
    point: StatusPoint | None  # None: nothing recorded at all (counts as unknown)
    not_sustained: bool

    @property
    def on_caseload(self) -> bool:
        return self.status != CaseStatus.POSITIVE


def destination_point(kind: str, category: str, on: dt.date, leaver_year: int) -> StatusPoint:
    return StatusPoint(kind, category, on, destination_case_status(category, leaver_year))


def participation_point(status: str, start: dt.date) -> StatusPoint:
    return StatusPoint(StatusSource.PARTICIPATION, status, start, participation_case_status(status))


def current_status(points: Iterable[StatusPoint]) -> CurrentStatus:
    """A young person's current status (our rule; Insight and the 16+ Data Hub publish none for
    caseloads).

    ``points`` are the *current* initial and follow-up destination records and every participation
    spell. The current status is the point holding from the latest date; on the same date a
    participation status beats a follow-up destination, which beats an initial one. Nothing
    recorded at all counts as unknown. **Not sustained**: the current status is not positive but
    an earlier point was (e.g. positive initial, unemployed at follow-up; or a college place that
    ended). Someone whose current status is not positive is on the MCMC caseload.
    """
    ordered = sorted(points, key=lambda p: (p.on, _SOURCE_ORDER[StatusSource(p.source)]))
    if not ordered:
        return CurrentStatus(CaseStatus.UNKNOWN, None, False)
    current = ordered[-1]
    not_sustained = current.status != CaseStatus.POSITIVE and any(
        p.status == CaseStatus.POSITIVE for p in ordered[:-1]
    )
    return CurrentStatus(current.status, current, not_sustained)


# --- Annual Participation Measure -------------------------------------------------------------


def apm_period(measure_year: int) -> tuple[dt.date, dt.date]:
    """The APM year: 1 April ``measure_year`` to 31 March of the next year (16+ Data Hub)."""
    return dt.date(measure_year, 4, 1), dt.date(measure_year + 1, 3, 31)


def apm_measure_year(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def apm_headline_status(
    spells: Iterable[tuple[str, dt.date, dt.date | None]],
    measure_year: int,
    *,
    today: dt.date,
    at_school_until: dt.date | None = None,
) -> str | None:
    """The headline APM status for a measure year: the status held for the most days.

    ``spells``: (status, start, end or None while open). Days are counted from 1 April to
    31 March, and only up to ``today`` while the year is running. Our rules where the Hub
    publishes none: days still at school (up to ``at_school_until``, the leaving date) count as
    participating in education; days after leaving with no spell count as unconfirmed; a tie goes
    to the status held most recently. None when no day of the year has passed.
    """
    start, end = apm_period(measure_year)
    end = min(end, today)
    if end < start:
        return None
    days: dict[str, int] = {}
    last_day: dict[str, dt.date] = {}
    covered: set[int] = set()

    def add(status: str, lo: dt.date, hi: dt.date) -> None:
        lo, hi = max(lo, start), min(hi, end)
        if hi < lo:
            return
        new = {d for d in range(lo.toordinal(), hi.toordinal() + 1) if d not in covered}
        if not new:
            return
        covered.update(new)
        days[status] = days.get(status, 0) + len(new)
        last_day[status] = max(last_day.get(status, dt.date.min), dt.date.fromordinal(max(new)))

    if at_school_until is not None:
        add(ParticipationStatus.EDUCATION, start, at_school_until)
    for status, s_start, s_end in sorted(spells, key=lambda s: s[1]):
        add(status, s_start, s_end or end)
    total = (end - start).days + 1
    gap = total - len(covered)
    if gap > 0:
        days[ParticipationStatus.UNCONFIRMED] = days.get(ParticipationStatus.UNCONFIRMED, 0) + gap
        uncovered_last = max(d for d in range(start.toordinal(), end.toordinal() + 1) if d not in covered)
        last_day[ParticipationStatus.UNCONFIRMED] = max(
            last_day.get(ParticipationStatus.UNCONFIRMED, dt.date.min), dt.date.fromordinal(uncovered_last)
        )
    return max(days, key=lambda s: (days[s], last_day[s]))
