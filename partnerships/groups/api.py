"""Integration API for partnership groups: the same rules as the pages (groups/views.py).

- Lists and details show the groups one of the caller's schools was invited to (admin or staff,
  whatever the school answered); any other group id is not found (404), for reads and writes.
- Propose (found a group and invite two or more schools), accept, decline, leave, end: the
  school's Learning Partner Administrators (staff 403); a change the group's state does not allow
  is 409; invalid input is 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from datahub.api_base import ScopedViewSetMixin
from datahub.models import Establishment, Role

from ..api import ActionSerializer, ErrorSerializer, FieldErrorsMixin, SchoolSerializer, acting_school_by_seed, refused
from ..selectors import member_establishment_ids
from . import selectors, services
from .models import GroupEvent, GroupMember, PartnershipGroup
from .views import acting_school

ALL_ROLES = tuple(Role)  # object-level checks decide (404 outsiders, 403 staff)


class GroupMemberSerializer(serializers.ModelSerializer):
    school = SchoolSerializer(source="establishment", read_only=True)

    class Meta:
        model = GroupMember
        fields = ["school", "status", "invited_at", "answered_at"]


class GroupEventSerializer(serializers.ModelSerializer):
    acting_for = serializers.SlugRelatedField(slug_field="seed_code", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = GroupEvent
        fields = ["at", "verb", "group_status", "acting_for", "actor", "message"]

    def get_actor(self, obj: GroupEvent) -> str:
        return obj.actor.get_full_name() if obj.actor else ""


class GroupSerializer(serializers.ModelSerializer):
    founder = SchoolSerializer(read_only=True)
    members = GroupMemberSerializer(many=True, read_only=True)
    events = GroupEventSerializer(many=True, read_only=True)

    class Meta:
        model = PartnershipGroup
        fields = ["id", "name", "purpose", "aims", "status", "founder", "members", "created_at", "updated_at",
                  "events"]


class GroupProposeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=services.MAX_NAME, help_text="The group's name")
    purpose = serializers.CharField(max_length=services.MAX_PURPOSE, help_text="What the schools will work on")
    schools = serializers.ListField(
        child=serializers.RegexField(r"^[0-9]{7}$"), min_length=2, max_length=20,
        help_text="SEED codes of the schools to invite (two or more, of your school's type)",
    )
    acting_for = serializers.RegexField(
        r"^[0-9]{7}$", required=False,
        help_text="SEED code of your school (needed only when you are admin of more than one)",
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_MESSAGE, default="")


_RESPONSES = {
    200: GroupSerializer,
    400: OpenApiResponse(ErrorSerializer, description="Invalid request: the field and the reason"),
    403: OpenApiResponse(ErrorSerializer, description="You may not act for this school (staff, or not its move)"),
    404: OpenApiResponse(ErrorSerializer, description="No such group among your schools' groups"),
    409: OpenApiResponse(ErrorSerializer, description="The group's state does not allow this"),
}


def _schema(summary: str) -> Any:
    return extend_schema(summary=summary, request=ActionSerializer, responses=_RESPONSES)


@extend_schema_view(
    list=extend_schema(summary="Partnership groups of your schools (any status)"),
    retrieve=extend_schema(summary="One partnership group with its schools and history"),
    create=extend_schema(
        summary="Found a partnership group from your school and invite two or more schools",
        request=GroupProposeSerializer,
        responses={201: GroupSerializer, **{k: v for k, v in _RESPONSES.items() if k != 200}},
    ),
)
class PartnershipGroupViewSet(
    FieldErrorsMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Partnership groups of the caller's schools: read them, found one, accept, decline, leave, end."""

    serializer_class = GroupSerializer
    read_roles = None
    write_roles = ALL_ROLES
    filterset_fields = ["status"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return PartnershipGroup.objects.none()
        return selectors.groups_for(member_establishment_ids(user)).prefetch_related(
            "members__establishment__authority", "events__actor", "events__acting_for"
        ).order_by("-updated_at", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = GroupProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        founder = acting_school_by_seed(
            request.user, v.get("acting_for"),
            refusal="Partnership groups are proposed by school Learning Partner Administrators.")
        found = {e.seed_code: e for e in Establishment.objects.filter(seed_code__in=v["schools"])}
        missing = [s for s in v["schools"] if s not in found]
        if missing:
            raise serializers.ValidationError({"schools": f"No school has the SEED code {missing[0]}."})
        try:
            g = services.group_propose(founder=founder, invited=[found[s] for s in v["schools"]], name=v["name"],
                                       purpose=v["purpose"], by=request.user, message=v["message"])
        except services.GroupError as exc:
            return refused(exc, conflict=isinstance(exc, services.GroupStateError), field=exc.field)
        return Response(GroupSerializer(self.get_queryset().get(pk=g.pk)).data, status=status.HTTP_201_CREATED)

    def _act(self, name: str, request: Request) -> Response:
        g = self.get_object()  # 404 for anyone outside the group's schools
        data = ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school = acting_school(request.user, g, name)
        try:
            services.GROUP_ACTIONS[name](group=g, by=request.user, acting_for=school,
                                         message=data.validated_data["message"])
        except services.GroupError as exc:
            return refused(exc, conflict=isinstance(exc, services.GroupStateError), field=exc.field)
        return Response(GroupSerializer(self.get_queryset().get(pk=g.pk)).data)

    @_schema("Accept an invitation to your school")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._act("accept", request)

    @_schema("Decline an invitation to your school")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._act("decline", request)

    @_schema("Leave a group your school joined (not its founder)")
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str | None = None) -> Response:
        return self._act("leave", request)

    @_schema("End a group your school founded")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        return self._act("end", request)
