"""Learners, their enrolments (census records) and school leavers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from ..validators import validate_scn
from .organisations import Establishment

if TYPE_CHECKING:
    from ..access import Scope


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class Stage(models.TextChoices):
    S1 = "S1", "S1"
    S2 = "S2", "S2"
    S3 = "S3", "S3"
    S4 = "S4", "S4"
    S5 = "S5", "S5"
    S6 = "S6", "S6"


SENIOR_PHASE = (Stage.S4, Stage.S5, Stage.S6)


class LearnerQuerySet(models.QuerySet["Learner"]):
    def for_establishment(self, establishment: Establishment) -> LearnerQuerySet:
        return self.filter(establishment=establishment)

    def for_scope(self, scope: Scope) -> LearnerQuerySet:
        """Learners a scope may see individually (never national: analysts see aggregates only)."""
        return self.filter(
            Q(establishment_id__in=scope.learner_establishment_ids)
            | Q(establishment__authority_id__in=scope.learner_authority_ids)
        )


class Learner(models.Model):
    """A young person, identified by their Scottish Candidate Number (personal data)."""

    scn = models.CharField("Scottish Candidate Number", max_length=9, unique=True, validators=[validate_scn])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    data_zone = models.CharField("home data zone (2011)", max_length=9, blank=True)
    simd_decile = models.PositiveSmallIntegerField("SIMD 2020 decile", help_text="1 = most deprived 10%")
    asn = models.BooleanField("additional support needs", default=False)
    care_experienced = models.BooleanField("care experienced / looked after", default=False)
    fsm = models.BooleanField("registered for free school meals", default=False)
    # The latest (or last) school: scopes who may see the learner individually.
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="learners")

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(condition=Q(scn__regex=r"^[0-9]{9}$"), name="learner_scn_format"),
            models.CheckConstraint(condition=Q(simd_decile__gte=1, simd_decile__lte=10), name="learner_simd_decile_range"),
            models.CheckConstraint(condition=Q(sex__in=[s.value for s in Sex]), name="learner_sex_known"),
            models.CheckConstraint(
                condition=Q(data_zone="") | Q(data_zone__regex=r"^S01[0-9]{6}$"), name="learner_data_zone_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def simd_quintile(self) -> int:
        return (self.simd_decile + 1) // 2


class Enrolment(models.Model):
    """A learner on a school's roll at the census of a school year (year = the year it starts)."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="enrolments")
    year = models.PositiveSmallIntegerField(help_text="School year by its starting year: 2023 is 2023/24")
    stage = models.CharField(max_length=2, choices=Stage.choices)

    class Meta:
        ordering = ["learner", "year"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "year"], name="enrolment_one_per_learner_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="enrolment_year_range"),
            models.CheckConstraint(condition=Q(stage__in=[s.value for s in Stage]), name="enrolment_stage_known"),
        ]
        indexes = [models.Index(fields=["establishment", "year"])]


class SchoolLeaver(models.Model):
    """A learner leaving school. Characteristics are kept as at leaving, as Insight compares them.

    ``leaver_year`` is the year the school session ends: 2024 means the 2023/24 leavers.
    """

    learner = models.OneToOneField(Learner, on_delete=models.CASCADE, related_name="leaver")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="leavers")
    leaver_year = models.PositiveSmallIntegerField()
    stage = models.CharField("stage of leaving", max_length=2, choices=[(s.value, s.label) for s in SENIOR_PHASE])
    leaving_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    simd_decile = models.PositiveSmallIntegerField()
    asn = models.BooleanField(default=False)
    care_experienced = models.BooleanField(default=False)
    fsm = models.BooleanField(default=False)

    class Meta:
        ordering = ["leaver_year", "establishment"]
        constraints = [
            models.CheckConstraint(condition=Q(leaver_year__gte=2000, leaver_year__lte=2100), name="leaver_year_range"),
            models.CheckConstraint(condition=Q(stage__in=[s.value for s in SENIOR_PHASE]), name="leaver_stage_senior"),
            models.CheckConstraint(condition=Q(simd_decile__gte=1, simd_decile__lte=10), name="leaver_simd_decile_range"),
            models.CheckConstraint(condition=Q(sex__in=[s.value for s in Sex]), name="leaver_sex_known"),
        ]
        indexes = [models.Index(fields=["establishment", "leaver_year"]), models.Index(fields=["leaver_year"])]

    def __str__(self) -> str:
        return f"{self.learner} left {self.stage} in {self.leaver_year}"
