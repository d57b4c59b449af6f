"""Learning partnership pages, mounted at /partnerships/ (insight/config/urls.py)."""

from django.urls import include, path

from . import views
from .groups import views as group_views
from .groups import workspace_views as group_ws

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
    path("groups/<int:pk>/actions/<int:item>/edit/", group_ws.GroupActionEditView.as_view(), name="group_action_edit"),
    path("groups/<int:pk>/notes/", group_views.GroupPlanView.as_view(what="note"), name="group_note_add"),
    path("groups/<int:pk>/invite/", group_ws.GroupInviteView.as_view(what="invite"), name="group_invite"),
    path("groups/<int:pk>/invitations/<int:item>/withdraw/", group_ws.GroupInviteView.as_view(what="withdraw"),
         name="group_withdraw"),
    path("groups/<int:pk>/evaluation/", group_ws.GroupEvaluationView.as_view(), name="group_evaluation"),
    path("groups/<int:pk>/measures/", group_ws.GroupMeasuresView.as_view(), name="group_measures"),
    path("groups/<int:pk>/leads/add/", group_ws.GroupLeadAddView.as_view(), name="group_lead_add"),
    path("groups/<int:pk>/leads/<int:item>/remove/", group_ws.GroupRemoveView.as_view(kind="lead"),
         name="group_lead_remove"),
    path("groups/<int:pk>/files/add/", group_ws.GroupFileAddView.as_view(), name="group_file_add"),
    path("groups/<int:pk>/files/<int:file>/", group_ws.GroupFileDownloadView.as_view(), name="group_file"),
    path("groups/<int:pk>/files/<int:item>/remove/", group_ws.GroupRemoveView.as_view(kind="file"),
         name="group_file_remove"),
    path("<int:pk>/", views.PartnershipDetailView.as_view(), name="detail"),
    path("<int:pk>/accept/", views.PartnershipActionView.as_view(action="accept"), name="accept"),
    path("<int:pk>/decline/", views.PartnershipActionView.as_view(action="decline"), name="decline"),
    path("<int:pk>/withdraw/", views.PartnershipActionView.as_view(action="withdraw"), name="withdraw"),
    path("<int:pk>/workspace/", include("partnerships.workspace.urls")),
    path("<int:pk>/end/", views.PartnershipActionView.as_view(action="end"), name="end"),
]
