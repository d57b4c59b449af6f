"""Files as their sources export them (issue 13 item 4): a proposed mapping by names and sample
values, value mappings, the pages (map, preview, save and import; the next file without asking),
every check still applied with errors naming the file's own column, profiles by authority, and
the API's ``profile`` parameter."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datahub.imports import mapping
from datahub.imports.kinds import LEARNERS
from datahub.imports.parsing import read_head
from datahub.models import AuditEvent, ImportBatch, ImportMappingProfile, Learner, Role
from tests.datahub.imports.worlds import client_for, csv_bytes, login, scn
from tests.factories import member

pytestmark = pytest.mark.django_db

MIS_HEADER = ["Candidate Number", "Forename", "Surname", "DOB", "Gender", "SIMD", "Support Needs", "Looked After",
              "FME", "School", "Session", "Year Group", "Registration Class"]


def mis_rows(world, n: int, **over: object) -> list[list[object]]:
    rows = []
    for i in range(n):
        row = {"Candidate Number": scn(500 + i), "Forename": f"Mis{i}", "Surname": "Export", "DOB": "14/03/2008",
               "Gender": "Girl" if i % 2 else "Boy", "SIMD": str(1 + i % 10), "Support Needs": "Yes" if i % 3 == 0 else "No",
               "Looked After": "No", "FME": "Yes", "School": world.school_a.seed_code, "Session": "2024",
               "Year Group": f"Secondary {4 + i % 3}", "Registration Class": f"4A{i}"}
        row.update(over)
        rows.append(list(row.values()))
    return rows


def mis_file(world, n: int = 4, **over: object) -> bytes:
    return csv_bytes(MIS_HEADER, mis_rows(world, n, **over))


def upload(client, data: bytes, name: str = "census-export.csv", kind: str = "learners"):
    return client.post(reverse("datahub:import_upload", kwargs={"kind": kind}),
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_proposal_matches_columns_by_name_and_by_values_and_guesses_stage_values(world):
    kind = LEARNERS


    head = read_head(io.BytesIO(mis_file(world, 6)), name="x.csv")
    proposed = mapping.propose(kind, head)
    assert proposed.columns == {
        "scn": "candidate_number", "given_name": "forename", "family_name": "surname", "date_of_birth": "dob",
        "sex": "gender", "simd_decile": "simd", "asn": "support_needs", "care_experienced": "looked_after",
        "fsm": "fme", "seed_code": "school", "year": "session", "stage": "year_group",
    }
    assert proposed.translations == {"stage": {"Secondary 4": "S4", "Secondary 5": "S5", "Secondary 6": "S6"}}
    assert "registration_class" not in proposed.columns.values()  # nothing of ours holds it: ignored


def test_a_column_is_found_by_its_values_when_its_name_says_nothing(world):


    data = csv_bytes(["ID", "Name"], [[scn(1), "Ann"], [scn(2), "Bo"]])
    proposed = mapping.propose(LEARNERS, read_head(io.BytesIO(data), name="x.csv"))
    assert proposed.columns.get("scn") == "id"


def _post_mapping(client, url: str, columns: dict[str, str], values: dict[str, dict[str, str]], **extra: str):
    data: dict[str, str] = {f"col-{k}": v for k, v in columns.items()}
    for col, table in values.items():
        for i, (src, code) in enumerate(table.items()):
            data[f"src-{col}-{i}"] = src
            data[f"val-{col}-{i}"] = code
    data.update(extra)
    return client.post(url, data)


def test_a_foreign_file_is_mapped_previewed_saved_and_the_next_one_imports_without_asking(world):
    c = login(world.personas["dm_a"])
    resp = upload(c, mis_file(world))
    assert resp.status_code == 302 and "/map/" in resp["Location"]
    url = resp["Location"]
    assert not ImportBatch.objects.exists()  # nothing imported yet
    page = c.get(url).content.decode()
    assert "Match the columns of your file" in page and 'value="candidate_number" selected' in page
    assert "<code>Girl</code>" in page  # the values of the file's sex column, to be read as F or M
    columns = mapping.propose(LEARNERS, read_head(
        io.BytesIO(mis_file(world)), name="x.csv")).columns
    values = {"sex": {"Girl": "F", "Boy": "M"}, "stage": {"Secondary 4": "S4", "Secondary 5": "S5", "Secondary 6": "S6"}}
    preview = _post_mapping(c, url, columns, values, action="preview", profile_name="SEEMiS census").content.decode()
    assert "The first 4 rows as the portal reads them" in preview
    assert "<td>F</td>" in preview and "<td>S5</td>" in preview and "<td>2008-03-14</td>" in preview
    done = _post_mapping(c, url, columns, values, action="import", profile_name="SEEMiS census")
    batch = ImportBatch.objects.get()
    assert done["Location"] == reverse("datahub:import_batch", kwargs={"pk": batch.pk})
    assert batch.status == "succeeded" and batch.count_new == 4, batch.errors
    learner = Learner.objects.get(scn=scn(501))
    assert (learner.sex, learner.given_name, learner.date_of_birth.isoformat()) == ("F", "Mis1", "2008-03-14")
    profile = ImportMappingProfile.objects.get()
    assert (profile.name, profile.kind, profile.authority_id) == ("SEEMiS census", "learners", world.authority_x.pk)
    assert batch.mapping_profile == profile
    assert AuditEvent.objects.filter(action="import_profile_save", object_id=profile.pk).exists()
    assert not list((c.session.get("import_pending_uploads") or {}).values())

    # The next census from the same system (other rows, same columns): straight to the import.
    again = upload(c, csv_bytes(MIS_HEADER, mis_rows(world, 6)), name="census-export-2.csv")
    latest = ImportBatch.objects.latest("id")
    assert again["Location"] == reverse("datahub:import_batch", kwargs={"pk": latest.pk})
    assert latest.status == "succeeded" and (latest.count_new, latest.count_unchanged) == (2, 4), latest.errors
    assert "SEEMiS census" in c.get(again["Location"]).content.decode()
    # A colleague in the same authority uses it too; an authority elsewhere does not.
    assert upload(login(world.personas["dm_x"]), mis_file(world, 2))["Location"].startswith("/datahub/imports/batches/")
    other = member(Role.DATA_MANAGER, authority=world.authority_y)
    assert "/map/" in upload(login(other), mis_file(world, 2))["Location"]


def test_every_check_still_applies_and_errors_name_the_files_column_and_row(world):
    ImportMappingProfile.objects.create(
        kind="learners", name="MIS", authority=world.authority_x, headers=[mapping.normalise_header(h) for h in MIS_HEADER],
        labels=MIS_HEADER, signature=mapping.signature(MIS_HEADER),
        columns=mapping.propose(LEARNERS, read_head(io.BytesIO(mis_file(world)), name="x")).columns,
        values={"sex": {"Girl": "F", "Boy": "M"}, "stage": {"Secondary 4": "S4", "Secondary 5": "S5", "Secondary 6": "S6"}},
    )
    rows = mis_rows(world, 3)
    rows[1][4] = "Unknown"  # row 3 of the file: a sex the profile does not map
    rows[2][0] = "123456789"  # row 4: a bad check digit
    c = login(world.personas["dm_a"])
    resp = upload(c, csv_bytes(MIS_HEADER, rows))
    batch = ImportBatch.objects.get()
    assert resp["Location"].endswith(f"/batches/{batch.pk}/")
    assert batch.status == "rejected" and not Learner.objects.filter(family_name="Export").exists()  # all or nothing
    found = {(r, col) for r, col, _v, _reason in batch.errors}
    assert found == {(3, "Gender (sex)"), (4, "Candidate Number (scn)")}, batch.errors
    assert any(v == "Unknown" for _r, _c, v, _reason in batch.errors)


def test_a_mapping_without_a_required_column_or_a_name_cannot_be_saved(world):
    c = login(world.personas["dm_a"])
    url = upload(c, mis_file(world))["Location"]
    page = c.post(url, {"col-scn": "candidate_number", "action": "import", "profile_name": ""}).content.decode()
    assert "There is a problem" in page
    assert "Choose the column of your file that holds given_name (required)." in page
    assert "Enter a name for the mapping profile" in page
    assert not ImportMappingProfile.objects.exists() and not ImportBatch.objects.exists()


def test_a_pending_upload_belongs_to_its_uploaders_session(world):
    url = upload(login(world.personas["dm_a"]), mis_file(world))["Location"]
    assert login(world.personas["dm_x"]).get(url).status_code == 404


def test_profiles_page_lists_usable_profiles_and_only_their_authority_deletes_them(world):
    theirs = ImportMappingProfile.objects.create(kind="results", name="Y results", authority=world.authority_y,
                                                 signature="y", columns={"scn": "candidate"})
    national = ImportMappingProfile.objects.create(kind="results", name="SQA results", signature="n",
                                                   columns={"scn": "candidate"})
    ours = ImportMappingProfile.objects.create(kind="results", name="X results", authority=world.authority_x,
                                               signature="x", columns={"scn": "candidate"})
    c = login(world.personas["dm_a"])
    page = c.get(reverse("datahub:import_profiles")).content.decode()
    assert "X results" in page and "SQA results" in page and "Y results" not in page
    assert c.post(reverse("datahub:import_profile_delete", kwargs={"pk": theirs.pk})).status_code == 404
    c.post(reverse("datahub:import_profile_delete", kwargs={"pk": national.pk}))
    assert ImportMappingProfile.objects.filter(pk=national.pk).exists()  # national: national data managers only
    c.post(reverse("datahub:import_profile_delete", kwargs={"pk": ours.pk}))
    assert not ImportMappingProfile.objects.filter(pk=ours.pk).exists()


def test_the_api_reads_rows_through_a_named_profile(world):
    columns = {"scn": "candidate_number", "seed_code": "centre", "subject_code": "course", "award_type": "award",
               "scqf_level": "level", "scqf_credits": "credits", "grade": "result", "year": "diet"}
    ImportMappingProfile.objects.create(kind="results", name="SQA results", authority=world.authority_x,
                                        headers=list(columns.values()), labels=list(columns.values()),
                                        signature=mapping.signature(columns.values()), columns=columns,
                                        values={"grade": {"Pass": "P"}})
    client = client_for(world.personas["dm_x"])
    row = {"Candidate Number": world.learner_a.scn, "Centre": world.school_a.seed_code, "Course": "MATH",
           "Award": "N4", "Level": "4", "Credits": "24", "Result": "Pass", "Diet": "2024"}
    url = reverse("api:import-kind-rows", kwargs={"kind": "results"})
    ok = client.post(f"{url}?profile=SQA%20results", {"rows": [row]}, format="json")
    assert ok.status_code == 200 and ok.json()["new"] == 1, ok.json()
    bad = client.post(f"{url}?profile=SQA%20results", {"rows": [{**row, "Level": "9"}]}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"].startswith("level (scqf_level)")
    unknown = client.post(f"{url}?profile=Nope", {"rows": [row]}, format="json")
    assert unknown.status_code == 400 and "No mapping profile named 'Nope'" in unknown.json()["detail"]


def test_a_large_workbook_with_its_own_columns_is_matched_to_its_profile_by_the_background_import(
    world, settings, django_capture_on_commit_callbacks
):
    from openpyxl import Workbook

    settings.IMPORT_BACKGROUND_THRESHOLD_BYTES = 100  # "large": not opened in the request
    ImportMappingProfile.objects.create(
        kind="learners", name="MIS", authority=world.authority_x, headers=[mapping.normalise_header(h) for h in MIS_HEADER],
        labels=MIS_HEADER, signature=mapping.signature(MIS_HEADER),
        columns=mapping.propose(LEARNERS, read_head(io.BytesIO(mis_file(world)), name="x")).columns,
        values={"sex": {"Girl": "F", "Boy": "M"}, "stage": {"Secondary 4": "S4", "Secondary 5": "S5", "Secondary 6": "S6"}},
    )
    wb = Workbook()
    wb.active.append(MIS_HEADER)
    for row in mis_rows(world, 5):
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    c = login(world.personas["dm_a"])
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(reverse("datahub:import_upload", kwargs={"kind": "learners"}),
                      {"file": SimpleUploadedFile("census.xlsx", buf.getvalue())})
    batch = ImportBatch.objects.get()
    assert resp["Location"] == reverse("datahub:import_batch", kwargs={"pk": batch.pk}) and batch.background
    assert batch.status == "succeeded" and batch.count_new == 5, batch.errors
    assert batch.mapping_profile is not None and batch.mapping_profile.name == "MIS"
