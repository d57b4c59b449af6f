"""The demo on real schools: the published school list's secondaries (../shared/data), synthetic
pupils and outcomes, the synthetic-data banner; and the fictional world when the files are absent."""

from __future__ import annotations

import csv
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from datahub.codes import is_valid_scn
from datahub.models import Establishment, ImportStatus, Learner, Membership, SchoolLeaver, User
from insight.demo import DEMO_SCHOOL_1, DemoDataError, generate_demo_data
from insight.demo.real import LEAVERS_PER_ROLL, band_share, build_real_schools, choose_schools, read_listing
from insight.demo.scales import DEMO_SCN_BASE, DEMO_SEED_PREFIX, scale_spec
from insight.demo.schools import SEC
from tests.datahub.imports.worlds import ORDER, SAMPLES, national_dm, run

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
SCHOOLS = SHARED / "school-contact-list-2023.csv"
SIMD = SHARED / "simd2020v2-data-zones.csv"
needs_shared = pytest.mark.skipif(
    not (SCHOOLS.is_file() and SIMD.is_file()),
    reason=f"the published reference files are not in {SHARED} (see /work/shared/data/README.md)",
)


def _published() -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """The list's secondary departments by SEED code, and SIMD deciles by data zone, as published."""
    with SCHOOLS.open(encoding="utf-8-sig") as fh:
        secondaries = {r["SeedCode"]: r for r in csv.DictReader(fh) if r["SchoolType"] == "Secondary"}
    with SIMD.open(encoding="utf-8-sig") as fh:
        deciles = {r["Data_Zone"]: int(r["SIMD2020v2_Decile"]) for r in csv.DictReader(fh)}
    return secondaries, deciles


def test_a_published_band_gives_its_midpoint() -> None:
    assert band_share("10 - <15%") == pytest.approx(0.125)
    assert band_share("0%") == band_share("0") == pytest.approx(0.004)
    assert band_share("*") is None and band_share("") is None


@needs_shared
@pytest.mark.django_db
def test_the_demo_world_stands_on_real_secondaries_with_synthetic_pupils(settings) -> None:
    settings.REFERENCE_DATA_DIR = str(SHARED)
    out = StringIO()
    call_command("generate_demo_data", "--scale", "tiny", "--years", "2", "--seed", "5", "--real-schools", stdout=out)
    output = out.getvalue()
    assert "World: real" in output and "Open Government Licence v3.0" in output
    secondaries, deciles = _published()

    # The secondaries are real: SEED code, name, authority, roll and urban/rural class as published.
    ests = list(Establishment.objects.filter(type="secondary").select_related("authority"))
    assert len(ests) == 8  # the tiny scale: 3 Glasgow City, 2 City of Edinburgh, 2 Fife, 1 East Renfrewshire
    for est in ests:
        row = secondaries[est.seed_code]
        assert (est.name, est.authority.gss_code, est.roll) == (row["SchoolName"], row["LACode"],
                                                                int(row["PupilRoll"]))
        assert est.urban_rural_6 == int(row["AddrUR6"]) and est.published_simd_band == row["PropPupils20PCMostDeprived"]
        assert est.synthetic and est.listed_year == 2023
        assert not est.seed_code.startswith(DEMO_SEED_PREFIX)
    assert all(e.synthetic for e in Establishment.objects.all())

    # The pupils are synthetic: SCNs from the demo block, home data zones real, deciles as SIMD says.
    learners = list(Learner.objects.values_list("scn", "data_zone", "simd_decile"))
    assert learners
    assert all(is_valid_scn(scn) and DEMO_SCN_BASE * 10 <= int(scn) < (DEMO_SCN_BASE + 1_000_000) * 10
               for scn, _z, _d in learners)
    assert all(deciles[zone] == decile for _s, zone, decile in learners)

    # Cohorts follow the secondary roll, and each school's SIMD profile its published band.
    leavers = Counter(SchoolLeaver.objects.filter(leaver_year=2025).values_list("establishment__seed_code", flat=True))
    for est in ests:
        expected = est.roll * LEAVERS_PER_ROLL * 1.04  # the generator's trend: 1% a year from 2021
        assert abs(leavers[est.seed_code] - expected) < 0.25 * expected + 10, est.name
        share = band_share(est.published_simd_band)
        if share is not None:
            assert est.share_simd_q1 == pytest.approx(share, abs=0.12), est.name

    # The demo logins belong to real schools: a Glasgow City secondary for the head teacher.
    head = User.objects.get(email="headteacher@demo.insight")
    school = Membership.objects.get(user=head).establishment
    assert school is not None
    assert school.seed_code in secondaries and school.authority.name == DEMO_SCHOOL_1[0]
    assert f"{school.name} ({school.authority.name})" in output

    # Every signed-in page says the figures are synthetic, and that the schools are real.
    client = Client()
    client.force_login(head)
    page = client.get(f"/insight/establishments/{school.seed_code}/").content.decode()
    assert 'id="synthetic-data-banner"' in page and "Demonstration data on real schools" in page
    assert school.name in page
    # The reference data page says where the demo's schools came from (source and licence).
    client.force_login(User.objects.get(email="nationaldatamanager@demo.insight"))
    page = client.get("/datahub/reference-data/").content.decode()
    assert "2023: 10 open establishments (10 of them chosen from the list by the demo generator" in page
    assert "Open Government Licence v3.0" in page and "Demonstration data on real schools" in page

    # --replace deletes the real-schools world with the rest of the demo data.
    generate_demo_data(scale="tiny", seed=5, years=1, replace=True)
    assert all(code.startswith(DEMO_SEED_PREFIX) for code in Establishment.objects.values_list("seed_code", flat=True))


