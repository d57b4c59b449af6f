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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
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
from .board import (
    BoardEntry,
    BoardFilters,
    BoardRow,
    BoardSelection,
    BoardSnapshot,
    rate_cached,
    remember_board,
)
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


# --- The readiness board (its rows in memory: destinations.pathways.board) ------------------------


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


def board_snapshot(user: User, *, today: dt.date, year: int | None = None) -> BoardSnapshot:
    """The board of the user's scope this session (``year``: another session's), as of now.

    Kept (``board.remember_board``) under the scope (not the user: the officers of one authority
    share it), the day and a version of the data (``_board_data_version``: the newest pathway
    record, offer event, risk weight set and import batch), so any change made in the portal or by
    an import shows at once; other changes (the Django admin) within ``BOARD_CACHE_SECONDS``."""
    est_ids, auth_ids = pathway_scope(user)
    key = (f"readiness:{year if year is not None else 'now'}:{today.isoformat()}:{_board_data_version()}:"
           f"{sorted(est_ids)}:{sorted(auth_ids)}")

    def build() -> tuple[int, list[tuple]]:
        session = board_year(user, today) if year is None else year
        return session, _board_base(user, session, today)

    return remember_board(key, build)


def board_rows(user: User, filters: BoardFilters, *, today: dt.date, year: int | None = None,
               hydrate: bool = True) -> list[BoardRow]:
    """The board's pupils with their rating, filtered; at risk first (highest score), then by name.

    ``hydrate`` loads the model objects of every row (False: the caller hydrates the rows it
    shows with ``board_hydrate``)."""
    rows = [e.row() for e in board_snapshot(user, today=today, year=year).select(filters, user_id=user.pk).entries]
    if hydrate:
        board_hydrate(rows)
    return rows


def _board_base(user: User, year: int, today: dt.date) -> list[tuple]:
    """Every pupil of this session in the user's scope as plain values with the arguments of their
    rating, in board order (one query, no model objects)."""
    est_ids, auth_ids = pathway_scope(user)
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
    out.sort(key=lambda r: (-rate_cached(*r[10]).score, r[2], r[1], r[0]))
    return out


_VERSION_MODELS: tuple[Any, ...] = (PathwayRecord, OfferEvent, RiskWeights, ImportBatch)


def _board_data_version() -> str:
    """The newest row of each table whose writes change the board (one query of primary-key lookups)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in _VERSION_MODELS]
    sql = "SELECT " + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in tables)  # noqa: S608 (table names from the models)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        newest = cursor.fetchone()
    return "-".join(str(v or 0) for v in newest)


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


class BoardRowView(NamedTuple):
    """Everything one row of the board shows (templates/destinations/pathways/_board_row.html is
    rendered from this alone, so a row is rendered once while it stays the same): the pupil's
    entry, with their name and school, current pathway, key worker and accepted offer as they are now."""

    pk: int
    given_name: str
    family_name: str
    url: str
    school: str
    stage: str
    expected: bool
    has_record: bool
    intends: str  # the intended destination's label
    aspiration: str
    intended_stage: str
    accepted_from: str | None  # the latest accepted offer's provider; None: no accepted offer
    open_offers: int
    rating: Rating
    key_worker: str | None  # name, else e-mail; None: nobody
    next_action: str
    next_action_due: dt.date | None
    next_action_owner: str | None  # as the key worker
    next_action_done: bool
    overdue: bool


def board_page_rows(entries: Iterable[BoardEntry], *, url_for: Callable[[int], str]) -> list[BoardRowView]:
    """The rows of one page of the board (one query: each pupil with their school, current pathway
    and its people, and latest accepted offer); ``url_for`` gives a pupil's page."""
    entries = list(entries)
    latest_accepted = (Offer.objects.filter(learner_id=OuterRef("id"), status=OfferStatus.ACCEPTED)
                       .order_by("-status_date", "-id").values("provider")[:1])
    people = [f"cur__{who}__{f}" for who in ("key_worker", "next_action_owner") for f in ("first_name", "last_name", "email")]
    found = {
        v["id"]: v for v in Learner.objects.filter(id__in=[e.learner_id for e in entries]).annotate(
            cur=FilteredRelation("pathway_records", condition=Q(pathway_records__superseded_at__isnull=True)),
            accepted_from=Subquery(latest_accepted),
        ).order_by().values("id", "given_name", "family_name", "establishment__name", "accepted_from", "cur__id",
                            "cur__intended_category", "cur__aspiration", "cur__intended_stage", "cur__next_action",
                            "cur__next_action_due", "cur__next_action_done", "cur__key_worker_id",
                            "cur__next_action_owner_id", *people)
    }
    intends = dict(PathwayRecord._meta.get_field("intended_category").flatchoices)
    out = []
    for e in entries:
        v = found[e.learner_id]
        has_record = v["cur__id"] is not None
        category = v["cur__intended_category"] or ""
        out.append(BoardRowView(
            v["id"], v["given_name"], v["family_name"], url_for(v["id"]), v["establishment__name"], e.stage,
            e.expected, has_record, str(intends.get(category, category)) if has_record else "",
            v["cur__aspiration"] or "", v["cur__intended_stage"] or "",
            v["accepted_from"] if e.has_accepted else None, e.open_offers, e.rating,
            _person_shown(v, "key_worker"), v["cur__next_action"] or "", v["cur__next_action_due"],
            _person_shown(v, "next_action_owner"), bool(v["cur__next_action_done"]), e.overdue,
        ))
    return out


def _person_shown(values: dict[str, Any], who: str) -> str | None:
    """A person as the board shows them: full name, else e-mail (User.get_full_name)."""
    if values[f"cur__{who}_id"] is None:
        return None
    name = f"{values[f'cur__{who}__first_name']} {values[f'cur__{who}__last_name']}".strip()
    return name or values[f"cur__{who}__email"]


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


@dataclass(frozen=True)
class SchoolReadiness:
    school_id: int
    name: str
    pupils: int
    intended: int
    accepted: int
    at_risk: int
    overdue: int

    def share(self, n: int) -> float:
        return 100.0 * n / self.pupils if self.pupils else 0.0

    @property
    def intended_pct(self) -> float:
        return self.share(self.intended)

    @property
    def accepted_pct(self) -> float:
        return self.share(self.accepted)


def board_by_school(schools: Iterable[tuple[int, str]], selection: BoardSelection) -> list[SchoolReadiness]:
    """The selected pupils counted by school (``schools``: ``board_schools``; the viewer is entitled
    to these figures unsuppressed: their own school or authority): pupils, with a known intended
    destination, with an accepted offer, at high risk, with an overdue next action."""
    names = dict(schools)
    out = [SchoolReadiness(sid, names.get(sid, ""), *counts) for sid, counts in selection.by_school.items()]
    return sorted(out, key=lambda s: s.name)


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
