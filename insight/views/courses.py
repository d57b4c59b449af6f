"""The Course Comparator (a local measure): a school's courses, one course, their exports, the
menu's way in, and an authority's vocational uptake.

Who may use them: a school's pages as the establishment dashboard (insight.views.dashboards): any
portal user, for any secondary school; what they show depends on the viewer's entitlement
(graded course measures only to the school's own staff, its authority and its learning partners:
insight.selectors.courses); a view by anyone but the school's own staff is written to the audit
log. The authority's uptake page: as the authority dashboard (analysts, MCMC officers, authority
and national data managers). Every download is audited (insight.exports).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from datahub.access import Entitlement
from datahub.models import ESTABLISHMENT_ROLES, Establishment, EstablishmentType
from datahub.services import audit_event_create
from datahub.views_base import PortalView

from ..pages.courses import course_page, courses_page, uptake_page
from ..pages.parts import Page, link_exports, link_share
from ..selectors.courses import Course, find_course
from .dashboards import EstablishmentDashboardView, export_table
from .local_authority import AuthorityMeasureView


def _audit_view(request: HttpRequest, est: Establishment, page: Page, name: str) -> None:
    if page.context["entitlement"] is not Entitlement.OWN:
        audit_event_create(actor=request.user, action="view_establishment_benchmarks",  # type: ignore[arg-type]
                           object_type="establishment", object_id=est.seed_code, establishment=est,
                           detail={"entitlement": page.context["entitlement"].value, "page": name})


def _course(key: str) -> Course:
    course = find_course(key)
    if course is None:
        raise Http404("No such course")
    return course


class CoursesView(EstablishmentDashboardView):
    """The courses a secondary school presented: any portal user; audited unless it is the viewer's own school."""

    def get(self, request: HttpRequest, seed: str) -> HttpResponse:
        est = self.establishment(seed)
        page = courses_page(request, est)
        _audit_view(request, est, page, "courses")
        link_exports(page, "insight:courses_export", seed=est.seed_code)
        link_share(page, request)
        return render(request, page.template, page.context)


class CoursesExportView(EstablishmentDashboardView):
    """The course list as CSV or XLSX: as the page shows it, audited."""

    def get(self, request: HttpRequest, seed: str, table: str = "", fmt: str = "") -> HttpResponse:
        return export_table(request, courses_page(request, self.establishment(seed)), table, fmt)


class CourseView(EstablishmentDashboardView):
    """One course of a secondary school: any portal user; audited unless it is the viewer's own school."""

    def get(self, request: HttpRequest, seed: str, course: str = "") -> HttpResponse:
        est = self.establishment(seed)
        found = _course(course)
        page = course_page(request, est, found)
        _audit_view(request, est, page, f"course {found.key}")
        link_exports(page, "insight:course_export", seed=est.seed_code, course=found.key)
        link_share(page, request)
        return render(request, page.template, page.context)


class CourseExportView(EstablishmentDashboardView):
    """One table of a course page as CSV or XLSX: as the page shows it, audited."""

    def get(
        self, request: HttpRequest, seed: str, course: str = "", table: str = "", fmt: str = ""
    ) -> HttpResponse:
        return export_table(request, course_page(request, self.establishment(seed), _course(course)), table, fmt)


class UptakeView(AuthorityMeasureView):
    """An authority's schools' vocational uptake side by side (and its export)."""

    build = staticmethod(uptake_page)
    export_url = "insight:course_uptake_export"


class MyCoursesView(PortalView, View):
    """/insight/courses/ (the menu's entry, for school staff: ``insight.nav``): the course list of
    the school the user is working as, else of their first secondary school; the home page when
    they have none."""

    required_roles = ESTABLISHMENT_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        est = getattr(request, "establishment", None)
        if est is None or est.type != EstablishmentType.SECONDARY:
            schools = Establishment.objects.filter(memberships__role__in=ESTABLISHMENT_ROLES,
                                                   type=EstablishmentType.SECONDARY)
            est = schools.filter(memberships__user_id=int(request.user.pk or 0)).order_by("name").first()
        if est is None:
            return HttpResponseRedirect(reverse("dashboard"))
        return HttpResponseRedirect(reverse("insight:courses", kwargs={"seed": est.seed_code}))
