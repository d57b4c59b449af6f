"""User administration, mounted at /users/ (insight/config/urls.py). User administrators only."""

from django.urls import path

from . import views

app_name = "useradmin"

urlpatterns = [
    path("", views.PeopleView.as_view(), name="people"),
    path("invite/", views.InviteView.as_view(), name="invite"),
    path("<int:pk>/", views.PersonView.as_view(), name="person"),
    path("roles/<int:pk>/revoke/", views.RevokeView.as_view(), name="revoke"),
]
