"""Communities of practice (issue 15): a community's admins remove members and members leave (both
audited; afterwards the person gets 404 for the community and everything in it), and new threads
and replies are e-mailed as each member chose for their workspaces: at once, in the daily digest,
or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from datahub.models import AuditEvent
from partnerships.communities import services
from partnerships.communities.models import Community, CommunityMember, CommunityNotice
from partnerships.workspace.notices import digest_send
from tests.worlds import api_client, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(world: Any) -> Community:
    """Authority X's data manager's community (its creator and admin), with A's staff and the college."""
    p = world.personas
    c = services.community_create(by=p["dm_x"], name="West senior phase leads")
    for who in ("staff_a", "partner"):
        services.community_member_add(by=p["dm_x"], community=c, email=p[who].email)
    return c


def _member(c: Community, user: Any) -> CommunityMember:
    return CommunityMember.objects.get(community=c, user=user)


def _urls(c: Community) -> list[str]:
    thread = c.threads.first()
    assert thread is not None
    return [reverse("partnerships:community", args=[c.pk]),
            reverse("partnerships:community_thread", args=[c.pk, thread.pk])]


def test_an_admin_removes_a_member_who_then_gets_404_everywhere_in_it(world: Any, community: Community) -> None:
    p = world.personas
    services.thread_start(by=p["dm_x"], community=community, title="Tracking", body="Share your trackers")
    staff = client_for(p["staff_a"])
    assert all(staff.get(u).status_code == 200 for u in _urls(community))
    m = _member(community, p["staff_a"])
    resp = client_for(p["dm_x"]).post(reverse("partnerships:community_member_remove", args=[community.pk, m.pk]))
    assert resp.status_code == 302
    assert [staff.get(u).status_code for u in _urls(community)] == [404, 404]
    assert api_client(p["staff_a"]).get(f"/api/v1/communities/{community.pk}/").status_code == 404
    assert not CommunityNotice.objects.filter(recipient=p["staff_a"], community=community).exists()
    event = AuditEvent.objects.get(action="community_member_remove")
    assert event.actor == p["dm_x"] and event.detail["user"] == p["staff_a"].email


def test_a_member_who_is_not_an_admin_may_not_remove_anyone(world: Any, community: Community) -> None:
    p = world.personas
    college = _member(community, p["partner"])
    url = reverse("partnerships:community_member_remove", args=[community.pk, college.pk])
    assert client_for(p["staff_a"]).post(url).status_code == 403
    assert client_for(p["staff_b"]).post(url).status_code == 404  # not a member: the community is not found
    with pytest.raises(PermissionDenied):
        services.community_member_remove(by=p["staff_a"], community=community, member=college)
    assert CommunityMember.objects.filter(pk=college.pk).exists()
    assert not AuditEvent.objects.filter(action="community_member_remove").exists()


def test_a_member_id_of_another_community_is_not_found(world: Any, community: Community) -> None:
    p = world.personas
    other = services.community_create(by=p["dm_x"], name="Another")
    services.community_member_add(by=p["dm_x"], community=other, email=p["staff_a"].email)
    foreign = _member(other, p["staff_a"])
    url = reverse("partnerships:community_member_remove", args=[community.pk, foreign.pk])
    assert client_for(p["dm_x"]).post(url).status_code == 404
    assert CommunityMember.objects.filter(pk=foreign.pk).exists()


def test_a_member_leaves_and_the_last_admin_must_hand_over_first(world: Any, community: Community) -> None:
    p = world.personas
    services.thread_start(by=p["dm_x"], community=community, title="Tracking", body="Share your trackers")
    partner = client_for(p["partner"])
    assert partner.post(reverse("partnerships:community_leave", args=[community.pk])).status_code == 302
    assert [partner.get(u).status_code for u in _urls(community)] == [404, 404]
    assert AuditEvent.objects.get(action="community_member_leave").actor == p["partner"]
    # The creator is the only admin: they are told to make another admin first, and stay.
    with pytest.raises(services.CommunityError, match="another admin"):
        services.community_leave(by=p["dm_x"], community=community)
    resp = client_for(p["dm_x"]).post(reverse("partnerships:community_leave", args=[community.pk]), follow=True)
    assert "make someone else an admin" in resp.content.decode()
    assert _member(community, p["dm_x"]).is_admin
    # With a second admin the creator may go.
    services.community_member_add(by=p["dm_x"], community=community, email=p["admin_a"].email, is_admin=True)
    services.community_leave(by=p["dm_x"], community=community)
    assert client_for(p["dm_x"]).get(_urls(community)[0]).status_code == 404


def test_the_community_page_offers_remove_to_admins_and_leave_to_everyone(world: Any, community: Community) -> None:
    p = world.personas
    url = reverse("partnerships:community", args=[community.pk])
    as_admin = client_for(p["dm_x"]).get(url).content.decode()
    as_member = client_for(p["staff_a"]).get(url).content.decode()
    college = _member(community, p["partner"])
    remove = reverse("partnerships:community_member_remove", args=[community.pk, college.pk])
    assert remove in as_admin and remove not in as_member
    assert "Leave this community" in as_admin and "Leave this community" in as_member


def _choose(user: Any, workspace_email: str, community_posts: bool = True) -> None:
    user.workspace_email, user.email_community_posts = workspace_email, community_posts
    user.save(update_fields=["workspace_email", "email_community_posts"])


def test_new_threads_and_replies_are_emailed_as_each_member_chose(
        world: Any, community: Community, django_capture_on_commit_callbacks: Any) -> None:
    p = world.personas
    _choose(p["dm_x"], "each")
    _choose(p["staff_a"], "daily")
    _choose(p["partner"], "off")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_start(by=p["dm_x"], community=community,
                                       title="Tracking", body="B")
        services.post_reply(by=p["partner"], thread=thread, body="Ours is attached")
    # Only the "each time" member is e-mailed now (dm_x, of the college's reply; nobody of their own post).
    assert [m.to for m in mail.outbox] == [[p["dm_x"].email]]
    assert "replied to" in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = digest_send(now=timezone.now())
    assert sent == 1
    (digest,) = mail.outbox
    assert digest.to == [p["staff_a"].email]
    assert digest.subject == "Partnership workspaces and communities: 2 new notices"
    assert "Community: West senior phase leads" in digest.body and "started \u201cTracking\u201d" in digest.body
    assert f"/partnerships/communities/{community.pk}/" in digest.body
    # Nothing twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=timezone.now()) == 0
    assert not mail.outbox


def test_the_digest_leaves_out_what_was_read_and_those_who_turned_community_email_off(
        world: Any, community: Community, django_capture_on_commit_callbacks: Any) -> None:
    p = world.personas
    _choose(p["staff_a"], "daily")
    _choose(p["partner"], "daily", community_posts=False)
    thread = services.thread_start(by=p["dm_x"], community=community, title="Tracking", body="B")
    client_for(p["staff_a"]).get(reverse("partnerships:community_thread", args=[community.pk, thread.pk]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=timezone.now()) == 0
    assert not mail.outbox
