"""Set-up for the load test (bench/load/run_load.sh): national data, a benchmark run, fixtures.

    python bench/load/prepare.py OUT_DIR

1. The national demo data set (bench/lib/common.ensure_national_data) and one successful benchmark
   run computed in-process, so the dashboards have results before the test starts.
2. OUT_DIR/fixtures.json: what the locust users need that they cannot find by following links
   (the demo schools' SEED codes, the demo authority's code), and signed-in sessions: for each
   demo role login, SESSIONS_PER_ROLE people (load-<role>-<n>@load.invalid) holding the same
   memberships, each with its own session. Signing in is left out of the test on purpose: it
   hashes the password (deliberately slow, once per 8-hour session), and 50 sign-ins from one
   address in seconds is what the sign-in rate limit exists to refuse.
3. OUT_DIR/results-100k.csv: the 100,000-row import the data manager uploads during the test:
   100,000 existing results of the demo authority's schools with their grade corrected (A <-> B,
   C <-> D, passes kept), in the documented results format. The import must update exactly those
   rows, all or nothing.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.lib.common import ensure_benchmark_run, ensure_national_data, setup_django

IMPORT_ROWS = 100_000
SWAP = {"A": "B", "B": "A", "C": "D", "D": "C"}


SESSIONS_PER_ROLE = 30
ROLE_LOGINS = {
    "headteacher": "headteacher@demo.insight",
    "headteacher2": "headteacher2@demo.insight",
    "staff": "staff@demo.insight",
    "mcmc": "mcmc@demo.insight",
    "analyst": "analyst@demo.insight",
    "national": "national@demo.insight",
    "datamanager": "datamanager@demo.insight",
}


def sessions() -> dict[str, list[str]]:
    """Session cookies of SESSIONS_PER_ROLE people per demo login, with that login's memberships."""
    from django.test import Client

    from datahub.models import Membership, User

    User.objects.filter(email__endswith="@load.invalid").delete()
    found: dict[str, list[str]] = {}
    for key, email in ROLE_LOGINS.items():
        template = list(Membership.objects.filter(user__email=email))
        found[key] = []
        for n in range(SESSIONS_PER_ROLE):
            user = User.objects.create_user(f"load-{key}-{n}@load.invalid", first_name="Load", last_name=f"{key} {n}")
            for membership in template:
                membership.pk = None
                membership.user = user
                membership.save()
            client = Client()
            client.force_login(user)
            found[key].append(client.cookies["sessionid"].value)
    return found


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    setup_django()
    from datahub.models import Establishment, LocalAuthority, QualificationResult
    from insight.demo.scales import DEMO_SCHOOL_1, DEMO_SCHOOL_2

    t0 = time.perf_counter()
    generated = ensure_national_data()
    if generated is not None:
        print(f"national demo data generated in {generated:.0f} s", flush=True)
    t1 = time.perf_counter()
    run_id = ensure_benchmark_run()
    print(f"benchmark run {run_id} ready in {time.perf_counter() - t1:.0f} s", flush=True)

    school1 = Establishment.objects.get(name=DEMO_SCHOOL_1[1], authority__name=DEMO_SCHOOL_1[0])
    school2 = Establishment.objects.get(name=DEMO_SCHOOL_2[1], authority__name=DEMO_SCHOOL_2[0])
    authority = LocalAuthority.objects.get(name=DEMO_SCHOOL_1[0])
    fixtures = {
        "school1": school1.seed_code,
        "school2": school2.seed_code,
        "authority1": authority.code,
        "import_file": str(out / "results-100k.csv"),
        "import_rows": IMPORT_ROWS,
    }
    fixtures["sessions"] = sessions()
    (out / "fixtures.json").write_text(json.dumps(fixtures, indent=2))

    rows = (
        QualificationResult.objects.filter(establishment__authority=authority, grade__in=list(SWAP))
        .order_by("id")
        .values_list("learner__scn", "establishment__seed_code", "subject__code", "award_type", "scqf_level",
                     "scqf_credits", "grade", "year")[:IMPORT_ROWS]
    )
    written = 0
    with (out / "results-100k.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["scn", "seed_code", "subject_code", "award_type", "scqf_level", "scqf_credits", "grade",
                         "year"])
        for scn, seed, subject, award, level, credits, grade, year in rows.iterator(chunk_size=10_000):
            writer.writerow([scn, seed, subject, award, level, credits, SWAP[grade], year])
            written += 1
    if written != IMPORT_ROWS:
        sys.exit(f"only {written} results to correct in {authority.name}: the national data set is missing")
    print(f"fixtures and a {IMPORT_ROWS:,}-row import file written to {out} in {time.perf_counter() - t0:.0f} s",
          flush=True)


if __name__ == "__main__":
    main()
