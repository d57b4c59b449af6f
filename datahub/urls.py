from django.urls import path

from . import views, views_imports

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
    # Imports (datahub.views_imports): data managers only.
    path("imports/", views_imports.ImportIndexView.as_view(), name="import_index"),
    path("imports/history/", views_imports.ImportHistoryView.as_view(), name="import_history"),
    path("imports/upload/<slug:kind>/", views_imports.ImportUploadView.as_view(), name="import_upload"),
    path("imports/upload/<slug:kind>/template/", views_imports.ImportTemplateView.as_view(), name="import_template"),
    path("imports/batches/<int:pk>/", views_imports.ImportBatchView.as_view(), name="import_batch"),
    path("imports/batches/<int:pk>/status/", views_imports.ImportBatchStatusView.as_view(), name="import_batch_status"),
    path("imports/batches/<int:pk>/errors.csv", views_imports.ImportBatchErrorsView.as_view(), name="import_batch_errors"),
    path("imports/batches/<int:pk>/cancel/", views_imports.ImportBatchCancelView.as_view(), name="import_batch_cancel"),
]
