"""URL patterns of the insight app's dashboard pages (combined in insight/insight_urls.py)."""

from django.urls import URLPattern, path, re_path

from . import views_dashboards as views

_EXPORT = r"export/(?P<table>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$"

urlpatterns: list[URLPattern] = [
    path("benchmarks/", views.BenchmarksView.as_view(), name="benchmarks"),
    path("establishments/<str:seed>/", views.EstablishmentDashboardView.as_view(), name="establishment_dashboard"),
    re_path(r"^establishments/(?P<seed>[0-9]{7})/" + _EXPORT, views.EstablishmentExportView.as_view(),
            name="establishment_export"),
    path("authorities/<int:code>/", views.AuthorityDashboardView.as_view(), name="authority_dashboard"),
    re_path(r"^authorities/(?P<code>[0-9]+)/" + _EXPORT, views.AuthorityExportView.as_view(), name="authority_export"),
    path("national/", views.NationalView.as_view(), name="national"),
    re_path(r"^national/" + _EXPORT, views.NationalExportView.as_view(), name="national_export"),
]
