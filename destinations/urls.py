from django.urls import path

from .views import audit, caseload, journeys, measures

app_name = "destinations"

urlpatterns = [
    path("", measures.DestinationsIndexView.as_view(), name="index"),
    path("schools/<str:seed>/", measures.SchoolMeasuresView.as_view(), name="school"),
    path("caseload/", caseload.CaseloadView.as_view(), name="caseload"),
    path("caseload/bulk/", caseload.CaseloadBulkView.as_view(), name="caseload_bulk"),
    path("caseload/export/", caseload.CaseloadExportView.as_view(), name="caseload_export"),
    path("young-people/<int:pk>/", journeys.JourneyView.as_view(), name="journey"),
    path("young-people/<int:pk>/contacts/new/", journeys.ContactCreateView.as_view(), name="contact_create"),
    path(
        "young-people/<int:pk>/destinations/new/",
        journeys.DestinationCreateView.as_view(),
        name="destination_create",
    ),
    path(
        "young-people/<int:pk>/participation/new/",
        journeys.ParticipationCreateView.as_view(),
        name="participation_create",
    ),
    path("young-people/<int:pk>/assignment/", journeys.AssignmentView.as_view(), name="assignment"),
    path("audit/", audit.AuditLogView.as_view(), name="audit"),
]
