"""Integration API for learning partnerships: the same rules as the pages.

- Lists and details show the partnerships of the caller's schools (admin or staff); any other
  partnership id is simply not found (404), for reads and writes alike.
- Propose, accept, decline, withdraw, end: establishment admins of the school concerned. A staff
  member of that school gets 403; a transition the partnership's state does not allow gets 409.
- The caller's own in-app notifications, and marking them read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from datahub.api_base import ScopedViewSetMixin
from datahub.models import Establishment, Role

from . import selectors, services
from .models import Notification, Partnership, PartnershipEvent, Status

ALL_ROLES = tuple(Role)  # object-level checks decide (404 outsiders, 403 staff): see the module docstring


class SchoolSerializer(serializers.ModelSerializer):
    authority = serializers.CharField(source="authority.name", read_only=True)

    class Meta:
        model = Establishment
        fields = ["seed_code", "name", "authority"]


class PartnershipEventSerializer(serializers.ModelSerializer):
    acting_for = serializers.SlugRelatedField(slug_field="seed_code", read_only=True)
    # The partnership's own status choices, so the schema has one enum for them, not two.
    from_status = serializers.CharField(read_only=True, help_text="Status before: empty for the proposal itself")
    to_status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = PartnershipEvent
        fields = ["at", "from_status", "to_status", "acting_for", "actor", "message"]

    def get_actor(self, obj: PartnershipEvent) -> str:
        return obj.actor.get_full_name() if obj.actor else ""


class PartnershipSerializer(serializers.ModelSerializer):
    proposer = SchoolSerializer(read_only=True)
    partner = SchoolSerializer(read_only=True)
    events = PartnershipEventSerializer(many=True, read_only=True)

    class Meta:
        model = Partnership
        fields = ["id", "status", "proposer", "partner", "created_at", "updated_at", "events"]


class ProposeSerializer(serializers.Serializer):
    partner = serializers.RegexField(r"^[0-9]{7}$", help_text="SEED code of the school to propose to")
    acting_for = serializers.RegexField(
        r"^[0-9]{7}$", required=False,
        help_text="SEED code of your school (needed only when you are admin of more than one)",
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_MESSAGE, default="")


class ActionSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_MESSAGE, default="")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="On a 400 for invalid fields: each field's reasons",
    )


def _invalid(exc: serializers.ValidationError) -> Response:
    """A 400 that says, in ``detail``, which field is wrong and why (as every error of this API
    does), with the reasons per field in ``errors``."""
    raw = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    errors = {str(f): [str(m) for m in (v if isinstance(v, list) else [v])] for f, v in raw.items()}
    detail = "; ".join(f"{f}: {' '.join(ms)}" for f, ms in errors.items())
    return Response({"detail": f"Invalid request: {detail}", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class FieldErrorsMixin:
    """For a viewset of this API: a serializer's ValidationError becomes :func:`_invalid`'s 400."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, serializers.ValidationError):
            return _invalid(exc)
        return super().handle_exception(exc)  # type: ignore[misc]


def refused(exc: Exception, *, conflict: bool, field: str | None = None) -> Response:
    """A service's refusal: 409 when the object's state does not allow the change, else 400 (with the
    field at fault, when the service names one)."""
    code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
    if field is None:
        return Response({"detail": str(exc)}, status=code)
    return Response({"detail": f"{field}: {exc}", "errors": {field: [str(exc)]}}, status=code)


def acting_school_by_seed(user: Any, seed: str | None, *, refusal: str) -> Establishment:
    """The caller's school a proposal is made for: the one named by ``seed`` (404 when it is not one
    of theirs), else their only admin school (or, lacking one, their first school), else 403 with
    ``refusal``; a caller admin of several schools must say which (400 on ``acting_for``)."""
    mine = selectors.member_establishment_ids(user)
    admin = selectors.admin_establishment_ids(user)
    if seed:
        est = Establishment.objects.filter(seed_code=seed, pk__in=mine).first()
        if est is None:
            raise Http404("No such establishment among your schools")
        return est
    ids = sorted(admin) or sorted(mine)
    if not ids:
        raise PermissionDenied(refusal)
    if len(admin) > 1:
        raise serializers.ValidationError({"acting_for": "You are admin of several schools: say which one."})
    return Establishment.objects.get(pk=ids[0])


