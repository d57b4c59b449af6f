"""Integration API for datahub resources (read side; imports come with the data hub issue)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from .api_base import ScopedViewSetMixin
from .models import Establishment, Learner, LocalAuthority
from .selectors import establishments_for, learners_for


class LocalAuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalAuthority
        fields = ["code", "gss_code", "name"]


class EstablishmentSerializer(serializers.ModelSerializer):
    authority = LocalAuthoritySerializer(read_only=True)

    class Meta:
        model = Establishment
        fields = ["seed_code", "name", "type", "roll", "authority"]


class LearnerSerializer(serializers.ModelSerializer):
    establishment = serializers.SlugRelatedField(slug_field="seed_code", read_only=True)

    class Meta:
        model = Learner
        fields = [
            "id",
            "scn",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "simd_decile",
            "asn",
            "care_experienced",
            "fsm",
            "establishment",
        ]


class LocalAuthorityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The 32 councils: public reference data for any portal user."""

    serializer_class = LocalAuthoritySerializer
    lookup_field = "code"
    filterset_fields = ["gss_code"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        return LocalAuthority.objects.all()


class EstablishmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Establishments inside the caller's memberships (all of them for national roles)."""

    serializer_class = EstablishmentSerializer
    lookup_field = "seed_code"
    filterset_fields = ["type", "authority__code"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        return establishments_for(user).order_by("seed_code")


class LearnerViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Learners the caller may see individually: their school's staff, their authority's MCMC officers."""

    serializer_class = LearnerSerializer
    filterset_fields = ["scn", "establishment__seed_code", "sex", "asn", "care_experienced"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        return learners_for(user).order_by("id")
