"""Server time of the Course Comparator and local measure pages at national scale, against a minimal page.

Run by `make bench` (throwaway PostgreSQL and Redis). In one run:
1. the national demo data set and a published benchmark run (made here when there is none; the
   run computes the Course Comparator with the other local measures);
2. the large school: the secondary school with the most S4 course entries in the run's latest
   year, opened by a head teacher of that school (an establishment admin made here if needed);
3. for each page, the median and 95th percentile of the whole server-side request through
   Django's test client: the school's course list, one course (its most-entered one: grade
   bands against the VC, authority and Scotland, entries by year, the grade difference), the
   course's CSV export (audited), the authority's vocational uptake (as an authority analyst),
   Breadth and Depth and the curricular areas of the school (as its head teacher, and as the head
   teacher of another school of its authority: the per-viewer rule for the aggregates at work),
   the authority's Breadth and Depth (as its analyst), and the minimal page (the accessibility
   statement, signed in), each page's ratio to it;
4. the engine on the run's latest year of the national data (as a run's chunk loads it): the
   Course Comparator with its VC draw beside Breadth and Depth with its VC, on the same frames.
Target (issue 12): a course comparator page for a large school at national scale, median under 50 ms.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.common import ensure_benchmark_run, ensure_national_data, report, setup_django, summarise_ms

setup_django()

from django.conf import settings  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from datahub.models import Establishment, Membership, Role, Subject, User  # noqa: E402
from insight.models import BenchmarkRun, CourseResult  # noqa: E402

ROUNDS = 40
WARM_UP = 3
TARGET_MS = 50.0
COURSE = "one course, large school, own head teacher"


def timed(client: Client, url: str) -> float:
    t0 = time.perf_counter()
    resp = client.get(url)
    seconds = time.perf_counter() - t0
    if resp.status_code != 200:
        raise SystemExit(f"{url}: HTTP {resp.status_code}")
    return seconds


def user_with(role: Role, **place: object) -> User:
    found = User.objects.filter(memberships__role=role, **{f"memberships__{k}": v for k, v in place.items()}).first()
    if found is None:
        found = User.objects.create_user(email=f"bench-{role}-{time.time_ns()}@example.org")
        Membership.objects.create(user=found, role=role, **place)
    return found


def engine_seconds(year: int) -> list[str]:
    """The Course Comparator against Breadth and Depth on one national year (both with their VC)."""
    from insight import loaders
    from insight.benchmarking import breadth, courses

    t0 = time.perf_counter()
    members, results = loaders.load_cohorts(year)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    breadth.breadth_depth(members, results, seed=1)
    t_breadth = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = courses.course_results(members, results, seed=2)
    t_courses = time.perf_counter() - t0
    return [f"engine, {year}: {len(members):,} cohort members, {len(results):,} awards loaded in {t_load:.2f} s; "
            f"Breadth and Depth {t_breadth:.2f} s, Course Comparator {t_courses:.2f} s "
            f"({t_courses / t_breadth:.1f} x; {len(out):,} course rows)"]


def aggregate_seconds(run: BenchmarkRun) -> list[str]:
    """The per-viewer grade rule's viewer-independent part, built cold for one stage (a finished
    run prepares it on a worker; a process with neither memory nor shared cache builds it once)."""
    from insight.selectors import course_graded

    t0 = time.perf_counter()
    table = course_graded._build(run, "S4")
    seconds = time.perf_counter() - t0
    cells = sum(len(units) for years in table.cells.values() for units in years.values())
    lines = [f"aggregate table for the grade rule, S4, cold: {seconds:.2f} s ({len(table.cells):,} courses, "
             f"{cells:,} aggregate cells, {len(table.authority_of):,} presenting schools)"]
    from insight.benchmarking import columns as c
    from insight.selectors import local_aggregates as la

    for kind, filters in ((la.BREADTH, ((c.GRADE_FILTER, "AD"), (c.MIN_CREDITS, 0))),
                          (la.AREAS, ((c.GRADE_FILTER, "AD"),))):
        t0 = time.perf_counter()
        local = la._build(run, kind, "S4", filters)
        seconds = time.perf_counter() - t0
        lines.append(f"aggregate table for the local measures' rule, {kind.name}, S4, every award, cold: "
                     f"{seconds:.2f} s ({len(local.authority_of):,} schools)")
    return lines


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    made = ensure_national_data()
    run = BenchmarkRun.objects.get(pk=ensure_benchmark_run())
    rows = CourseResult.objects.filter(run=run, cohort="establishment", cohort_stage="S4")
    if not rows.exists():
        raise SystemExit(f"Run {run.pk} has no course results: it was computed before the Course Comparator")
    year = max(rows.values_list("year", flat=True).distinct())
    largest = (rows.filter(year=year).values("cohort_id").annotate(n=Sum("n_entries")).order_by("-n", "cohort_id")
               .first())
    assert largest is not None
    school = Establishment.objects.select_related("authority").get(pk=largest["cohort_id"])
    top = rows.filter(year=year, cohort_id=school.pk).order_by("-n_entries", "subject_id").first()
    assert top is not None
    course_key = f"{Subject.objects.get(pk=top.subject_id).code}-{top.award_type}-{top.scqf_level}"
    n_courses = rows.filter(year=year, cohort_id=school.pk).count()

    neighbour = (Establishment.objects.filter(authority=school.authority, type="secondary").exclude(pk=school.pk)
                 .order_by("seed_code").first())
    assert neighbour is not None
    head, analyst = user_with(Role.ESTABLISHMENT_ADMIN, establishment=school), user_with(
        Role.AUTHORITY_ANALYST, authority=school.authority)
    clients = {}
    for name, user in (("head", head), ("analyst", analyst),
                       ("neighbour", user_with(Role.ESTABLISHMENT_ADMIN, establishment=neighbour))):
        clients[name] = Client()
        clients[name].force_login(user)
    seed = school.seed_code
    pages = [
        ("minimal page (accessibility statement, signed in)", "head", reverse("accessibility")),
        ("course list, large school, own head teacher", "head", reverse("insight:courses", kwargs={"seed": seed})),
        (COURSE, "head", reverse("insight:course", kwargs={"seed": seed, "course": course_key})),
        ("CSV export of the course's grade bands (audited)", "head",
         reverse("insight:course_export", kwargs={"seed": seed, "course": course_key, "table": "bands", "fmt": "csv"})),
        ("authority's vocational uptake, own authority", "analyst",
         reverse("insight:course_uptake", kwargs={"code": school.authority.code})),
        ("Breadth and Depth, large school, own head teacher", "head",
         reverse("insight:breadth_depth", kwargs={"seed": seed})),
        ("Breadth and Depth, large school, another school's head", "neighbour",
         reverse("insight:breadth_depth", kwargs={"seed": seed})),
        ("curricular areas, large school, own head teacher", "head",
         reverse("insight:curricular_areas", kwargs={"seed": seed})),
        ("authority's Breadth and Depth, own authority", "analyst",
         reverse("insight:authority_breadth_depth", kwargs={"code": school.authority.code})),
    ]
    samples: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    for _, who, url in pages:
        for _ in range(WARM_UP):
            timed(clients[who], url)
    for _ in range(ROUNDS):  # interleaved, so drift affects every page alike
        for label, who, url in pages:
            samples[label].append(timed(clients[who], url))

    base_median, _ = summarise_ms(samples[pages[0][0]])
    lines = [
        "Course Comparator pages: server time per request (Django test client, in process)",
        f"data: {Establishment.objects.filter(type='secondary').count()} secondary schools, run {run.pk} "
        f"({CourseResult.objects.filter(run=run).count():,} course rows)"
        + (f"; national data generated in {made:.0f} s" if made else ""),
        f"large school: {school.name} ({seed}), {largest['n']:,} S4 entries in {n_courses} courses in {year}; "
        f"course {course_key} ({top.n_entries} entries)",
        f"{ROUNDS} rounds after {WARM_UP} warm-up requests per page",
        "",
        f"{'page':<56}{'median ms':>10}{'p95 ms':>9}{'x minimal':>11}",
    ]
    for label in samples:
        median, p95 = summarise_ms(samples[label])
        ratio = median / base_median if base_median else float("nan")
        lines.append(f"{label:<56}{median:>10.1f}{p95:>9.1f}{ratio:>11.1f}")
    median, _ = summarise_ms(samples[COURSE])
    lines.append("")
    lines.append(f"{'meets' if median < TARGET_MS else 'MISSES'} the {TARGET_MS:.0f} ms target: {COURSE} "
                 f"(median {median:.1f} ms)")
    lines += engine_seconds(year)
    lines += aggregate_seconds(run)
    lines.append(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report("course_comparator", lines)
    if median >= TARGET_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
