"""docs/samples import cleanly into `make run`'s demo data (the fictional world here, what it builds
without the reference files; test_real_schools imports them into the real-schools world), and demo
codes never collide with real ones.

Demo SEED codes are serials 900000-900999 (codes 900xxxx); the real school list uses no SEED code
starting 9 (its codes start 10, 51-62 and 81-86). Demo SCNs are the valid numbers from 600000004 up
(8-digit bodies from DEMO_SCN_BASE = 60,000,000); the samples' SCNs (1xxxxxxxx-5xxxxxxxx) are outside the demo block, so they are new learners of the demo schools.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from datahub.codes import make_seed_code
from datahub.models import Establishment, ImportStatus, Learner
from insight.demo import generate_demo_data
from insight.demo.scales import DEMO_SCN_BASE, DEMO_SEED_PREFIX, DEMO_SEED_SERIAL_BASE
from tests.datahub.imports.worlds import ORDER, SAMPLES, national_dm, run

SCHOOL_LIST = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "school-contact-list-2023.csv"


@pytest.mark.django_db
def test_every_sample_imports_cleanly_into_the_make_run_demo_data() -> None:
    generate_demo_data(scale="demo", seed=42)  # what scripts/run.sh loads without the reference files
    kelvinbank = Establishment.objects.get(name="Kelvinbank Academy")
    assert kelvinbank.seed_code == make_seed_code(DEMO_SEED_SERIAL_BASE) and kelvinbank.synthetic
    user = national_dm()
    for kind in ORDER:
        batch = run(user, kind, (SAMPLES / f"{kind}.csv").read_bytes(), name=f"{kind}.csv")
        assert batch.status == ImportStatus.SUCCEEDED, (kind, batch.message, batch.errors)
        assert batch.error_count == 0 and batch.count_rejected == 0, kind
    assert Learner.objects.get(scn="123456785").establishment == kelvinbank
    sample_seeds = {r["seed_code"] for r in csv.DictReader((SAMPLES / "establishments.csv").open())}
    assert all(s.startswith(DEMO_SEED_PREFIX) for s in sample_seeds)


@pytest.mark.skipif(not SCHOOL_LIST.is_file(), reason=f"the published school list is not at {SCHOOL_LIST}")
def test_no_real_school_uses_a_demo_or_sample_seed_code() -> None:
    with SCHOOL_LIST.open(encoding="utf-8-sig") as fh:
        real = {row["SeedCode"] for row in csv.DictReader(fh)}
    assert len(real) == 2449
    assert not any(code.startswith(DEMO_SEED_PREFIX) for code in real)
    demo_block = {make_seed_code(DEMO_SEED_SERIAL_BASE + i) for i in range(1000)}
    samples = set()
    for path in SAMPLES.glob("*.csv"):
        with path.open() as fh:
            samples |= {row["seed_code"] for row in csv.DictReader(fh) if row.get("seed_code")}
    assert samples and not (real & (demo_block | samples))


def test_demo_scns_start_below_the_sample_scns() -> None:
    sample_scns = set()
    for path in SAMPLES.glob("*.csv"):
        with path.open() as fh:
            sample_scns |= {int(row["scn"]) for row in csv.DictReader(fh) if row.get("scn")}
    assert sample_scns and min(sample_scns) > DEMO_SCN_BASE + 1_000_000  # the demo uses far fewer SCNs


@pytest.mark.django_db
def test_pages_say_the_figures_are_synthetic_only_when_demo_data_is_there(world) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world.personas["admin_a"])
    assert b"synthetic-data-banner" not in client.get("/datahub/").content
    Establishment.objects.filter(pk=world.school_b.pk).update(synthetic=True)  # as generate_demo_data marks its schools
    page = client.get("/datahub/").content.decode()
    assert 'id="synthetic-data-banner"' in page and "synthetic" in page
