"""Per-request context: the active membership (role switcher) and the MFA requirement."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .access import memberships_of
from .models import Role

SESSION_KEY = "active_membership_id"

# Roles that act for others or change data; with MFA_REQUIRED_FOR_ADMINS they must use TOTP.
MFA_ROLES = {Role.ESTABLISHMENT_ADMIN, Role.DATA_MANAGER}


class ActiveMembershipMiddleware:
    """Resolve the user's active membership once per request.

    Sets ``request.memberships`` (all of them), ``request.membership`` (the one chosen in the
    switcher, else the first), ``request.establishment`` and ``request.authority`` from it.
    Permission answers come from datahub.access over all memberships; the active one only picks
    the default place pages open on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = memberships_of(request.user)
        active = None
        wanted = request.session.get(SESSION_KEY) if memberships else None
        for m in memberships:
            if m.id == wanted:
                active = m
                break
        if active is None and memberships:
            active = memberships[0]
        request.memberships = memberships  # type: ignore[attr-defined]
        request.membership = active  # type: ignore[attr-defined]
        request.establishment = active.establishment if active else None  # type: ignore[attr-defined]
        request.authority = (  # type: ignore[attr-defined]
            (active.authority or (active.establishment.authority if active.establishment else None))
            if active
            else None
        )
        return self.get_response(request)


def user_needs_mfa(user: object) -> bool:
    if not settings.MFA_REQUIRED_FOR_ADMINS or not getattr(user, "is_authenticated", False):
        return False
    if not (getattr(user, "is_superuser", False) or any(m.role in MFA_ROLES for m in memberships_of(user))):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    """allauth offers MFA but cannot require it: send admins without TOTP to set it up first.

    API requests authenticate inside DRF (tokens), so datahub.api_base.MFASatisfied applies the
    same rule there.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/accessibility/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.ALLOWED_PREFIXES) and user_needs_mfa(request.user):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
