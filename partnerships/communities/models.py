"""A community of practice: its members, discussion threads and posts, and shared resources.

Created by authority or national data managers (partnerships.communities.access). A post may
embed a view of the portal by its address (``Post.embed_url``): only the address is stored; the
figures are assembled for each reader with that reader's own entitlement (insight.embeds).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from datahub.models import LocalAuthority

MAX_POST = 10_000


class Community(models.Model):
    name = models.CharField(max_length=150)
    purpose = models.TextField(max_length=2000, blank=True)
    # The authority whose data manager created it (none: created nationally). Says whose it is.
    authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class CommunityMember(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships")
    is_admin = models.BooleanField(default=False, help_text="Adds members and hides posts")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="community_member_once")]


class Thread(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_post_at", "-id"]


class Post(models.Model):
    """The first post of a thread, or a reply. Its text is shown escaped, never as markup."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=MAX_POST)
    embed_url = models.CharField(max_length=500, blank=True, help_text="A dashboard's address on this portal")
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    hidden_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]


def _resource_path(instance: Resource, filename: str) -> str:
    # Our random token, never the uploader's name (partnerships.workspace.files).
    return f"communities/{instance.community_id}/{instance.token}"


class Resource(models.Model):
    """A file shared with the community: the workspace's limits and virus-scan hook apply."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="resources")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=_resource_path, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    scanned = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]


class CommunityNotice(models.Model):
    """An in-portal notice: a new thread or reply in one of the person's communities, or being added
    to one. Cleared when the person opens the community (or the thread)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_notices")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="notices")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it went out by e-mail (at once, or in the daily digest): nothing is e-mailed twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="community_notice_unread")]
