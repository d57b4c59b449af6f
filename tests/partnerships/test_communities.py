"""Communities of practice: who creates, reads, posts and moderates; posts shown escaped; embeds
only of the portal's own dashboards; shared files under the workspace's limits and scan hook;
notices and e-mails per the reader's setting; every write audited; the API for members only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datahub.models import AuditEvent
from partnerships.communities import services
from partnerships.communities.models import Community, CommunityNotice, Post, Resource
from partnerships.communities.notices import unread_count
from tests.partnerships.scanners import EICAR
from tests.worlds import api_client, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.PARTNERSHIP_FILE_SCANNER = ""


@pytest.fixture
def community(world: Any) -> Community:
    """Authority X's data manager's community: A's head teacher (an admin), A's staff and the college."""
    p = world.personas
    c = services.community_create(by=p["dm_x"], name="West senior phase leads", purpose="Share approaches")
    services.community_member_add(by=p["dm_x"], community=c, email=p["admin_a"].email, is_admin=True)
    for who in ("staff_a", "partner"):
        services.community_member_add(by=p["admin_a"], community=c, email=p[who].email)
    return c


def test_an_authority_data_manager_creates_a_community_for_their_authority_and_is_its_admin(world: Any) -> None:
    c = services.community_create(by=world.personas["dm_x"], name="MCMC coordinators")
    assert c.authority == world.authority_x
    assert c.members.get().user == world.personas["dm_x"] and c.members.get().is_admin
    assert AuditEvent.objects.filter(action="community_create", object_id=str(c.pk)).exists()


@pytest.mark.parametrize("persona", ["admin_a", "staff_a", "dm_a", "analyst_x", "national", "partner", "ua_national"])
def test_only_authority_and_national_data_managers_create_communities(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.community_create(by=world.personas[persona], name="Not allowed")
    resp = client_for(world.personas[persona]).post(reverse("partnerships:community_create"), {"name": "x"})
    assert resp.status_code == 403
    assert not Community.objects.exists()


def test_members_read_a_community_and_everyone_else_gets_404(world: Any, community: Community) -> None:
    url = reverse("partnerships:community", args=[community.pk])
    for persona in ("dm_x", "admin_a", "staff_a", "partner"):
        assert client_for(world.personas[persona]).get(url).status_code == 200, persona
    for persona in ("admin_b", "staff_b", "analyst_x", "national", "dm_a", "ua_x"):
        assert client_for(world.personas[persona]).get(url).status_code == 404, persona
    assert client_for(world.personas["no_role"]).get(url).status_code == 403


def test_a_script_in_a_post_is_shown_as_text_never_run(world: Any, community: Community) -> None:
    thread = services.thread_start(by=world.personas["partner"], community=community, title="<b>Hello</b>",
                                   body='<script>alert("x")</script> and <img src=x onerror=alert(1)>')
    page = client_for(world.personas["staff_a"]).get(
        reverse("partnerships:community_thread", args=[community.pk, thread.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Hello</b>" not in page


def test_an_admin_hides_a_post_a_member_may_not(world: Any, community: Community) -> None:
    thread = services.thread_start(by=world.personas["staff_a"], community=community, title="T", body="HideMeQz")
    post = thread.posts.get()
    url = reverse("partnerships:community_post_hide", args=[community.pk, post.pk])
    assert client_for(world.personas["partner"]).post(url, {"reason": "no"}).status_code == 403
    assert client_for(world.personas["admin_b"]).post(url, {"reason": "no"}).status_code == 404
    assert client_for(world.personas["admin_a"]).post(url, {"reason": ""}).status_code == 400  # reason required
    assert client_for(world.personas["admin_a"]).post(url, {"reason": "Off topic"}).status_code == 302
    post.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_by == world.personas["admin_a"]
    page = client_for(world.personas["staff_a"]).get(
        reverse("partnerships:community_thread", args=[community.pk, thread.pk])).content.decode()
    assert "HideMeQz" not in page and "hidden by the community" in page
    event = AuditEvent.objects.get(action="community_post_hide")
    assert event.detail["reason"] == "Off topic" and event.actor == world.personas["admin_a"]


@pytest.mark.parametrize("address", [
    "https://evil.example.com/insight/establishments/1234567/",
    "javascript:alert(1)",
    "/datahub/learners/1/",
    "/insight/no-such-page/",
    "/insight/establishments/1234567/#<script>",
])
def test_only_the_portals_own_dashboards_can_be_embedded(world: Any, community: Community, address: str) -> None:
    url = reverse("partnerships:community_thread_add", args=[community.pk])
    resp = client_for(world.personas["staff_a"]).post(url, {"title": "T", "body": "B", "embed_url": address})
    assert resp.status_code == 400
    assert "Embed a chart or table:" in resp.content.decode()  # the error summary names the field
    assert not Post.objects.exists()
    with pytest.raises(services.CommunityError) as refused:
        services.thread_start(by=world.personas["staff_a"], community=community, title="T", body="B", embed_url=address)
    assert refused.value.field == "embed_url"


def test_an_embed_is_stored_as_its_address_only(world: Any, community: Community) -> None:
    seed = world.school_b.seed_code
    thread = services.thread_start(by=world.personas["staff_a"], community=community, title="T", body="B",
                                   embed_url=f"http://testserver/insight/establishments/{seed}/?x=1#leavers")
    assert thread.posts.get().embed_url == f"/insight/establishments/{seed}/?x=1#leavers"


def test_shared_resources_pass_the_workspace_limits_and_scan_hook(world: Any, community: Community, settings: Any) -> None:
    url = reverse("partnerships:community_resource_add", args=[community.pk])
    c = client_for(world.personas["partner"])
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream")
    assert c.post(url, {"file": exe}).status_code == 400
    settings.PARTNERSHIP_FILE_SCANNER = "tests.partnerships.scanners.eicar"
    virus = SimpleUploadedFile("notes.txt", EICAR, "text/plain")
    resp = c.post(url, {"file": virus})
    assert resp.status_code == 400 and "virus check" in resp.content.decode()
    assert c.post(url, {"file": SimpleUploadedFile("plan.txt", b"plan\n", "text/plain")}).status_code == 302
    shared = Resource.objects.get()
    assert shared.scanned and shared.name == "plan.txt"
    download = reverse("partnerships:community_resource", args=[community.pk, shared.pk])
    assert client_for(world.personas["staff_a"]).get(download).status_code == 200
    assert client_for(world.personas["staff_b"]).get(download).status_code == 404
    assert AuditEvent.objects.filter(action="community_resource_add").count() == 1


def test_members_are_told_of_new_posts_in_the_portal_and_by_email_as_they_chose(
        world: Any, community: Community, django_capture_on_commit_callbacks: Any) -> None:
    staff = world.personas["staff_a"]
    staff.email_community_posts, staff.workspace_email = False, "each"
    staff.save()
    for who in ("dm_x", "admin_a"):  # an e-mail each time (the default, one a day, goes in the digest)
        world.personas[who].workspace_email = "each"
        world.personas[who].save(update_fields=["workspace_email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_start(by=world.personas["partner"], community=community, title="Tracking", body="B")
    told = {m.to[0] for m in mail.outbox}
    assert told == {world.personas["dm_x"].email, world.personas["admin_a"].email}  # not staff_a, not the author
    assert unread_count(staff) >= 1 and unread_count(world.personas["staff_b"]) == 0
    client_for(staff).get(reverse("partnerships:community_thread", args=[community.pk, thread.pk]))
    assert not CommunityNotice.objects.filter(recipient=staff, thread=thread, read_at__isnull=True).exists()


def test_the_api_lists_only_the_callers_communities_and_their_threads(world: Any, community: Community) -> None:
    thread = services.thread_start(by=world.personas["staff_a"], community=community, title="T", body="ApiCanaryQz")
    services.post_hide(by=world.personas["admin_a"], post=thread.posts.get(), reason="r")
    mine = api_client(world.personas["partner"]).get("/api/v1/communities/")
    assert mine.status_code == 200 and [c["name"] for c in mine.json()["results"]] == [community.name]
    threads = api_client(world.personas["partner"]).get(f"/api/v1/communities/{community.pk}/threads/").json()
    assert threads[0]["posts"][0]["hidden"] is True and threads[0]["posts"][0]["body"] is None
    assert api_client(world.personas["staff_b"]).get("/api/v1/communities/").json()["count"] == 0
    other = api_client(world.personas["staff_b"]).get(f"/api/v1/communities/{community.pk}/threads/")
    assert other.status_code == 404 and "ApiCanaryQz" not in other.content.decode()
    assert api_client(world.personas["no_role"]).get("/api/v1/communities/").status_code == 403
