from django.urls import path

from . import views
from .imports import mapping_views
from .imports import views as import_views
from .referencedata import views as reference_views

app_name = "datahub"

urlpatterns = [
    path("", views.DataHubIndexView.as_view(), name="index"),
    path("establishments/<str:seed>/", views.EstablishmentDetailView.as_view(), name="establishment"),
    path(
        "establishments/<str:seed>/learners/",
        views.EstablishmentLearnersView.as_view(),
        name="establishment_learners",
    ),
    path("learners/<int:pk>/", views.LearnerDetailView.as_view(), name="learner"),
    # Reference data (school contact list, SIMD): national data managers only.
    path("reference-data/", reference_views.ReferenceDataView.as_view(), name="reference_data"),
    # Imports (datahub.imports.views): data managers only.
    path("imports/", import_views.ImportIndexView.as_view(), name="import_index"),
    path("imports/history/", import_views.ImportHistoryView.as_view(), name="import_history"),
    path("imports/upload/<slug:kind>/", import_views.ImportUploadView.as_view(), name="import_upload"),
    path("imports/upload/<slug:kind>/template/", import_views.ImportTemplateView.as_view(), name="import_template"),
    path(
        "imports/upload/<slug:kind>/map/<str:token>/", mapping_views.ImportMappingView.as_view(), name="import_mapping"
    ),
    path("imports/profiles/", mapping_views.ImportProfilesView.as_view(), name="import_profiles"),
    path(
        "imports/profiles/<int:pk>/delete/",
        mapping_views.ImportProfileDeleteView.as_view(),
        name="import_profile_delete",
    ),
    path("imports/batches/<int:pk>/", import_views.ImportBatchView.as_view(), name="import_batch"),
    path("imports/batches/<int:pk>/status/", import_views.ImportBatchStatusView.as_view(), name="import_batch_status"),
    path("imports/batches/<int:pk>/errors.csv", import_views.ImportBatchErrorsView.as_view(), name="import_batch_errors"),
    path("imports/batches/<int:pk>/cancel/", import_views.ImportBatchCancelView.as_view(), name="import_batch_cancel"),
]
