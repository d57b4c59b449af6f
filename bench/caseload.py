"""MCMC caseload at national scale: server time of filtered caseload pages against a minimal
authenticated page measured in the same run.

Run by `make bench` (throwaway PostgreSQL). Uses the national demo data set (about 50,000 young
people per leaver year, five years), making it when missing. Then, as in production:
1. the cases are brought up to date once (what `manage.py refresh_cases` does nightly; timed);
2. the largest authority (Glasgow City) gets realistic casework made through the services: three
   MCMC officers, two thirds of its open cases assigned with next actions around today (a fifth
   overdue), a contact for half of them.
Requests go through Django's test Client in-process: the whole middleware stack, session and
authentication, the view and the template, with DEBUG off.

Measures (median and p95 over 200 requests each, the pages taking turns, after 20 warm-up
requests each): the caseload as the
officer opens it, and filtered by status, school, overdue, care experience and age, officer, name,
a later page; and the baseline, a portal page with nothing on it.
Target (issue 6): a filtered caseload page's median under 100 ms.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.common import ensure_national_data, report, setup_django, summarise_ms

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.generic import TemplateView  # noqa: E402

from datahub.models import LocalAuthority, Membership, Role, User  # noqa: E402
from datahub.views_base import PortalView  # noqa: E402
from destinations import services  # noqa: E402
from destinations.models import Case  # noqa: E402
from destinations.selectors import caseload_for  # noqa: E402

REQUESTS = 200
WARM_UP = 20
TARGET_MEDIAN_MS = 100.0
AUTHORITY = "Glasgow City"


class MinimalPage(PortalView, TemplateView):
    """The baseline: a portal page with nothing on it (sign-in, role check, menu, base template)."""

    template_name = "base.html"


# This module is the URLconf while it runs: the project's URLs plus the baseline page.
urlpatterns = [
    path("bench/minimal/", MinimalPage.as_view()),
    path("", include("insight.config.urls")),
]


def officers(authority: LocalAuthority) -> list[User]:
    out = []
    for i in range(3):
        user, _ = User.objects.get_or_create(email=f"bench-mcmc-{i}@bench.invalid",
                                             defaults={"first_name": "Bench", "last_name": f"Officer {i + 1}"})
        Membership.objects.get_or_create(user=user, role=Role.MCMC_OFFICER, authority=authority)
        out.append(user)
    return out


def casework(team: list[User]) -> int:
    """Assign two thirds of the open cases round the team with next actions from 30 days ago to
    60 days ahead (about a fifth overdue), and record a contact for half of them. Idempotent: a
    second run finds the work done."""
    lead = team[0]
    cases = list(caseload_for(lead).order_by("id"))
    if Case.objects.filter(officer__in=team).exists():
        return 0
    today = timezone.localdate()
    done = 0
    for i, case in enumerate(cases):
        if i % 3 == 2:
            continue
        officer = team[i % len(team)]
        due = today + dt.timedelta(days=(i * 7) % 90 - 18)
        services.case_update(leaver=case.leaver, by=lead, officer=officer, next_action="Phone to confirm plans",
                             next_action_date=due, reason="Caseload review")
        if i % 2 == 0:
            services.contact_note_create(leaver=case.leaver, by=officer, contact_date=today - dt.timedelta(days=i % 40),
                                    method="phone", outcome="no_response", note="No answer; left a message.",
                                    next_action="Phone again", next_action_date=due)
        done += 1
    return done


def timed(client: Client, urls: list[str], n: int = REQUESTS) -> list[list[float]]:
    """Seconds per request for each URL. The URLs take turns (one request each per round), so a
    busy spell on the machine falls on all of them alike and the ratios stay fair."""
    for url in urls:
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200, url
    samples: list[list[float]] = [[] for _ in urls]
    for _ in range(n):
        for i, url in enumerate(urls):
            t0 = time.perf_counter()
            resp = client.get(url)
            samples[i].append(time.perf_counter() - t0)
            assert resp.status_code == 200, (url, resp.status_code)
    return samples


def count_queries(client: Client, url: str) -> int:
    n = 0

    def counter(execute, sql, params, many, context):
        nonlocal n
        n += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        assert client.get(url).status_code == 200
    return n


def main() -> None:
    generated = ensure_national_data()
    t0 = time.perf_counter()
    refreshed = services.case_sync(full=True)
    refresh_s = time.perf_counter() - t0
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.MFA_REQUIRED_FOR_ADMINS = False

    authority = LocalAuthority.objects.get(name=AUTHORITY)
    team = officers(authority)
    t0 = time.perf_counter()
    worked = casework(team)
    casework_s = time.perf_counter() - t0
    officer = team[0]
    open_cases = caseload_for(officer).count()
    school = caseload_for(officer).values_list("leaver__learner__establishment_id", flat=True).first()
    family = caseload_for(officer).values_list("leaver__learner__family_name", flat=True).first()
    age = 18

    client = Client()
    client.force_login(officer)
    n_queries = count_queries(client, "/destinations/caseload/?status=unknown")
    pages = {
        "Caseload as opened (all open cases, page 1)": "/destinations/caseload/",
        "Filtered: status unknown": "/destinations/caseload/?status=unknown",
        "Filtered: one school, not in a positive destination": f"/destinations/caseload/?school={school}&status=negative",
        "Filtered: overdue next actions": "/destinations/caseload/?overdue=1",
        "Filtered: care experienced, aged 18": f"/destinations/caseload/?care_experienced=yes&age={age}",
        "Filtered: assigned to me, not sustained": "/destinations/caseload/?officer=me&status=not_sustained",
        "Filtered: name search": f"/destinations/caseload/?q={family}",
        "Page 5 of the caseload": "/destinations/caseload/?page=5",
        "Baseline: minimal authenticated page": "/bench/minimal/",
    }
    samples = timed(client, list(pages.values()))
    results = {label: summarise_ms(s) for label, s in zip(pages, samples, strict=True)}
    base_median, base_p95 = results["Baseline: minimal authenticated page"]
    filtered = [v for k, v in results.items() if k.startswith("Filtered")]
    worst_median = max(m for m, _ in filtered)

    lines = [
        "MCMC caseload at national scale (Django test Client in-process, DEBUG off, PostgreSQL)",
        f"data: {Case.objects.count():,} school leavers with cases"
        + (f"; demo data generated in {generated:.0f} s" if generated else "")
        + f"; all cases refreshed in {refresh_s:.1f} s ({refreshed:,})",
        f"{AUTHORITY}: {open_cases:,} open cases for young people aged 19 or under; casework made for {worked:,} "
        f"of them in {casework_s:.1f} s",
        f"queries for one filtered caseload page: {n_queries}",
        f"{REQUESTS} requests each (the pages taking turns) after {WARM_UP} warm-up requests:",
    ]
    for label, (median, p95) in results.items():
        lines.append(f"  {label:<58} median {median:7.2f} ms  p95 {p95:7.2f} ms  ratio to baseline "
                     f"{median / base_median:5.1f}x")
    met = worst_median < TARGET_MEDIAN_MS
    lines.append(
        f"target: filtered caseload median < {TARGET_MEDIAN_MS:.0f} ms: slowest filtered median {worst_median:.2f} ms "
        f"({'met' if met else 'MISSED'}); baseline median {base_median:.2f} ms, p95 {base_p95:.2f} ms"
    )
    report("caseload", lines)
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
