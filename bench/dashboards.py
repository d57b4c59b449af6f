"""Server time of the benchmarking dashboards at national scale, against a minimal page.

Run by `make bench` (throwaway PostgreSQL and Redis). In one run:
1. the national demo data set (about 360 secondary schools, five leaver years) and a benchmark
   run (made here when there is none);
2. the first request after a run: it computes the run's public suppression pattern (every
   school, authority and Scotland, four count layers) and vocational uptake, kept in the cache;
3. then, for each page, the median and 95th percentile of the whole server-side request
   (middleware, access checks, queries, disclosure, template) through Django's test client:
   the establishment dashboard (as the school's own head teacher, and as a national analyst,
   which also writes an audit entry), the authority dashboard (own authority and another one),
   the national view (its authorities' and schools' tables kept in memory after the first request
   for a choice, as in a running web process; also measured with that memory emptied before each
   request: what the first request for a measure or authority costs a process), and a CSV export;
4. the same for a minimal page (the accessibility statement, signed in: the base layout, the
   menu and the role switcher) measured in the same run, and each page's ratio to it.
Targets: median under 100 ms for the establishment and authority dashboards (issue 7), under
50 ms for the national view (issue 16).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.common import ensure_benchmark_run, ensure_national_data, report, setup_django, summarise_ms

setup_django()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from datahub.models import Establishment, LocalAuthority, Role, User  # noqa: E402
from insight.models import BenchmarkRun  # noqa: E402
from insight.pages.national import TABLES as national_tables  # noqa: E402
from insight.selectors.pattern import forget_computed, public_pattern  # noqa: E402
from insight.selectors.vocational import vocational_table  # noqa: E402

ROUNDS = 40
WARM_UP = 3
TARGET_MS = 100.0
NATIONAL_TARGET_MS = 50.0
NATIONAL = "national view"
NATIONAL_COLD = "national view, tables not yet in memory"


def demo_user(role: Role) -> User:
    user = User.objects.filter(memberships__role=role).order_by("id").first()
    if user is None:
        raise SystemExit(f"No demo user with role {role}: generate the demo data first")
    return user


def timed(client: Client, url: str) -> float:
    t0 = time.perf_counter()
    resp = client.get(url)
    seconds = time.perf_counter() - t0
    if resp.status_code != 200:
        raise SystemExit(f"{url}: HTTP {resp.status_code}")
    return seconds


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    made = ensure_national_data()
    run = BenchmarkRun.objects.get(pk=ensure_benchmark_run())
    schools = Establishment.objects.filter(type="secondary").count()

    head = demo_user(Role.ESTABLISHMENT_ADMIN)
    own_school = head.memberships.get(role=Role.ESTABLISHMENT_ADMIN).establishment
    assert own_school is not None  # membership_scope_matches_role: an establishment role names its school
    analyst = demo_user(Role.AUTHORITY_ANALYST)
    own_authority = analyst.memberships.get(role=Role.AUTHORITY_ANALYST).authority
    assert own_authority is not None  # membership_scope_matches_role: an authority role names its authority
    other_authority = LocalAuthority.objects.exclude(pk=own_authority.pk).order_by("code").first()
    assert other_authority is not None  # the national data set has every authority
    national = demo_user(Role.NATIONAL_ANALYST)

    clients = {}
    for name, user in (("head", head), ("analyst", analyst), ("national", national)):
        clients[name] = Client()
        clients[name].force_login(user)

    est_url = reverse("insight:establishment_dashboard", kwargs={"seed": own_school.seed_code})
    pages = [
        ("minimal page (accessibility statement, signed in)", "head", reverse("accessibility")),
        ("establishment dashboard, own school", "head", est_url),
        ("establishment dashboard, national analyst (audited)", "national", est_url),
        ("establishment dashboard, care-experience breakdown", "head", est_url + "?breakdown=care_experienced"),
        ("authority dashboard, own authority", "analyst",
         reverse("insight:authority_dashboard", kwargs={"code": own_authority.code})),
        ("authority dashboard, another authority", "analyst",
         reverse("insight:authority_dashboard", kwargs={"code": other_authority.code})),
        (NATIONAL, "national", reverse("insight:national")),
        ("CSV export of a table (audited)", "head",
         reverse("insight:establishment_export", kwargs={"seed": own_school.seed_code, "table": "m-pct-initial-positive",
                                                         "fmt": "csv"})),
    ]

    # The first request after a run computes the public pattern (cold cache and memory).
    from django.core.cache import cache

    forget_computed()
    cache.clear()
    t0 = time.perf_counter()
    pattern = public_pattern(run)
    pattern_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    vocational_table(run)
    vocational_s = time.perf_counter() - t0
    forget_computed()  # the next process finds them in the shared cache
    t0 = time.perf_counter()
    public_pattern(run)
    from_cache_s = time.perf_counter() - t0

    samples: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    samples[NATIONAL_COLD] = []
    for _, who, url in pages:
        for _ in range(WARM_UP):
            timed(clients[who], url)
    for _ in range(ROUNDS):  # interleaved, so drift affects every page alike
        for label, who, url in pages:
            samples[label].append(timed(clients[who], url))
        national_tables.clear()
        samples[NATIONAL_COLD].append(timed(clients["national"], reverse("insight:national")))

    base_median, _ = summarise_ms(samples[pages[0][0]])
    lines = [
        "Benchmarking dashboards: server time per request (Django test client, in process)",
        f"data: {schools} secondary schools, leaver years {run.years}, run {run.pk} ({run.draws} VC draw(s))"
        + (f"; national data generated in {made:.0f} s" if made else ""),
        f"public suppression pattern: {pattern.size():,} withheld cells in 4 layers, computed in {pattern_s:.2f} s "
        f"(once per run, then shared through the cache: {from_cache_s * 1000:.0f} ms to load); "
        f"vocational uptake and its pattern {vocational_s:.2f} s",
        f"{ROUNDS} rounds after {WARM_UP} warm-up requests per page",
        "",
        f"{'page':<56}{'median ms':>10}{'p95 ms':>9}{'x minimal':>11}",
    ]
    verdicts = []
    for label in samples:
        median, p95 = summarise_ms(samples[label])
        ratio = median / base_median if base_median else float("nan")
        lines.append(f"{label:<56}{median:>10.1f}{p95:>9.1f}{ratio:>11.1f}")
        if label.startswith(("establishment dashboard, own", "authority dashboard, own")):
            verdicts.append((label, median, TARGET_MS))
        elif label == NATIONAL:
            verdicts.append((label, median, NATIONAL_TARGET_MS))
    lines.append("")
    for label, median, target in verdicts:
        ok = "meets" if median < target else "MISSES"
        lines.append(f"{ok} the {target:.0f} ms target: {label} (median {median:.1f} ms)")
    lines.append(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    lines.append(f"spread check: stdev of the minimal page {statistics.pstdev(samples[pages[0][0]]) * 1000:.2f} ms")
    report("dashboards", lines)
    if any(median >= target for _, median, target in verdicts):
        sys.exit(1)


if __name__ == "__main__":
    main()