_ACTION_RESPONSES = {
    200: PartnershipSerializer,
    400: OpenApiResponse(ErrorSerializer, description="Invalid request (e.g. message too long)"),
    403: OpenApiResponse(ErrorSerializer, description="You may not act for this school (staff, or the other side)"),
    404: OpenApiResponse(ErrorSerializer, description="No such partnership among your schools' partnerships"),
    409: OpenApiResponse(ErrorSerializer, description="The partnership's state does not allow this"),
}


def _action_schema(summary: str) -> Any:
    return extend_schema(summary=summary, request=ActionSerializer, responses=_ACTION_RESPONSES)


@extend_schema_view(
    list=extend_schema(summary="Partnerships of your schools (any status)"),
    retrieve=extend_schema(summary="One partnership with its history"),
    create=extend_schema(
        summary="Propose a learning partnership from your school",
        request=ProposeSerializer,
        responses={201: PartnershipSerializer, **{k: v for k, v in _ACTION_RESPONSES.items() if k != 200}},
    ),
)
class PartnershipViewSet(
    FieldErrorsMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Learning partnerships of the caller's schools: read them, propose, accept, decline, withdraw, end."""

    serializer_class = PartnershipSerializer
    read_roles = None
    write_roles = ALL_ROLES
    filterset_fields = ["status"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        return selectors.partnerships_for(user).prefetch_related("events__actor", "events__acting_for").order_by(
            "-updated_at", "-id"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school = acting_school_by_seed(
            request.user, data.validated_data.get("acting_for"),
            refusal="Learning partnerships are proposed by school Learning Partner Administrators.")
        partner = Establishment.objects.filter(seed_code=data.validated_data["partner"]).first()
        if partner is None:
            raise Http404("No such establishment")
        try:
            p = services.partnership_propose(
                proposer=school, partner=partner, by=request.user, message=data.validated_data["message"]
            )
        except services.PartnershipError as exc:
            return refused(exc, conflict=isinstance(exc, services.PartnershipStateError))
        return Response(PartnershipSerializer(self.get_queryset().get(pk=p.pk)).data, status=status.HTTP_201_CREATED)

    def _act(self, name: str, request: Request) -> Response:
        p = self.get_object()  # 404 for anyone outside the two schools
        data = ActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school = selectors.acting_school_for(request.user, p, name)
        if school is None:
            raise Http404("No such partnership")
        try:
            services.ACTIONS[name](partnership=p, by=request.user, acting_for=school,
                                   message=data.validated_data["message"])
        except services.PartnershipError as exc:
            return refused(exc, conflict=isinstance(exc, services.PartnershipStateError))
        return Response(PartnershipSerializer(self.get_queryset().get(pk=p.pk)).data)

    @_action_schema("Accept a proposal received by your school")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        return self._act("accept", request)

    @_action_schema("Decline a proposal received by your school")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._act("decline", request)

    @_action_schema("Withdraw a proposal your school sent")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._act("withdraw", request)

    @_action_schema("End an active partnership")
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        return self._act("end", request)


class NotificationSerializer(serializers.ModelSerializer):
    partnership = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                                     help_text="The partnership; empty for a group's notice")
    group = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True,
                                               help_text="The partnership group; empty for a partnership's notice")
    school = serializers.SlugRelatedField(source="establishment", slug_field="seed_code", read_only=True)
    message = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "partnership", "group", "school", "text", "message", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False,
                                help_text="Notification ids; all unread ones when left out")


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary="Your partnership notifications, newest first"),
    retrieve=extend_schema(summary="One of your partnership notifications"),
)
class PartnershipNotificationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own in-app notifications about their schools' partnerships."""

    serializer_class = NotificationSerializer
    read_roles = None
    write_roles = ALL_ROLES
    filterset_fields = ["partnership", "group"]

    def scoped_queryset(self, user: Any) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return selectors.notifications_for(user)

    @extend_schema(summary="Mark your notifications as read", request=MarkReadSerializer,
                   responses=MarkReadResultSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request: Request) -> Response:
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data.get("ids")
        n = services.notification_mark_read(user=request.user, ids=ids)
        return Response({"marked": n})
