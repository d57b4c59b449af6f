"""Base classes for the integration API: scoping and role checks cannot be forgotten.

A viewset subclasses ``ScopedViewSetMixin`` and implements ``scoped_queryset(user)``; the base owns
``get_queryset`` so every list, retrieve and write goes through the user's scope. Objects outside
the scope are simply not found (404), as on the pages.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from .access import has_role, is_portal_user
from .middleware import user_needs_mfa
from .models import Role


class PortalRolePermission(BasePermission):
    """A signed-in portal user with one of the view's ``read_roles`` (safe methods) or ``write_roles``."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not is_portal_user(user):
            return False
        if user_needs_mfa(user):
            self.message = "Set up two-factor authentication in the portal before using the API."
            return False
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        roles = getattr(view, "read_roles" if safe else "write_roles", None)
        if roles is None:
            return safe  # no write_roles declared: the endpoint is read-only
        return has_role(user, roles)


class ScopedViewSetMixin:
    read_roles: ClassVar[tuple[Role, ...] | None] = None  # None: any portal role may read
    write_roles: ClassVar[tuple[Role, ...] | None] = None  # None: no writes
    permission_classes = [PortalRolePermission]

    def scoped_queryset(self, user: Any) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            # drf-spectacular builds the schema with no signed-in user: an empty queryset of the
            # right model lets it type the path parameters (and leaks nothing).
            return self.scoped_queryset(AnonymousUser()).none()
        return self.scoped_queryset(self.request.user)  # type: ignore[attr-defined]
