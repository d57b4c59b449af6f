"""Learning partnerships between establishments.

A partnership moves through proposed -> active (accepted) -> ended, or proposed -> declined /
withdrawn. The database guarantees: no partnership with yourself, and at most one *live*
(proposed or active) partnership per unordered pair of schools, whichever side proposed
(a unique index on the ordered pair low_id < high_id where status is live).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from datahub.models import Establishment


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ENDED = "ended", "Ended"


LIVE = (Status.PROPOSED, Status.ACTIVE)


@dataclass(frozen=True)
class Transition:
    """One move of the state machine (partnerships.services carries it out)."""

    verb: str  # audit action suffix and the word in messages
    from_status: Status
    to_status: Status
    side: str  # "partner", "proposer" or "either": whose admins may do it
    refusal: str  # why the other side may not


TRANSITIONS = {
    "accept": Transition("accept", Status.PROPOSED, Status.ACTIVE, "partner",
                         "Only the school that received the proposal can accept it."),
    "decline": Transition("decline", Status.PROPOSED, Status.DECLINED, "partner",
                          "Only the school that received the proposal can decline it."),
    "withdraw": Transition("withdraw", Status.PROPOSED, Status.WITHDRAWN, "proposer",
                           "Only the school that sent the proposal can withdraw it."),
    "end": Transition("end", Status.ACTIVE, Status.ENDED, "either", ""),
}

# Why a transition is refused when the partnership is already in this state.
STATE_REFUSAL = {
    Status.PROPOSED: "The proposal is still waiting for an answer.",
    Status.ACTIVE: "The partnership is already active.",
    Status.DECLINED: "The proposal was declined.",
    Status.WITHDRAWN: "The proposal was withdrawn.",
    Status.ENDED: "The partnership has ended.",
}


class Partnership(models.Model):
    proposer = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="partnerships_proposed")
    partner = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="partnerships_received")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(proposer=F("partner")), name="partnership_not_self"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="partnership_status_known"),
            models.UniqueConstraint(
                Least("proposer", "partner"),
                Greatest("proposer", "partner"),
                condition=Q(status__in=[s.value for s in LIVE]),
                name="partnership_one_live_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposer} - {self.partner} ({self.get_status_display()})"

    def other(self, establishment: Establishment) -> Establishment:
        return self.partner if establishment.pk == self.proposer_id else self.proposer


class PartnershipEvent(models.Model):
    """Every transition: who, when, from which state to which, with an optional message."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    acting_for = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField(blank=True, max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class Notification(models.Model):
    """An in-app notice to one of the other school's admins that a partnership changed state,
    or to a partnership group's other schools' admins that the group changed (``group`` and
    ``group_event`` set instead of ``partnership`` and ``event``).

    Written by partnerships.services (partnerships.groups.services) with the event; the text is
    fixed when written, so it still reads correctly after later transitions or renamed schools.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partnership_notifications"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    event = models.ForeignKey(
        PartnershipEvent, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    group = models.ForeignKey(
        "partnerships.PartnershipGroup", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    group_event = models.ForeignKey(
        "partnerships.GroupEvent", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+", help_text="The school the recipient is told as"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="partnership_notif_unread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(partnership__isnull=False, event__isnull=False, group__isnull=True)
                | Q(partnership__isnull=True, event__isnull=True, group__isnull=False, group_event__isnull=False),
                name="partnership_notif_pair_or_group",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def message(self) -> str:
        """The message the acting admin wrote with the change, if any."""
        ev = self.event or self.group_event
        return ev.message if ev is not None else ""


# The workspace's, the communities' and the partnership groups' models belong to this app
# (partnerships/workspace/models.py, partnerships/communities/models.py, partnerships/groups/models.py).
from .communities.models import Community, CommunityMember, CommunityNotice, Post, Resource, Thread  # noqa: E402, F401
from .groups.models import GroupAction, GroupEvent, GroupMember, GroupNote, PartnershipGroup  # noqa: E402, F401
from .workspace.models import (  # noqa: E402, F401
    Action,
    ActionStatus,
    JointBaseline,
    JointMeasure,
    Lead,
    MeetingNote,
    SharedFile,
    Workspace,
    WorkspaceNotice,
)
