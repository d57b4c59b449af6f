"""API for partner systems: applications and offers of senior-phase pupils.

Same rules as the pages (destinations.access ``PATHWAY_ROLES``): the school's admins and staff and
the authority's MCMC officers read their pupils' offers and record new ones by SCN (a system
account holding one of those roles, with a token). A pupil outside the caller's school or
authority is not found (404), as one who does not exist; every read and write is audited. Bulk
loads by data managers go through the ``offers`` import kind (``POST /api/v1/imports/offers/rows/``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from datahub.api_base import ScopedViewSetMixin
from datahub.models import Learner
from datahub.services import audit_event_create

from ..access import PATHWAY_ROLES, may_work_pathway, pathway_scope
from . import services
from .models import Offer, OfferKind, OfferStatus, PathwaySource


class OfferEventSerializer(serializers.Serializer):
    status = serializers.CharField()
    status_date = serializers.DateField()


class OfferSerializer(serializers.ModelSerializer):
    scn = serializers.CharField(source="learner.scn", read_only=True)
    establishment = serializers.CharField(source="learner.establishment.seed_code", read_only=True,
                                          help_text="SEED code of the pupil's school")
    history = OfferEventSerializer(source="events", many=True, read_only=True,
                                   help_text="Every status of the offer, in order")

    class Meta:
        model = Offer
        fields = ["id", "scn", "establishment", "kind", "provider", "course", "status", "applied_on", "status_date",
                  "source", "recorded_at", "history"]
        read_only_fields = fields


class OfferCreateSerializer(serializers.Serializer):
    scn = serializers.RegexField(r"^[0-9]{9}$", help_text="Scottish Candidate Number of the pupil")
    kind = serializers.ChoiceField(choices=OfferKind.choices)
    provider = serializers.CharField(max_length=200)
    course = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    status = serializers.ChoiceField(choices=OfferStatus.choices, default=OfferStatus.APPLIED)
    status_date = serializers.DateField()
    applied_on = serializers.DateField(required=False, allow_null=True, default=None)


class OfferFilter(django_filters.FilterSet):
    scn = django_filters.CharFilter(field_name="learner__scn")
    establishment = django_filters.CharFilter(field_name="learner__establishment__seed_code",
                                              label="SEED code of the pupil's school")

    class Meta:
        model = Offer
        fields = ["kind", "status", "source"]


def _audit(request: Request, learners: list[Learner], *, what: str) -> None:
    for authority_id in {lr.establishment.authority_id for lr in learners}:
        group = [lr for lr in learners if lr.establishment.authority_id == authority_id]
        audit_event_create(actor=request.user, action="api_view_offers", object_type="learners",
                           authority=group[0].establishment.authority,
                           detail={"what": what, "learners": sorted({lr.pk for lr in group})[:200]})


class OfferViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Applications and offers of senior-phase pupils, each with its status history. Read and
    create: the pupil's school's admins and staff and its authority's MCMC officers."""

    read_roles = PATHWAY_ROLES
    write_roles = PATHWAY_ROLES
    serializer_class = OfferSerializer
    filterset_class = OfferFilter

    def scoped_queryset(self, user: Any) -> QuerySet:
        est_ids, auth_ids = pathway_scope(user)
        return (Offer.objects.filter(Q(learner__establishment_id__in=est_ids)
                                     | Q(learner__establishment__authority_id__in=auth_ids))
                .select_related("learner__establishment__authority").prefetch_related("events").order_by("id"))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        _audit(request, [o.learner for o in (page.object_list if page is not None else [])], what="offers")
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        offer = self.get_object()
        _audit(request, [offer.learner], what=f"offer {offer.pk}")
        return Response(self.get_serializer(offer).data)

    @extend_schema(request=OfferCreateSerializer, responses={201: OfferSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = OfferCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        learner = Learner.objects.select_related("establishment__authority").filter(scn=data.pop("scn")).first()
        if learner is None or not may_work_pathway(request.user, learner):
            raise NotFound("No pupil with this Scottish Candidate Number at your school or in your authority.")
        try:
            offer = services.offer_create(learner=learner, by=request.user, source=PathwaySource.API, **data)
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from exc
        except DjangoPermissionDenied as exc:
            raise NotFound("No pupil with this Scottish Candidate Number at your school or in your authority.") from exc
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)
