"""URL patterns of the insight app's methodology page (combined in insight/insight_urls.py)."""

from django.urls import path

from .views_methodology import MethodologyView

urlpatterns = [path("methodology/", MethodologyView.as_view(), name="methodology")]
