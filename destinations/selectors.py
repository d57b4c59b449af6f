"""Reads of destination data: scoped caseloads and journeys, and the destination measures.

Individual young people are only ever reached through a scoped doorway here
(``caseload_for``, ``leavers_for_casework``, ``journey_learner``, ``journey_records_for``):
an officer of authority X never receives a young person of authority Y, whatever ids are passed.
Aggregates (``destination_measures``) carry their counts so the caller can pass every figure
through datahub.disclosure with the viewer's entitlement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import BooleanField, Count, F, FilteredRelation, Q, QuerySet, Value, When
from django.db.models import Case as SqlCase
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from datahub.models import AuditEvent, Establishment, Learner, LocalAuthority, Role, SchoolLeaver, User

from . import classification as cls
from .access import journey_establishment_ids, mcmc_authority_ids
from .models import Case, ContactNote, DestinationKind, DestinationRecord, ParticipationSpell
from .services import case_sync

# MCMC officers track young people from leaving school until they are 19 (docs/domain.md): the
# caseload holds people aged 19 or under today (our rule for "until 19").
CASELOAD_MAX_AGE = 19
CASELOAD_STATUSES = {
    "unknown": "Unknown",
    "negative": "Not in a positive destination",
    "unconfirmed": "Unconfirmed",
    "not_sustained": "Positive destination not sustained",
}


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


# --- Caseload ---------------------------------------------------------------------------------


@dataclass
class CaseloadFilters:
    """Cleaned caseload filters (destinations.forms.CaseloadFilterForm)."""

    q: str = ""
    school: int | None = None  # establishment id (only the officer's own schools take effect)
    leaver_year: int | None = None
    status: str = ""
    age: int | None = None
    asn: bool | None = None
    care_experienced: bool | None = None
    officer: str = ""  # "", "me", "none" or a user id
    overdue: bool = False

    def as_query(self) -> dict[str, str]:
        out = {}
        for name in ("q", "school", "leaver_year", "status", "age", "asn", "care_experienced", "officer"):
            v = getattr(self, name)
            if v is not None and v != "":
                out[name] = ("yes" if v else "no") if isinstance(v, bool) else str(v)
        if self.overdue:
            out["overdue"] = "1"
        return out


def caseload_for(
    user: User, filters: CaseloadFilters | None = None, *, today: dt.date | None = None, sync: bool = True
) -> QuerySet[Case]:
    """The open cases of the authorities where the user is an MCMC officer, filtered; overdue
    next actions first, then by next action date (none last), then by name.

    Open: unknown, not positive, unconfirmed, or a positive destination not sustained
    (destinations.classification.current_status), aged 19 or under today. The authority is
    checked on the case's index column *and* on the learner's live last school. ``sync``: first
    bring cases up to date with rows written outside destinations.services (once per request).
    """
    if sync:
        case_sync()
    today = today or timezone.localdate()
    f = filters or CaseloadFilters()
    authorities = mcmc_authority_ids(user)
    qs = (
        Case.objects.filter(
            authority_id__in=authorities,
            date_of_birth__gt=years_before(today, CASELOAD_MAX_AGE + 1),
            leaver__learner__establishment__authority_id__in=authorities,
        )
        .exclude(status=cls.CaseStatus.POSITIVE)
        .select_related("leaver__learner__establishment", "officer")
    )
    if f.q:
        q = f.q.strip()
        if q.isdigit():
            qs = qs.filter(leaver__learner__scn=q)
        else:
            for word in q.split()[:4]:
                qs = qs.filter(
                    Q(leaver__learner__given_name__icontains=word) | Q(leaver__learner__family_name__icontains=word)
                )
    if f.school is not None:
        qs = qs.filter(leaver__learner__establishment_id=f.school)
    if f.leaver_year is not None:
        qs = qs.filter(leaver__leaver_year=f.leaver_year)
    if f.status == "not_sustained":
        qs = qs.filter(not_sustained=True)
    elif f.status in ("unknown", "negative", "unconfirmed"):
        qs = qs.filter(status=f.status)
    if f.age is not None:
        qs = qs.filter(
            date_of_birth__gt=years_before(today, f.age + 1),
            date_of_birth__lte=years_before(today, f.age),
        )
    if f.asn is not None:
        qs = qs.filter(leaver__learner__asn=f.asn)
    if f.care_experienced is not None:
        qs = qs.filter(leaver__learner__care_experienced=f.care_experienced)
    if f.officer == "me":
        qs = qs.filter(officer=user)
    elif f.officer == "none":
        qs = qs.filter(officer__isnull=True)
    elif f.officer.isdigit():
        qs = qs.filter(officer_id=int(f.officer))
    if f.overdue:
        qs = qs.filter(next_action_date__lt=today)
    return qs.annotate(
        overdue=SqlCase(When(next_action_date__lt=today, then=Value(True)), default=Value(False),
                        output_field=BooleanField())
    ).order_by(
        "-overdue",
        F("next_action_date").asc(nulls_last=True),
        "leaver__learner__family_name",
        "leaver__learner__given_name",
        "id",
    )


def caseload_schools(user: User) -> QuerySet[Establishment]:
    return Establishment.objects.filter(authority_id__in=mcmc_authority_ids(user)).order_by("name")


def officers_for_authorities(authority_ids: Iterable[int]) -> QuerySet[User]:
    """Users holding the MCMC officer role in any of these authorities."""
    return (
        User.objects.filter(
            memberships__role=Role.MCMC_OFFICER, memberships__authority_id__in=list(authority_ids), is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def caseload_leaver_years(user: User) -> list[int]:
    """The leaver years found on the officer's caseload (the year filter's choices), cached for
    ten minutes per set of authorities: they change once a year."""
    key = "destinations:caseload-years:" + ",".join(str(a) for a in sorted(mcmc_authority_ids(user)))

    def years() -> list[int]:
        qs = caseload_for(user, sync=False).order_by().values_list("leaver__leaver_year", flat=True).distinct()
        return sorted(set(qs), reverse=True)

    cached = cache.get_or_set(key, years, 600)
    assert cached is not None  # a miss stores and returns years(), a list
    return cached


def caseload_status_counts(user: User, *, today: dt.date | None = None) -> dict[str, int]:
    """Open cases by status (and not sustained) for the officer's authorities: a summary line."""
    qs = caseload_for(user, today=today, sync=False).order_by()
    counts = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}
    counts["not_sustained"] = qs.filter(not_sustained=True).count()
    counts["overdue"] = qs.filter(next_action_date__lt=today or timezone.localdate()).count()
    counts["total"] = sum(counts.get(s, 0) for s in ("unknown", "negative", "unconfirmed"))
    return counts


