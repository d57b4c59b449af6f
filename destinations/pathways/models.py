"""Pathway records and offers of senior-phase pupils (imported by destinations.models).

History is kept: a change to a pupil's pathway adds a ``PathwayRecord`` and supersedes the
current one (``superseded_at``; a partial unique index keeps at most one current record per
pupil). An offer's status changes add ``OfferEvent`` rows; the offer row holds the current status
so the readiness board reads it with one join.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datahub.models import SENIOR_PHASE, Learner

from ..classification import Category


class PathwayKind(models.TextChoices):
    NONE = "none", "None beyond school courses"
    COLLEGE_COURSE = "college_course", "College course (school-college partnership)"
    FOUNDATION_APPRENTICESHIP = "foundation_apprenticeship", "Foundation Apprenticeship"
    WORK_PLACEMENT = "work_placement", "Work placement"
    VOLUNTEERING = "volunteering", "Volunteering or award scheme"
    OTHER = "other", "Other learning beyond school"


class PathwaySource(models.TextChoices):
    MANUAL = "manual", "Recorded in the portal"
    IMPORT = "import", "File import"
    API = "api", "Partner system (API)"
    DEMO = "demo", "Synthetic demo data"


class PathwayRecord(models.Model):
    """One version of a pupil's pathway: the current one has ``superseded_at`` empty."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="pathway_records")
    aspiration = models.CharField("career aspiration", max_length=200, blank=True)
    intended_category = models.CharField(
        "intended destination", max_length=30, choices=Category.choices, blank=True
    )
    intended_stage = models.CharField(
        "intended stage of leaving", max_length=2, choices=[(s.value, s.label) for s in SENIOR_PHASE], blank=True
    )
    intended_date = models.DateField("intended leaving date", null=True, blank=True)
    pathway = models.CharField(
        "learning pathway beyond school courses", max_length=30, choices=PathwayKind.choices, default=PathwayKind.NONE
    )
    pathway_detail = models.CharField("pathway course or placement", max_length=200, blank=True)
    pathway_provider = models.CharField("pathway provider", max_length=200, blank=True)
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    # The next thing to do for the pupil, kept with the pathway (so its history and audit are the
    # pathway's): overdue on the board when not done by its due date.
    next_action = models.CharField("next action", max_length=200, blank=True)
    next_action_due = models.DateField("next action due", null=True, blank=True)
    next_action_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="next action owner",
    )
    next_action_done = models.BooleanField("next action done", default=False)
    source = models.CharField(max_length=10, choices=PathwaySource.choices, default=PathwaySource.MANUAL)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["learner", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"], condition=Q(superseded_at__isnull=True), name="pathway_one_current"
            ),
            models.CheckConstraint(
                condition=Q(intended_category="") | Q(intended_category__in=[c.value for c in Category]),
                name="pathway_intended_category_known",
            ),
            models.CheckConstraint(
                condition=Q(intended_stage="") | Q(intended_stage__in=[s.value for s in SENIOR_PHASE]),
                name="pathway_intended_stage_senior",
            ),
            models.CheckConstraint(
                condition=Q(pathway__in=[k.value for k in PathwayKind]), name="pathway_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(next_action="") | Q(next_action_due__isnull=False), name="pathway_action_has_due_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Pathway of learner {self.learner_id} recorded {self.recorded_at:%Y-%m-%d}"

    def action_overdue(self, today: dt.date) -> bool:
        """A next action not done by its due date (the day after it is due)."""
        return bool(self.next_action and not self.next_action_done and self.next_action_due
                    and self.next_action_due < today)


class OfferKind(models.TextChoices):
    COLLEGE = "college", "College"
    UNIVERSITY = "university", "University"
    APPRENTICESHIP = "apprenticeship", "Apprenticeship"
    EMPLOYMENT = "employment", "Employment"
    TRAINING = "training", "Training"


class OfferStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Offer(models.Model):
    """An application and what became of it; ``status``/``status_date`` are the latest event's."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="offers")
    kind = models.CharField(max_length=20, choices=OfferKind.choices)
    provider = models.CharField(max_length=200)
    course = models.CharField("course, programme or job", max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices)
    applied_on = models.DateField("date applied", null=True, blank=True)
    status_date = models.DateField("date of the current status")
    source = models.CharField(max_length=10, choices=PathwaySource.choices, default=PathwaySource.MANUAL)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["learner", "-status_date", "-id"]
        constraints = [
            # What identifies an offer (the import's natural key): one pupil, kind, provider and course.
            models.UniqueConstraint(fields=["learner", "kind", "provider", "course"], name="offer_unique_per_pupil"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in OfferKind]), name="offer_kind_known"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in OfferStatus]), name="offer_status_known"),
            models.CheckConstraint(
                condition=Q(applied_on__isnull=True) | Q(status_date__gte=models.F("applied_on")),
                name="offer_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["learner"], condition=Q(status="accepted"), name="offer_accepted_by_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.provider}: {self.get_status_display()}"


class OfferEvent(models.Model):
    """One status of an offer, in order: the offer's history (never rewritten)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=OfferStatus.choices)
    status_date = models.DateField()
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["offer", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OfferStatus]), name="offer_event_status_known"
            ),
        ]


class RiskWeights(models.Model):
    """An authority's own weights for the risk rules (destinations.pathways.risk), set by its data
    manager; the current set has ``superseded_at`` empty, earlier sets are kept. Without one, the
    defaults in risk.WEIGHTS apply."""

    authority = models.ForeignKey("datahub.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    weights = models.JSONField(help_text="Rule key -> weight (0 turns a rule off)")
    reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["authority", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority"], condition=Q(superseded_at__isnull=True), name="risk_weights_one_current"
            ),
        ]
