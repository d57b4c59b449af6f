"""Post-school destinations and participation, and the MCMC work on each young person.

History is kept: a change adds a record (destinations.services). The current destination record
of a kind is the one with ``superseded_at`` empty; a partial unique index makes sure there is at
most one. Participation spells are a history by nature: a new status closes the open spell.

``Case`` is one row per school leaver: the derived current status (from the records above, by
destinations.classification.current_status) that the MCMC caseload filters on, kept up to date by
destinations.services, and the work on the young person (assigned officer, next action).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datahub.models import Learner, LocalAuthority, SchoolLeaver

from .classification import CaseStatus, Category, ParticipationStatus, StatusSource, is_positive


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

    @property
    def effective_date(self) -> date:
        """The date the status holds from: its census date, else the day it was recorded."""
        return self.survey_date or timezone.localdate(self.recorded_at)


class ParticipationSpell(models.Model):
    """A period with one APM status for a 16-19 year old. The headline status for a measure year
    is the status held for the most days (destinations.services)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="participation")
    status = models.CharField(max_length=30, choices=ParticipationStatus.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.IMPORT)
    recorded_at = models.DateTimeField(default=timezone.now)
    # Database defaults: bulk loaders (demo data, imports) write spells without these columns.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="", db_default="")

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
        # destinations.services.case_sync notices spells changed in place (imports) by this.
        indexes = [models.Index(fields=["recorded_at"], name="spell_recorded_at")]


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    HOME_VISIT = "home_visit", "Home visit"
    MEETING = "meeting", "Meeting in person"
    SOCIAL_MEDIA = "social_media", "Social media message"
    VIA_PARTNER = "via_partner", "Through a partner (school, college, employer, family)"
    NOTE = "note", "Case note (no contact)"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with the young person"
    NO_RESPONSE = "no_response", "No answer or no reply"
    MESSAGE_LEFT = "message_left", "Message left"
    WRONG_DETAILS = "wrong_details", "Contact details wrong or out of date"
    STATUS_CONFIRMED = "status_confirmed", "Status confirmed"
    SUPPORT_ACCEPTED = "support_accepted", "Support offered and accepted"
    SUPPORT_DECLINED = "support_declined", "Support offered and declined"
    REFERRED = "referred", "Referred to a partner or service"
    NOTE_ONLY = "note_only", "Not applicable (note only)"


class ContactNote(models.Model):
    """A contact with (or about) a young person, or a case note, and the next action it sets."""

    leaver = models.ForeignKey(SchoolLeaver, on_delete=models.CASCADE, related_name="contacts")
    contact_date = models.DateField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    next_action = models.CharField(max_length=200, blank=True)
    next_action_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["leaver", "-contact_date", "-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=[m.value for m in ContactMethod]), name="contact_method_known"),
            models.CheckConstraint(
                condition=Q(outcome__in=[o.value for o in ContactOutcome]), name="contact_outcome_known"
            ),
        ]
        indexes = [models.Index(fields=["leaver", "contact_date"], name="contact_leaver_date")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.contact_date:%d/%m/%Y}"


class Case(models.Model):
    """One school leaver as an MCMC case: derived status plus the work on them.

    Derived (written only by destinations.services.case_refresh): ``authority`` (of the learner's
    last school, for the caseload index; pages also check the live value), ``date_of_birth``
    (for the caseload's age window), ``status``,
    ``status_source`` / ``status_value`` / ``status_date`` (the record the status comes from) and
    ``not_sustained``. Work (written by the assignment and contact services): ``officer``,
    ``next_action``, ``next_action_date``, ``last_contact_date``.
    """

    leaver = models.OneToOneField(SchoolLeaver, on_delete=models.CASCADE, related_name="case")
    authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+", db_index=False)
    date_of_birth = models.DateField(help_text="Copy of the learner's, so the caseload's age window uses the index")
    status = models.CharField(max_length=12, choices=CaseStatus.choices)
    status_source = models.CharField(max_length=13, choices=StatusSource.choices, blank=True)
    status_value = models.CharField(max_length=30, blank=True)
    status_date = models.DateField(null=True, blank=True)
    not_sustained = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(default=timezone.now)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    next_action = models.CharField(max_length=200, blank=True)
    next_action_date = models.DateField(null=True, blank=True)
    last_contact_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, help_text="Last change to the assignment or next action")

    class Meta:
        ordering = ["leaver"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in CaseStatus]), name="case_status_known"),
            models.CheckConstraint(
                condition=Q(status_source__in=[s.value for s in StatusSource]), name="case_status_source_known"
            ),
        ]
        indexes = [
            # The caseload: an authority's open cases (everything but positive) in the age window.
            models.Index(
                fields=["authority", "date_of_birth"],
                condition=~Q(status=CaseStatus.POSITIVE),
                name="case_open_by_authority",
            ),
            models.Index(fields=["authority", "status"], name="case_authority_status"),
        ]

    def __str__(self) -> str:
        return f"Case of leaver {self.leaver_id}: {self.get_status_display()}"

    @property
    def on_caseload(self) -> bool:
        return self.status != CaseStatus.POSITIVE

    @property
    def status_label(self) -> str:
        if not self.status_value:
            return "No destination recorded"
        if self.status_source == StatusSource.PARTICIPATION:
            return ParticipationStatus(self.status_value).label
        return Category(self.status_value).label


class CaseSync(models.Model):
    """How far ``Case`` rows have been brought up to date: the highest ids of the source tables seen.

    Rows written outside destinations.services (bulk loads, imports) are picked up by
    ``case_sync`` before the caseload is read: any destination record, spell or leaver with a
    higher id, and any spell recorded (or updated in place) later, has its case refreshed.
    One row (id 1).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    destination_id = models.BigIntegerField(default=0)
    spell_id = models.BigIntegerField(default=0)
    spell_recorded_at = models.DateTimeField(null=True, blank=True)
    leaver_id = models.BigIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="case_sync_single_row")]


# The senior-phase pipeline (pathway records, offers) lives in its own room; imported here so its
# models belong to this app.
from .pathways.models import (  # noqa: E402
    Offer,
    OfferEvent,
    OfferKind,
    OfferStatus,
    PathwayKind,
    PathwayRecord,
    PathwaySource,
    RiskWeights,
)

__all__ = [
    "Case", "CaseSync", "ContactMethod", "ContactNote", "ContactOutcome", "DestinationKind", "DestinationRecord",
    "Offer", "OfferEvent", "OfferKind", "OfferStatus", "ParticipationSpell", "PathwayKind", "PathwayRecord",
    "PathwaySource", "RiskWeights", "Source",
]
