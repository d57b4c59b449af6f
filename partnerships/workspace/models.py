"""The workspace of a learning partnership: what the two schools agree, plan, record and share.

One ``Workspace`` per partnership (its primary key is the partnership's), made on the first
write. Everything else hangs off the partnership, so the record stays when the partnership
ends (the workspace then becomes read-only, see partnerships.workspace.access).

Leads, shared files, joint measures and notices belong to a pair *or* a partnership group
(partnerships.groups): each row has a ``partnership`` or a ``group``, never both (a CHECK
constraint), so files, the joint evaluation and notices are one implementation for both (see
partnerships.workspace.subject). A group keeps its purpose, aims, plan and notes in its own tables.

Joint measures keep their baseline as figures (``JointBaseline``): the values of the published
benchmark run of the day they were chosen, so the record survives a run being withdrawn or
deleted. Later runs' figures are read from the stored results when shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datahub.models import Establishment

GROUP = "partnerships.PartnershipGroup"


def _one_owner(name: str) -> models.CheckConstraint:
    """Exactly one of ``partnership`` and ``group`` is set."""
    return models.CheckConstraint(
        condition=Q(partnership__isnull=False, group__isnull=True) | Q(partnership__isnull=True, group__isnull=False),
        name=name,
    )


class Workspace(models.Model):
    partnership = models.OneToOneField(
        "partnerships.Partnership", on_delete=models.CASCADE, primary_key=True, related_name="workspace"
    )
    purpose = models.TextField(blank=True, max_length=2000)
    aims = models.TextField(blank=True, max_length=4000)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Workspace of {self.partnership}"


class Lead(models.Model):
    """Who does what: a named lead of one of the two schools, with what they lead on."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="leads"
    )
    group = models.ForeignKey(GROUP, on_delete=models.CASCADE, null=True, blank=True, related_name="leads")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=150, help_text="As shown, kept if the account goes")
    responsibility = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["establishment__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "establishment", "user"], name="workspace_lead_once"),
            models.UniqueConstraint(fields=["group", "establishment", "user"], name="workspace_group_lead_once"),
            _one_owner("workspace_lead_one_owner"),
        ]


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    """One action of the shared plan: what, who owns it (a person at one of the schools), by when."""

    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    owner_name = models.CharField(max_length=150)
    owner_establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    evidence_url = models.URLField(blank=True, max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    due_notified_on = models.DateField(null=True, blank=True, help_text="When its owner was last told it is due")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ActionStatus]), name="workspace_action_status_known"
            ),
        ]


class MeetingNote(models.Model):
    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.CASCADE, related_name="meeting_notes")
    held_on = models.DateField()
    title = models.CharField(max_length=200)
    notes = models.TextField(max_length=10000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    author_establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]


def _file_path(instance: SharedFile, filename: str) -> str:
    # The stored name is ours (a random token), never the uploader's: the original name is a field.
    if instance.group_id is not None:
        return f"partnership-groups/{instance.group_id}/{instance.token}"
    return f"partnerships/{instance.partnership_id}/{instance.token}"


class SharedFile(models.Model):
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    group = models.ForeignKey(GROUP, on_delete=models.CASCADE, null=True, blank=True, related_name="files")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=_file_path, max_length=200)
    name = models.CharField(max_length=200, help_text="The uploader's file name, shown and used on download")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    scanned = models.BooleanField(default=False, help_text="Passed the configured virus scanner")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_for = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [_one_owner("workspace_file_one_owner")]


class JointMeasure(models.Model):
    """A benchmark measure the partners evaluate together, and the run its baseline comes from."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="joint_measures"
    )
    group = models.ForeignKey(GROUP, on_delete=models.CASCADE, null=True, blank=True, related_name="joint_measures")
    measure = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, help_text='"tariff" (average points) or "pct" (percentage)')
    # The published benchmark run of the day the measure was chosen (an id in the benchmarking
    # app, a higher layer: no foreign key, and the run may later be withdrawn).
    baseline_run_id = models.PositiveIntegerField()
    baseline_published_at = models.DateTimeField()
    baseline_year = models.PositiveIntegerField(help_text="The leaver year of the baseline figures")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)
    last_notified_run_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["chosen_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "measure"], name="workspace_measure_once"),
            models.UniqueConstraint(fields=["group", "measure"], name="workspace_group_measure_once"),
            _one_owner("workspace_measure_one_owner"),
        ]


class JointBaseline(models.Model):
    """A school's (and its virtual comparator's) baseline figure of a joint measure."""

    joint_measure = models.ForeignKey(JointMeasure, on_delete=models.CASCADE, related_name="baselines")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(null=True, blank=True)
    vc_value = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["joint_measure", "establishment"], name="workspace_baseline_once"),
        ]


class WorkspaceNotice(models.Model):
    """An in-portal notice about workspace activity (an action due, new figures for a joint measure,
    a partner's new action, meeting note or file)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_notices")
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="workspace_notices"
    )
    group = models.ForeignKey(GROUP, on_delete=models.CASCADE, null=True, blank=True, related_name="workspace_notices")
    kind = models.CharField(max_length=20)  # "action_due" | "new_figures" | "activity"
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the notice went out by e-mail (on its own or in a daily digest); empty until then.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="workspace_notice_unread")]
        constraints = [_one_owner("workspace_notice_one_owner")]
