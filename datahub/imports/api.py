"""The bulk import API: writes through the import engine, and the batches and kinds it exposes.

Writes go through the import engine (datahub.imports), so the API applies exactly the checks,
access policy, all-or-nothing transaction and history of a file import: each write request is
recorded as an import batch. ``ImportWriteMixin`` gives a resource viewset (datahub.api) its
``POST /<resource>/`` (create one record; an existing natural key is an error) and
``POST /<resource>/bulk/`` (upsert up to ``IMPORT_API_MAX_ROWS`` records); ``write_schema``
describes both in the OpenAPI schema. ``ImportBatchViewSet`` lists batches and
``ImportKindViewSet`` every kind, with ``POST /imports/{kind}/rows/``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, ClassVar

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from ..api_base import ScopedViewSetMixin
from ..models import ImportBatch, ImportStatus, Role
from . import services
from .columns import Column, normalise_header
from .registry import all_kinds, get_kind
from .selectors import import_batches_for, import_profile_named
from .types import ImportKind

WRITE_ROLES = (Role.DATA_MANAGER,)


PROFILE_PARAMETER = OpenApiParameter(
    "profile", str, description="Name of a mapping profile: the rows use that source's own field names and values, "
    "read as the profile says (errors name your fields). Profiles are made on the import pages.",
)


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_API_MAX_ROWS", 10_000))


# --- import batches -----------------------------------------------------------------------


class ImportBatchSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.email", read_only=True, default=None)
    status = serializers.CharField(read_only=True, help_text="pending, validating, writing, succeeded, validated, rejected, cancelled, failed")
    source = serializers.CharField(read_only=True, help_text="file, api or command")
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "source", "uploaded_by", "created_at", "finished_at", "file_name", "file_sha256",
                  "status", "dry_run", "rows_total", "rows_validated", "rows_written", "count_new", "count_updated",
                  "count_unchanged", "count_rejected", "error_count", "errors", "warning_count", "duration_seconds"]

    def get_errors(self, obj: ImportBatch) -> list[dict[str, Any]]:
        return error_dicts(obj.errors)


# --- write request and response shapes (for validation messages and the OpenAPI schema) ------


def error_dicts(rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [{"row": r, "field": c, "value": v, "message": m} for r, c, v, m in rows]


def _schema_field(col: Column) -> serializers.Field:
    common: dict[str, Any] = {"required": col.required, "help_text": f"{col.help} Accepts {col.accepted}."}
    if col.type == "int":
        return serializers.IntegerField(min_value=col.min_value, max_value=col.max_value, **common)
    if col.type == "bool":
        return serializers.BooleanField(**common)
    if col.type == "date":
        return serializers.DateField(**common, allow_null=not col.required)
    if col.type == "choice":
        # A pattern rather than an enum: enum components are named by field, and "sex" or "stage"
        # mean different code lists in different resources.
        codes = "|".join(re.escape(c) for c in sorted(set(col.choices.values())))
        return serializers.RegexField(rf"^({codes})$", **common)
    if col.type == "scn":
        return serializers.RegexField(r"^[0-9]{9}$", **common)
    if col.type == "seed":
        return serializers.RegexField(r"^[0-9]{7}$", **common)
    return serializers.CharField(max_length=col.max_length, allow_blank=not col.required, **common)


@cache
def row_serializer(kind_name: str) -> type[serializers.Serializer]:
    """A serializer describing one row of ``kind`` (same columns as the file format)."""
    kind = get_kind(kind_name)
    assert kind is not None
    camel = "".join(part.capitalize() for part in kind.name.replace("-", "_").split("_"))
    attrs: dict[str, Any] = {c.name: _schema_field(c) for c in kind.columns}
    attrs["Meta"] = type("Meta", (), {"ref_name": f"{camel}Row"})
    return type(f"{camel}RowSerializer", (serializers.Serializer,), attrs)


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Position of the record in the request (1 = first)")
    field = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField()
    status = serializers.CharField(help_text="succeeded, validated (dry run), rejected")
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)
    detail = serializers.CharField(required=False)


class BulkRefusalSerializer(serializers.Serializer):
    """A refused bulk request: the batch's counts and row errors when rows were read, only
    ``detail`` (and an empty ``errors``) when the body itself was wrong or the caller may not import."""

    detail = serializers.CharField()
    batch = serializers.IntegerField(required=False)
    status = serializers.CharField(required=False, help_text="rejected")
    new = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    rejected_rows = serializers.IntegerField(required=False)
    error_count = serializers.IntegerField(required=False)
    errors = RowErrorSerializer(many=True, required=False)


class FieldErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    batch = serializers.IntegerField(required=False)
    # Absent when the caller may not write at all (403 with only ``detail``).
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class KindInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    key = serializers.ListField(child=serializers.CharField())
    columns = serializers.ListField(child=serializers.DictField())


def summary(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch.pk, "status": batch.status, "new": batch.count_new, "updated": batch.count_updated,
        "unchanged": batch.count_unchanged, "rejected_rows": batch.count_rejected, "error_count": batch.error_count,
        "errors": error_dicts(batch.errors),
    }


def _bulk_body(kind_name: str) -> Any:
    return inline_serializer(f"{row_serializer(kind_name).__name__.removesuffix('RowSerializer')}BulkRequest", {
        "rows": row_serializer(kind_name)(many=True),
    })


# --- the write mixin ------------------------------------------------------------------------


class ImportWriteMixin:
    """POST create and POST bulk through the import engine, for viewsets with an ``import_kind``."""

    import_kind: ClassVar[str]
    request: Request

    def created_object(self, row: dict[str, Any]) -> Any:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not isinstance(request.data, dict):
            return Response({"detail": "Send one record as a JSON object.", "errors": {}}, status=status.HTTP_400_BAD_REQUEST)
        batch = services.import_batch_from_records(user=request.user, kind=self.import_kind, records=[dict(request.data)],
                                               create_only=True)
        if batch.status != ImportStatus.SUCCEEDED:
            fields: dict[str, list[str]] = {}
            for _row, column, _value, message in batch.errors:
                fields.setdefault(column or "non_field_errors", []).append(message)
            code = status.HTTP_403_FORBIDDEN if batch.scope_violation else status.HTTP_400_BAD_REQUEST
            detail = ("This record is for a school outside the schools or authority you manage; nothing was written."
                      if batch.scope_violation else "The record is not valid; nothing was written.")
            return Response({"detail": detail, "batch": batch.pk, "errors": fields}, status=code)
        obj = self.created_object(_normalised(request.data))
        data = self.get_serializer(obj).data if obj is not None else {}  # type: ignore[attr-defined]
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request: Request) -> Response:
        return bulk_upsert(request, self.import_kind)


def bulk_upsert(request: Request, kind: str) -> Response:
    """Upsert ``{"rows": [...]}`` (or a bare list) of ``kind`` through the import engine."""
    rows = request.data.get("rows") if isinstance(request.data, dict) else request.data
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return Response({"detail": 'Send {"rows": [...]} with one JSON object per record.', "errors": []},
                        status=status.HTTP_400_BAD_REQUEST)
    if not rows:
        return Response({"detail": "No rows sent.", "errors": []}, status=status.HTTP_400_BAD_REQUEST)
    if len(rows) > max_rows():
        return Response({"detail": f"At most {max_rows()} rows per request; upload a file for more.", "errors": []},
                        status=status.HTTP_400_BAD_REQUEST)
    dry_run = str(request.query_params.get("dry_run", "")).lower() in ("1", "true", "yes")
    profile = None
    name = str(request.query_params.get("profile", "")).strip()
    if name:
        profile = import_profile_named(request.user, kind, name)
        if profile is None:
            return Response({"detail": f"No mapping profile named {name!r} for {kind} that you may use "
                                       "(see /datahub/imports/profiles/).", "errors": []},
                            status=status.HTTP_400_BAD_REQUEST)
    batch = services.import_batch_from_records(user=request.user, kind=kind, records=rows, dry_run=dry_run,
                                               mapping_profile=profile)
    body = summary(batch)
    if batch.status in (ImportStatus.SUCCEEDED, ImportStatus.VALIDATED):
        return Response(body, status=status.HTTP_200_OK)
    body["detail"] = ("Some rows are for schools outside the schools or authority you manage; nothing was written."
                      if batch.scope_violation else "Some rows are not valid; nothing was written.")
    return Response(body, status=status.HTTP_403_FORBIDDEN if batch.scope_violation else status.HTTP_400_BAD_REQUEST)


def _normalised(data: Any) -> dict[str, str]:
    return {normalise_header(k): ("" if v is None else str(v)).strip() for k, v in dict(data).items()}


def write_schema(kind: str, read: type[serializers.Serializer]) -> tuple[Any, Any]:
    create = extend_schema(
        request=row_serializer(kind), responses={201: read, 400: FieldErrorsSerializer, 403: FieldErrorsSerializer},
        description="Create one record. Same columns and checks as the file import; an existing record is an error.",
    )
    bulk = extend_schema(
        request=_bulk_body(kind), responses={200: BulkResultSerializer, 400: BulkRefusalSerializer, 403: BulkRefusalSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Validate and count; write nothing"), PROFILE_PARAMETER],
        description="Insert or update many records at once (all or nothing), recorded as an import batch.",
    )
    return create, bulk


# --- viewsets -------------------------------------------------------------------------------


class ImportBatchFilter(django_filters.FilterSet):
    class Meta:
        model = ImportBatch
        fields = ["kind", "status", "source"]


class ImportBatchViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Import batches (files and API writes) the caller may see: data managers only."""

    serializer_class = ImportBatchSerializer
    filterset_class = ImportBatchFilter
    read_roles = WRITE_ROLES

    def scoped_queryset(self, user: Any) -> QuerySet:
        return import_batches_for(user).order_by("-created_at", "-id")