@needs_shared
@pytest.mark.django_db
def test_the_seed_chooses_the_schools_and_the_national_scale_takes_every_real_secondary() -> None:
    listing = read_listing(SCHOOLS, SIMD)
    secondaries, _deciles = _published()
    tiny = scale_spec("tiny")
    first = [s.seed_code for s in choose_schools(listing, tiny, 1, every_secondary=False)]
    assert first == [s.seed_code for s in choose_schools(listing, tiny, 1, every_secondary=False)]
    others = {tuple(s.seed_code for s in choose_schools(listing, tiny, seed, every_secondary=False)) for seed in (2, 3, 4)}
    assert any(list(o) != first for o in others)
    # What make run (seed 42) gives the demo logins, as the README says.
    named = choose_schools(listing, scale_spec("demo"), 42, every_secondary=False)[:2]
    assert [(s.seed_code, s.name) for s in named] == [("8436134", "Notre Dame High School"),
                                                      ("5532736", "Forrester High School")]
    national = build_real_schools(listing, scale_spec("national"), 1, every_secondary=True)
    assert {r.seed_code for r, t in zip(national.real, national.type, strict=True) if t == SEC} == set(secondaries)


@needs_shared
@pytest.mark.django_db
def test_real_schools_already_loaded_as_real_reference_data_are_never_taken_over(settings) -> None:
    settings.REFERENCE_DATA_DIR = str(SHARED)
    call_command("load_school_list", str(SCHOOLS), stdout=StringIO())  # a deployment's real list: not demo data
    with pytest.raises(DemoDataError, match="already loaded"):
        generate_demo_data(scale="tiny", seed=1, years=1, replace=True, real_schools=True)
    assert not Establishment.objects.filter(synthetic=True).exists() and not Learner.objects.exists()


@needs_shared
@pytest.mark.django_db
def test_the_sample_files_import_into_the_real_schools_world_too(settings) -> None:
    settings.REFERENCE_DATA_DIR = str(SHARED)
    generate_demo_data(scale="tiny", seed=42, years=1, real_schools=True)
    user = national_dm()
    for kind in ORDER:
        batch = run(user, kind, (SAMPLES / f"{kind}.csv").read_bytes(), name=f"{kind}.csv")
        assert batch.status == ImportStatus.SUCCEEDED, (kind, batch.message, batch.errors)
        assert batch.error_count == 0 and batch.count_rejected == 0, kind
    # establishments.csv adds the fictional sample schools beside the real ones.
    assert Learner.objects.get(scn="123456785").establishment.seed_code == "9000003"


@pytest.mark.django_db
def test_without_the_reference_files_it_falls_back_to_the_fictional_world_and_says_so(settings, tmp_path) -> None:
    settings.REFERENCE_DATA_DIR = str(tmp_path)  # a folder without the published files
    out = StringIO()
    call_command("generate_demo_data", "--scale", "tiny", "--years", "1", "--real-schools", stdout=out)
    output = out.getvalue()
    assert "Real schools not available" in output and "building the fictional world instead" in output
    assert "World: fictional" in output
    assert Establishment.objects.get(name=DEMO_SCHOOL_1[1]).seed_code.startswith(DEMO_SEED_PREFIX)
    assert all(code.startswith(DEMO_SEED_PREFIX) for code in Establishment.objects.values_list("seed_code", flat=True))
    client = Client()
    client.force_login(User.objects.get(email="headteacher@demo.insight"))
    page = client.get("/datahub/").content.decode()
    assert 'id="synthetic-data-banner"' in page and "Demonstration data." in page
    assert "on real schools" not in page


@pytest.mark.django_db
def test_unreadable_reference_files_are_refused_with_the_reason(settings, tmp_path) -> None:
    settings.REFERENCE_DATA_DIR = str(tmp_path)
    (tmp_path / "school-contact-list-2023.csv").write_text("SeedCode,SchoolName\n1234567,Somewhere High School\n")
    (tmp_path / "simd2020v2-data-zones.csv").write_text("Data_Zone\nS01006506\n")
    with pytest.raises(DemoDataError, match="cannot be read: The file lacks these columns"):
        generate_demo_data(scale="tiny", seed=1, years=1, real_schools=True)
    assert not Establishment.objects.exists()
