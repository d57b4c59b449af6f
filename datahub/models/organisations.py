"""Organisations: the 32 councils and their establishments (schools)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from ..validators import validate_seed_format

if TYPE_CHECKING:
    from ..access import Scope


class LocalAuthority(models.Model):
    """One of the 32 Scottish councils, with both code systems (docs/domain.md)."""

    code = models.PositiveSmallIntegerField("education authority code", unique=True)
    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(condition=Q(gss_code__regex=r"^S12[0-9]{6}$"), name="la_gss_code_format"),
        ]

    def __str__(self) -> str:
        return self.name


class EstablishmentType(models.TextChoices):
    SECONDARY = "secondary", "Secondary"
    PRIMARY = "primary", "Primary"
    SPECIAL = "special", "Special"


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def for_scope(self, scope: Scope) -> EstablishmentQuerySet:
        """Establishments inside a user's scope (see datahub.access)."""
        if scope.national:
            return self
        return self.filter(Q(id__in=scope.establishment_ids) | Q(authority_id__in=scope.authority_ids))


class Establishment(models.Model):
    """A school. SEED code format is enforced; a check-digit mismatch is only flagged (docs/domain.md)."""

    seed_code = models.CharField("SEED code", max_length=7, unique=True, validators=[validate_seed_format])
    name = models.CharField(max_length=200)
    authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="establishments")
    type = models.CharField(max_length=10, choices=EstablishmentType.choices, default=EstablishmentType.SECONDARY)
    roll = models.PositiveIntegerField(default=0, help_text="Pupils on the roll at the latest census")
    # Derived context, refreshed from learner records by datahub.services.establishment_refresh_context.
    # Used by benchmarking (context closeness) and by Find Partners filters.
    context_year = models.PositiveSmallIntegerField(null=True, blank=True)
    share_simd_q1 = models.FloatField(null=True, blank=True, help_text="Share of pupils in SIMD quintile 1")
    mean_simd_decile = models.FloatField(null=True, blank=True)
    share_fsm = models.FloatField(null=True, blank=True, help_text="Share registered for free school meals")
    share_asn = models.FloatField(null=True, blank=True, help_text="Share with additional support needs")
    share_care_experienced = models.FloatField(null=True, blank=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(seed_code__regex=r"^[0-9]{7}$"), name="est_seed_code_format"),
            models.CheckConstraint(
                condition=Q(type__in=[t.value for t in EstablishmentType]), name="est_type_known"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0, f"{f}__lte": 1}),
                    name=f"est_{f}_is_share",
                )
                for f in ("share_simd_q1", "share_fsm", "share_asn", "share_care_experienced")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.seed_code})"

    @property
    def roll_band(self) -> str:
        for upper, label in ((400, "under 400"), (800, "400-799"), (1200, "800-1,199")):
            if self.roll < upper:
                return label
        return "1,200 and over"
