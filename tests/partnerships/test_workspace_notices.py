"""Workspace notices and e-mail (issue 15, item 5): a partner's new action, meeting notes or file is a
notice for every other member of staff of both schools; e-mail follows each person's choice (each
time, one e-mail a day, never), nothing is e-mailed twice, and a notice read in the portal first is
left out of the digest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnerships import services as p_services
from partnerships.models import Partnership
from partnerships.workspace import services
from partnerships.workspace.models import WorkspaceNotice
from partnerships.workspace.notices import actions_due_notify, digest_send
from partnerships.workspace.selectors import workspace_people
from tests.worlds import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(world: Any) -> Partnership:
    p = p_services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    return p_services.partnership_accept(partnership=p, by=world.personas["admin_b"], acting_for=world.school_b)


def _choose(user: Any, choice: str) -> None:
    user.workspace_email = choice
    user.save(update_fields=["workspace_email"])


def _note(world: Any, p: Partnership, by: str = "staff_a") -> Any:
    return services.meeting_note_create(partnership=p, by=world.personas[by], held_on=dt.date(2027, 1, 12),
                                        title="Tracking meeting", notes="Agreed to share S4 tracking.")


def test_a_new_action_note_or_file_is_a_notice_for_everyone_else_of_both_schools(
    world: Any, agreed: Partnership
) -> None:
    writer = world.personas["staff_a"]
    services.action_create(partnership=agreed, by=writer, title="Share S4 tracking",
                           owner_id=world.personas["staff_b"].pk, due_on=dt.date(2027, 3, 1))
    _note(world, agreed)
    services.shared_file_create(partnership=agreed, by=writer,
                                upload=SimpleUploadedFile("plan.csv", b"a,b\n1,2\n", "text/csv"))
    people = {u.pk for u, _ in workspace_people(agreed)}
    expected = people - {writer.pk}
    assert {world.personas[k].pk for k in ("admin_a", "admin_b", "staff_b")} <= expected
    for what in ("added an action: Share S4 tracking", "added meeting notes: Tracking meeting",
                 "shared a file: plan.csv"):
        got = WorkspaceNotice.objects.filter(kind="activity", partnership=agreed, text__endswith=what)
        assert {n.recipient_id for n in got} == expected, what
    text = WorkspaceNotice.objects.filter(kind="activity").first().text  # type: ignore[union-attr]
    assert text.startswith(f"{writer.get_full_name() or writer.email} ({world.school_a.name}) ")
    # The header's count includes them; opening the workspace reads them.
    admin_b = world.personas["admin_b"]
    assert WorkspaceNotice.objects.filter(recipient=admin_b, read_at__isnull=True).count() == 3
    client_for(admin_b).get(f"/partnerships/{agreed.pk}/workspace/")
    assert not WorkspaceNotice.objects.filter(recipient=admin_b, read_at__isnull=True).exists()


def test_a_write_refused_leaves_no_notice(world: Any, agreed: Partnership) -> None:
    with pytest.raises(services.WorkspaceError):
        services.meeting_note_create(partnership=agreed, by=world.personas["staff_a"], held_on=None,
                                     title="T", notes="N")
    assert not WorkspaceNotice.objects.exists()


def test_e_mail_follows_each_persons_choice_and_goes_once(
    world: Any, agreed: Partnership, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    each, daily, never, reader = (world.personas[k] for k in ("admin_a", "admin_b", "staff_b", "staff_a"))
    _choose(each, "each")
    _choose(daily, "daily")
    _choose(never, "off")
    _choose(reader, "daily")
    writer = world.personas["staff_a"]
    with django_capture_on_commit_callbacks(execute=True):
        _note(world, agreed, by="staff_a")
        services.action_create(partnership=agreed, by=world.personas["admin_a"], title="Compare S5 results",
                               owner_id=never.pk, due_on=dt.date(2027, 3, 1))
    # Each time: one e-mail per notice, at once (the writer gets none for their own write).
    assert [m.subject for m in mailoutbox if each.email in m.to] == [
        f"{writer.get_full_name() or writer.email} ({world.school_a.name}) added meeting notes: Tracking meeting"
    ]
    assert not [m for m in mailoutbox if {daily.email, never.email, reader.email} & set(m.to)]

    # staff_a reads their notice in the portal before the digest: it is left out.
    client_for(reader).get(f"/partnerships/{agreed.pk}/workspace/")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = digest_send(now=timezone.now())
    assert sent == 1
    (digest,) = mailoutbox
    assert digest.to == [daily.email]
    assert digest.subject == "Partnership workspaces and communities: 2 new notices"
    assert "added meeting notes: Tracking meeting" in digest.body and "added an action: Compare S5 results" in digest.body
    assert f"{world.school_a.name} and {world.school_b.name}" in digest.body
    assert f"/partnerships/{agreed.pk}/workspace/" in digest.body
    # Nothing twice: the next digest has nothing to send.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(now=timezone.now()) == 0
    assert mailoutbox == []
    # Never: the notices are in the portal, not e-mailed.
    assert WorkspaceNotice.objects.filter(recipient=never, emailed_at__isnull=True).count() == 2


def test_an_action_falling_due_is_in_the_owners_daily_e_mail(
    world: Any, agreed: Partnership, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    owner = world.personas["staff_b"]
    _choose(owner, "daily")
    services.action_create(partnership=agreed, by=owner, title="Share S4 tracking", owner_id=owner.pk,
                           due_on=dt.date(2027, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions_due_notify(today=dt.date(2027, 2, 25)) == 1
    assert not [m for m in mailoutbox if owner.email in m.to]  # not at once
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(now=timezone.now())
    (digest,) = [m for m in mailoutbox if owner.email in m.to]
    assert "Action is due on 1 March 2027: Share S4 tracking" in digest.body


def test_the_settings_page_saves_the_workspace_choice_and_refuses_others(client: Any, world: Any) -> None:
    staff = world.personas["staff_a"]
    client.force_login(staff)
    page = client.get("/accounts/notices/").content.decode()
    assert 'id="workspace-email-daily" name="workspace_email" value="daily" checked' in page  # the default
    assert client.post("/accounts/notices/", {"workspace_email": "each"}).status_code == 302
    staff.refresh_from_db()
    assert staff.workspace_email == "each"
    refused = client.post("/accounts/notices/", {"workspace_email": "hourly"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    staff.refresh_from_db()
    assert staff.workspace_email == "each"
