"""The insight app's pages under the ``insight`` namespace, one module per feature."""

from . import dashboard_urls, methodology_urls, partner_urls

app_name = "insight"

urlpatterns = [*dashboard_urls.urlpatterns, *partner_urls.urlpatterns, *methodology_urls.urlpatterns]
