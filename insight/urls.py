"""URL patterns of the insight app's pages, under the ``insight`` namespace (included at /insight/)."""

from django.urls import URLPattern, path, re_path
from django.views import View

from .groups import views as group_views
from .views import areas, breadth, courses, dashboards, documents, local_authority, methodology, partners, runs

app_name = "insight"

_EXPORT = r"export/(?P<table>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$"


def _with_export(route: str, view: type[View], name: str) -> list[URLPattern]:
    """A page's route and its tables' export route, both served by ``view``."""
    return [re_path(route + "$", view.as_view(), name=name),
            re_path(route + _EXPORT, view.as_view(), name=f"{name}_export")]


_COURSE = r"[^/]{1,12}-[A-Z0-9]{1,3}-[0-9]{1,2}"  # subject code, award type, SCQF level: ENG-N5-5

urlpatterns: list[URLPattern] = [
    # Benchmarking dashboards
    path("benchmarks/", dashboards.BenchmarksView.as_view(), name="benchmarks"),
    path("establishments/<str:seed>/", dashboards.EstablishmentDashboardView.as_view(),
         name="establishment_dashboard"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/" + _EXPORT, dashboards.EstablishmentExportView.as_view(),
            name="establishment_export"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/summary\.pdf$", documents.EstablishmentSummaryView.as_view(),
            name="establishment_summary_pdf"),
    # Local measures (issue 12): Breadth and Depth of a school's S4, S5, S6 and leaver cohorts
    path("breadth-depth/", breadth.MyBreadthDepthView.as_view(), name="my_breadth_depth"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/breadth-depth/$", breadth.BreadthDepthView.as_view(),
            name="breadth_depth"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/breadth-depth/" + _EXPORT, breadth.BreadthDepthExportView.as_view(),
            name="breadth_depth_export"),
    # ... and their curricular areas
    path("curricular-areas/", areas.MyCurricularAreasView.as_view(), name="my_curricular_areas"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/curricular-areas/$", areas.CurricularAreasView.as_view(),
            name="curricular_areas"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/curricular-areas/" + _EXPORT,
            areas.CurricularAreasExportView.as_view(), name="curricular_areas_export"),
    # The Course Comparator (issue 12): a school's courses, one course, an authority's vocational uptake
    path("courses/", courses.MyCoursesView.as_view(), name="my_courses"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/courses/$", courses.CoursesView.as_view(), name="courses"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/courses/" + _EXPORT, courses.CoursesExportView.as_view(),
            name="courses_export"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/courses/(?P<course>" + _COURSE + r")/$", courses.CourseView.as_view(),
            name="course"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/courses/(?P<course>" + _COURSE + r")/" + _EXPORT,
            courses.CourseExportView.as_view(), name="course_export"),
    *_with_export(r"^authorities/(?P<code>[0-9]+)/courses/uptake/", courses.UptakeView, "course_uptake"),
    # An authority's view of the local measures: its schools side by side (and the menu's ways in)
    path("authority-breadth-depth/", local_authority.MyAuthorityBreadthDepthView.as_view(),
         name="my_authority_breadth_depth"),
    path("authority-curricular-areas/", local_authority.MyAuthorityCurricularAreasView.as_view(),
         name="my_authority_curricular_areas"),
    path("authority-courses-uptake/", local_authority.MyCourseUptakeView.as_view(), name="my_course_uptake"),
    *_with_export(r"^authorities/(?P<code>[0-9]+)/breadth-depth/", local_authority.AuthorityBreadthDepthView,
                  "authority_breadth_depth"),
    *_with_export(r"^authorities/(?P<code>[0-9]+)/curricular-areas/", local_authority.AuthorityCurricularAreasView,
                  "authority_curricular_areas"),
    path("authorities/<int:code>/", dashboards.AuthorityDashboardView.as_view(), name="authority_dashboard"),
    re_path(r"^authorities/(?P<code>[0-9]+)/" + _EXPORT, dashboards.AuthorityExportView.as_view(),
            name="authority_export"),
    path("national/", dashboards.NationalView.as_view(), name="national"),
    re_path(r"^national/" + _EXPORT, dashboards.NationalExportView.as_view(), name="national_export"),
    # Comparator groups (issue 15): build, share, and see beside the VC on the dashboards
    path("groups/", group_views.GroupListView.as_view(), name="groups"),
    path("groups/new/", group_views.GroupNewView.as_view(), name="group_new"),
    path("groups/<int:pk>/", group_views.GroupDetailView.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", group_views.GroupEditView.as_view(), name="group_edit"),
    path("groups/<int:pk>/share/", group_views.GroupShareView.as_view(), name="group_share"),
    path("groups/<int:pk>/delete/", group_views.GroupDeleteView.as_view(), name="group_delete"),
    # Find Partners
    path("find-partners/", partners.FindPartnersView.as_view(), name="find_partners"),
    # How every figure is worked out
    path("methodology/", methodology.MethodologyView.as_view(), name="methodology"),
    # Benchmark runs: start, watch, check, publish (insight.views.runs)
    path("runs/", runs.RunsView.as_view(), name="runs"),
    path("runs/start/", runs.RunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", runs.RunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress.json", runs.RunProgressView.as_view(), name="run_progress"),
    path("runs/<int:pk>/cancel/", runs.RunCancelView.as_view(), name="run_cancel"),
    path("runs/<int:pk>/publish/", runs.RunPublishView.as_view(), name="run_publish"),
    path("runs/<int:pk>/unpublish/", runs.RunUnpublishView.as_view(), name="run_unpublish"),
    path("releases/<int:pk>/", runs.ReleaseNoteView.as_view(), name="release_note"),
]
