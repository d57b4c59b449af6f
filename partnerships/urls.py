"""Learning partnership pages, mounted at /partnerships/ (insight/config/urls.py)."""

from django.urls import include, path

from . import views

app_name = "partnerships"

urlpatterns = [
    path("", views.PartnershipListView.as_view(), name="list"),
    path("propose/", views.ProposeView.as_view(), name="propose"),
    path("communities/", include("partnerships.communities.urls")),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"),
    path("<int:pk>/", views.PartnershipDetailView.as_view(), name="detail"),
    path("<int:pk>/accept/", views.PartnershipActionView.as_view(action="accept"), name="accept"),
    path("<int:pk>/decline/", views.PartnershipActionView.as_view(action="decline"), name="decline"),
    path("<int:pk>/withdraw/", views.PartnershipActionView.as_view(action="withdraw"), name="withdraw"),
    path("<int:pk>/workspace/", include("partnerships.workspace.urls")),
    path("<int:pk>/end/", views.PartnershipActionView.as_view(action="end"), name="end"),
]
