"""Integration API for communities of practice: read-only, members only (as the pages).

- ``GET /api/v1/communities/``: the communities the caller is a member of.
- ``GET /api/v1/communities/{id}/``: one of them; ``GET /api/v1/communities/{id}/threads/``: its
  threads with their posts (a hidden post's text is withheld). An embed is given as its address
  only: opened with the caller's own credentials, the dashboard shows what the caller may see.
- Any other community id is not found (404). Signed-in people with a portal role, and members of
  partner organisations, may call it; anyone else gets 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from datahub.access import is_partner_member, is_portal_user
from datahub.api_base import ScopedViewSetMixin
from datahub.middleware import user_needs_mfa

from . import access
from .models import Community, Post, Thread


class CommunityPermission(BasePermission):
    """A portal user or a partner organisation member (MFA as the rest of the API); reads only."""

    message = "Communities are for their members."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (is_portal_user(user) or is_partner_member(user)):
            return False
        if user_needs_mfa(user):
            self.message = "Set up two-factor authentication in the portal before using the API."
            return False
        return request.method in ("GET", "HEAD", "OPTIONS")


def _name(user: Any) -> str:
    return (user.get_full_name() or user.email) if user else ""


class CommunitySerializer(serializers.ModelSerializer):
    authority = serializers.CharField(source="authority.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Community
        fields = ["id", "name", "purpose", "authority", "created_at"]


class PostSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    embed_url = serializers.CharField(read_only=True, help_text="A dashboard's address on this portal, or empty")

    class Meta:
        model = Post
        fields = ["id", "author", "created_at", "hidden", "body", "embed_url"]

    def get_author(self, obj: Post) -> str:
        return _name(obj.author)

    def get_hidden(self, obj: Post) -> bool:
        return obj.hidden_at is not None

    def get_body(self, obj: Post) -> str | None:
        """The text as written (plain text, never markup); null when the community's admins hid it."""
        return None if obj.hidden_at else obj.body


class ThreadSerializer(serializers.ModelSerializer):
    started_by = serializers.SerializerMethodField()
    posts = PostSerializer(many=True, read_only=True)

    class Meta:
        model = Thread
        fields = ["id", "title", "started_by", "created_at", "last_post_at", "posts"]

    def get_started_by(self, obj: Thread) -> str:
        return _name(obj.started_by)


_NOT_FOUND = OpenApiResponse(description="No such community among yours")


@extend_schema_view(
    list=extend_schema(summary="The communities of practice you are a member of"),
    retrieve=extend_schema(summary="One of your communities", responses={200: CommunitySerializer, 404: _NOT_FOUND}),
)
class CommunityViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CommunitySerializer
    permission_classes = [CommunityPermission]

    def scoped_queryset(self, user: Any) -> QuerySet:
        return access.communities_for(user).select_related("authority").order_by("name", "id")

    @extend_schema(summary="A community's threads with their posts, latest first",
                   responses={200: ThreadSerializer(many=True), 404: _NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None)
    def threads(self, request: Request, pk: str | None = None) -> Response:
        community = self.get_object()
        posts = Prefetch("posts", queryset=Post.objects.select_related("author").order_by("created_at", "id"))
        threads = community.threads.select_related("started_by").prefetch_related(posts).order_by("-last_post_at", "-id")
        return Response(ThreadSerializer(threads, many=True).data)
