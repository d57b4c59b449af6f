"""Find Partners at national scale: server time of the page against a minimal authenticated page.

Run by `make bench` (throwaway PostgreSQL). Uses the national demo data set (about 360 secondary
schools, so each school's ranking has about 359 rows per basis) and its latest benchmark run,
making either when missing. Requests go through Django's test Client in-process: the whole
middleware stack, session and authentication, the view and the template, with DEBUG off.

Measures, in one run (median and p95 over 200 requests each, after 20 warm-up requests):
- Find Partners as a head teacher: the default page (Insight closeness, performance basis), the
  national benchmarking performance tab, the context basis filtered and sorted, and the CSV export;
- the baseline: a minimal authenticated page (sign-in, portal role, menu and the base template,
  no data), so the ratio shows what the page itself costs.
Target (issue 5): Find Partners median under 50 ms.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.common import ensure_benchmark_run, ensure_national_data, report, setup_django, summarise_ms

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.generic import TemplateView  # noqa: E402

from datahub.models import Establishment, Membership, Role, User  # noqa: E402
from datahub.views_base import PortalView  # noqa: E402
from insight.models import BenchmarkRun, PartnerRanking  # noqa: E402

REQUESTS = 200
WARM_UP = 20
TARGET_MEDIAN_MS = 50.0
BENCH_EMAIL = "bench-find-partners@bench.invalid"


class MinimalPage(PortalView, TemplateView):
    """The baseline: a portal page with nothing on it (sign-in, role check, menu, base template)."""

    template_name = "base.html"


# This module is the URLconf while it runs: the project's URLs plus the baseline page.
urlpatterns = [
    path("bench/minimal/", MinimalPage.as_view()),
    path("", include("insight.config.urls")),
]


def head_teacher() -> tuple[User, Establishment]:
    """The demo head teacher when there is one, else a bench user admin of the first ranked school."""
    user = User.objects.filter(email="headteacher@demo.insight").first()
    if user is not None:
        m = user.memberships.filter(role=Role.ESTABLISHMENT_ADMIN).select_related("establishment").first()
        if m is not None:
            return user, m.establishment  # type: ignore[return-value]
    run = BenchmarkRun.objects.published()
    school = Establishment.objects.get(pk=PartnerRanking.objects.filter(run=run).values("establishment_id")[:1])
    user, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"first_name": "Bench"})
    Membership.objects.get_or_create(user=user, role=Role.ESTABLISHMENT_ADMIN, establishment=school)
    return user, school


def timed(client: Client, url: str, n: int = REQUESTS) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process: Django, not PostgreSQL) of each request."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200, url
    wall, cpu = [], []
    for _ in range(n):
        c0, t0 = time.process_time(), time.perf_counter()
        resp = client.get(url)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert resp.status_code == 200, (url, resp.status_code)
    return wall, cpu


def main() -> None:
    generated = ensure_national_data()
    t0 = time.perf_counter()
    run_id = ensure_benchmark_run()
    run_seconds = time.perf_counter() - t0
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__  # this module: the project's URLs plus the baseline page
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.MFA_REQUIRED_FOR_ADMINS = False

    user, school = head_teacher()
    client = Client()
    client.force_login(user)
    n_schools = Establishment.objects.filter(type=school.type).count()
    n_ranked = PartnerRanking.objects.filter(run_id=run_id, basis="performance", establishment=school).count()

    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get("/insight/find-partners/").status_code == 200
    pages = {
        "Find Partners (default: closeness, performance basis)": "/insight/find-partners/",
        "Find Partners, national benchmarking performance tab": "/insight/find-partners/?tab=performance",
        "Find Partners, context basis, one roll band, sorted by distance": (
            "/insight/find-partners/?basis=context&roll=800-1199&sort=distance&dir=desc"
        ),
        "Find Partners, CSV export of all schools (audited)": "/insight/find-partners/?format=csv",
        "Baseline: minimal authenticated page": "/bench/minimal/",
    }
    load_before = os.getloadavg()[0]
    samples = {label: timed(client, url) for label, url in pages.items()}
    load_after = os.getloadavg()[0]
    results = {label: summarise_ms(wall) for label, (wall, _cpu) in samples.items()}
    cpu = {label: summarise_ms(c)[0] for label, (_wall, c) in samples.items()}
    base_median, base_p95 = results["Baseline: minimal authenticated page"]
    main_median, main_p95 = results["Find Partners (default: closeness, performance basis)"]

    lines = [
        "Find Partners at national scale (Django test Client in-process, DEBUG off, PostgreSQL)",
        f"data: {n_schools} {school.type} schools; {school.name} has {n_ranked} ranked schools per basis; "
        f"benchmark run {run_id}" + (f"; demo data generated in {generated:.0f} s" if generated else "")
        + (f"; run computed in {run_seconds:.0f} s" if run_seconds > 1 else ""),
        f"queries for one Find Partners page: {len(executed)} (sign-in and role lookups included)",
        f"machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before and {load_after:.1f} after "
        "(other work on the machine inflates wall-clock times; CPU time is this process's own)",
        f"{REQUESTS} requests each after {WARM_UP} warm-up requests (wall clock; CPU median in brackets):",
    ]
    for label, (median, p95) in results.items():
        lines.append(f"  {label:<66} median {median:6.2f} ms  p95 {p95:7.2f} ms  (CPU {cpu[label]:6.2f} ms)  "
                     f"ratio to baseline {median / base_median:4.1f}x")
    verdict = "met" if main_median < TARGET_MEDIAN_MS else "MISSED"
    lines.append(f"target: Find Partners median < {TARGET_MEDIAN_MS:.0f} ms: {main_median:.2f} ms ({verdict}); "
                 f"p95 {main_p95:.2f} ms; baseline median {base_median:.2f} ms, p95 {base_p95:.2f} ms")
    report("find_partners", lines)
    if main_median >= TARGET_MEDIAN_MS:
        sys.exit(1)


if __name__ == "__main__":
    main()
