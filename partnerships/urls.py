"""Learning partnership pages, mounted at /partnerships/ (insight/config/urls.py)."""

from django.urls import include, path

from . import views
from .groups import views as group_views

app_name = "partnerships"

urlpatterns = [
    path("", views.PartnershipListView.as_view(), name="list"),
    path("propose/", views.ProposeView.as_view(), name="propose"),
    path("communities/", include("partnerships.communities.urls")),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"),
    path("groups/propose/", group_views.GroupProposeView.as_view(), name="group_propose"),
    path("groups/<int:pk>/", group_views.GroupDetailView.as_view(), name="group"),
    path("groups/<int:pk>/accept/", group_views.GroupActionView.as_view(action="accept"), name="group_accept"),
    path("groups/<int:pk>/decline/", group_views.GroupActionView.as_view(action="decline"), name="group_decline"),
    path("groups/<int:pk>/leave/", group_views.GroupActionView.as_view(action="leave"), name="group_leave"),
    path("groups/<int:pk>/end/", group_views.GroupActionView.as_view(action="end"), name="group_end"),
    path("groups/<int:pk>/aims/", group_views.GroupAimsView.as_view(), name="group_aims"),
    path("groups/<int:pk>/actions/", group_views.GroupPlanView.as_view(what="action"), name="group_action_add"),
    path("groups/<int:pk>/actions/<int:item>/", group_views.GroupPlanView.as_view(what="action_status"),
         name="group_action_status"),
    path("groups/<int:pk>/notes/", group_views.GroupPlanView.as_view(what="note"), name="group_note_add"),
    path("<int:pk>/", views.PartnershipDetailView.as_view(), name="detail"),
    path("<int:pk>/accept/", views.PartnershipActionView.as_view(action="accept"), name="accept"),
    path("<int:pk>/decline/", views.PartnershipActionView.as_view(action="decline"), name="decline"),
    path("<int:pk>/withdraw/", views.PartnershipActionView.as_view(action="withdraw"), name="withdraw"),
    path("<int:pk>/workspace/", include("partnerships.workspace.urls")),
    path("<int:pk>/end/", views.PartnershipActionView.as_view(action="end"), name="end"),
]
