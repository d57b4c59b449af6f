"""URL patterns of the insight app's partner pages (combined in insight/insight_urls.py)."""

from django.urls import URLPattern, path

from . import views_partners

urlpatterns: list[URLPattern] = [
    path("find-partners/", views_partners.FindPartnersView.as_view(), name="find_partners"),
]
