"""A comparator group and its figures per run. Part of the insight app (imported by insight.models);
references to the app's other models are by name, so this module imports nothing of insight's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from datahub.models import Establishment

from ..benchmarking import columns as c

MAX_MEMBERS = 200


class ComparatorGroup(models.Model):
    """A named set of schools. Seen by its owner, the users it is shared with, and the staff of the
    two schools of the learning partnership it is shared with while that partnership is active."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comparator_groups")
    name = models.CharField(max_length=120)
    members = models.ManyToManyField(Establishment, related_name="+")
    filter_definition = models.JSONField(default=dict, blank=True,
                                         help_text="The filter the members were chosen by, as chosen (empty: picked)")
    # A group built by a filter may follow it: each benchmark run's finalise chooses its schools
    # again (insight.groups.services.groups_follow_filters). A picked group keeps its schools.
    follows_filter = models.BooleanField(default=False, help_text="Members chosen again by the filter at each run")
    members_changed_at = models.DateTimeField(null=True, blank=True,
                                              help_text="When a run last changed the members by the filter")
    members_change = models.JSONField(default=dict, blank=True,
                                      help_text="That change: the run, and SEED codes added and removed")
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="comparator_groups_shared", blank=True)
    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", help_text="Shared with this learning partnership's staff")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "insight"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ComparatorGroupResult(models.Model):
    """The national measures of a group's leavers (all its members together) in one year of a run, for
    all leavers or one group of leavers (``breakdown``/``breakdown_value`` as in CohortResult)."""

    run = models.ForeignKey("insight.BenchmarkRun", on_delete=models.CASCADE, db_constraint=False, db_index=False)
    group = models.ForeignKey(ComparatorGroup, on_delete=models.CASCADE, related_name="results")
    year = models.PositiveSmallIntegerField()
    breakdown = models.CharField(max_length=20, blank=True, default="", help_text="Empty: all leavers")
    breakdown_value = models.CharField(max_length=20, blank=True, default="")
    members = models.JSONField(help_text="Member establishment ids the figures were computed from")

    class Meta:
        app_label = "insight"
        constraints = [models.UniqueConstraint(fields=["run", "group", "year", "breakdown", "breakdown_value"],
                                               name="group_result_unique")]
        indexes = [models.Index(fields=["run", "group"])]


for _name in c.HEADLINE_MEASURES:
    ComparatorGroupResult.add_to_class(
        _name, models.PositiveIntegerField(default=0) if _name.startswith("n_") else models.FloatField(null=True, blank=True)
    )
