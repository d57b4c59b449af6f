"""Imports: each file or API batch and the history of the changes it made."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .accounts import User
from .organisations import Establishment, LocalAuthority


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    VALIDATING = "validating", "Checking rows"
    WRITING = "writing", "Writing rows"
    SUCCEEDED = "succeeded", "Imported"
    VALIDATED = "validated", "Checked (dry run, nothing written)"
    REJECTED = "rejected", "Rejected: errors found, nothing written"
    CANCELLED = "cancelled", "Cancelled, nothing written"
    FAILED = "failed", "Failed, nothing written"


IMPORT_FINISHED = (
    ImportStatus.SUCCEEDED,
    ImportStatus.VALIDATED,
    ImportStatus.REJECTED,
    ImportStatus.CANCELLED,
    ImportStatus.FAILED,
)


class ImportSource(models.TextChoices):
    FILE = "file", "File upload"
    API = "api", "Integration API"
    COMMAND = "command", "Command line"


class ImportBatch(models.Model):
    """One import of a file (or an API bulk request): who, what, its hash, its outcome.

    An import is all or nothing: counts describe what was written (new, updated, unchanged) or,
    for a rejected file, how many rows failed. ``errors`` keeps the first errors found (row,
    column, value, reason) up to a cap; ``error_count`` is the full number.
    """

    kind = models.CharField(max_length=40)
    source = models.CharField(max_length=10, choices=ImportSource.choices, default=ImportSource.FILE)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="import_batches")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField("SHA-256 of the file", max_length=64, blank=True, db_index=True)
    file_size = models.BigIntegerField(default=0)
    stored_file = models.CharField(max_length=255, blank=True, help_text="Storage path while the file waits or runs")
    restrict_to = models.ForeignKey(
        Establishment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Every row must be for this establishment",
    )
    dry_run = models.BooleanField(default=False)
    background = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    message = models.TextField(blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_validated = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    count_new = models.PositiveIntegerField(default=0)
    count_updated = models.PositiveIntegerField(default=0)
    count_unchanged = models.PositiveIntegerField(default=0)
    count_rejected = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    scope_violation = models.BooleanField(
        default=False, help_text="Rows were for establishments outside the uploader's import scope"
    )
    cancel_requested = models.BooleanField(default=False)
    # The worker holding a running batch renews its lease; a batch whose lease ran out (its worker
    # died, or its database connection was lost) is queued again or failed by the reaper
    # (datahub.tasks.reap_stale_imports). ``claimed_by`` names one attempt, so only that attempt
    # may record the outcome.
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    establishments = models.ManyToManyField(Establishment, blank=True, related_name="import_batches")
    mapping_profile = models.ForeignKey(
        "ImportMappingProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
        help_text="The mapping of the file's own columns and values to the portal's, when it had one",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in ImportStatus]), name="import_status_known"),
        ]
        indexes = [models.Index(fields=["uploaded_by", "created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} {self.kind} {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in IMPORT_FINISHED

    @property
    def progress_percent(self) -> int:
        """Validation is the first half of the bar and writing the second."""
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        done = self.rows_validated + (self.rows_written if not self.dry_run else self.rows_validated)
        return min(99, int(50 * done / self.rows_total))


class ImportMappingProfile(models.Model):
    """How one source's files (an MIS census export, a results file...) map onto an import kind.

    ``headers``: the file's column headings (normalised, in file order) the profile was made for;
    ``signature`` identifies that set, so the next file with the same headings uses the profile
    without asking. ``columns`` maps each of the kind's columns to one of the file's headings;
    ``values`` maps, per kind column, a value as the file writes it to the value the portal
    accepts (``{"sex": {"Female": "F"}}``). A profile belongs to an authority (shared by its
    data managers), or to nobody (national: usable by every data manager).
    """

    kind = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, null=True, blank=True, related_name="import_mapping_profiles"
    )
    headers = models.JSONField(default=list)
    labels = models.JSONField(default=list, blank=True, help_text="The same headers as the file writes them")
    signature = models.CharField(max_length=64, db_index=True)
    columns = models.JSONField(default=dict)
    values = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "kind", "name"], name="mapping_profile_name_unique"),
            models.UniqueConstraint(
                fields=["kind", "name"],
                condition=Q(authority__isnull=True),
                name="mapping_profile_national_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ChangeRecord(models.Model):
    """History: a record changed or replaced by an import or API write, with its values before and after.

    New records are traced to their batch through the batch's counts; each change to an existing
    record is written here, so "who changed what, from which batch" can always be answered.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    model = models.CharField(max_length=60, help_text="app_label.model of the changed record")
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=12, choices=[("updated", "Updated"), ("superseded", "Superseded")])
    establishment = models.ForeignKey(Establishment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.action} by batch {self.batch_id}"
