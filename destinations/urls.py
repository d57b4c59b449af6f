from django.urls import path

from . import views

app_name = "destinations"

urlpatterns = [
    path("", views.DestinationsIndexView.as_view(), name="index"),
    path("schools/<str:seed>/", views.SchoolMeasuresView.as_view(), name="school"),
    path("caseload/", views.CaseloadView.as_view(), name="caseload"),
    path("caseload/bulk/", views.CaseloadBulkView.as_view(), name="caseload_bulk"),
    path("caseload/export/", views.CaseloadExportView.as_view(), name="caseload_export"),
    path("young-people/<int:pk>/", views.JourneyView.as_view(), name="journey"),
    path("young-people/<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path("young-people/<int:pk>/destinations/new/", views.DestinationCreateView.as_view(), name="destination_create"),
    path(
        "young-people/<int:pk>/participation/new/",
        views.ParticipationCreateView.as_view(),
        name="participation_create",
    ),
    path("young-people/<int:pk>/assignment/", views.AssignmentView.as_view(), name="assignment"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
]
