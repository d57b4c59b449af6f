from django.urls import path

from . import views

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
]
