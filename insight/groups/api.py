"""Integration API for comparator groups: the same rules as the pages (insight.groups.views).

- ``GET /api/v1/comparator-groups/``: the caller's groups and those shared with them.
- ``POST``: create a group from SEED codes (``members``) or a ``filter``; any portal user. A group
  made from a filter alone follows it (``follow_filter``): each run chooses its schools again.
- ``GET /api/v1/comparator-groups/{id}/``: one group with its figures for the published run, as
  the caller may see them ("c" withheld, null no data). Any other group id: 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from datahub.api_base import ScopedViewSetMixin
from datahub.models import Establishment, EstablishmentType, Role

from ..selectors.dashboards import latest_run
from ..selectors.figures import Viewer
from . import services
from .figures import group_figures
from .forms import FILTER_FIELDS
from .models import ComparatorGroup
from .selectors import groups_for
from .tables import group_data


class ComparatorGroupSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField(help_text="SEED codes of the group's schools")
    owned = serializers.SerializerMethodField(help_text="Whether the caller owns the group")

    class Meta:
        model = ComparatorGroup
        fields = ["id", "name", "members", "filter_definition", "follows_filter", "members_changed_at", "members_change",
                  "owned", "created_at"]

    def get_members(self, obj: ComparatorGroup) -> list[str]:
        return sorted(m.seed_code for m in obj.members.all())

    def get_owned(self, obj: ComparatorGroup) -> bool:
        request = self.context.get("request")
        return request is not None and obj.owner_id == request.user.pk


class ComparatorGroupDetailSerializer(ComparatorGroupSerializer):
    run = serializers.SerializerMethodField(help_text="The published benchmark run the figures are from")
    figures = serializers.SerializerMethodField(
        help_text="Per leaver year: n_leavers and each headline measure; \"c\" when withheld from you, null for no data")

    class Meta(ComparatorGroupSerializer.Meta):
        fields = [*ComparatorGroupSerializer.Meta.fields, "run", "figures"]

    def get_run(self, obj: ComparatorGroup) -> int | None:
        run = latest_run()
        return run.pk if run else None

    def get_figures(self, obj: ComparatorGroup) -> list[dict[str, Any]]:
        run = latest_run()
        if run is None:
            return []
        return group_data(group_figures(run, obj, Viewer(self.context["request"].user)))


class CreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    members = serializers.ListField(child=serializers.RegexField(r"^[0-9]{7}$"), required=False, max_length=200,
                                    help_text="SEED codes of secondary schools")
    filter = serializers.DictField(child=serializers.CharField(max_length=20), required=False,
                                   help_text=f"Context filter: any of {', '.join(FILTER_FIELDS)}")
    follow_filter = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Choose the schools again by the filter at each benchmark run (default: when a filter is given "
                  "without members); false keeps the schools it matches now")

    def validate_filter(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FILTER_FIELDS))
        if unknown:
            raise serializers.ValidationError(f"Unknown filter field {unknown[0]}; use {', '.join(FILTER_FIELDS)}.")
        return value


def _invalid(field: str, message: str) -> Response:
    return Response({"detail": f"Invalid request: {field}: {message}", "errors": {field: [message]}},
                    status=status.HTTP_400_BAD_REQUEST)


@extend_schema_view(
    list=extend_schema(summary="Your comparator groups and those shared with you"),
    retrieve=extend_schema(summary="One comparator group with its figures for the published run",
                           responses={200: ComparatorGroupDetailSerializer, 404: OpenApiResponse(description="Not yours")}),
    create=extend_schema(summary="Create a comparator group from SEED codes or a context filter",
                         request=CreateSerializer,
                         responses={201: ComparatorGroupDetailSerializer, 400: OpenApiResponse(description="Invalid field")}),
)
class ComparatorGroupViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):
    serializer_class = ComparatorGroupSerializer
    read_roles = None
    write_roles = tuple(Role)  # any portal user may build a group

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return ComparatorGroupDetailSerializer if self.action == "retrieve" else ComparatorGroupSerializer

    def scoped_queryset(self, user: Any) -> QuerySet:
        return groups_for(user).prefetch_related("members").order_by("name", "id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CreateSerializer(data=request.data)
        if not data.is_valid():
            field, reasons = next(iter(data.errors.items()))
            return _invalid(str(field), " ".join(str(r) for r in reasons))
        codes = list(dict.fromkeys(data.validated_data.get("members", [])))
        try:
            schools = list(Establishment.objects.filter(seed_code__in=codes, type=EstablishmentType.SECONDARY))
            missing = sorted(set(codes) - {s.seed_code for s in schools})
            if missing:
                raise services.GroupError("members", f"No secondary school has the SEED code {missing[0]}.")
            flt = data.validated_data.get("filter") or {}
            follow = data.validated_data.get("follow_filter")
            follow = bool(flt) and not codes if follow is None else follow
            if follow and codes:
                raise services.GroupError("follow_filter", "A group that follows its filter takes no members.")
            if flt and not follow:
                schools += list(services.filter_schools(flt)[: services.MAX_MEMBERS + 1])
            group = services.group_create(owner=request.user, name=data.validated_data["name"],
                                          members=schools, filter_definition=flt, follow_filter=follow)
        except services.GroupError as exc:
            return _invalid(exc.field, str(exc))
        obj = self.get_queryset().get(pk=group.pk)
        return Response(ComparatorGroupDetailSerializer(obj, context={"request": request}).data, status=status.HTTP_201_CREATED)
