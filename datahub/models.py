"""Organisations, people, roles and learner records.

Invariants live in the database (check and unique constraints) as well as in validators, so an
import, the admin, the API and a shell session all obey the same rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .validators import validate_scn, validate_seed_format

if TYPE_CHECKING:
    from .access import Scope


# --- Accounts -------------------------------------------------------------------------------


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their email address. What they may see comes from memberships."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs type AbstractUser.objects as django's username-first UserManager; ours is email-first.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


# --- Organisations --------------------------------------------------------------------------


class LocalAuthority(models.Model):
    """One of the 32 Scottish councils, with both code systems (DOMAIN.md)."""

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
    """A school. SEED code format is enforced; a check-digit mismatch is only flagged (DOMAIN.md)."""

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


# --- Roles ----------------------------------------------------------------------------------


class Role(models.TextChoices):
    ESTABLISHMENT_ADMIN = "establishment_admin", "Establishment admin (Learning Partner Administrator)"
    ESTABLISHMENT_STAFF = "establishment_staff", "Establishment staff"
    MCMC_OFFICER = "mcmc_officer", "MCMC officer"
    AUTHORITY_ANALYST = "authority_analyst", "Local authority analyst"
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    DATA_MANAGER = "data_manager", "Data manager"


ESTABLISHMENT_ROLES = (Role.ESTABLISHMENT_ADMIN, Role.ESTABLISHMENT_STAFF)
AUTHORITY_ROLES = (Role.MCMC_OFFICER, Role.AUTHORITY_ANALYST)


class Membership(models.Model):
    """A role a user holds at an establishment, in an authority, or nationally.

    Establishment roles need an establishment, authority roles an authority, the national analyst
    neither; a data manager works at one of the three levels.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="membership_role_known"),
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role__in=[r.value for r in ESTABLISHMENT_ROLES], establishment__isnull=False, authority__isnull=True)
                    | Q(role__in=[r.value for r in AUTHORITY_ROLES], establishment__isnull=True, authority__isnull=False)
                    | Q(role=Role.NATIONAL_ANALYST.value, establishment__isnull=True, authority__isnull=True)
                    | (Q(role=Role.DATA_MANAGER.value) & ~Q(establishment__isnull=False, authority__isnull=False))
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "establishment"],
                condition=Q(establishment__isnull=False),
                name="membership_unique_establishment_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "authority"],
                condition=Q(authority__isnull=False),
                name="membership_unique_authority_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(establishment__isnull=True, authority__isnull=True),
                name="membership_unique_national_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} - {self.place_name}"

    @property
    def place_name(self) -> str:
        if self.establishment_id:
            return self.establishment.name  # type: ignore[union-attr]
        if self.authority_id:
            return self.authority.name  # type: ignore[union-attr]
        return "Scotland"


# --- Learners -------------------------------------------------------------------------------


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


# --- Attainment -----------------------------------------------------------------------------


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


class Subject(models.Model):
    """A subject, and whether attaining it counts towards literacy or numeracy (Insight rule)."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    literacy = models.BooleanField(default=False)
    numeracy = models.BooleanField(default=False)

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
    """A version of the tariff table. Data, not code: data managers load and edit it (DOMAIN.md)."""

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


# --- Audit ----------------------------------------------------------------------------------


class AuditEvent(models.Model):
    """Who looked at or changed what. Written by services; read by authority admins for their area."""

    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="audit_events")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    establishment = models.ForeignKey(Establishment, on_delete=models.SET_NULL, null=True, blank=True)
    authority = models.ForeignKey(LocalAuthority, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["authority", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"


# --- Imports --------------------------------------------------------------------------------


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
    duration_seconds = models.FloatField(null=True, blank=True)
    establishments = models.ManyToManyField(Establishment, blank=True, related_name="import_batches")

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
