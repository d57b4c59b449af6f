from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from oauth2_provider.views import RevokeTokenView, TokenView

from datahub.account_views import DashboardSettingsView, NoticeSettingsView
from datahub.views import SwitchContextView
from insight import views
from insight.views import apidocs

# The admin login goes through allauth, so its rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Insight Portal administration"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("accounts/notices/", NoticeSettingsView.as_view(), name="notice_settings"),
    path("accounts/dashboards/", DashboardSettingsView.as_view(), name="dashboard_settings"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("context/", SwitchContextView.as_view(), name="switch_context"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("healthz/", views.healthz, name="healthz"),
    path("datahub/", include("datahub.urls")),
    path("users/", include("datahub.useradmin.urls")),
    path("insight/", include("insight.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("destinations/", include("destinations.urls")),
    path("api/v1/", include("insight.config.api", namespace="api")),
    # OAuth2 for systems (datahub/oauth.py): token and revocation only, no browser flows.
    path("oauth/token/", TokenView.as_view(), name="oauth_token"),
    path("oauth/revoke/", RevokeTokenView.as_view(), name="oauth_revoke"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Our own page of the schema: Swagger UI failed WCAG 2.2 AA (insight/views/apidocs.py).
    path("api/docs/", apidocs.api_docs, name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
]
