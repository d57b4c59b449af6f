"""Attainment: subjects, qualification results and the versioned tariff scale."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .learners import Learner
from .organisations import Establishment


class AwardType(models.TextChoices):
    NATIONAL_3 = "N3", "National 3"
    NATIONAL_4 = "N4", "National 4"
    NATIONAL_5 = "N5", "National 5"
    HIGHER = "H", "Higher"
    ADVANCED_HIGHER = "AH", "Advanced Higher"
    NPA = "NPA", "National Progression Award"
    SKILLS_FOR_WORK = "SFW", "Skills for Work"
    FOUNDATION_APPRENTICESHIP = "FA", "Foundation Apprenticeship"
    NATIONAL_CERTIFICATE = "NC", "National Certificate"
    WIDER_AWARD = "WA", "Wider achievement award"


GRADED_AWARDS = (AwardType.NATIONAL_5, AwardType.HIGHER, AwardType.ADVANCED_HIGHER)
VOCATIONAL_AWARDS = (
    AwardType.NPA,
    AwardType.SKILLS_FOR_WORK,
    AwardType.FOUNDATION_APPRENTICESHIP,
    AwardType.NATIONAL_CERTIFICATE,
)


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    PASS = "P", "Pass"


class CurricularArea(models.TextChoices):
    """The eight curricular areas of Curriculum for Excellence (Education Scotland)."""

    EXPRESSIVE_ARTS = "expressive_arts", "Expressive arts"
    HEALTH_AND_WELLBEING = "health_wellbeing", "Health and wellbeing"
    LANGUAGES = "languages", "Languages"
    MATHEMATICS = "mathematics", "Mathematics"
    RELIGIOUS_AND_MORAL = "rme", "Religious and moral education"
    SCIENCES = "sciences", "Sciences"
    SOCIAL_STUDIES = "social_studies", "Social studies"
    TECHNOLOGIES = "technologies", "Technologies"


class Subject(models.Model):
    """A subject, whether attaining it counts towards literacy or numeracy (Insight rule), and
    its curricular area (reference data a national data manager keeps; blank until assigned)."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    literacy = models.BooleanField(default=False)
    numeracy = models.BooleanField(default=False)
    curricular_area = models.CharField(
        max_length=16, choices=CurricularArea.choices, blank=True, default="",
        help_text="The Curriculum for Excellence area the subject belongs to (Curricular areas measure)",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QualificationResult(models.Model):
    """One attained award. Tariff points are looked up from the tariff scale a run uses."""

    # No single-column indexes on learner and establishment: the unique key (learner, ...) and the
    # (establishment, year) index already serve those lookups, and each index slows bulk imports.
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="results", db_index=False)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="results", db_index=False
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="results")
    award_type = models.CharField(max_length=3, choices=AwardType.choices)
    scqf_level = models.PositiveSmallIntegerField("SCQF level")
    scqf_credits = models.PositiveSmallIntegerField("SCQF credit points")
    grade = models.CharField(max_length=1, choices=Grade.choices)
    year = models.PositiveSmallIntegerField(help_text="Year of the diet, e.g. 2024 for the May 2024 exams")

    class Meta:
        ordering = ["learner", "year", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "subject", "award_type", "scqf_level", "year"], name="result_unique_award"
            ),
            models.CheckConstraint(condition=Q(scqf_level__gte=1, scqf_level__lte=12), name="result_scqf_level_range"),
            models.CheckConstraint(condition=Q(scqf_credits__gte=1, scqf_credits__lte=200), name="result_credits_range"),
            models.CheckConstraint(condition=Q(award_type__in=[a.value for a in AwardType]), name="result_award_known"),
            models.CheckConstraint(
                name="result_grade_fits_award",
                condition=(
                    Q(award_type__in=[a.value for a in GRADED_AWARDS], grade__in=["A", "B", "C", "D"])
                    | (~Q(award_type__in=[a.value for a in GRADED_AWARDS]) & Q(grade="P"))
                ),
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="result_year_range"),
        ]
        indexes = [models.Index(fields=["establishment", "year"])]


class TariffScale(models.Model):
    """A version of the tariff table. Data, not code: data managers load and edit it (docs/domain.md)."""

    version = models.CharField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False, help_text="The scale new benchmark runs use")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="tariff_one_default"),
        ]

    def __str__(self) -> str:
        return self.version


class TariffEntry(models.Model):
    """Points for an award type, SCQF level and grade; ``per_credit`` multiplies by SCQF credits."""

    scale = models.ForeignKey(TariffScale, on_delete=models.CASCADE, related_name="entries")
    award_type = models.CharField(max_length=3, choices=AwardType.choices)
    scqf_level = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=1, choices=Grade.choices)
    points = models.DecimalField(max_digits=8, decimal_places=3)
    per_credit = models.BooleanField(default=False)

    class Meta:
        ordering = ["scale", "award_type", "scqf_level", "grade"]
        verbose_name_plural = "tariff entries"
        constraints = [
            models.UniqueConstraint(fields=["scale", "award_type", "scqf_level", "grade"], name="tariff_entry_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="tariff_points_not_negative"),
        ]
