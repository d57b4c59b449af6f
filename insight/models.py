"""Benchmark runs, their chunks, and the results each run stores.

Field names of the result tables are the engine's column names (insight.benchmarking.columns), so
persisting a frame is a column selection, not a mapping. Results are kept per run: a run is a draft
until a national data manager publishes it, pages read the *published* run (``published()``), and
older runs stay for comparison and for going back (unpublishing returns to the previous one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datahub.models import Establishment, TariffScale

from .benchmarking import columns as c


class RunStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    RUNNING = "running", "Running"
    FINALISING = "finalising", "Writing results"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BenchmarkRunQuerySet(models.QuerySet["BenchmarkRun"]):
    def latest_successful(self) -> BenchmarkRun | None:
        """The newest computed run, published or not (the runs page, benchmarks)."""
        return self.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()

    def published_runs(self) -> BenchmarkRunQuerySet:
        """Every run schools may see, the current one first."""
        return self.filter(status=RunStatus.SUCCEEDED, publication=Publication.PUBLISHED).order_by(
            "-published_at", "-id"
        )

    def published(self) -> BenchmarkRun | None:
        """The run every page reads: the most recently published one still published."""
        return self.published_runs().first()

    def published_before(self, run: BenchmarkRun) -> BenchmarkRun | None:
        """The release before ``run`` (its previous published run), for "what changed"."""
        if run.published_at is None:
            return self.published()
        return self.published_runs().filter(
            Q(published_at__lt=run.published_at) | Q(published_at=run.published_at, id__lt=run.id)
        ).first()


class BenchmarkRun(models.Model):
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.PENDING)
    seed = models.PositiveIntegerField()
    years = models.JSONField(help_text="Leaver years in the run")
    draws = models.PositiveSmallIntegerField(default=1, help_text="VC draws; more than one gives intervals")
    authority_chunks = models.PositiveSmallIntegerField(default=1, help_text="Authority groups per year")
    tariff_scale = models.ForeignKey(TariffScale, on_delete=models.PROTECT)
    input_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of every input frame")
    engine_version = models.CharField(max_length=20, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    input_rows = models.JSONField(default=dict, blank=True, help_text="Rows per source the run read, when created")
    # The Regional Improvement Collaborative of each authority when the run was created
    # (authority id -> collaborative id, as text keys): the run computes and keeps the figures of
    # that membership, so a later change of membership is the next run's, never old figures'.
    collaboratives = models.JSONField(
        default=dict, blank=True, help_text="Authority id -> Regional Improvement Collaborative id, as used"
    )
    publication = models.CharField(max_length=10, choices=Publication.choices, default=Publication.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # The worker finalising the run holds it under a lease; when that worker dies mid-finalise the
    # reaper (insight.tasks.reap_stuck_runs) lets another claim it once the lease has run out.
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)

    objects = BenchmarkRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(draws__gte=1, draws__lte=100), name="run_draws_range"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in RunStatus]), name="run_status_known"),
            models.CheckConstraint(
                condition=~Q(publication=Publication.PUBLISHED) | Q(status=RunStatus.SUCCEEDED, published_at__isnull=False),
                name="run_published_only_when_succeeded",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.get_status_display()})"

    @property
    def progress_pct(self) -> int:
        return int(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 0

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.FINALISING)

    @property
    def is_published(self) -> bool:
        return self.publication == Publication.PUBLISHED


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ChunkPart(models.TextChoices):
    """What a chunk computes: the leavers' national measures of a group of authorities, or the
    local measures of the year's cohorts (every authority; one such chunk a year)."""

    LEAVERS = "leavers", "National measures"
    COHORTS = "cohorts", "Local measures"


class BenchmarkChunk(models.Model):
    """One independent piece of a run: a leaver year and a group of authorities (the leavers'
    national measures), or a year's local measures (``part`` cohorts: every authority).

    A worker claims a chunk with a conditional update and holds it under a lease; the reaper
    re-queues chunks whose lease expired (the worker died). ``payload`` keeps the chunk's frames
    until the run is finalised.
    """

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, related_name="chunks")
    year = models.PositiveSmallIntegerField()
    part = models.CharField(max_length=8, choices=ChunkPart.choices, default=ChunkPart.LEAVERS)
    index = models.PositiveSmallIntegerField(help_text="Authority group within the year and part")
    authority_ids = models.JSONField()
    status = models.CharField(max_length=10, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    payload = models.BinaryField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "year", "part", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "year", "part", "index"], name="chunk_unique_piece")]


# --- results --------------------------------------------------------------------------------
# Result rows are written only by insight.persist, in bulk, inside the finalising transaction of
# their run, from ids the loader has just read. Their foreign keys carry no database constraint
# (db_constraint=False): checking ~1 million references at commit cost more than the whole COPY.
# Django still cascades deletes of a run or an establishment to them (on_delete in the ORM).

