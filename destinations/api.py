"""Integration API for destination updates from partner systems (colleges, SDS, training providers).

Same rules as the pages (destinations.access): destination records and participation spells are
read by the MCMC officers of the young person's authority and the staff of their last school, and
written by those MCMC officers only. A partner system uses a system account holding the MCMC
officer role for the authority (token authentication, see README). A write adds a record and keeps
the history; a young person outside the caller's authority is not found (404), exactly as one
who does not exist. Every read of records and every write is audited.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from datahub.api_base import ScopedViewSetMixin
from datahub.models import Learner, SchoolLeaver
from datahub.services import audit_event_create

from . import services
from .access import CASEWORK_ROLES, JOURNEY_ROLES, may_work_case
from .classification import Category, ParticipationStatus
from .models import DestinationKind, DestinationRecord, ParticipationSpell, Source
from .selectors import journey_records_for, journey_spells_for


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class DestinationRecordSerializer(serializers.ModelSerializer):
    scn = serializers.CharField(source="leaver.learner.scn", read_only=True)
    establishment = serializers.CharField(source="leaver.learner.establishment.seed_code", read_only=True,
                                          help_text="SEED code of the young person's last school")
    leaver_year = serializers.IntegerField(source="leaver.leaver_year", read_only=True)
    current = serializers.SerializerMethodField(help_text="False once a later record of the same kind replaced it")
    positive = serializers.BooleanField(read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = DestinationRecord
        fields = ["id", "scn", "leaver_year", "establishment", "kind", "category", "positive", "survey_date",
                  "recorded_at", "recorded_by", "source", "note", "current", "superseded_at"]
        read_only_fields = fields

    def get_current(self, obj: DestinationRecord) -> bool:
        return obj.superseded_at is None

    def get_recorded_by(self, obj: DestinationRecord) -> str | None:
        return _email(obj.recorded_by)


class DestinationRecordCreateSerializer(serializers.Serializer):
    scn = serializers.RegexField(r"^[0-9]{9}$", help_text="Scottish Candidate Number of the young person")
    kind = serializers.ChoiceField(choices=DestinationKind.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    survey_date = serializers.DateField(required=False, allow_null=True,
                                        help_text="Census date the status holds for; defaults to the kind's census date")
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="",
                                   help_text="Why the record changes (kept in the audit log)")


class ParticipationSpellSerializer(serializers.ModelSerializer):
    scn = serializers.CharField(source="learner.scn", read_only=True)
    establishment = serializers.CharField(source="learner.establishment.seed_code", read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = ParticipationSpell
        fields = ["id", "scn", "establishment", "status", "start_date", "end_date", "source", "recorded_at",
                  "recorded_by", "note"]
        read_only_fields = fields

    def get_recorded_by(self, obj: ParticipationSpell) -> str | None:
        return _email(obj.recorded_by)


class ParticipationSpellCreateSerializer(serializers.Serializer):
    scn = serializers.RegexField(r"^[0-9]{9}$")
    status = serializers.ChoiceField(choices=ParticipationStatus.choices)
    start_date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class DestinationRecordFilter(django_filters.FilterSet):
    scn = django_filters.CharFilter(field_name="leaver__learner__scn")
    establishment = django_filters.CharFilter(field_name="leaver__learner__establishment__seed_code",
                                              label="SEED code of the last school")
    leaver_year = django_filters.NumberFilter(field_name="leaver__leaver_year")
    current = django_filters.BooleanFilter(field_name="superseded_at", lookup_expr="isnull",
                                           label="Only current records (true) or only replaced ones (false)")

    class Meta:
        model = DestinationRecord
        fields = ["kind", "category", "source"]


class ParticipationSpellFilter(django_filters.FilterSet):
    scn = django_filters.CharFilter(field_name="learner__scn")
    establishment = django_filters.CharFilter(field_name="learner__establishment__seed_code")
    open = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label="Only open spells")

    class Meta:
        model = ParticipationSpell
        fields = ["status", "source"]


def _audit_read(request: Request, learners: list[Learner], *, action: str = "api_view_destinations",
                what: str) -> None:
    """One audit entry per authority whose young people a response held."""
    by_authority: dict[int, list[Learner]] = defaultdict(list)
    for learner in learners:
        by_authority[learner.establishment.authority_id].append(learner)
    for group in by_authority.values():
        first = group[0]
        audit_event_create(
            actor=request.user,
            action=action,
            object_type="learner" if len({lr.pk for lr in group}) == 1 else "learners",
            object_id=first.pk if len({lr.pk for lr in group}) == 1 else "",
            establishment=first.establishment if len({lr.establishment_id for lr in group}) == 1 else None,
            authority=first.establishment.authority,
            detail={"what": what, "learners": sorted({lr.pk for lr in group})[:200],
                    "query": {k: v for k, v in request.query_params.items()}},
        )


def _leaver_to_work_on(user: Any, scn: str) -> SchoolLeaver:
    leaver = (
        SchoolLeaver.objects.select_related("learner__establishment__authority").filter(learner__scn=scn).first()
    )
    if leaver is None or not may_work_case(user, leaver.learner):
        raise NotFound("No young person with this Scottish Candidate Number in your authority has left school.")
    return leaver


def _raise(exc: DjangoValidationError) -> None:
    raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class DestinationRecordViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Destination records, history included (``current`` false for replaced ones).

    Read: MCMC officers of the young person's authority and their last school's staff. Create
    (MCMC officers of the authority): a new record for a young person by SCN; the current record
    of that kind is kept as history.
    """

    read_roles = JOURNEY_ROLES
    write_roles = CASEWORK_ROLES
    serializer_class = DestinationRecordSerializer
    filterset_class = DestinationRecordFilter

    def scoped_queryset(self, user: Any) -> QuerySet:
        return journey_records_for(user).select_related(
            "leaver__learner__establishment__authority", "recorded_by"
        ).order_by("id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        records = list(page.object_list) if page is not None else []
        _audit_read(request, [r.leaver.learner for r in records], what="destination records")
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        _audit_read(request, [record.leaver.learner], what=f"destination record {record.pk}")
        return Response(self.get_serializer(record).data)

    @extend_schema(request=DestinationRecordCreateSerializer, responses={201: DestinationRecordSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = DestinationRecordCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        leaver = _leaver_to_work_on(request.user, data["scn"])
        try:
            record = services.destination_record_create(
                leaver=leaver, kind=data["kind"], category=data["category"], by=request.user,
                source=Source.API, note=data["note"], survey_date=data.get("survey_date"), reason=data["reason"],
                audit_action="api_destination_record",
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(DestinationRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class ParticipationSpellViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Annual Participation Measure statuses (spells). Same rules as destination records; a new
    status closes the open spell the day before it starts."""

    read_roles = JOURNEY_ROLES
    write_roles = CASEWORK_ROLES
    serializer_class = ParticipationSpellSerializer
    filterset_class = ParticipationSpellFilter

    def scoped_queryset(self, user: Any) -> QuerySet:
        return journey_spells_for(user).select_related("learner__establishment__authority", "recorded_by").order_by(
            "id"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        spells = list(page.object_list) if page is not None else []
        _audit_read(request, [s.learner for s in spells], what="participation spells")
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        spell = self.get_object()
        _audit_read(request, [spell.learner], what=f"participation spell {spell.pk}")
        return Response(self.get_serializer(spell).data)

    @extend_schema(request=ParticipationSpellCreateSerializer, responses={201: ParticipationSpellSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = ParticipationSpellCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        leaver = _leaver_to_work_on(request.user, data["scn"])
        try:
            spell = services.participation_spell_create(
                learner=leaver.learner, status=data["status"], start_date=data["start_date"], by=request.user,
                source=Source.API, note=data["note"], audit_action="api_participation_record",
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(ParticipationSpellSerializer(spell).data, status=status.HTTP_201_CREATED)