def _kind_info(kind: ImportKind) -> dict[str, Any]:
    return {
        "name": kind.name, "label": kind.label, "description": kind.description, "key": list(kind.key),
        "columns": [{"name": c.name, "required": c.required, "accepts": c.accepted, "help": c.help, "example": c.example}
                    for c in kind.columns],
    }


class ImportKindViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every importable kind (destinations and participation included): columns, and a bulk upsert of rows.

    ``POST /imports/{kind}/rows/`` takes ``{"rows": [...]}`` with the same columns as the file and
    works as a file import (all or nothing, history kept, same access policy).
    """

    permission_classes = ScopedViewSetMixin.permission_classes
    read_roles = WRITE_ROLES
    write_roles = WRITE_ROLES
    lookup_field = "kind"
    lookup_value_regex = "[a-z0-9-]+"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return ImportBatch.objects.none()

    @extend_schema(responses=KindInfoSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response([_kind_info(k) for k in all_kinds()])

    @extend_schema(responses=KindInfoSerializer)
    def retrieve(self, request: Request, kind: str) -> Response:
        found = get_kind(kind)
        if found is None:
            raise NotFound("No such kind of import.")
        return Response(_kind_info(found))

    @extend_schema(
        request=inline_serializer("ImportRowsRequest", {"rows": serializers.ListField(child=serializers.DictField())}),
        responses={200: BulkResultSerializer, 400: BulkRefusalSerializer, 403: BulkRefusalSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Validate and count; write nothing"), PROFILE_PARAMETER],
    )
    @action(detail=True, methods=["post"], url_path="rows")
    def rows(self, request: Request, kind: str) -> Response:
        found = get_kind(kind)
        if found is None:
            raise NotFound("No such kind of import.")
        return bulk_upsert(request, found.name)
