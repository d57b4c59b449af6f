"""URL patterns of the insight app's dashboard pages (combined in insight/insight_urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