def leavers_for_casework(user: User, leaver_ids: Iterable[int]) -> list[SchoolLeaver]:
    """The school leavers with these ids, all inside the officer's authorities, or 404.

    All or nothing: one id outside the officer's authorities (or unknown) and nothing is returned,
    so a bulk change cannot touch anyone when a foreign id is slipped into it.
    """
    wanted = sorted(set(leaver_ids))
    found = list(
        SchoolLeaver.objects.filter(
            id__in=wanted, learner__establishment__authority_id__in=mcmc_authority_ids(user)
        ).select_related("learner__establishment__authority")
    )
    if not wanted or len(found) != len(wanted):
        raise Http404("No such young person")
    return found


# --- Journey --------------------------------------------------------------------------------


def journey_learner(pk: int) -> Learner:
    """The learner (404 if none); the caller then applies destinations.access.require_journey."""
    return get_object_or_404(Learner.objects.select_related("establishment__authority", "leaver"), pk=pk)


@dataclass
class TimelineEvent:
    on: dt.date
    kind: str  # left, destination, participation, contact
    title: str
    obj: Any = None
    order: int = 0
    superseded: bool = False


@dataclass
class HeadlineStatus:
    measure_year: int
    status: str | None
    running: bool

    @property
    def label(self) -> str:
        return cls.ParticipationStatus(self.status).label if self.status else "No status"

    @property
    def period(self) -> str:
        return f"1 April {self.measure_year} to 31 March {self.measure_year + 1}"


@dataclass
class Journey:
    learner: Learner
    leaver: SchoolLeaver | None
    current: cls.CurrentStatus
    case: Case | None
    initial: DestinationRecord | None
    follow_up: DestinationRecord | None
    timeline: list[TimelineEvent] = field(default_factory=list)
    headlines: list[HeadlineStatus] = field(default_factory=list)
    age: int = 0
    overdue: bool = False


