"""Curricular areas of a school (a local measure): the page, its exports, and the menu's way in.

Who may use them: as Breadth and Depth (insight.views.breadth) and the establishment dashboard:
any portal user, for any secondary school; a view by anyone but the school's own staff is written
to the audit log; every download is audited (insight.exports).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub.access import Entitlement
from datahub.models import ESTABLISHMENT_ROLES
from datahub.services import audit_event_create
from datahub.views_base import PortalView

from ..pages.areas import curricular_areas_page
from ..pages.parts import link_exports, link_share
from .breadth import my_school
from .dashboards import EstablishmentDashboardView, export_table


class CurricularAreasView(EstablishmentDashboardView):
    """A secondary school's curricular areas: any portal user; audited unless it is the viewer's own school."""

    def get(self, request: HttpRequest, seed: str) -> HttpResponse:
        est = self.establishment(seed)
        page = curricular_areas_page(request, est)
        if page.context["entitlement"] is not Entitlement.OWN:
            audit_event_create(actor=request.user, action="view_establishment_benchmarks",  # type: ignore[arg-type]
                               object_type="establishment", object_id=est.seed_code, establishment=est,
                               detail={"entitlement": page.context["entitlement"].value, "page": "curricular_areas"})
        link_exports(page, "insight:curricular_areas_export", seed=est.seed_code)
        link_share(page, request)
        return render(request, page.template, page.context)


class CurricularAreasExportView(EstablishmentDashboardView):
    """One table of a school's curricular areas as CSV or XLSX: as the page shows it, audited."""

    def get(self, request: HttpRequest, seed: str, table: str = "", fmt: str = "") -> HttpResponse:
        return export_table(request, curricular_areas_page(request, self.establishment(seed)), table, fmt)


class MyCurricularAreasView(PortalView, View):
    """/insight/curricular-areas/ (the menu's entry, for school staff: ``insight.nav``): the
    curricular areas of the school the user is working as, else of their first secondary
    school; the home page when they have none."""

    required_roles = ESTABLISHMENT_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        est = my_school(request)
        if est is None:
            return HttpResponseRedirect(reverse("dashboard"))
        return HttpResponseRedirect(reverse("insight:curricular_areas", kwargs={"seed": est.seed_code}))
