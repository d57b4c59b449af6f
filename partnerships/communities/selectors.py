"""Reads for communities of practice, always inside a community the reader belongs to."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Community, CommunityMember, Post, Resource, Thread


def threads(community: Community) -> QuerySet[Thread]:
    return community.threads.select_related("started_by").annotate(n_posts=Count("posts"))


def thread_in(community: Community, pk: int) -> Thread | None:
    return community.threads.filter(pk=pk).first()


def posts(thread: Thread) -> QuerySet[Post]:
    return thread.posts.select_related("author", "hidden_by")


def post_in(community: Community, pk: int) -> Post | None:
    return Post.objects.filter(thread__community=community, pk=pk).select_related("thread__community").first()


def members(community: Community) -> QuerySet[CommunityMember]:
    return community.members.select_related("user")


def member_in(community: Community, pk: int) -> CommunityMember | None:
    return community.members.filter(pk=pk).select_related("user").first()


def resources(community: Community) -> QuerySet[Resource]:
    return community.resources.select_related("uploaded_by")


def resource_in(community: Community, pk: int) -> Resource | None:
    return community.resources.filter(pk=pk).first()
