"""The workspace pages: 404 for outsiders, 403 for staff on admins' forms, 409 once ended, and the
shared files' limits, virus-scan hook and downloads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datahub.models import Role
from partnerships import services as p_services
from partnerships.models import Partnership
from partnerships.workspace.models import Action, SharedFile, Workspace
from tests.factories import member
from tests.partnerships import scanners
from tests.worlds import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def text(resp: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.content.decode()))


@pytest.fixture
def agreed(world: Any) -> Partnership:
    p = p_services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    return p_services.partnership_accept(partnership=p, by=world.personas["admin_b"], acting_for=world.school_b)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    settings.PARTNERSHIP_FILE_SCANNER = ""
    return tmp_path


def url(name: str, p: Partnership, *args: int) -> str:
    return reverse(f"partnerships:{name}", args=[p.pk, *args])


def test_the_workspace_opens_for_both_schools_only(world: Any, agreed: Partnership) -> None:
    for name in ("admin_a", "staff_a", "admin_b", "staff_b"):
        resp = client_for(world.personas[name]).get(url("workspace", agreed))
        assert resp.status_code == 200, name
        assert "Workspace with" in text(resp)
    outsider = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    for user in (outsider, world.personas["analyst_x"], world.personas["national"]):
        assert client_for(user).get(url("workspace", agreed)).status_code == 404
        assert client_for(user).get(url("workspace_evaluation", agreed)).status_code == 404


def test_the_partnership_pages_link_to_the_workspace(world: Any, agreed: Partnership) -> None:
    c = client_for(world.personas["staff_b"])
    assert url("workspace", agreed) in c.get(reverse("partnerships:list")).content.decode()
    assert url("workspace", agreed) in c.get(reverse("partnerships:detail", args=[agreed.pk])).content.decode()


def test_staff_cannot_open_the_admins_forms(world: Any, agreed: Partnership) -> None:
    c = client_for(world.personas["staff_a"])
    for name in ("workspace_aims", "workspace_lead_add", "workspace_measures"):
        assert c.get(url(name, agreed)).status_code == 403, name
    assert c.post(url("workspace_aims", agreed), {"purpose": "p", "aims": "a"}).status_code == 403
    assert not Workspace.objects.exists()
    assert c.get(url("workspace_action_add", agreed)).status_code == 200


def test_head_teacher_writes_the_aims(world: Any, agreed: Partnership) -> None:
    c = client_for(world.personas["admin_b"])
    resp = c.post(url("workspace_aims", agreed), {"purpose": "Close the gap", "aims": "Raise the lowest 20%"})
    assert resp.status_code == 302 and resp["Location"] == url("workspace", agreed)
    body = text(client_for(world.personas["staff_a"]).get(url("workspace", agreed)))
    assert "Close the gap" in body and "Raise the lowest 20%" in body


def test_a_form_error_names_the_field(world: Any, agreed: Partnership) -> None:
    c = client_for(world.personas["staff_a"])
    resp = c.post(url("workspace_action_add", agreed), {"title": "", "owner": world.personas["staff_b"].pk,
                                                        "due_on": "2027-02-30", "status": "not_started"})
    assert resp.status_code == 400
    body = text(resp)
    assert "There is a problem" in body and "Action:" in body and "Due by:" in body
    assert not Action.objects.exists()


def test_an_ended_partnership_answers_409_to_every_form(world: Any, agreed: Partnership) -> None:
    action = Action.objects.create(partnership=agreed, title="T", owner=world.personas["staff_b"], owner_name="S",
                                   owner_establishment=world.school_b, due_on="2027-01-01")
    p_services.partnership_end(partnership=agreed, by=world.personas["admin_b"], acting_for=world.school_b)
    c = client_for(world.personas["admin_a"])
    for name, args in (("workspace_aims", ()), ("workspace_action_add", ()), ("workspace_note_add", ()),
                       ("workspace_file_add", ()), ("workspace_measures", ()), ("workspace_action_edit", (action.pk,))):
        assert c.get(url(name, agreed, *args)).status_code == 409, name
        assert c.post(url(name, agreed, *args), {"title": "x"}).status_code == 409, name
    page = c.get(url("workspace", agreed))
    assert page.status_code == 200 and "kept as a record" in text(page)
    assert url("workspace_action_add", agreed) not in page.content.decode()
    assert Action.objects.get().title == "T"


# --- Shared files ---------------------------------------------------------------------------------


def upload(c: Any, p: Partnership, name: str, data: bytes) -> Any:
    return c.post(url("workspace_file_add", p), {"file": SimpleUploadedFile(name, data, "application/octet-stream")})


def test_a_shared_file_is_stored_and_downloaded_by_members_only(world: Any, agreed: Partnership, media: Any) -> None:
    resp = upload(client_for(world.personas["staff_a"]), agreed, "Plan 2026.pdf", PDF)
    assert resp.status_code == 302
    f = SharedFile.objects.get()
    assert (f.name, f.size, f.content_type, f.scanned) == ("Plan 2026.pdf", len(PDF), "application/pdf", False)
    assert "Plan" not in f.file.name  # stored under our own random name
    got = client_for(world.personas["staff_b"]).get(url("workspace_file", agreed, f.pk))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in got["Content-Disposition"] and got["Content-Type"] == "application/pdf"
    outsider = member(Role.ESTABLISHMENT_STAFF, establishment=world.school_a2)
    assert client_for(outsider).get(url("workspace_file", agreed, f.pk)).status_code == 404
    assert "Not checked" in text(client_for(world.personas["staff_b"]).get(url("workspace", agreed)))


def test_a_file_of_another_partnership_is_not_reached_through_ours(world: Any, agreed: Partnership) -> None:
    a2_admin = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    other = p_services.partnership_propose(proposer=world.school_a2, partner=world.school_b, by=a2_admin)
    # B is in both partnerships: its staff may share into the A2 one...
    other = p_services.partnership_accept(partnership=other, by=world.personas["admin_b"], acting_for=world.school_b)
    assert upload(client_for(world.personas["staff_b"]), other, "b.txt", b"notes\n").status_code == 302
    f = SharedFile.objects.get()
    # ...but A's staff cannot fetch it through A's own partnership's address.
    assert client_for(world.personas["staff_a"]).get(url("workspace_file", agreed, f.pk)).status_code == 404
    assert client_for(world.personas["staff_a"]).get(url("workspace_file", other, f.pk)).status_code == 404


@pytest.mark.parametrize(("name", "data", "says"), [
    ("tool.exe", b"MZ\x90\x00", "this type of file cannot be shared"),
    ("report.pdf", b"MZ\x90\x00 not a pdf", "is not a real PDF file"),
    ("data.csv", b"a,b\x00\x01", "is not a real CSV file"),
    ("empty.txt", b"", "is empty"),
])
def test_a_refused_file_says_why_and_is_not_stored(world: Any, agreed: Partnership, media: Any, name: str,
                                                   data: bytes, says: str) -> None:
    resp = upload(client_for(world.personas["staff_a"]), agreed, name, data)
    assert resp.status_code == 400
    assert says in text(resp)
    assert not SharedFile.objects.exists() and not any(media.rglob("*.*"))


def test_the_size_limit(world: Any, agreed: Partnership, settings: Any) -> None:
    settings.PARTNERSHIP_FILE_MAX_BYTES = 1024
    resp = upload(client_for(world.personas["staff_a"]), agreed, "big.txt", b"x" * 2048)
    assert resp.status_code == 400 and "files can be at most 1 KB" in text(resp)


def test_the_virus_scan_hook_is_called_before_saving_and_can_refuse(world: Any, agreed: Partnership, settings: Any,
                                                                     media: Any) -> None:
    settings.PARTNERSHIP_FILE_SCANNER = "tests.partnerships.scanners.eicar"
    c = client_for(world.personas["staff_a"])
    scanners.calls.clear()
    resp = upload(c, agreed, "eicar.txt", scanners.EICAR)
    assert resp.status_code == 400 and "refused by the virus check: it contains the EICAR test signature" in text(resp)
    assert scanners.calls == ["eicar.txt"] and not SharedFile.objects.exists() and not any(media.rglob("*"))
    assert upload(c, agreed, "clean.txt", b"hello\n").status_code == 302
    assert SharedFile.objects.get().scanned is True
    assert "Checked" in text(c.get(url("workspace", agreed)))
    settings.PARTNERSHIP_FILE_SCANNER = "tests.partnerships.scanners.broken"
    resp = upload(c, agreed, "other.txt", b"hello\n")
    assert resp.status_code == 400 and "could not be checked for viruses" in text(resp)
    assert SharedFile.objects.count() == 1


def test_only_the_uploader_or_an_admin_removes_a_file(world: Any, agreed: Partnership, media: Any) -> None:
    assert upload(client_for(world.personas["staff_a"]), agreed, "a.txt", b"a\n").status_code == 302
    f = SharedFile.objects.get()
    assert client_for(world.personas["staff_b"]).post(url("workspace_file_remove", agreed, f.pk)).status_code == 403
    assert client_for(world.personas["admin_b"]).post(url("workspace_file_remove", agreed, f.pk)).status_code == 302
    assert not SharedFile.objects.exists()


def test_choosing_measures_records_a_baseline_and_offers_only_the_others(world: Any, agreed: Partnership) -> None:
    from partnerships.workspace.models import JointMeasure
    from tests.insight.worlds import build_ranked_world

    run = build_ranked_world(world)
    c = client_for(world.personas["admin_a"])
    form = c.get(url("workspace_measures", agreed))
    assert form.status_code == 200 and "Already in the joint evaluation" not in text(form)
    assert c.post(url("workspace_measures", agreed), {}).status_code == 400  # nothing chosen
    resp = c.post(url("workspace_measures", agreed), {"measures": ["pct_followup_positive"]})
    assert resp.status_code == 302 and resp["Location"] == url("workspace_evaluation", agreed)
    assert JointMeasure.objects.get().baseline_run_id == run.pk
    body = c.get(url("workspace_measures", agreed)).content.decode()
    assert 'value="pct_followup_positive"' not in body and 'value="pct_initial_positive"' in body
    assert "Already in the joint evaluation" in body
    evaluation = text(client_for(world.personas["staff_b"]).get(url("workspace_evaluation", agreed)))
    assert "Leavers in a positive follow-up destination" in evaluation and "Baseline: 2023/24 leavers" in evaluation
