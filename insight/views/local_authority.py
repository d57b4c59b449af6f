"""An authority's view of the local measures: Breadth and Depth and the curricular areas of every
school of the authority side by side, their exports, and the menu's ways in.

Who may use them: as the authority dashboard (``insight.views.dashboards.AuthorityPageView``:
analysts, MCMC officers, authority and national data managers), for any authority; the figures
of each school under the viewer's entitlement to it (``insight.pages.local_authority``). Every
download is audited (insight.exports).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from datahub.access import memberships_of
from datahub.models import LocalAuthority

from ..pages.local_authority import authority_breadth_depth_page, authority_curricular_areas_page
from ..pages.parts import Page, link_exports, link_share
from .dashboards import AuthorityPageView, export_table


class AuthorityMeasureView(AuthorityPageView):
    """One measure of an authority's schools side by side: the page, or with ``table`` and ``fmt``
    (the export route) one of its tables as CSV or XLSX, as the page shows it, audited."""

    build: Callable[[HttpRequest, LocalAuthority], Page]
    export_url = ""

    def get(self, request: HttpRequest, code: str, table: str = "", fmt: str = "") -> HttpResponse:
        page = type(self).build(request, get_object_or_404(LocalAuthority, code=int(code)))
        if table:
            return export_table(request, page, table, fmt)
        link_exports(page, self.export_url, code=code)
        link_share(page, request)
        return render(request, page.template, page.context)


class AuthorityBreadthDepthView(AuthorityMeasureView):
    """Breadth and Depth of an authority's schools side by side."""

    build = staticmethod(authority_breadth_depth_page)
    export_url = "insight:authority_breadth_depth_export"


class AuthorityCurricularAreasView(AuthorityMeasureView):
    """One curricular area of an authority's schools side by side."""

    build = staticmethod(authority_curricular_areas_page)
    export_url = "insight:authority_curricular_areas_export"


def my_authority(request: HttpRequest) -> LocalAuthority | None:
    """The authority a menu entry opens: the one the user is working for (their active
    membership), else their first membership's authority by name; None for national roles."""
    active = getattr(request, "membership", None)
    for m in ([active] if active is not None else []) + sorted(
            memberships_of(request.user), key=lambda m: m.authority.name if m.authority else "~"):
        authority = m.authority or (m.establishment.authority if m.establishment else None)
        if authority is not None:
            return authority
    return None


class _MyAuthorityPage(AuthorityPageView):
    """The menu's way in: the page of the user's own authority; the home page (its authority
    dashboards) for national roles, who choose an authority there."""

    url_name = ""

    def get(self, request: HttpRequest) -> HttpResponse:
        authority = my_authority(request)
        if authority is None:
            return HttpResponseRedirect(reverse("dashboard"))
        return HttpResponseRedirect(reverse(self.url_name, kwargs={"code": authority.code}))


class MyAuthorityBreadthDepthView(_MyAuthorityPage):
    url_name = "insight:authority_breadth_depth"


class MyAuthorityCurricularAreasView(_MyAuthorityPage):
    url_name = "insight:authority_curricular_areas"


class MyCourseUptakeView(_MyAuthorityPage):
    url_name = "insight:course_uptake"
