"""Benchmarking dashboards: a school, an authority and Scotland, with breakdowns and exports.

Who may use them (insight.entitlement and datahub.access decide; these views only declare it):

- Establishment dashboard: any portal user, for any secondary school ("Change establishment").
  A view by anyone but the school's own staff is written to the audit log.
- Authority dashboard: analysts (authority and national), MCMC officers and authority or
  national data managers, for any authority.
- National view: national analysts and national data managers.

What each page shows is assembled in insight.pages; every table on a page can be downloaded as
CSV or XLSX (insight.exports) from the same object the page shows, so the files match the page
cell for cell; every download is audited.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from datahub.access import Entitlement
from datahub.models import Establishment, EstablishmentType, LocalAuthority
from datahub.services import audit_event_create
from datahub.views_base import PortalView

from .. import exports
from ..entitlement import may_use_authority_dashboards, may_use_national_view
from ..pages.authority import authority_page
from ..pages.establishment import establishment_page
from ..pages.home import home_lead
from ..pages.national import national_page
from ..pages.parts import Page, link_share


def export_table(request: HttpRequest, page: Page, table_id: str, fmt: str) -> HttpResponse:
    """One table of a page as CSV or XLSX, as the page shows it (audited by insight.exports)."""
    table = page.tables.get(table_id)
    if table is None or fmt not in exports.FORMATS:
        raise Http404("No such table")
    return exports.export_response(
        request, table, fmt, name=exports.filename(page.export_name, table.id), source=page.source,
        viewer_note=page.viewer_note, **page.audit,
    )


# --- The establishment dashboard --------------------------------------------------------------------


def school_from_choice(text: str) -> Establishment | None:
    """The secondary school named by the "Change establishment" box: "Name, Authority (SEED)" as the
    list offers it, a bare SEED code, or a name that only one secondary school has."""
    schools = Establishment.objects.filter(type=EstablishmentType.SECONDARY)
    seed = re.search(r"(\d{7})\)?\s*$", text)
    if seed:
        return schools.filter(seed_code=seed.group(1)).first()
    named = list(schools.filter(name__iexact=text)[:2])
    return named[0] if len(named) == 1 else None


class EstablishmentDashboardView(PortalView, View):
    """A secondary school's benchmarks: any portal user; audited unless it is the viewer's own school."""

    def establishment(self, seed: str) -> Establishment:
        return get_object_or_404(Establishment.objects.select_related("authority"), seed_code=seed,
                                 type=EstablishmentType.SECONDARY)

    def get(self, request: HttpRequest, seed: str) -> HttpResponse:
        change = request.GET.get("change", "").strip()
        if change:
            other = school_from_choice(change)
            if other is None:
                messages.error(request, f"No secondary school matches \u201c{change[:100]}\u201d: choose one from the list.")
            return HttpResponseRedirect(
                reverse("insight:establishment_dashboard", kwargs={"seed": other.seed_code if other else seed})
            )
        est = self.establishment(seed)
        page = establishment_page(request, est)
        if page.context["entitlement"] is not Entitlement.OWN:
            audit_event_create(actor=request.user, action="view_establishment_benchmarks",  # type: ignore[arg-type]
                               object_type="establishment", object_id=est.seed_code, establishment=est,
                               detail={"entitlement": page.context["entitlement"].value})
        link_share(page, request)
        return render(request, page.template, page.context)


class EstablishmentExportView(EstablishmentDashboardView):
    """One table of a school's dashboard as CSV or XLSX: as the page shows it, audited."""

    def get(self, request: HttpRequest, seed: str, table: str = "", fmt: str = "") -> HttpResponse:
        est = self.establishment(seed)
        page = establishment_page(request, est)
        return export_table(request, page, table, fmt)


# --- The authority dashboard ------------------------------------------------------------------------


class AuthorityPageView(PortalView, View):
    """Pages of one authority's benchmarks: analysts, MCMC officers, authority and national data managers."""

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not may_use_authority_dashboards(request.user):
            raise PermissionDenied("Authority dashboards are for analysts and authority staff")


class AuthorityDashboardView(AuthorityPageView):
    """An authority's schools side by side."""

    def get(self, request: HttpRequest, code: int) -> HttpResponse:
        change = request.GET.get("change", "")
        if change.isdigit() and int(change) != code and LocalAuthority.objects.filter(code=int(change)).exists():
            return HttpResponseRedirect(reverse("insight:authority_dashboard", kwargs={"code": int(change)}))
        authority = get_object_or_404(LocalAuthority, code=code)
        page = authority_page(request, authority)
        link_share(page, request)
        return render(request, page.template, page.context)


class AuthorityExportView(AuthorityPageView):
    def get(self, request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
        authority = get_object_or_404(LocalAuthority, code=int(code))
        return export_table(request, authority_page(request, authority), table, fmt)


# --- The national view ---------------------------------------------------------------------------------


class NationalPageView(PortalView, View):
    """Pages of the national view: national analysts and national data managers."""

    def check_access(self, request: HttpRequest, **kwargs: Any) -> None:
        if not may_use_national_view(request.user):
            raise PermissionDenied("The national view is for national analysts")


class NationalView(NationalPageView):
    """Authorities side by side and schools where disclosure allows."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = national_page(request)
        link_share(page, request)
        return render(request, page.template, page.context)


class NationalExportView(NationalPageView):
    def get(self, request: HttpRequest, table: str, fmt: str) -> HttpResponse:
        return export_table(request, national_page(request), table, fmt)


# --- The home page's lead into the dashboards --------------------------------------------------------


class BenchmarksView(PortalView, View):
    """/insight/benchmarks/: a stable link (e.g. for the main menu) to the user's own dashboard for
    their active membership; home when they have none. Any portal user."""

    def get(self, request: HttpRequest) -> HttpResponse:
        lead = home_lead(request, summaries=False).get("lead")
        return HttpResponseRedirect(lead["url"] if lead else reverse("dashboard"))
