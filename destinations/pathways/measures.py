"""Leaver readiness measures week by week through the session (issue 18, item 5; our rules,
docs/methodology.md §15, "Readiness measures week by week").

For each week of a session and each school: how many pupils were **expected to leave** this
session, how many of them had a **known intended destination**, and how many held an **accepted
offer**, all *as the portal held them at the end of that week*. Pathway records are versioned
(``recorded_at``/``superseded_at``) and an offer's statuses are events (``OfferEvent.recorded_at``),
never overwritten, so the state at any past moment is read back exactly; a figure for a past week
never changes when later records arrive.

- **Weeks**: week 1 runs from 1 August (the session's first day) for seven days, week k from
  1 August + 7(k-1) days; the session's measures cover weeks 1 to ``SESSION_WEEKS`` (48: the last
  starts in late June). A week's figures are as at its end: the local midnight after its
  seventh day (records made at that instant belong to the next week).
- **Same point last year**: week k of the previous session (1 August a year earlier + the same
  number of days), its figures read back the same way.
- **Cohort**: pupils with a senior-phase (S4-S6) enrolment at the session's census, counted at
  that school. **Expected to leave** at a week: the board's rule applied to the pathway record in
  force at the week's end (an intended leaving date on or before 31 August after the session; else
  an intended stage of leaving at or below the pupil's stage; else, with neither, S6 pupils).
  Unlike the board, a pupil who has since left stays in their session's cohort (last session's
  pupils have all left by now, and the comparison must count them the same way).
- **Known intended destination**: the record in force names a destination category other than
  "unknown". **Accepted offer**: at least one offer whose latest status recorded by then is
  "accepted".

The work is done with a few set-based reads (the cohort, every pathway record of it, every offer
event of it), then numpy: each record and offer status is in force over a range of weeks (found by
binary search on the week boundaries, so daylight saving changes cost nothing), filled into
pupil x week arrays and summed by school.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils import timezone

from datahub.models import SENIOR_PHASE, Enrolment, Establishment

from ..classification import Category
from .models import OfferEvent, OfferStatus, PathwayRecord
from .selectors import STAGE_ORDER, session_of

SESSION_WEEKS = 48


def session_start(session: int) -> dt.date:
    return dt.date(session, 8, 1)


def week_start(session: int, week: int) -> dt.date:
    """The first day of week ``week`` (1-based) of the session."""
    return session_start(session) + dt.timedelta(days=7 * (week - 1))


def week_boundaries(session: int, weeks: int = SESSION_WEEKS) -> np.ndarray:
    """Epoch seconds of the end of each week (local midnight after its last day)."""
    tz = timezone.get_current_timezone()
    start = session_start(session)
    return np.array([
        dt.datetime.combine(start + dt.timedelta(days=7 * (i + 1)), dt.time.min, tzinfo=tz).timestamp()
        for i in range(weeks)
    ], dtype=np.float64)


def current_week(session: int, today: dt.date) -> int:
    """The week (1-based) of the session ``today`` falls in; SESSION_WEEKS once the session's
    weeks are over (or for a session already past)."""
    if session_of(today) != session:
        return SESSION_WEEKS if today > session_start(session) else 1
    return min(SESSION_WEEKS, (today - session_start(session)).days // 7 + 1)


@dataclass
class SessionCounts:
    """Counts per school (rows, in ``school_ids`` order) and week (columns, week 1 first)."""

    session: int
    school_ids: list[int]
    expected: np.ndarray
    known: np.ndarray
    accepted: np.ndarray

    @property
    def weeks(self) -> int:
        return int(self.expected.shape[1])

    def rows_for(self, school_ids: list[int]) -> SessionCounts:
        index = {s: i for i, s in enumerate(self.school_ids)}
        take = [index[s] for s in school_ids if s in index]
        kept = [s for s in school_ids if s in index]
        return SessionCounts(self.session, kept, self.expected[take], self.known[take], self.accepted[take])

    def total(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.expected.sum(axis=0), self.known.sum(axis=0), self.accepted.sum(axis=0)

    def school(self, school_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if school_id not in self.school_ids:
            zero = np.zeros(self.weeks, dtype=np.int64)
            return zero, zero, zero
        i = self.school_ids.index(school_id)
        return self.expected[i], self.known[i], self.accepted[i]


def _scope_q(prefix: str, establishment_ids: list[int] | None, authority_ids: list[int] | None) -> Q:
    """Rows of these schools or authorities (both None: every school)."""
    q = Q()
    if establishment_ids is not None:
        q &= Q(**{f"{prefix}establishment_id__in": establishment_ids})
    if authority_ids is not None:
        q &= Q(**{f"{prefix}establishment__authority_id__in": authority_ids})
    return q


def _spans(times: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """For each moment, how many week ends are at or before it: the first week whose end state
    includes a record made then (and, for a supersession, the first week it no longer does)."""
    return np.searchsorted(bounds, times, side="right")


def _fill(n: int, weeks: int, rows: np.ndarray, start: np.ndarray, stop: np.ndarray,
          value: np.ndarray | None = None) -> np.ndarray:
    """A pupil x week array with ``value`` (1) added over weeks [start, stop) of each row."""
    diff = np.zeros((n, weeks + 1), dtype=np.int32)
    keep = stop > start
    v = np.ones(int(keep.sum()), dtype=np.int32) if value is None else value[keep].astype(np.int32)
    np.add.at(diff, (rows[keep], start[keep]), v)
    np.add.at(diff, (rows[keep], stop[keep]), -v)
    return np.cumsum(diff[:, :weeks], axis=1)


def _ts(values: list[dt.datetime | None]) -> np.ndarray:
    return np.array([np.inf if v is None else v.timestamp() for v in values], dtype=np.float64)


def session_counts(*, session: int, weeks: int = SESSION_WEEKS, establishment_ids: list[int] | None = None,
                   authority_ids: list[int] | None = None) -> SessionCounts:
    """Expected leavers, with a known intended destination, with an accepted offer: per school in
    scope and per week 1..``weeks`` of ``session`` (module docstring for the rules)."""
    cohort = list(
        Enrolment.objects.filter(_scope_q("", establishment_ids, authority_ids), year=session,
                                 stage__in=[s.value for s in SENIOR_PHASE])
        .order_by("establishment_id", "learner_id").values_list("learner_id", "establishment_id", "stage")
    )
    bounds = week_boundaries(session, weeks)
    schools = sorted({c[1] for c in cohort})
    n = len(cohort)
    empty = np.zeros((len(schools), weeks), dtype=np.int64)
    if n == 0:
        return SessionCounts(session, schools, empty, empty.copy(), empty.copy())
    pupil = {c[0]: i for i, c in enumerate(cohort)}
    stage = [c[2] for c in cohort]
    in_cohort = Enrolment.objects.filter(_scope_q("", establishment_ids, authority_ids), year=session,
                                         stage__in=[s.value for s in SENIOR_PHASE]).values("learner_id")

    records = list(PathwayRecord.objects.filter(learner_id__in=in_cohort).values_list(
        "learner_id", "recorded_at", "superseded_at", "intended_category", "intended_stage", "intended_date"))
    r_rows = np.array([pupil[r[0]] for r in records], dtype=np.int64)
    r_from = _spans(_ts([r[1] for r in records]), bounds)
    r_to = _spans(_ts([r[2] for r in records]), bounds)
    r_expected = np.array([_expected(stage[pupil[r[0]]], r[4], r[5], session) for r in records], dtype=bool)
    r_known = np.array([r[3] not in ("", Category.UNKNOWN) for r in records], dtype=bool)
    has_record = _fill(n, weeks, r_rows, r_from, r_to) > 0
    record_expected = _fill(n, weeks, r_rows, r_from, r_to, r_expected) > 0
    record_known = _fill(n, weeks, r_rows, r_from, r_to, r_known) > 0
    s6 = np.array([s == "S6" for s in stage], dtype=bool)[:, None]
    expected = np.where(has_record, record_expected, s6)
    known = expected & record_known

    events = list(OfferEvent.objects.filter(offer__learner_id__in=in_cohort).order_by("offer_id", "recorded_at", "id")
                  .values_list("offer_id", "offer__learner_id", "status", "recorded_at"))
    e_rows = np.array([pupil[e[1]] for e in events], dtype=np.int64)
    e_from = _spans(_ts([e[3] for e in events]), bounds)
    # A status holds until the offer's next event (its last status holds on).
    same_offer_next = np.array([i + 1 < len(events) and events[i + 1][0] == e[0] for i, e in enumerate(events)],
                               dtype=bool)
    e_to = np.where(same_offer_next, np.append(e_from[1:], weeks), weeks) if events else e_from
    e_accepted = np.array([e[2] == OfferStatus.ACCEPTED for e in events], dtype=bool)
    accepted = expected & (_fill(n, weeks, e_rows[e_accepted], e_from[e_accepted], e_to[e_accepted]) > 0
                           if events else np.zeros((n, weeks), dtype=bool))

    position = {s: i for i, s in enumerate(schools)}
    school_index = np.array([position[c[1]] for c in cohort], dtype=np.int64)

    def by_school(a: np.ndarray) -> np.ndarray:
        out = np.zeros((len(schools), weeks), dtype=np.int64)
        np.add.at(out, school_index, a.astype(np.int64))
        return out

    return SessionCounts(session, schools, by_school(expected), by_school(known), by_school(accepted))


def _expected(stage: str, intended_stage: str, intended_date: dt.date | None, session: int) -> bool:
    """The board's rule (selectors._expected_values) for one record."""
    if intended_date is not None:
        return intended_date <= dt.date(session + 1, 8, 31)
    if intended_stage:
        return STAGE_ORDER[intended_stage] <= STAGE_ORDER[stage]
    return stage == "S6"


def measures_session(*, today: dt.date, establishment_ids: list[int] | None = None,
                     authority_ids: list[int] | None = None) -> int:
    """The session the measures show: today's, or the latest census held before it in scope (as
    the board's ``board_year``)."""
    latest = (Enrolment.objects.filter(_scope_q("", establishment_ids, authority_ids), year__lte=session_of(today))
              .order_by("-year").values_list("year", flat=True).first())
    return latest if latest is not None else session_of(today)


def school_names(ids: list[int]) -> dict[int, str]:
    return dict(Establishment.objects.filter(id__in=ids).values_list("id", "name"))
