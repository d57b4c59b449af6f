"""Integration API for datahub resources: read (list, retrieve, filter) and write (create, bulk upsert).

Writes go through the import engine (datahub.imports; the write mixin and the import batch and kind
endpoints live in datahub.imports.api), so the API applies exactly the checks, access policy,
all-or-nothing transaction and history of a file import: each write request is recorded as an
import batch. ``POST /<resource>/`` creates one record (an existing natural key is
an error); ``POST /<resource>/bulk/`` upserts up to ``IMPORT_API_MAX_ROWS`` records. Errors are
JSON with field-level messages; a request touching a school outside the caller's import scope is
refused whole (403) with the rows named.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .access import scope_for
from .api_base import ScopedViewSetMixin
from .imports.api import WRITE_ROLES, ImportWriteMixin, write_schema
from .imports.columns import choices_from
from .models import (
    AwardType,
    Collaborative,
    Establishment,
    Learner,
    LocalAuthority,
    QualificationResult,
    SchoolLeaver,
)
from .selectors import establishments_for, learners_for

# --- read serializers -----------------------------------------------------------------------


class CollaborativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collaborative
        fields = ["code", "name"]


class LocalAuthoritySerializer(serializers.ModelSerializer):
    # Its Regional Improvement Collaborative (null when in none): reference data, as the authority.
    collaborative = CollaborativeSerializer(read_only=True)

    class Meta:
        model = LocalAuthority
        fields = ["code", "gss_code", "name", "collaborative"]


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


class LeaverSerializer(serializers.ModelSerializer):
    scn = serializers.CharField(source="learner.scn", read_only=True)
    seed_code = serializers.CharField(source="establishment.seed_code", read_only=True)

    class Meta:
        model = SchoolLeaver
        fields = ["id", "scn", "seed_code", "leaver_year", "stage", "leaving_date", "sex", "simd_decile", "asn",
                  "care_experienced", "fsm"]


class ResultSerializer(serializers.ModelSerializer):
    scn = serializers.CharField(source="learner.scn", read_only=True)
    seed_code = serializers.CharField(source="establishment.seed_code", read_only=True)
    subject_code = serializers.CharField(source="subject.code", read_only=True)

    class Meta:
        model = QualificationResult
        fields = ["id", "scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade", "year"]


# --- viewsets -------------------------------------------------------------------------------


class LocalAuthorityViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The 32 councils: public reference data for any portal user."""

    serializer_class = LocalAuthoritySerializer
    lookup_field = "code"
    filterset_fields = ["gss_code"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        return LocalAuthority.objects.select_related("collaborative").order_by("code")


_est_create, _est_bulk = write_schema("establishments", EstablishmentSerializer)


class EstablishmentViewSet(ImportWriteMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Establishments inside the caller's memberships (all of them for national roles).

    Data managers create and update establishments of their authority (a school's data manager:
    their school only).
    """

    serializer_class = EstablishmentSerializer
    lookup_field = "seed_code"
    filterset_fields = ["type", "authority__code"]
    write_roles = WRITE_ROLES
    import_kind = "establishments"

    def scoped_queryset(self, user: Any) -> QuerySet:
        return establishments_for(user).order_by("seed_code")

    def created_object(self, row: dict[str, Any]) -> Any:
        return Establishment.objects.select_related("authority__collaborative").filter(seed_code=row.get("seed_code")).first()

    @_est_create
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @_est_bulk
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        return super().bulk(request)


_learner_create, _learner_bulk = write_schema("learners", LearnerSerializer)


class LearnerViewSet(ImportWriteMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Learners the caller may see individually: their school's staff, their authority's MCMC officers.

    Writes take a census row (learner and enrolment), as the learners file does.
    """

    serializer_class = LearnerSerializer
    filterset_fields = ["scn", "establishment__seed_code", "sex", "asn", "care_experienced"]
    write_roles = WRITE_ROLES
    import_kind = "learners"

    def scoped_queryset(self, user: Any) -> QuerySet:
        return learners_for(user).order_by("id")

    def created_object(self, row: dict[str, Any]) -> Any:
        return Learner.objects.select_related("establishment").filter(scn=row.get("scn")).first()

    @_learner_create
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @_learner_bulk
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        return super().bulk(request)


def _learner_scope_q(user: Any, prefix: str) -> Q:
    scope = scope_for(user)
    return Q(**{f"{prefix}establishment_id__in": scope.learner_establishment_ids}) | Q(
        **{f"{prefix}establishment__authority_id__in": scope.learner_authority_ids}
    )


class LeaverFilter(django_filters.FilterSet):
    scn = django_filters.CharFilter(field_name="learner__scn")
    seed_code = django_filters.CharFilter(field_name="establishment__seed_code")

    class Meta:
        model = SchoolLeaver
        fields = ["scn", "seed_code", "leaver_year", "stage"]


_leaver_create, _leaver_bulk = write_schema("leavers", LeaverSerializer)


class LeaverViewSet(ImportWriteMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """School leavers whose learner the caller may see individually."""

    serializer_class = LeaverSerializer
    filterset_class = LeaverFilter
    write_roles = WRITE_ROLES
    import_kind = "leavers"

    def scoped_queryset(self, user: Any) -> QuerySet:
        return (
            SchoolLeaver.objects.filter(_learner_scope_q(user, "learner__"))
            .select_related("learner", "establishment").order_by("id")
        )

    def created_object(self, row: dict[str, Any]) -> Any:
        return SchoolLeaver.objects.select_related("learner", "establishment").filter(learner__scn=row.get("scn")).first()

    @_leaver_create
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @_leaver_bulk
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        return super().bulk(request)


class ResultFilter(django_filters.FilterSet):
    scn = django_filters.CharFilter(field_name="learner__scn")
    seed_code = django_filters.CharFilter(field_name="establishment__seed_code")
    subject_code = django_filters.CharFilter(field_name="subject__code", lookup_expr="iexact")

    class Meta:
        model = QualificationResult
        fields = ["scn", "seed_code", "subject_code", "award_type", "scqf_level", "year", "grade"]


_result_create, _result_bulk = write_schema("results", ResultSerializer)


class ResultViewSet(ImportWriteMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Qualification results of learners the caller may see individually."""

    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    write_roles = WRITE_ROLES
    import_kind = "results"

    def scoped_queryset(self, user: Any) -> QuerySet:
        return (
            QualificationResult.objects.filter(_learner_scope_q(user, "learner__"))
            .select_related("learner", "establishment", "subject").order_by("id")
        )

    def created_object(self, row: dict[str, Any]) -> Any:
        award = choices_from(AwardType.choices).get(str(row.get("award_type", "")).lower(), "")
        return (
            QualificationResult.objects.select_related("learner", "establishment", "subject")
            .filter(learner__scn=row.get("scn"), subject__code__iexact=row.get("subject_code"), award_type=award,
                    scqf_level=_int_or_none(row.get("scqf_level")) or 0, year=_int_or_none(row.get("year")) or 0)
            .first()
        )

    @_result_create
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @_result_bulk
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        return super().bulk(request)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value).removesuffix(".0"))
    except (TypeError, ValueError):
        return None


