"""Breadth and Depth of a school (a local measure): the page, its exports, and the menu's way in.

Who may use them: as the establishment dashboard (insight.views.dashboards): any portal user,
for any secondary school; a view by anyone but the school's own staff is written to the audit
log; every download is audited (insight.exports).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub.access import Entitlement
from datahub.models import ESTABLISHMENT_ROLES, Establishment, EstablishmentType
from datahub.services import audit_event_create
from datahub.views_base import PortalView

from ..pages.breadth import breadth_depth_page
from ..pages.parts import link_exports, link_share
from .dashboards import EstablishmentDashboardView, export_table


class BreadthDepthView(EstablishmentDashboardView):
    """A secondary school's Breadth and Depth: any portal user; audited unless it is the viewer's own school."""

    def get(self, request: HttpRequest, seed: str) -> HttpResponse:
        est = self.establishment(seed)
        page = breadth_depth_page(request, est)
        if page.context["entitlement"] is not Entitlement.OWN:
            audit_event_create(actor=request.user, action="view_establishment_benchmarks",  # type: ignore[arg-type]
                               object_type="establishment", object_id=est.seed_code, establishment=est,
                               detail={"entitlement": page.context["entitlement"].value, "page": "breadth_depth"})
        link_exports(page, "insight:breadth_depth_export", seed=est.seed_code)
        link_share(page, request)
        return render(request, page.template, page.context)


class BreadthDepthExportView(EstablishmentDashboardView):
    """One table of a school's Breadth and Depth as CSV or XLSX: as the page shows it, audited."""

    def get(self, request: HttpRequest, seed: str, table: str = "", fmt: str = "") -> HttpResponse:
        return export_table(request, breadth_depth_page(request, self.establishment(seed)), table, fmt)


class MyBreadthDepthView(PortalView, View):
    """/insight/breadth-depth/ (the menu's entry, for school staff: ``insight.nav``): the Breadth
    and Depth of the school the user is working as (their active membership), else of their first
    secondary school; the home page when they have none."""

    required_roles = ESTABLISHMENT_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        est = my_school(request)
        if est is None:
            return HttpResponseRedirect(reverse("dashboard"))
        return HttpResponseRedirect(reverse("insight:breadth_depth", kwargs={"seed": est.seed_code}))


def my_school(request: HttpRequest) -> Establishment | None:
    """The secondary school a local measure's menu entry opens: the one the user is working as
    (their active membership), else their first secondary school by name; None when they have none."""
    est = getattr(request, "establishment", None)
    if est is None or est.type != EstablishmentType.SECONDARY:
        schools = Establishment.objects.filter(memberships__role__in=ESTABLISHMENT_ROLES,
                                               type=EstablishmentType.SECONDARY)
        est = schools.filter(memberships__user_id=int(request.user.pk or 0)).order_by("name").first()
    return est
