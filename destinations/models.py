"""Post-school destinations and participation. History is kept: a change adds a record.

The current record of a kind is the one with ``superseded_at`` empty; a partial unique index
makes sure there is at most one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datahub.models import Learner, SchoolLeaver

from .classification import Category, ParticipationStatus, is_positive


class DestinationKind(models.TextChoices):
    INITIAL = "initial", "Initial (October after leaving)"
    FOLLOW_UP = "follow_up", "Follow-up (April after leaving)"


class Source(models.TextChoices):
    IMPORT = "import", "File import"
    API = "api", "Partner system (API)"
    MANUAL = "manual", "Recorded by an officer"
    DEMO = "demo", "Synthetic demo data"


class DestinationRecord(models.Model):
    leaver = models.ForeignKey(SchoolLeaver, on_delete=models.CASCADE, related_name="destinations")
    kind = models.CharField(max_length=10, choices=DestinationKind.choices)
    category = models.CharField(max_length=30, choices=Category.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    survey_date = models.DateField(null=True, blank=True, help_text="The census date the status holds for")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["leaver", "kind", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["leaver", "kind"], condition=Q(superseded_at__isnull=True), name="destination_one_current"
            ),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in DestinationKind]), name="destination_kind_known"),
            models.CheckConstraint(condition=Q(category__in=[c.value for c in Category]), name="destination_category_known"),
        ]
        indexes = [models.Index(fields=["kind", "category"], condition=Q(superseded_at__isnull=True), name="dest_current_kind_cat")]

    @property
    def positive(self) -> bool:
        return is_positive(self.category, self.leaver.leaver_year)


class ParticipationSpell(models.Model):
    """A period with one APM status for a 16-19 year old. The headline status for a measure year
    is the status held for the most days (destinations.services)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="participation")
    status = models.CharField(max_length=30, choices=ParticipationStatus.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPORT)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["learner", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="spell_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ParticipationStatus]), name="spell_status_known"
            ),
        ]
