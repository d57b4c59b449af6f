"""The insight app's pages, one module per feature: ``home`` (home page, accessibility statement,
health check), ``dashboards``, ``documents`` (the Summary PDF), ``partners`` (Find Partners) and
``methodology``. Views are thin: what a page shows is assembled in insight.pages from the reads in insight.selectors.

The root URLconf (insight/config/urls.py) routes the top-level pages from here."""

from .home import AccessibilityView, DashboardView, healthz

__all__ = ["AccessibilityView", "DashboardView", "healthz"]
