from django.urls import path

from .pathways import measures_views as pathway_measures
from .pathways import views as pathway_views
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

# Before they leave (destinations.pathways): pupils' pathways, offers and the readiness board.
urlpatterns += [
    path("readiness/", pathway_views.ReadinessBoardView.as_view(), name="readiness"),
    path("readiness/export/", pathway_views.ReadinessExportView.as_view(), name="readiness_export"),
    path("readiness/bulk/", pathway_views.ReadinessBulkView.as_view(), name="readiness_bulk"),
    path("readiness/weights/", pathway_views.RiskWeightsView.as_view(), name="risk_weights"),
    path("pupils/<int:pk>/pathway/", pathway_views.PupilPathwayView.as_view(), name="pathway"),
    path("pupils/<int:pk>/pathway/edit/", pathway_views.PathwayEditView.as_view(), name="pathway_edit"),
    path("pupils/<int:pk>/offers/new/", pathway_views.OfferCreateView.as_view(), name="offer_create"),
    path("pupils/<int:pk>/offers/<int:offer>/status/", pathway_views.OfferStatusView.as_view(), name="offer_status"),
]

# Readiness measures (aggregates of the pipeline week by week; analysts too).
urlpatterns += [
    path("readiness/measures/", pathway_measures.ReadinessMeasuresView.as_view(), name="readiness_measures"),
    path("readiness/measures/export/", pathway_measures.ReadinessMeasuresExportView.as_view(),
         name="readiness_measures_export"),
]