COHORT_CHOICES = [
    (c.COHORT_ESTABLISHMENT, "Establishment"),
    (c.COHORT_VC, "Virtual comparator"),
    (c.COHORT_AUTHORITY, "Local authority"),
    (c.COHORT_COLLABORATIVE, "Regional Improvement Collaborative"),
    (c.COHORT_NATIONAL, "Scotland"),
]


def _measure_fields() -> dict[str, models.Field]:
    fields: dict[str, models.Field] = {}
    for name in c.HEADLINE_MEASURES:
        if name.startswith("n_"):
            fields[name] = models.PositiveIntegerField(default=0)
        else:
            fields[name] = models.FloatField(null=True, blank=True)
    return fields


# Result tables (below): written only by insight.persist, a whole run in one COPY per table, and
# always read by run first. Their foreign keys carry no database constraint and no index of their
# own (db_constraint=False, db_index=False): each table's composite index starting with the run
# serves every read and the cascade when a run is deleted, and every extra index on about 400,000
# rows a run was a large share of the time to persist (docs/architecture.md).
class CohortResultBase(models.Model):
    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    cohort = models.CharField(max_length=16, choices=COHORT_CHOICES)
    cohort_id = models.BigIntegerField(help_text="Establishment id (also for its VC), authority id, or 0")
    year = models.PositiveSmallIntegerField()
    breakdown = models.CharField(max_length=20, blank=True, help_text="Empty: all leavers")
    breakdown_value = models.CharField(max_length=20, blank=True)

    class Meta:
        abstract = True


for _name, _field in _measure_fields().items():
    CohortResultBase.add_to_class(_name, _field)


class CohortResult(CohortResultBase):
    """The national measures of one cohort and year, for all leavers or one breakdown group."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "cohort", "cohort_id", "year", "breakdown", "breakdown_value"],
                name="cohort_result_unique",
            )
        ]
        indexes = [models.Index(fields=["run", "cohort", "cohort_id"])]


class DeprivationResult(models.Model):
    """Attainment versus deprivation: average total tariff by SIMD quintile or decile."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    cohort = models.CharField(max_length=16, choices=COHORT_CHOICES)
    cohort_id = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()
    simd_band_kind = models.CharField(max_length=8)
    simd_band = models.PositiveSmallIntegerField()
    n_leavers = models.PositiveIntegerField()
    avg_total_tariff = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "cohort", "cohort_id"])]


class NormalisedScore(models.Model):
    """(school average - VC average) / VC average per attainment group and year."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    year = models.PositiveSmallIntegerField()
    n_leavers = models.PositiveIntegerField(default=0)
    norm_lowest20 = models.FloatField(null=True, blank=True)
    norm_middle60 = models.FloatField(null=True, blank=True)
    norm_highest20 = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "establishment"])]


class WeightedScore(models.Model):
    """The leaver-weighted five-year average of the normalised scores (Find Partners' basis)."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    n_leavers = models.PositiveIntegerField(default=0)
    n_years = models.PositiveSmallIntegerField(default=0)
    weighted_lowest20 = models.FloatField(null=True, blank=True)
    weighted_middle60 = models.FloatField(null=True, blank=True)
    weighted_highest20 = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "establishment"], name="weighted_unique")]


class RankingBasis(models.TextChoices):
    PERFORMANCE = "performance", "Performance against the virtual comparator"
    CONTEXT = "context", "Context (roll, SIMD profile, FSM and ASN shares)"
    STRONGER = "stronger", "Stronger where we are weaker (lowest 20%)"


class PartnerRanking(models.Model):
    """For each school, every other school of its type in closeness order on one basis."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    basis = models.CharField(max_length=12, choices=RankingBasis.choices)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    other = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    distance = models.FloatField(null=True, blank=True)
    rank = models.PositiveIntegerField()
    score_gap = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "basis", "establishment", "rank"])]
        constraints = [
            models.CheckConstraint(condition=~Q(establishment=models.F("other")), name="ranking_not_self"),
        ]


class VCInterval(models.Model):
    """Spread of a VC figure or normalised score over repeated VC draws (beyond Insight)."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=12)
    measure = models.CharField(max_length=40)
    n_draws = models.PositiveSmallIntegerField()
    min = models.FloatField(null=True, blank=True)
    p05 = models.FloatField(null=True, blank=True)
    p95 = models.FloatField(null=True, blank=True)
    max = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "establishment"])]


class RelaxationCount(models.Model):
    """How many of a school's leavers needed a relaxed VC match (docs/domain.md: record it)."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False)
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False)
    year = models.PositiveSmallIntegerField()
    n_exact = models.PositiveIntegerField(default=0)
    n_relaxed_quintile = models.PositiveIntegerField(default=0)
    n_relaxed_no_asn = models.PositiveIntegerField(default=0)
    n_unmatched = models.PositiveIntegerField(default=0)


class RunNotice(models.Model):
    """An in-portal notice that new figures were published for a school or authority the recipient
    works for. Written by insight.publication with the publish; read (and marked read) on the
    release note page."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="run_notices")
    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "run"], name="run_notice_once")]

    def __str__(self) -> str:
        return self.text


