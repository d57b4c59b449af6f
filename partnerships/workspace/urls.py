"""Workspace pages, included by partnerships/urls.py under <int:pk>/workspace/ (names in its namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.WorkspaceView.as_view(), name="workspace"),
    path("evaluation/", views.EvaluationView.as_view(), name="workspace_evaluation"),
    path("aims/", views.AimsView.as_view(), name="workspace_aims"),
    path("leads/add/", views.LeadAddView.as_view(), name="workspace_lead_add"),
    path("leads/<int:item>/remove/", views.RemoveView.as_view(kind="lead"), name="workspace_lead_remove"),
    path("actions/add/", views.ActionAddView.as_view(), name="workspace_action_add"),
    path("actions/<int:action>/", views.ActionEditView.as_view(), name="workspace_action_edit"),
    path("notes/add/", views.NoteAddView.as_view(), name="workspace_note_add"),
    path("files/add/", views.FileAddView.as_view(), name="workspace_file_add"),
    path("files/<int:file>/", views.FileDownloadView.as_view(), name="workspace_file"),
    path("files/<int:item>/remove/", views.RemoveView.as_view(kind="file"), name="workspace_file_remove"),
    path("measures/", views.MeasuresView.as_view(), name="workspace_measures"),
]
