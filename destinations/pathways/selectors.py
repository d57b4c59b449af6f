"""Reads of the senior-phase pipeline: one pupil's pathway, and the leaver readiness board.

Pupils are only reached through scoped doorways (``pathway_learner`` + destinations.access,
``board_rows``, ``pupils_for_pathway_work``): school staff see their own school's pupils, MCMC officers their authority's,
whatever ids are passed. The board is worked out with a handful of set-based queries (the
pupils, their current pathway records, accepted offers and awards so far), then rated in Python
by destinations.pathways.risk.

**This session** (our rule): the school year by the date (from 1 August), or the latest census
held before it when this session's census has not been loaded yet. **Expected to leave this
session**: an intended leaving date on or before 31 August at the end of the session; else an
intended stage of leaving at or below the pupil's stage now; else, with neither recorded, every S6
pupil. No leaving record yet (a pupil with one has left and continues in the journey).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, Exists, FilteredRelation, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from datahub.models import (
    SENIOR_PHASE,
    Enrolment,
    Establishment,
    ImportBatch,
    Learner,
    QualificationResult,
    Role,
    User,
)

from ..access import pathway_scope
from ..classification import Category, is_positive
from .models import Offer, OfferEvent, OfferStatus, PathwayRecord, RiskWeights
from .risk import ATTAINMENT_LEVEL, ATTAINMENT_MIN_AWARDS, DEPRIVED_DECILES, WEIGHTS, PupilFacts, Rating, rate

PASS_GRADES = ("A", "B", "C", "P")  # an award: a graded course at A-C, or an ungraded pass
STAGE_ORDER = {s.value: i for i, s in enumerate(SENIOR_PHASE)}


def session_of(day: dt.date) -> int:
    """The school year (by its starting year) a day falls in: a session runs from 1 August."""
    return day.year if day.month >= 8 else day.year - 1


def session_label(year: int) -> str:
    return f"{year}/{str(year + 1)[2:]}"


# --- One pupil ------------------------------------------------------------------------------------


def pathway_learner(pk: int) -> Learner:
    """The pupil, for a page that applies destinations.access.require_pathway next."""
    return get_object_or_404(Learner.objects.select_related("establishment__authority"), pk=pk)


def pupils_for_pathway_work(user: User, learner_ids: Iterable[int]) -> list[Learner]:
    """These pupils, all inside the user's schools or authorities, or 404 (all or nothing: a
    foreign id in a bulk change refuses the whole batch)."""
    wanted = sorted(set(learner_ids))
    est_ids, auth_ids = pathway_scope(user)
    found = list(
        Learner.objects.filter(Q(establishment_id__in=est_ids) | Q(establishment__authority_id__in=auth_ids),
                               id__in=wanted).select_related("establishment__authority")
    )
    if not wanted or len(found) != len(wanted):
        raise Http404("No such pupil")
    return found


def key_worker_choices(learner: Learner) -> QuerySet[User]:
    """Who may be a pupil's key worker: the school's admins and staff, and its authority's MCMC officers."""
    est = learner.establishment
    return (
        User.objects.filter(
            Q(memberships__role__in=[Role.ESTABLISHMENT_ADMIN, Role.ESTABLISHMENT_STAFF], memberships__establishment=est)
            | Q(memberships__role=Role.MCMC_OFFICER, memberships__authority_id=est.authority_id),
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def current_pathway(learner: Learner) -> PathwayRecord | None:
    return (
        PathwayRecord.objects.filter(learner=learner, superseded_at__isnull=True)
        .select_related("key_worker", "recorded_by", "next_action_owner")
        .first()
    )


def pathway_history(learner: Learner) -> list[PathwayRecord]:
    """Every record, newest first (the current one included)."""
    return list(
        PathwayRecord.objects.filter(learner=learner).select_related("key_worker", "recorded_by",
                                                                     "next_action_owner").order_by(
            "-recorded_at", "-id"
        )
    )


def offers_for(learner: Learner) -> list[Offer]:
    return list(Offer.objects.filter(learner=learner).prefetch_related("events__recorded_by").order_by("-status_date", "-id"))


def pupil_offer(learner: Learner, offer_pk: int) -> Offer:
    """One of this pupil's offers (another pupil's offer id is not found)."""
    return get_object_or_404(Offer, pk=offer_pk, learner=learner)


def current_stage(learner: Learner, today: dt.date) -> Enrolment | None:
    """The pupil's enrolment of this session (or the latest before it)."""
    return (
        Enrolment.objects.filter(learner=learner, year__lte=session_of(today)).order_by("-year").first()
    )


def _facts(*, learner: Learner, leaving_year: int, record: PathwayRecord | None, accepted: bool,
           awards: int, stage: str) -> PupilFacts:
    intended = record.intended_category if record else ""
    return PupilFacts(
        leaving_year=leaving_year,
        has_accepted_offer=accepted,
        intended_stage=record.intended_stage if record else "",
        intended_positive=(is_positive(intended, leaving_year) if intended and intended != Category.UNKNOWN else None),
        care_experienced=learner.care_experienced,
        asn=learner.asn,
        simd_decile=learner.simd_decile,
        awards_level4_plus=awards,
        stage=stage,
    )


def pupil_rating(learner: Learner, *, today: dt.date) -> Rating:
    enrolment = current_stage(learner, today)
    year = enrolment.year if enrolment else session_of(today)
    accepted = Offer.objects.filter(learner=learner, status=OfferStatus.ACCEPTED).exists()
    awards = QualificationResult.objects.filter(
        learner=learner, scqf_level__gte=ATTAINMENT_LEVEL, grade__in=PASS_GRADES
    ).count()
    facts = _facts(learner=learner, leaving_year=year + 1, record=current_pathway(learner), accepted=accepted,
                   awards=awards, stage=enrolment.stage if enrolment else "S6")
    authority_id = learner.establishment.authority_id
    weights = dict(weights_key(current_risk_weights([authority_id]).get(authority_id)))
    return rate(facts, today=today, weights=weights)


# --- The readiness board --------------------------------------------------------------------------


@dataclass
class BoardFilters:
    """Cleaned board filters (destinations.pathways.forms.BoardFilterForm)."""

    who: str = "expected"  # "expected" (leaving this session) or "all" (every S4-S6 pupil)
    school: int | None = None
    stage: str = ""
    risk: str = ""  # "high", "medium", "low" or ""
    offer: str = ""  # "yes", "no" or ""
    key_worker: str = ""  # "me", "none", a user id, or ""
    q: str = ""
    action: str = ""  # "overdue" (a next action past its due date and not done) or ""

    def as_query(self) -> dict[str, str]:
        out = {"who": self.who} if self.who != "expected" else {}
        for name in ("stage", "risk", "offer", "key_worker", "action", "q"):
            if getattr(self, name):
                out[name] = str(getattr(self, name))
        if self.school:
            out["school"] = str(self.school)
        return out


@dataclass
class BoardRow:
    """One pupil on the board. The fields up to ``expected`` are what rating, filtering and sorting
    need (read as plain values for every pupil); ``learner``, ``record`` and ``accepted`` are the
    model objects, loaded by ``board_hydrate`` only for the rows shown or exported."""

    learner_id: int
    given_name: str
    family_name: str
    stage: str
    school_id: int
    key_worker_id: int | None
    intended_known: bool
    has_accepted: bool
    open_offers: int
    rating: Rating
    expected: bool
    learner: Learner = field(default=None)  # type: ignore[assignment]
    record: PathwayRecord | None = None
    accepted: Offer | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    overdue: bool = False  # the current pathway's next action is past its due date and not done

    @property
    def key_worker(self) -> User | None:
        return self.record.key_worker if self.record else None


def board_year(user: User, today: dt.date) -> int:
    """This session, or the latest census held before it for the user's schools."""
    est_ids, auth_ids = pathway_scope(user)
    latest = Enrolment.objects.filter(
        Q(establishment_id__in=est_ids) | Q(establishment__authority_id__in=auth_ids), year__lte=session_of(today)
    ).aggregate(y=Max("year"))["y"]
    return latest if latest is not None else session_of(today)


def board_schools(user: User) -> list[tuple[int, str]]:
    est_ids, auth_ids = pathway_scope(user)
    return list(
        Establishment.objects.filter(Q(id__in=est_ids) | Q(authority_id__in=auth_ids), type__in=["secondary", "special"])
        .order_by("name")
        .values_list("id", "name")
    )


def _expected_values(stage: str, intended_stage: str, intended_date: dt.date | None, year: int) -> bool:
    if intended_date is not None:
        return intended_date <= dt.date(year + 1, 8, 31)
    if intended_stage:
        return STAGE_ORDER[intended_stage] <= STAGE_ORDER[stage]
    return stage == "S6"


BOARD_CACHE_SECONDS = 120  # the longest a change made outside the tracked tables takes to show


def board_rows(user: User, filters: BoardFilters, *, today: dt.date, year: int | None = None,
               hydrate: bool = True) -> list[BoardRow]:
    """The board's pupils with their rating, filtered; at risk first (highest score), then by name.

    Every pupil in scope is rated from plain values (``board_base``: one query, no model objects,
    shared through the cache); the filters apply to those rows. ``hydrate`` then loads the model
    objects of every row (False: the caller hydrates the rows it shows with ``board_hydrate``)."""
    year = board_year(user, today) if year is None else year
    wanted_worker = str({"me": user.pk, "none": None}.get(filters.key_worker, filters.key_worker))
    words = [w.casefold() for w in filters.q.split()[:4]]
    rows = []
    for (lid, given, family, stage, school, key_worker, intended_known, has_offer, n_open, expected,
         rating_args, overdue) in board_base(user, year, today):
        if filters.who == "expected" and not expected:
            continue
        if (filters.school and school != filters.school) or (filters.stage and stage != filters.stage):
            continue
        if filters.key_worker and str(key_worker) != wanted_worker:
            continue
        if filters.offer and has_offer != (filters.offer == "yes"):
            continue
        if words and not all(w in given.casefold() or w in family.casefold() for w in words):
            continue
        if filters.action == "overdue" and not overdue:
            continue
        rating = _rate_cached(*rating_args)
        if filters.risk and rating.band != filters.risk:
            continue
        rows.append(BoardRow(lid, given, family, stage, school, key_worker, intended_known, has_offer, n_open, rating,
                             expected, overdue=overdue))
    if hydrate:
        board_hydrate(rows)
    return rows


def board_base(user: User, year: int, today: dt.date) -> list[tuple]:
    """Every pupil of this session in the user's scope as plain values with the arguments of their
    rating, in board order. Kept in the cache under the scope (not the user: the officers of one
    authority share it), the session, the day and a version of the data: the newest pathway
    record, offer event, risk weight set and import batch, so any change made in the portal or by
    an import shows at once; other changes (the Django admin) within ``BOARD_CACHE_SECONDS``."""
    est_ids, auth_ids = pathway_scope(user)
    version = _board_data_version()
    key = f"readiness:{year}:{today.isoformat()}:{version}:{sorted(est_ids)}:{sorted(auth_ids)}"
    cached = cache.get(key)
    if cached is not None:
        return cast(list[tuple], cached)
    own = current_risk_weights(_scope_authority_ids(user))
    default = weights_key(None)
    out = []
    for (lid, stage, given, family, care, asn, decile, auth, school, intended, intended_stage, intended_date,
         key_worker, has_offer, n_open, n_awards, action, action_due, action_done) in _board_values(est_ids, auth_ids,
                                                                                                   year):
        rating_args = (year + 1, has_offer, intended_stage or "", _intended_positive(intended or "", year + 1), care,
                       asn, min(decile, DEPRIVED_DECILES + 1), min(n_awards, ATTAINMENT_MIN_AWARDS), stage, today,
                       weights_key(own[auth]) if auth in own else default)
        out.append((lid, given, family, stage, school, key_worker, (intended or "") not in ("", Category.UNKNOWN),
                    has_offer, n_open, _expected_values(stage, intended_stage or "", intended_date, year),
                    rating_args, bool(action and not action_done and action_due and action_due < today)))
    out.sort(key=lambda r: (-_rate_cached(*r[10]).score, r[2], r[1], r[0]))
    cache.set(key, out, BOARD_CACHE_SECONDS)
    return out


def _board_data_version() -> str:
    """The newest row of each table whose writes change the board (primary-key lookups)."""
    models_: list[Any] = [PathwayRecord, OfferEvent, RiskWeights, ImportBatch]
    return "-".join(str(m.objects.aggregate(v=Max("id"))["v"] or 0) for m in models_)


def _board_values(est_ids: set[int], auth_ids: set[int], year: int) -> Any:
    """One query: per pupil of this session in scope, the values the rating needs. The current
    pathway is a filtered join (at most one row per pupil: a partial unique index); offers and
    awards are counted by correlated subqueries, each an index range on the pupil's own rows."""
    per_pupil = {"learner_id": OuterRef("id")}
    accepted = Offer.objects.filter(**per_pupil, status=OfferStatus.ACCEPTED)
    still_open = (Offer.objects.filter(**per_pupil, status__in=[OfferStatus.APPLIED, OfferStatus.OFFERED])
                  .values("learner_id").annotate(n=Count("id")).values("n")[:1])
    awards = (QualificationResult.objects.filter(**per_pupil, scqf_level__gte=ATTAINMENT_LEVEL, grade__in=PASS_GRADES)
              .values("learner_id").annotate(n=Count("id")).values("n")[:1])
    qs = Learner.objects.filter(
        Q(establishment_id__in=est_ids) | Q(establishment__authority_id__in=auth_ids), leaver__isnull=True,
    ).annotate(
        now=FilteredRelation("enrolments", condition=Q(enrolments__year=year,
                                                       enrolments__stage__in=[s.value for s in SENIOR_PHASE])),
        cur=FilteredRelation("pathway_records", condition=Q(pathway_records__superseded_at__isnull=True)),
    ).filter(now__isnull=False)
    return qs.annotate(
        has_offer=Exists(accepted),
        n_open=Coalesce(Subquery(still_open, output_field=IntegerField()), 0),
        n_awards=Coalesce(Subquery(awards, output_field=IntegerField()), 0),
    ).values_list("id", "now__stage", "given_name", "family_name", "care_experienced", "asn", "simd_decile",
                  "establishment__authority_id", "establishment_id", "cur__intended_category", "cur__intended_stage",
                  "cur__intended_date",
                  "cur__key_worker_id", "has_offer", "n_open", "n_awards", "cur__next_action", "cur__next_action_due",
                  "cur__next_action_done")


def board_hydrate(rows: list[BoardRow]) -> None:
    """Load the model objects of these rows (three queries): learner with school, current pathway
    with key worker, the latest accepted offer."""
    ids = [r.learner_id for r in rows]
    learners = Learner.objects.select_related("establishment").in_bulk(ids)
    records = {r.learner_id: r for r in PathwayRecord.objects.filter(superseded_at__isnull=True, learner_id__in=ids)
               .select_related("key_worker", "next_action_owner")}
    offers = accepted_offers_by_learner(r.learner_id for r in rows if r.has_accepted)
    for row in rows:
        row.learner = learners[row.learner_id]
        row.record = records.get(row.learner_id)
        row.accepted = offers.get(row.learner_id)


def _intended_positive(category: str, leaving_year: int) -> bool | None:
    return is_positive(category, leaving_year) if category and category != Category.UNKNOWN else None


def _scope_authority_ids(user: User) -> set[int]:
    est_ids, auth_ids = pathway_scope(user)
    return set(auth_ids) | set(Establishment.objects.filter(id__in=est_ids).values_list("authority_id", flat=True))


@lru_cache(maxsize=4096)
def _rate_cached(leaving_year: int, has_offer: bool, intended_stage: str, intended_positive: bool | None, care: bool,
                 asn: bool, decile: int, awards: int, stage: str, today: dt.date,
                 weights: tuple[tuple[str, int], ...]) -> Rating:
    """Ratings depend only on these few facts, so pupils share them (SIMD deciles above the rule's
    and awards at or above its minimum are folded together by the caller: the rules cannot tell
    them apart)."""
    return rate(PupilFacts(leaving_year=leaving_year, has_accepted_offer=has_offer, intended_stage=intended_stage,
                           intended_positive=intended_positive, care_experienced=care, asn=asn, simd_decile=decile,
                           awards_level4_plus=awards, stage=stage), today=today, weights=dict(weights))


def board_summary(rows: Iterable[BoardRow]) -> dict[str, int]:
    rows = list(rows)
    return {
        "pupils": len(rows),
        "at_risk": sum(1 for r in rows if r.rating.at_risk),
        "accepted": sum(1 for r in rows if r.has_accepted),
        "intended": sum(1 for r in rows if r.intended_known),
        "overdue": sum(1 for r in rows if r.overdue),
    }


@dataclass
class SchoolReadiness:
    school_id: int
    name: str
    pupils: int = 0
    intended: int = 0
    accepted: int = 0
    at_risk: int = 0
    overdue: int = 0

    def share(self, n: int) -> float:
        return 100.0 * n / self.pupils if self.pupils else 0.0

    @property
    def intended_pct(self) -> float:
        return self.share(self.intended)

    @property
    def accepted_pct(self) -> float:
        return self.share(self.accepted)


def board_by_school(user: User, rows: Iterable[BoardRow]) -> list[SchoolReadiness]:
    """The board's rows counted by school (the viewer is entitled to these figures unsuppressed:
    their own school or authority): pupils, with a known intended destination, with an accepted
    offer, at high risk."""
    names = dict(board_schools(user))
    out: dict[int, SchoolReadiness] = {}
    for row in rows:
        sid = row.school_id
        s = out.setdefault(sid, SchoolReadiness(sid, names.get(sid, "")))
        s.pupils += 1
        s.intended += row.intended_known
        s.accepted += row.has_accepted
        s.at_risk += row.rating.at_risk
        s.overdue += row.overdue
    return sorted(out.values(), key=lambda s: s.name)


def board_key_workers(user: User) -> list[User]:
    """Everyone who may be a key worker for the user's pupils (the key worker filter's choices)."""
    est_ids, auth_ids = pathway_scope(user)
    officer_auth_ids = set(auth_ids) | set(
        Establishment.objects.filter(id__in=est_ids).values_list("authority_id", flat=True)
    )
    return list(
        User.objects.filter(
            Q(memberships__role__in=[Role.ESTABLISHMENT_ADMIN, Role.ESTABLISHMENT_STAFF],
              memberships__establishment_id__in=est_ids)
            | Q(memberships__role__in=[Role.ESTABLISHMENT_ADMIN, Role.ESTABLISHMENT_STAFF],
                memberships__establishment__authority_id__in=auth_ids)
            | Q(memberships__role=Role.MCMC_OFFICER, memberships__authority_id__in=officer_auth_ids),
            is_active=True,
        ).distinct().order_by("first_name", "last_name", "email")
    )


# --- After leaving: the pipeline carried into the journey and the caseload ------------------------


@dataclass
class Handover:
    """What was known before the young person left: their last pathway and the offers accepted."""

    record: PathwayRecord | None
    accepted: list[Offer]
    applications: int

    @property
    def known(self) -> bool:
        return self.record is not None or self.applications > 0


def handover_for(learner: Learner) -> Handover:
    offers = list(Offer.objects.filter(learner=learner).order_by("-status_date", "-id"))
    return Handover(current_pathway(learner), [o for o in offers if o.status == OfferStatus.ACCEPTED], len(offers))


def accepted_offers_by_learner(learner_ids: Iterable[int]) -> dict[int, Offer]:
    """The latest accepted offer of each of these young people (one query; for a page of cases)."""
    out: dict[int, Offer] = {}
    for offer in Offer.objects.filter(learner_id__in=list(learner_ids), status=OfferStatus.ACCEPTED).order_by(
        "status_date", "id"
    ):
        out[offer.learner_id] = offer
    return out


# --- Risk weights ---------------------------------------------------------------------------------


def current_risk_weights(authority_ids: Iterable[int]) -> dict[int, RiskWeights]:
    """The current weight set of each of these authorities that has set its own."""
    return {w.authority_id: w for w in RiskWeights.objects.filter(authority_id__in=list(authority_ids),
                                                                    superseded_at__isnull=True)}


def weights_key(weights: RiskWeights | None) -> tuple[tuple[str, int], ...]:
    """The weights in force (the authority's own over the defaults), as a hashable key."""
    merged = {**WEIGHTS, **(weights.weights if weights is not None else {})}
    return tuple(sorted((k, int(v)) for k, v in merged.items() if k in WEIGHTS))


def risk_weights_history(authority_id: int) -> list[RiskWeights]:
    return list(RiskWeights.objects.filter(authority_id=authority_id).select_related("recorded_by")
                .order_by("-recorded_at", "-id"))
