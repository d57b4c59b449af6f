"""Top-level pages: the dashboard (home), the accessibility statement and a health check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.generic import TemplateView

from datahub.access import is_partner_member, is_portal_user, is_superuser
from datahub.models import Role
from datahub.views_base import PortalView
from partnerships.selectors import waiting_count

from ..pages.home import home_context, role_guide


class DashboardView(PortalView, TemplateView):
    """The signed-in user's home: their active school, authority or Scotland. Any portal user.

    It leads into the benchmarking dashboards for the active membership: a school's staff to
    their school's dashboard, authority staff to the authority dashboard, national analysts to
    the national view (insight.pages.home.home_lead); a user administrator to the Users page.
    """

    template_name = "insight/dashboard.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A superuser without a portal role manages accounts in the Django admin: that is their home.
        if is_superuser(request.user) and not is_portal_user(request.user):
            return render(request, "insight/superuser_home.html", {"can_administer_users": True})
        # A partner organisation member reaches communities of practice only: that is their home.
        if not is_portal_user(request.user) and is_partner_member(request.user):
            return redirect("partnerships:communities")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A user administrator works on people, not figures: their home is the Users page.
        if request.membership.role == Role.USER_ADMIN:  # type: ignore[attr-defined]
            return redirect("useradmin:people")
        # Working as a partner organisation member (chosen in the switcher): their communities.
        if request.membership.role == Role.PARTNER_MEMBER:  # type: ignore[attr-defined]
            return redirect("partnerships:communities")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(home_context(self.request))
        ctx["guide"] = role_guide(self.request, waiting_count(self.request.user))
        return ctx


class AccessibilityView(TemplateView):
    """The accessibility statement: public, linked from every footer."""

    template_name = "accessibility.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["accessibility_contact_email"] = settings.ACCESSIBILITY_CONTACT_EMAIL
        return ctx


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers and docker-compose. Public, no data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
