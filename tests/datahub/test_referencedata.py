"""Reference data as published: the real school contact list and SIMD 2020v2 from ../shared/data
(the repository does not carry them), through the commands and the page; closing schools; SIMD
derived for learners from their data zone; the SIMD profile beside the published band."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from datahub.models import CentreType, Department, Establishment, ImportStatus, Learner, Role, SimdDataZone
from datahub.referencedata import ReferenceDataError, school_list_load, simd_load
from tests.datahub.imports.worlds import LEARNER_COLUMNS, csv_bytes, learner_row, run
from tests.factories import member

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SCHOOLS = SHARED / "school-contact-list-2023.csv"
SIMD = SHARED / "simd2020v2-data-zones.csv"
needs_shared = pytest.mark.skipif(
    not (SCHOOLS.is_file() and SIMD.is_file()),
    reason=f"the published reference files are not in {SHARED} (see /work/shared/data/README.md)",
)


def _load_schools(path: Path = SCHOOLS, **kw):
    with path.open("rb") as fh:
        return school_list_load(fh=fh, file_name=path.name, **kw)


@needs_shared
def test_the_real_school_list_loads_every_department_and_twice_changes_nothing(db):
    out = io.StringIO()
    call_command("load_school_list", str(SCHOOLS), stdout=out)
    assert "2,483 departments (1,991 primary, 363 secondary, 129 special) under 2,449 establishments" in out.getvalue()
    assert Establishment.objects.filter(listed_year=2023).count() == 2449
    assert Department.objects.count() == 2483
    assert Establishment.objects.filter(centre_type=CentreType.GRANT_AIDED).count() == 8  # 9 rows, one has two
    # An all-through school is one SEED with two departments, compared as a secondary with its secondary roll.
    aith = Establishment.objects.get(seed_code="6103030")
    assert {d.type: d.roll for d in aith.departments.all()} == {"primary": 102, "secondary": 116}
    assert (aith.type, aith.roll, aith.authority.gss_code) == ("secondary", 116, "S12000027")
    assert aith.urban_rural_6 == 6 and aith.latitude is not None and aith.data_zone.startswith("S01")
    before = list(Establishment.objects.order_by("seed_code").values())
    second = _load_schools()
    assert (second.new, second.updated, second.closed, second.departments_changed) == (0, 0, 0, 0)
    assert second.unchanged == 2449
    assert list(Establishment.objects.order_by("seed_code").values()) == before


@needs_shared
def test_a_national_data_manager_loads_both_files_through_the_page(db):
    client = Client()
    client.force_login(member(Role.DATA_MANAGER))
    url = reverse("datahub:reference_data")
    page = client.get(url)
    assert page.status_code == 200 and b"Open Government Licence v3.0" in page.content
    with SCHOOLS.open("rb") as fh:
        done = client.post(url, {"what": "school_list", "file": fh})
    assert done.status_code == 200, done.content.decode()[:2000]
    assert b"2,483 departments" in done.content and b"0 rows refused" in done.content
    with SIMD.open("rb") as fh:
        done = client.post(url, {"what": "simd", "file": fh})
    assert b"6,976 data zones" in done.content
    assert SimdDataZone.objects.count() == 6976


def test_only_a_national_data_manager_may_use_the_page(world):
    client = Client()
    for persona in ("dm_x", "dm_a", "national"):
        client.force_login(world.personas[persona])
        assert client.get(reverse("datahub:reference_data")).status_code == 403


@needs_shared
def test_simd_loads_6976_zones_that_match_the_file(db):
    out = io.StringIO()
    call_command("load_simd", str(SIMD), stdout=out)
    assert "6,976 data zones" in out.getvalue()
    with SIMD.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for row in (rows[0], rows[1234], rows[-1]):
        zone = SimdDataZone.objects.get(code=row["Data_Zone"])
        assert (zone.rank, zone.decile, zone.quintile, zone.council_area) == (
            int(row["SIMD2020v2_Rank"]), int(row["SIMD2020v2_Decile"]), int(row["SIMD2020v2_Quintile"]),
            row["Council_area"])
    again = simd_load(fh=SIMD.open("rb"), file_name=SIMD.name)
    assert (again.new, again.updated) == (0, 0)


LIST_HEADER = "PupilRoll,SchoolName,SeedCode,SchoolType,CentreType,LACode,DataZone\n"  # not the published order


def _list(rows: list[str]) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + LIST_HEADER + "".join(r + "\n" for r in rows)).encode())


def test_a_newer_list_updates_adds_and_closes_but_never_deletes(db):
    first = ["900,Old High,8999991,Secondary,Local Authority,S12000049,S01010206",
             "300,Old High,8999991,Primary,Local Authority,S12000049,S01010206",
             "500,Gone Academy,8999992,Secondary,Local Authority,S12000049,"]
    school_list_load(fh=_list(first), file_name="school-contact-list-2023.csv")
    newer = ["950,Old High,8999991,Secondary,Local Authority,S12000049,S01010206",
             "40,New Special,8999993,Special,Grant Aided,S12000036,"]
    report = school_list_load(fh=_list(newer), file_name="school-contact-list-2024.csv")
    assert (report.new, report.updated, report.closed) == (1, 1, 1)
    old = Establishment.objects.get(seed_code="8999991")
    assert (old.roll, list(old.departments.values_list("type", flat=True))) == (950, ["secondary"])
    gone = Establishment.objects.get(seed_code="8999992")
    assert gone.closed_on is not None and gone.listed_year == 2023
    # An older list loaded afterwards neither reopens nor overrides what the newer one said.
    school_list_load(fh=_list(first), file_name="school-contact-list-2023.csv")
    assert Establishment.objects.get(seed_code="8999991").roll == 950


def test_a_bad_row_refuses_the_whole_list_naming_row_column_and_reason(db):
    rows = ["900,Fine High,8999991,Secondary,Local Authority,S12000049,",
            "x,Bad Roll,8999992,Secondary,Local Authority,S12000049,",
            "10,Bad Council,8999993,Primary,Local Authority,S12999999,"]
    with pytest.raises(ReferenceDataError) as exc:
        school_list_load(fh=_list(rows), file_name="school-contact-list-2023.csv")
    assert [(p[0], p[1]) for p in exc.value.problems] == [(3, "PupilRoll"), (4, "LACode")]
    assert not Establishment.objects.filter(seed_code__startswith="89999").exists()


def _zones(rows: list[tuple[str, int]]) -> io.BytesIO:
    text = "Data_Zone,Council_area,SIMD2020v2_Rank,SIMD2020v2_Vigintile,SIMD2020v2_Decile,SIMD2020v2_Quintile\n"
    text += "".join(f"{z},Glasgow City,{d * 600},{2 * d},{d},{(d + 1) // 2}\n" for z, d in rows)
    return io.BytesIO(text.encode())


def test_learner_deciles_come_from_data_zones_and_a_disagreement_is_a_warning(world):
    simd_load(fh=_zones([("S01010206", 2), ("S01010207", 9)]), file_name="simd.csv")
    rows = [learner_row(world, 1, simd_decile=""), learner_row(world, 2, data_zone="S01010207", simd_decile=""),
            learner_row(world, 3, data_zone="S01010207", simd_decile="3")]
    batch = run(world.personas["dm_a"], "learners", csv_bytes(LEARNER_COLUMNS, [[r[c] for c in LEARNER_COLUMNS] for r in rows]))
    assert batch.status == ImportStatus.SUCCEEDED, batch.errors
    got = dict(Learner.objects.filter(scn__in=[r["scn"] for r in rows]).values_list("scn", "simd_decile"))
    assert [got[r["scn"]] for r in rows] == [2, 9, 3]
    assert batch.warning_count == 1 and batch.warnings[0][0] == 4 and "decile 9" in batch.warnings[0][3]


def test_a_blank_decile_without_a_known_data_zone_is_an_error(world):
    row = learner_row(world, 1, simd_decile="", data_zone="S01099999")
    batch = run(world.personas["dm_a"], "learners", csv_bytes(LEARNER_COLUMNS, [[row[c] for c in LEARNER_COLUMNS]]))
    assert batch.status == ImportStatus.REJECTED
    assert batch.errors[0][1] == "simd_decile" and "data zone" in batch.errors[0][3]


def test_the_school_page_shows_its_simd_profile_beside_the_published_band(world):
    est = world.school_a
    est.published_simd_band = "10 - <20%"
    est.save()
    rows = [learner_row(world, n, simd_decile=str(d)) for n, d in enumerate([1, 2, 2, 5, 10], start=1)]
    assert run(world.personas["dm_a"], "learners",
               csv_bytes(LEARNER_COLUMNS, [[r[c] for c in LEARNER_COLUMNS] for r in rows])).status == ImportStatus.SUCCEEDED
    client = Client()
    client.force_login(world.personas["admin_a"])
    page = client.get(reverse("datahub:establishment", args=[est.seed_code])).content.decode()
    assert 'id="simd-profile"' in page and "10 - &lt;20%" in page
    profile = page.split('id="simd-profile"')[1].split("</table>")[0]
    assert "<th scope=\"row\">1</th><td class=\"ds_numeric\">3</td><td class=\"ds_numeric\">60%</td>" in profile


def test_load_reference_data_says_so_when_the_folder_is_absent(db, settings, tmp_path):
    settings.REFERENCE_DATA_DIR = str(tmp_path / "absent")
    out = io.StringIO()
    call_command("load_reference_data", "--schools", stdout=out)
    assert "SIMD not loaded" in out.getvalue() and "schools not loaded" in out.getvalue()
    assert not SimdDataZone.objects.exists() and not Establishment.objects.exists()


@needs_shared
def test_load_reference_data_loads_simd_from_the_folder_and_names_source_and_licence(db, settings):
    settings.REFERENCE_DATA_DIR = str(SHARED)
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "6,976 data zones" in out.getvalue() and "Open Government Licence v3.0" in out.getvalue()
    assert not Establishment.objects.exists()  # the school list only with --schools
