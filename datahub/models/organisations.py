"""Organisations: the 32 councils and their establishments (schools)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from ..validators import validate_seed_format

if TYPE_CHECKING:
    from ..access import Scope


class Collaborative(models.Model):
    """A Regional Improvement Collaborative: a group of authorities that Insight compares with
    between authority and Scotland (DOMAIN.md). Editable reference data (the admin): a change of
    membership shows in the next benchmark run, which records the membership it used."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocalAuthority(models.Model):
    """One of the 32 Scottish councils, with both code systems (docs/domain.md)."""

    code = models.PositiveSmallIntegerField("education authority code", unique=True)
    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=100, unique=True)
    collaborative = models.ForeignKey(
        Collaborative, on_delete=models.SET_NULL, null=True, blank=True, related_name="authorities",
        help_text="Regional Improvement Collaborative",
    )

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


# Departments in the order that makes one the establishment's principal department: an all-through
# school (primary + secondary) is compared with secondaries, a secondary with a special unit too.
PRINCIPAL_ORDER = (EstablishmentType.SECONDARY, EstablishmentType.SPECIAL, EstablishmentType.PRIMARY)


class CentreType(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    GRANT_AIDED = "grant_aided", "Grant-aided"
    INDEPENDENT = "independent", "Independent"


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def for_scope(self, scope: Scope) -> EstablishmentQuerySet:
        """Establishments inside a user's scope (see datahub.access)."""
        if scope.national:
            return self
        return self.filter(Q(id__in=scope.establishment_ids) | Q(authority_id__in=scope.authority_ids))


class Establishment(models.Model):
    """A school: one SEED code with one or more departments (primary, secondary, special).

    SEED code format is enforced; a check-digit mismatch is only flagged (docs/domain.md).
    ``type`` and ``roll`` are the *principal* department's (secondary before special before
    primary, see :data:`PRINCIPAL_ORDER`), kept in step with :class:`Department` by
    ``datahub.services.establishment_sync_departments``: benchmarking and Find Partners compare a
    school by its principal department, so an all-through school is compared as a secondary with
    its secondary roll.
    """

    seed_code = models.CharField("SEED code", max_length=7, unique=True, validators=[validate_seed_format])
    name = models.CharField(max_length=200)
    authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="establishments")
    type = models.CharField(max_length=10, choices=EstablishmentType.choices, default=EstablishmentType.SECONDARY)
    roll = models.PositiveIntegerField(default=0, help_text="Pupils on the principal department's roll")
    centre_type = models.CharField(max_length=16, choices=CentreType.choices, default=CentreType.LOCAL_AUTHORITY,
                                   db_default=CentreType.LOCAL_AUTHORITY.value)  # imports insert in SQL
    data_zone = models.CharField("data zone (2011) of the school", max_length=9, blank=True, db_default="")
    urban_rural_6 = models.PositiveSmallIntegerField("urban/rural class (6-fold)", null=True, blank=True)
    urban_rural_8 = models.PositiveSmallIntegerField("urban/rural class (8-fold)", null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    denomination = models.CharField(max_length=40, blank=True, db_default="")
    published_simd_band = models.CharField(
        "published share of pupils in the 20% most deprived data zones", max_length=20, blank=True, db_default="",
        help_text="As the school contact list publishes it, e.g. '10 - <20%' ('*' when withheld)",
    )
    # Reference data: the school contact list year that last listed the school, and when a newer
    # list no longer did (a closed school keeps its history; it is never deleted).
    listed_year = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # Made by the demo generator: every page then says its figures are synthetic (insight.nav).
    synthetic = models.BooleanField(default=False, db_default=False, help_text="Synthetic demo data, not a real school's")
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
            models.CheckConstraint(
                condition=Q(centre_type__in=[t.value for t in CentreType]), name="est_centre_type_known"
            ),
            models.CheckConstraint(
                condition=Q(data_zone="") | Q(data_zone__regex=r"^S01[0-9]{6}$"), name="est_data_zone_format"
            ),
            models.CheckConstraint(
                condition=Q(urban_rural_6__isnull=True) | Q(urban_rural_6__gte=1, urban_rural_6__lte=6),
                name="est_urban_rural_6_range",
            ),
            models.CheckConstraint(
                condition=Q(urban_rural_8__isnull=True) | Q(urban_rural_8__gte=1, urban_rural_8__lte=8),
                name="est_urban_rural_8_range",
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

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Department(models.Model):
    """One department of an establishment (the contact list's ``SchUID``: SEED + P, S or SP)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="departments")
    type = models.CharField(max_length=10, choices=EstablishmentType.choices)
    roll = models.PositiveIntegerField(default=0, help_text="Pupils on the department's roll at the census")

    class Meta:
        ordering = ["establishment", "type"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "type"], name="department_one_per_type"),
            models.CheckConstraint(
                condition=Q(type__in=[t.value for t in EstablishmentType]), name="department_type_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.establishment.name}: {self.get_type_display()}"


class SimdDataZone(models.Model):
    """SIMD 2020v2 for one 2011 data zone (reference data; 1 = most deprived)."""

    code = models.CharField("data zone", max_length=9, unique=True)
    intermediate_zone = models.CharField(max_length=100, blank=True)
    council_area = models.CharField(max_length=100)
    population = models.PositiveIntegerField(null=True, blank=True)
    rank = models.PositiveSmallIntegerField(help_text="1 = most deprived of 6,976")
    vigintile = models.PositiveSmallIntegerField()
    decile = models.PositiveSmallIntegerField()
    quintile = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["code"]
        verbose_name = "SIMD data zone"
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^S01[0-9]{6}$"), name="simd_dz_code_format"),
            models.CheckConstraint(condition=Q(decile__gte=1, decile__lte=10), name="simd_dz_decile_range"),
            models.CheckConstraint(condition=Q(quintile__gte=1, quintile__lte=5), name="simd_dz_quintile_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} (decile {self.decile})"