def journey_for(learner: Learner, *, today: dt.date | None = None) -> Journey:
    """Everything on a young person's journey page, computed from the records themselves."""
    today = today or timezone.localdate()
    leaver = getattr(learner, "leaver", None)
    records = list(
        DestinationRecord.objects.filter(leaver=leaver).select_related("recorded_by").order_by("recorded_at", "id")
    ) if leaver else []
    spells = list(ParticipationSpell.objects.filter(learner=learner).select_related("recorded_by").order_by("start_date"))
    contacts = list(
        ContactNote.objects.filter(leaver=leaver).select_related("recorded_by").order_by("contact_date", "recorded_at")
    ) if leaver else []
    current_records = [r for r in records if r.superseded_at is None]
    points = [
        cls.destination_point(r.kind, r.category, r.effective_date, leaver.leaver_year)  # type: ignore[union-attr]
        for r in current_records
    ] + [cls.participation_point(s.status, s.start_date) for s in spells]
    current = cls.current_status(points)
    timeline: list[TimelineEvent] = []
    if leaver:
        left_on = leaver.leaving_date or dt.date(leaver.leaver_year, 6, 30)
        timeline.append(TimelineEvent(left_on, "left", f"Left school in {leaver.get_stage_display()}", leaver, 0))
    kind_order: dict[str, int] = {DestinationKind.INITIAL: 1, DestinationKind.FOLLOW_UP: 2}
    for r in records:
        title = f"{'Initial' if r.kind == DestinationKind.INITIAL else 'Follow-up'} destination: {r.get_category_display()}"
        timeline.append(TimelineEvent(r.effective_date, "destination", title, r, kind_order.get(r.kind, 3),
                                      superseded=r.superseded_at is not None))
    for s in spells:
        timeline.append(TimelineEvent(s.start_date, "participation", f"Participation status: {s.get_status_display()}",
                                      s, 4))
    for c in contacts:
        timeline.append(TimelineEvent(c.contact_date, "contact", c.get_method_display(), c, 5))
    timeline.sort(key=lambda e: (e.on, e.order, getattr(e.obj, "recorded_at", None) or timezone.now()))
    case = Case.objects.select_related("officer").filter(leaver=leaver).first() if leaver else None
    headlines = []
    if leaver:
        left_on = leaver.leaving_date or dt.date(leaver.leaver_year, 6, 30)
        spell_tuples = [(s.status, s.start_date, s.end_date) for s in spells]
        for year in range(cls.apm_measure_year(left_on), cls.apm_measure_year(today) + 1):
            start, end = cls.apm_period(year)
            if age_on(learner.date_of_birth, end) < 16 or age_on(learner.date_of_birth, start) > 19:
                continue
            status = cls.apm_headline_status(spell_tuples, year, today=today, at_school_until=left_on)
            headlines.append(HeadlineStatus(year, status, running=end > today))
    return Journey(
        learner=learner,
        leaver=leaver,
        current=current,
        case=case,
        initial=next((r for r in current_records if r.kind == DestinationKind.INITIAL), None),
        follow_up=next((r for r in current_records if r.kind == DestinationKind.FOLLOW_UP), None),
        timeline=timeline,
        headlines=headlines,
        age=age_on(learner.date_of_birth, today),
        overdue=bool(case and case.next_action_date and case.next_action_date < today),
    )


def _journey_q(user: User, prefix: str) -> Q:
    """Learners (through ``prefix``) whose journeys the user reads: their authority's (MCMC) or
    their school's leavers (admins and staff). Matches nothing for anyone else."""
    q = Q(pk__in=[])
    authorities = mcmc_authority_ids(user)
    schools = journey_establishment_ids(user)
    if authorities:
        q |= Q(**{f"{prefix}establishment__authority_id__in": authorities})
    if schools:
        q |= Q(**{f"{prefix}establishment_id__in": schools})
    return q


def journey_learners_for(user: User) -> QuerySet[Learner]:
    """Learners whose journeys the user reads."""
    return Learner.objects.filter(_journey_q(user, ""))


def journey_records_for(user: User) -> QuerySet[DestinationRecord]:
    """Destination records (history included) of the young people whose journeys the user reads."""
    return DestinationRecord.objects.filter(_journey_q(user, "leaver__learner__"))


def journey_spells_for(user: User) -> QuerySet[ParticipationSpell]:
    return ParticipationSpell.objects.filter(_journey_q(user, "learner__"))


# --- Audit log ------------------------------------------------------------------------------