class BreadthDepthResult(models.Model):
    """Breadth and Depth (a local measure): of one cohort (S4, S5 or S6 based on the S4 roll, or
    leavers) of a school, authority or Scotland in one year, under one grade filter and minimum of
    SCQF credit points, how many members hold 1 or more ... 10 or more awards at ``scqf_level`` or
    better. Counts, not percentages, so the disclosure layer sees every n."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    cohort = models.CharField(max_length=16, choices=COHORT_CHOICES)
    cohort_id = models.BigIntegerField(help_text="Establishment id, authority id, or 0 for Scotland")
    year = models.PositiveSmallIntegerField(help_text="The year of the diet that ends the cohort's stage")
    cohort_stage = models.CharField(max_length=8, help_text="S4, S5 or S6 (based on the S4 roll), or leavers")
    grade_filter = models.CharField(max_length=2, help_text="A (A only), AC (A-C), AD (A-D)")
    min_credits = models.PositiveSmallIntegerField(help_text="Awards of at least this many SCQF credit points")
    scqf_level = models.PositiveSmallIntegerField(help_text="Awards at this SCQF level or better (7: level 7)")
    n_cohort = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "cohort", "cohort_id"])]


for _k in range(1, c.BD_MAX_AWARDS + 1):
    BreadthDepthResult.add_to_class(
        c.n_awards(_k), models.PositiveIntegerField(help_text=f"Members with {_k} or more awards")
    )


class CurricularAreaResult(models.Model):
    """Curricular areas (a local measure): of one cohort (S4, S5 or S6 based on the S4 roll, or
    leavers) of a school, its VC, authority or Scotland in one year, under one grade filter, how
    many members hold an award in a subject of ``curricular_area`` at SCQF level 3 or better ...
    level 7. Counts, not percentages, so the disclosure layer sees every n."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    cohort = models.CharField(max_length=16, choices=COHORT_CHOICES)
    cohort_id = models.BigIntegerField(help_text="Establishment id, authority id, or 0 for Scotland")
    year = models.PositiveSmallIntegerField(help_text="The year of the diet that ends the cohort's stage")
    cohort_stage = models.CharField(max_length=8, help_text="S4, S5 or S6 (based on the S4 roll), or leavers")
    grade_filter = models.CharField(max_length=2, help_text="A (A only), AC (A-C), AD (A-D)")
    curricular_area = models.CharField(max_length=16, help_text="datahub CurricularArea value")
    n_cohort = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["run", "cohort", "cohort_id"])]


for _level in c.BD_LEVELS:
    CurricularAreaResult.add_to_class(
        c.n_level(_level),
        models.PositiveIntegerField(help_text=f"Members with an award in the area at SCQF level {_level}"
                                    f"{' or better' if _level < 7 else ''}"),
    )


class CourseResult(models.Model):
    """The Course Comparator (a local measure): one course (subject x award type x SCQF level)
    sat by one cohort (S4, S5 or S6 based on the S4 roll, or leavers) of a school, its virtual
    comparator, authority or Scotland in the diet of one year: entries, grade bands (or passes for
    ungraded awards) and the entrants' mean grade difference against their other courses. Counts,
    so the disclosure layer sees every n (``insight.benchmarking.courses``)."""

    run = models.ForeignKey(BenchmarkRun, on_delete=models.CASCADE, db_constraint=False, db_index=False)
    cohort = models.CharField(max_length=16, choices=COHORT_CHOICES)
    cohort_id = models.BigIntegerField(help_text="Establishment id, authority id, or 0 for Scotland")
    year = models.PositiveSmallIntegerField(help_text="The year of the diet")
    cohort_stage = models.CharField(max_length=8, help_text="S4, S5 or S6 (based on the S4 roll), or leavers")
    subject_id = models.BigIntegerField()
    award_type = models.CharField(max_length=3)
    scqf_level = models.PositiveSmallIntegerField()
    n_entries = models.PositiveIntegerField(help_text="Entrants (for a VC: comparators drawn)")
    n_a = models.PositiveIntegerField(help_text="Entrants with an A")
    n_ab = models.PositiveIntegerField(help_text="Entrants with A or B")
    n_ac = models.PositiveIntegerField(help_text="Entrants with A to C")
    n_ad = models.PositiveIntegerField(help_text="Entrants with A to D")
    n_pass = models.PositiveIntegerField(help_text="Entrants with an ungraded pass")
    n_compared = models.PositiveIntegerField(help_text="Entrants with another graded course in the diet")
    grade_diff = models.FloatField(null=True, blank=True,
                                   help_text="Mean of (this course's grade number - mean of the entrant's other courses')")

    class Meta:
        # A school's courses of one year and cohort (the course list, an authority's uptake).
        indexes = [models.Index(fields=["run", "cohort", "cohort_id", "year", "cohort_stage"])]


# Comparator groups (issue 15) live in their own package, as models of this app.
from .groups.models import ComparatorGroup, ComparatorGroupResult  # noqa: E402, F401
