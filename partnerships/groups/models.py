"""A partnership group: a name, a purpose, the schools invited and how each answered.

Group:   forming --(third school joins)--> active --end (founder)--> ended
            |------end (founder), or too few schools left to form--> ended
         active --(a member leaves and fewer than three remain)--> ended

Member:  invited --accept--> joined --leave--> left
            |------decline--> declined
            '------withdraw (founder)--> withdrawn
         declined, left, withdrawn --invite (founder, after founding)--> invited

The founding school is a member from the start (joined). Each school is in a group at most once
(a unique constraint); an ended group and its members are kept as a read-only record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datahub.models import Establishment

MIN_SCHOOLS = 3  # a group is more than a pair: the founder and at least two more
MAX_INVITED = 20


class GroupStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class MemberStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Declined"
    LEFT = "left", "Left"
    WITHDRAWN = "withdrawn", "Invitation withdrawn"


class PartnershipGroup(models.Model):
    name = models.CharField(max_length=150)
    purpose = models.TextField(max_length=2000)
    aims = models.TextField(blank=True, max_length=4000)
    founder = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="partnership_groups_founded")
    status = models.CharField(max_length=10, choices=GroupStatus.choices, default=GroupStatus.FORMING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    aims_updated_at = models.DateTimeField(null=True, blank=True)
    aims_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in GroupStatus]), name="partnership_group_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class GroupMember(models.Model):
    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="members")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="partnership_group_memberships")
    status = models.CharField(max_length=10, choices=MemberStatus.choices, default=MemberStatus.INVITED)
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["establishment__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "establishment"], name="partnership_group_member_once"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MemberStatus]), name="partnership_group_member_status_known"
            ),
        ]


class GroupEvent(models.Model):
    """Every change: who, when, for which school, what (propose, accept, decline, leave, end, and
    the group becoming active or ending by itself), with an optional message."""

    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    acting_for = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    group_status = models.CharField(max_length=10, choices=GroupStatus.choices, help_text="The group's status after")
    message = models.TextField(blank=True, max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class GroupAction(models.Model):
    """One action of the group's shared plan: what, who owns it (a person at a member school), by when.

    The group's own table (the pair workspace's ``Action`` hangs off a Partnership): the same
    fields and statuses, and the same daily reminder to its owner (``due_notified_on``)."""

    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    owner_name = models.CharField(max_length=150)
    owner_establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=12, default="not_started")  # workspace.models.ActionStatus
    evidence_url = models.URLField(blank=True, max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    due_notified_on = models.DateField(null=True, blank=True, help_text="When its owner was reminded it is due")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "done", "dropped"]),
                name="partnership_group_action_status_known",
            ),
        ]


class GroupNote(models.Model):
    """Notes of a meeting of the group."""

    group = models.ForeignKey(PartnershipGroup, on_delete=models.CASCADE, related_name="meeting_notes")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    notes = models.TextField(max_length=10000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