def audit_events_for(authority_ids: set[int] | None) -> QuerySet[AuditEvent]:
    """Audit entries of these authorities (None: every authority)."""
    qs = AuditEvent.objects.select_related("actor", "establishment", "authority").order_by("-at", "-id")
    if authority_ids is not None:
        qs = qs.filter(authority_id__in=authority_ids)
    return qs


def authorities_by_ids(authority_ids: set[int] | None) -> QuerySet[LocalAuthority]:
    qs = LocalAuthority.objects.order_by("name")
    return qs if authority_ids is None else qs.filter(id__in=authority_ids)


# --- Measures (aggregates) --------------------------------------------------------------------


@dataclass
class DestinationMeasures:
    """Counts behind the destination measures of one group of leavers.

    Known: a current record other than unknown (leavers without a record are not known).
    Positive % is over leavers with a known destination (Insight); sustained % (positive at both
    initial and follow-up) over leavers with both known (ours), as in the benchmark engine.
    """

    leavers: int = 0
    initial_known: int = 0
    initial_positive: int = 0
    follow_up_known: int = 0
    follow_up_positive: int = 0
    sustained_known: int = 0
    sustained: int = 0

    def add(self, n: int, initial: str | None, follow_up: str | None, year: int) -> None:
        self.leavers += n
        i_known = initial is not None and initial != cls.Category.UNKNOWN
        f_known = follow_up is not None and follow_up != cls.Category.UNKNOWN
        i_pos = i_known and cls.is_positive(initial, year)  # type: ignore[arg-type]
        f_pos = f_known and cls.is_positive(follow_up, year)  # type: ignore[arg-type]
        self.initial_known += n * i_known
        self.initial_positive += n * i_pos
        self.follow_up_known += n * f_known
        self.follow_up_positive += n * f_pos
        self.sustained_known += n * (i_known and f_known)
        self.sustained += n * (i_pos and f_pos)

    def merge(self, other: DestinationMeasures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @staticmethod
    def _pct(num: int, den: int) -> float | None:
        return 100.0 * num / den if den else None

    @property
    def initial_known_pct(self) -> float | None:
        return self._pct(self.initial_known, self.leavers)

    @property
    def follow_up_known_pct(self) -> float | None:
        return self._pct(self.follow_up_known, self.leavers)

    @property
    def initial_positive_pct(self) -> float | None:
        return self._pct(self.initial_positive, self.initial_known)

    @property
    def follow_up_positive_pct(self) -> float | None:
        return self._pct(self.follow_up_positive, self.follow_up_known)

    @property
    def sustained_pct(self) -> float | None:
        return self._pct(self.sustained, self.sustained_known)


# (group id or None for Scotland, leaver year, breakdown value or None). Lookups may pass a year of
# None (no leavers yet): they simply find nothing.
MeasureKey = tuple[int | None, int | None, Any]


def _quintile(decile: int) -> int:
    return (decile + 1) // 2


# name -> (label, SchoolLeaver field, value -> label). Characteristics as at leaving (Insight).
BREAKDOWNS: dict[str, tuple[str, str, Any]] = {
    "sex": ("Sex", "sex", {"F": "Female", "M": "Male"}.get),
    "simd_quintile": ("SIMD quintile", "simd_decile", lambda q: f"Quintile {q}" + (" (most deprived)" if q == 1 else
                                                                                 " (least deprived)" if q == 5 else "")),
    "asn": ("Additional support needs", "asn", lambda v: "Additional support needs" if v else "No additional support needs"),
    "care_experienced": ("Care experienced", "care_experienced",
                         lambda v: "Care experienced" if v else "Not care experienced"),
    "stage": ("Stage of leaving", "stage", lambda v: f"Left in {v}"),
    "fsm": ("Free school meals", "fsm", lambda v: "Registered for free school meals" if v else "Not registered"),
}


def destination_measures(
    *,
    level: str,
    ids: Iterable[int] | None = None,
    years: Iterable[int] | None = None,
    breakdown: str | None = None,
) -> dict[MeasureKey, DestinationMeasures]:
    """{(group id, leaver year, breakdown value): measures} from current destination records.

    ``level``: ``establishment`` (the school the leaver left), ``authority`` (of that school) or
    ``national`` (group id None). ``ids`` limits the groups; ``breakdown`` is a key of
    BREAKDOWNS (SIMD by quintile) or None.
    """
    group = {"establishment": "establishment_id", "authority": "establishment__authority_id", "national": None}[level]
    qs = SchoolLeaver.objects.all()
    if ids is not None and group is not None:
        qs = qs.filter(**{f"{group}__in": list(ids)})
    if years is not None:
        qs = qs.filter(leaver_year__in=list(years))
    qs = qs.annotate(
        ini=FilteredRelation(
            "destinations", condition=Q(destinations__kind=DestinationKind.INITIAL, destinations__superseded_at__isnull=True)
        ),
        fu=FilteredRelation(
            "destinations",
            condition=Q(destinations__kind=DestinationKind.FOLLOW_UP, destinations__superseded_at__isnull=True),
        ),
    )
    bfield = BREAKDOWNS[breakdown][1] if breakdown else None
    fields = [f for f in (group, "leaver_year", bfield) if f] + ["ini__category", "fu__category"]
    out: dict[MeasureKey, DestinationMeasures] = defaultdict(DestinationMeasures)
    for row in qs.values(*fields).annotate(n=Count("id")).order_by():
        bval: Any = row[bfield] if bfield else None
        if breakdown == "simd_quintile":
            bval = _quintile(bval)
        key = (row[group] if group else None, row["leaver_year"], bval)
        out[key].add(row["n"], row["ini__category"], row["fu__category"], row["leaver_year"])
    return dict(out)


NATIONAL_CACHE_SECONDS = 600


def scotland_measures(
    *, level: str, years: Iterable[int], breakdown: str | None = None
) -> dict[MeasureKey, DestinationMeasures]:
    """``destination_measures`` over all of Scotland (level ``national``, or ``authority`` for
    every authority), cached for ten minutes: these comparators take a pass over every leaver of
    the year and one officer's change does not move them."""
    years = sorted(years)
    key = f"destinations:measures:{level}:{','.join(map(str, years))}:{breakdown or ''}"
    cached = cache.get_or_set(
        key, lambda: destination_measures(level=level, years=years, breakdown=breakdown), NATIONAL_CACHE_SECONDS
    )
    assert cached is not None  # a miss stores and returns destination_measures(...), a dict
    return cached


def breakdown_values(breakdown: str) -> list[Any]:
    values: dict[str, list[Any]] = {
        "sex": ["F", "M"],
        "simd_quintile": [1, 2, 3, 4, 5],
        "asn": [True, False],
        "care_experienced": [True, False],
        "stage": ["S4", "S5", "S6"],
        "fsm": [True, False],
    }
    return values[breakdown]


def leaver_years(*, establishment_ids: Iterable[int] | None = None, authority_ids: Iterable[int] | None = None) -> list[int]:
    qs = SchoolLeaver.objects.all()
    if establishment_ids is not None:
        qs = qs.filter(establishment_id__in=list(establishment_ids))
    if authority_ids is not None:
        qs = qs.filter(establishment__authority_id__in=list(authority_ids))
    return list(qs.values_list("leaver_year", flat=True).distinct().order_by("-leaver_year"))


# --- Aggregates kept for the dashboard ---------------------------------------------------------


@dataclass
class DestinationSummary:
    leavers_with_record: int = 0
    known: int = 0
    positive: int = 0

    @property
    def known_pct(self) -> float | None:
        return 100.0 * self.known / self.leavers_with_record if self.leavers_with_record else None

    @property
    def positive_pct(self) -> float | None:
        """Positive as a share of leavers with a known destination."""
        return 100.0 * self.positive / self.known if self.known else None


def destination_summaries(
    *, establishment_ids: list[int] | None = None, kind: str = DestinationKind.INITIAL, by: str = "establishment"
) -> dict[tuple[int, int], DestinationSummary]:
    """{(establishment or authority id, leaver year): summary} of current destination records."""
    group = "leaver__establishment_id" if by == "establishment" else "leaver__establishment__authority_id"
    qs = DestinationRecord.objects.filter(kind=kind, superseded_at__isnull=True)
    if establishment_ids is not None:
        qs = qs.filter(leaver__establishment_id__in=establishment_ids)
    rows = qs.values(group, "leaver__leaver_year", "category").annotate(n=Count("id")).order_by()
    out: dict[tuple[int, int], DestinationSummary] = defaultdict(DestinationSummary)
    for r in rows:
        s = out[(r[group], r["leaver__leaver_year"])]
        s.leavers_with_record += r["n"]
        if r["category"] != cls.Category.UNKNOWN:
            s.known += r["n"]
        if cls.is_positive(r["category"], r["leaver__leaver_year"]):
            s.positive += r["n"]
    return dict(out)
