"""Community pages, included by partnerships/urls.py at /partnerships/communities/ (names in the
``partnerships`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.CommunityListView.as_view(), name="communities"),
    path("new/", views.CommunityCreateView.as_view(), name="community_create"),
    path("<int:pk>/", views.CommunityView.as_view(), name="community"),
    path("<int:pk>/members/", views.MemberAddView.as_view(), name="community_member_add"),
    path("<int:pk>/members/<int:member>/remove/", views.MemberRemoveView.as_view(), name="community_member_remove"),
    path("<int:pk>/leave/", views.LeaveView.as_view(), name="community_leave"),
    path("<int:pk>/threads/new/", views.ThreadAddView.as_view(), name="community_thread_add"),
    path("<int:pk>/threads/<int:thread>/", views.ThreadView.as_view(), name="community_thread"),
    path("<int:pk>/posts/<int:post>/hide/", views.PostHideView.as_view(), name="community_post_hide"),
    path("<int:pk>/resources/", views.ResourceAddView.as_view(), name="community_resource_add"),
    path("<int:pk>/resources/<int:resource>/", views.ResourceDownloadView.as_view(), name="community_resource"),
]
