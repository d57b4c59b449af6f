"""A partnership group's workspace (the pair's code given a group): named leads, shared files and the
joint evaluation for every member school; notices to the other members only; read-only once the
group ended; nobody outside the joined schools sees it. And the founder inviting more schools after
founding, and withdrawing an invitation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404

from datahub.models import AuditEvent, Establishment, LocalAuthority, Role
from destinations.models import DestinationKind, DestinationRecord
from partnerships.groups import plan
from partnerships.groups import services as g_services
from partnerships.groups.models import GroupMember, GroupStatus, MemberStatus, PartnershipGroup
from partnerships.models import Notification
from partnerships.workspace import access, selectors, services
from partnerships.workspace.models import JointBaseline, Lead, SharedFile, WorkspaceNotice
from partnerships.workspace.notices import actions_due_notify, digest_send
from tests.factories import EstablishmentFactory, member
from tests.insight.worlds import RUN_YEARS, add_leavers, build_ranked_world
from tests.partnerships.test_workspace import INITIAL, _new_run, positive_initial_pct
from tests.worlds import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff_c(school_c: Establishment) -> Any:
    return member(Role.ESTABLISHMENT_STAFF, establishment=school_c)


@pytest.fixture
def outsider(world: Any) -> Any:
    """An admin of A2: a school of the same authority, not in the group."""
    return member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)


def _upload(name: str = "plan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"a,b\n1,2\n", "text/csv")


def _end(world: Any, g: PartnershipGroup) -> PartnershipGroup:
    return g_services.group_end(group=g, by=world.personas["admin_a"], acting_for=world.school_a)


def _school(name: str, **kw: Any) -> Establishment:
    return EstablishmentFactory.create(name=name, authority=LocalAuthority.objects.get(code=260), **kw)


# --- Access -----------------------------------------------------------------------------------


def test_joined_schools_read_and_contribute_everyone_else_gets_404(
    world: Any, group_active: PartnershipGroup, admin_c: Any, staff_c: Any, outsider: Any
) -> None:
    for user in (world.personas["staff_a"], world.personas["admin_b"], staff_c):
        assert access.workspace_group(user, group_active.pk) == group_active
        assert access.can_contribute(user, group_active)
    for user in (outsider, world.personas["analyst_x"], world.personas["national"], world.personas["partner"]):
        with pytest.raises(Http404):
            access.workspace_group(user, group_active.pk)
        with pytest.raises(Http404):
            services.shared_file_create(partnership=group_active, by=user, upload=_upload())
    # A school only invited (or that declined) has no place in the workspace: 404 for its pages.
    later = _school("Echo High")
    admin_e = member(Role.ESTABLISHMENT_ADMIN, establishment=later)
    g_services.group_invite(group=group_active, by=world.personas["admin_a"], invited=[later])
    with pytest.raises(Http404):
        access.workspace_group(admin_e, group_active.pk)
    assert client_for(admin_e).get(f"/partnerships/groups/{group_active.pk}/evaluation/").status_code == 404
    assert client_for(admin_e).get(f"/partnerships/groups/{group_active.pk}/").status_code == 200  # to answer


def test_staff_share_files_admins_name_leads_and_choose_measures(
    world: Any, group_active: PartnershipGroup, staff_c: Any, admin_c: Any
) -> None:
    f = services.shared_file_create(partnership=group_active, by=staff_c, upload=_upload())
    assert (f.group_id, f.partnership_id, f.uploaded_for) == (group_active.pk, None, staff_c.memberships.first().establishment)
    assert f.file.name.startswith(f"partnership-groups/{group_active.pk}/")
    with pytest.raises(PermissionDenied):
        services.lead_add(partnership=group_active, by=staff_c, user_id=staff_c.pk, responsibility="Data")
    lead = services.lead_add(partnership=group_active, by=world.personas["admin_a"], user_id=staff_c.pk,
                             responsibility="Data analysis")
    assert (lead.group_id, lead.establishment.name, lead.name) == (group_active.pk, "Charlie Academy",
                                                                  staff_c.get_full_name() or staff_c.email)
    # A lead is a person of a joined school: not someone of a school outside the group.
    outsider = member(Role.ESTABLISHMENT_STAFF, establishment=world.school_a2)
    with pytest.raises(services.WorkspaceError) as exc:
        services.lead_add(partnership=group_active, by=admin_c, user_id=outsider.pk, responsibility="x")
    assert exc.value.field == "lead" and "the group's schools" in str(exc.value)
    # Staff remove their own file, not another's; an admin removes any.
    other = services.shared_file_create(partnership=group_active, by=world.personas["staff_a"], upload=_upload("b.txt"))
    with pytest.raises(PermissionDenied):
        services.shared_file_delete(shared_file=other, by=staff_c)
    services.shared_file_delete(shared_file=other, by=admin_c)
    services.lead_remove(lead=lead, by=admin_c)
    assert list(SharedFile.objects.filter(group=group_active)) == [f] and not Lead.objects.exists()


def test_files_keep_the_pair_workspaces_limits(world: Any, group_active: PartnershipGroup, settings: Any) -> None:
    settings.PARTNERSHIP_FILE_MAX_BYTES = 5
    with pytest.raises(services.WorkspaceError) as exc:
        services.shared_file_create(partnership=group_active, by=world.personas["staff_a"], upload=_upload())
    assert exc.value.field == "file" and "at most" in str(exc.value)
    settings.PARTNERSHIP_FILE_MAX_BYTES = 1000
    with pytest.raises(services.WorkspaceError) as exc:
        services.shared_file_create(partnership=group_active, by=world.personas["staff_a"],
                                    upload=SimpleUploadedFile("x.exe", b"MZ\x90", "application/octet-stream"))
    assert "cannot be shared" in str(exc.value)
    settings.PARTNERSHIP_FILE_SCANNER = "tests.partnerships.scanners.broken"
    with pytest.raises(services.WorkspaceError) as exc:
        services.shared_file_create(partnership=group_active, by=world.personas["staff_a"], upload=_upload())
    assert "could not be checked for viruses" in str(exc.value)
    assert not SharedFile.objects.exists()


def test_a_row_belongs_to_a_pair_or_a_group_never_both(world: Any, group_active: PartnershipGroup) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.create(establishment=world.school_a, user=world.personas["staff_a"], name="S", responsibility="r")


def test_an_ended_group_keeps_its_workspace_read_only(
    world: Any, group_active: PartnershipGroup, admin_c: Any
) -> None:
    f = services.shared_file_create(partnership=group_active, by=world.personas["staff_b"], upload=_upload())
    lead = services.lead_add(partnership=group_active, by=admin_c, user_id=admin_c.pk, responsibility="Plan")
    g = _end(world, group_active)
    assert access.is_read_only(g) and not access.can_contribute(admin_c, g) and not access.can_manage(admin_c, g)
    for write in (
        lambda: services.shared_file_create(partnership=g, by=world.personas["staff_a"], upload=_upload()),
        lambda: services.lead_add(partnership=g, by=admin_c, user_id=admin_c.pk, responsibility="x"),
        lambda: services.lead_remove(lead=lead, by=admin_c),
        lambda: services.shared_file_delete(shared_file=f, by=admin_c),
        lambda: services.joint_measures_choose(partnership=g, by=admin_c, measures=[INITIAL]),
    ):
        with pytest.raises(access.WorkspaceClosed) as exc:
            write()
        assert "The group has ended" in str(exc.value)
    # The record is kept and still read by the members.
    c = client_for(world.personas["staff_a"])
    page = c.get(f"/partnerships/groups/{g.pk}/")
    assert page.status_code == 200 and "plan.csv" in page.text and "Share a file" not in page.text
    assert c.get(f"/partnerships/groups/{g.pk}/files/{f.pk}/").status_code == 200
    assert c.get(f"/partnerships/groups/{g.pk}/files/add/").status_code == 409
    assert c.post(f"/partnerships/groups/{g.pk}/files/add/", {"file": _upload()}).status_code == 409
    assert client_for(admin_c).post(f"/partnerships/groups/{g.pk}/leads/{lead.pk}/remove/").status_code == 409


def test_every_write_is_audited_for_the_writers_school(
    world: Any, group_active: PartnershipGroup, admin_c: Any, school_c: Establishment
) -> None:
    build_ranked_world(world)
    services.lead_add(partnership=group_active, by=admin_c, user_id=admin_c.pk, responsibility="Plan")
    services.shared_file_create(partnership=group_active, by=admin_c, upload=_upload())
    services.joint_measures_choose(partnership=group_active, by=admin_c, measures=[INITIAL])
    got = AuditEvent.objects.filter(object_type="partnership_group", object_id=str(group_active.pk),
                                    action__in=["partnership_group_lead_add", "partnership_group_file_create",
                                                "partnership_group_measures_choose"])
    assert got.count() == 3 and {e.establishment_id for e in got} == {school_c.pk}


# --- The joint evaluation ---------------------------------------------------------------------


def test_baseline_for_every_member_school_then_later_runs_side_by_side(
    world: Any, group_active: PartnershipGroup, school_c: Establishment
) -> None:
    first = build_ranked_world(world)
    year = RUN_YEARS[-1]
    (jm,) = services.joint_measures_choose(partnership=group_active, by=world.personas["admin_b"], measures=[INITIAL])
    assert jm.baseline_run_id == first.pk and jm.group_id == group_active.pk
    schools = [world.school_a, world.school_b, school_c]  # by name: Alpha, Bravo, Charlie
    assert set(JointBaseline.objects.filter(joint_measure=jm).values_list("establishment_id", flat=True)) == {
        s.pk for s in schools}
    base_a, base_b = positive_initial_pct(world.school_a, year), positive_initial_pct(world.school_b, year)

    add_leavers(world.school_a, 20, (year,), effect=3, seed=99)
    DestinationRecord.objects.filter(leaver__establishment=world.school_a, leaver__leaver_year=year,
                                     kind=DestinationKind.INITIAL).update(category="UNEMPLOYED_SEEKING")
    second = _new_run(world, seed=6)
    (ev,) = selectors.joint_evaluation(group_active)
    assert [r.baseline for r in ev.rows] == [True, False] and ev.rows[1].published_at == second.published_at
    rows = dict((est.name, cells) for est, cells in ev.by_school(schools))
    assert list(rows) == ["Alpha High School", "Bravo Secondary", "Charlie Academy"]
    assert rows["Alpha High School"][0].value == pytest.approx(base_a)
    assert rows["Alpha High School"][1].value == pytest.approx(0.0)
    assert rows["Alpha High School"][1].change == pytest.approx(-base_a)
    assert rows["Bravo Secondary"][1].value == pytest.approx(base_b)
    assert rows["Charlie Academy"][0].value is None  # no leavers: no figure, shown as such

    page = client_for(world.personas["staff_b"]).get(f"/partnerships/groups/{group_active.pk}/evaluation/")
    assert page.status_code == 200
    table = page.text.split(f'id="evaluation-{INITIAL}"')[1].split("</table>")[0]
    assert table.count('<th scope="row">') == 3 and "Charlie Academy" in table
    assert f"{base_a:.1f}%" in table and "0.0%" in table


# --- Notices ----------------------------------------------------------------------------------


def test_activity_is_told_to_the_other_members_only(
    world: Any, group_active: PartnershipGroup, admin_c: Any, staff_c: Any, outsider: Any,
    django_capture_on_commit_callbacks: Any, mailoutbox: list,
) -> None:
    build_ranked_world(world)
    writer = world.personas["staff_a"]
    staff_c.workspace_email = "each"
    staff_c.save(update_fields=["workspace_email"])
    world.personas["admin_b"].workspace_email = "daily"
    world.personas["admin_b"].save(update_fields=["workspace_email"])
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plan.group_action_add(group=group_active, by=writer, title="Share S4 tracking", owner_id=staff_c.pk,
                              due_on=dt.date(2027, 3, 1))
        plan.group_note_add(group=group_active, by=writer, held_on=dt.date(2027, 1, 12), title="Kick-off",
                            notes="Agreed")
        services.shared_file_create(partnership=group_active, by=writer, upload=_upload())
        services.lead_add(partnership=group_active, by=world.personas["admin_a"], user_id=staff_c.pk,
                          responsibility="Data")
        services.joint_measures_choose(partnership=group_active, by=world.personas["admin_a"], measures=[INITIAL])
    people = {u.pk for u, _ in selectors.workspace_people(group_active)}
    assert outsider.pk not in people and {admin_c.pk, staff_c.pk} <= people
    for what, by in (("added an action: Share S4 tracking", writer), ("added meeting notes: Kick-off", writer),
                     ("shared a file: plan.csv", writer), ("a lead: Data", world.personas["admin_a"]),
                     ("added joint measures:", world.personas["admin_a"])):
        got = WorkspaceNotice.objects.filter(kind="activity", group=group_active, text__contains=what)
        assert {n.recipient_id for n in got} == people - {by.pk}, what
    assert not WorkspaceNotice.objects.filter(recipient=outsider).exists()
    # Each time: staff_c had one e-mail per notice; the daily reader none yet, then one digest.
    assert sum(m.to == [staff_c.email] for m in mailoutbox) == 5
    assert not any(m.to == [world.personas["admin_b"].email] for m in mailoutbox)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(now=dt.datetime.now(dt.UTC))
    (digest,) = [m for m in mailoutbox if m.to == [world.personas["admin_b"].email]]
    assert "Senior phase" in digest.body and "shared a file: plan.csv" in digest.body
    assert f"/partnerships/groups/{group_active.pk}/" in digest.body
    # Opening the group's page reads its notices.
    c = client_for(admin_c)
    page = c.get(f"/partnerships/groups/{group_active.pk}/")
    assert "New in this group" in page.text
    assert not WorkspaceNotice.objects.filter(recipient=admin_c, read_at__isnull=True).exists()


def test_a_group_actions_owner_is_reminded_once_when_it_falls_due(
    world: Any, group_active: PartnershipGroup, staff_c: Any, django_capture_on_commit_callbacks: Any,
    mailoutbox: list,
) -> None:
    staff_c.workspace_email = "each"
    staff_c.save(update_fields=["workspace_email"])
    writer = world.personas["staff_a"]
    due = plan.group_action_add(group=group_active, by=writer, title="Moderate N5 folios", owner_id=staff_c.pk,
                                due_on=dt.date(2027, 3, 1))
    done = plan.group_action_add(group=group_active, by=writer, title="Already done", owner_id=staff_c.pk,
                                 due_on=dt.date(2027, 3, 1))
    plan.group_action_status(action=done, by=staff_c, status="done")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions_due_notify(today=dt.date(2027, 2, 1)) == 0  # a month ahead: not yet
        assert actions_due_notify(today=dt.date(2027, 2, 25)) == 1
        assert actions_due_notify(today=dt.date(2027, 2, 26)) == 0  # once
    (notice,) = WorkspaceNotice.objects.filter(kind="action_due")
    assert (notice.recipient_id, notice.group_id, notice.partnership_id) == (staff_c.pk, group_active.pk, None)
    assert "Moderate N5 folios" in notice.text and "is due on 1 March 2027" in notice.text
    (mail,) = [m for m in mailoutbox if m.to == [staff_c.email]]
    assert f"/partnerships/groups/{group_active.pk}/#plan" in mail.body and "Moderate N5 folios" in mail.subject
    due.refresh_from_db()
    assert due.due_notified_on == dt.date(2027, 2, 25)
    # An ended group's actions are not reminded.
    other = plan.group_action_add(group=group_active, by=writer, title="Later", owner_id=staff_c.pk,
                                  due_on=dt.date(2027, 6, 1))
    _end(world, group_active)
    assert actions_due_notify(today=dt.date(2027, 6, 1)) == 0
    other.refresh_from_db()
    assert other.due_notified_on is None


def test_a_member_edits_an_action_and_a_new_due_date_is_a_new_reminder(
    world: Any, group_active: PartnershipGroup, staff_c: Any, outsider: Any,
) -> None:
    a = plan.group_action_add(group=group_active, by=world.personas["staff_a"], title="Moderate N5 folios",
                              owner_id=staff_c.pk, due_on=dt.date(2027, 3, 1))
    assert actions_due_notify(today=dt.date(2027, 2, 25)) == 1
    url = f"/partnerships/groups/{group_active.pk}/actions/{a.pk}/edit/"
    c = client_for(world.personas["staff_b"])
    form = c.get(url)
    assert form.status_code == 200 and 'value="Moderate N5 folios"' in form.text
    assert "A member of staff of one of the group" in form.text and "either school" not in form.text
    body = {"title": "Moderate N5 and Higher folios", "owner": world.personas["staff_b"].pk, "due_on": "2027-04-30",
            "status": "in_progress", "evidence_url": "https://example.org/folios"}
    bad = c.post(url, {**body, "evidence_url": "folios on the shared drive"})
    assert bad.status_code == 400 and "Enter a valid URL" in bad.text
    assert c.post(url, body).status_code == 302
    a.refresh_from_db()
    assert (a.title, a.owner_id, a.owner_establishment_id, a.due_on, a.status, a.evidence_url, a.due_notified_on) == (
        "Moderate N5 and Higher folios", world.personas["staff_b"].pk, world.school_b.pk, dt.date(2027, 4, 30),
        "in_progress", "https://example.org/folios", None)
    assert AuditEvent.objects.filter(action="partnership_group_action_update", object_id=group_active.pk).exists()
    assert actions_due_notify(today=dt.date(2027, 4, 25)) == 1  # reminded again for the new date
    assert client_for(outsider).get(url).status_code == 404
    assert c.get(f"/partnerships/groups/{group_active.pk}/actions/{a.pk + 999}/edit/").status_code == 404
    _end(world, group_active)
    assert c.get(url).status_code == 409 and c.post(url, body).status_code == 409


def test_new_figures_are_told_to_the_groups_schools(
    world: Any, group_active: PartnershipGroup, admin_c: Any, django_capture_on_commit_callbacks: Any
) -> None:
    build_ranked_world(world)
    services.joint_measures_choose(partnership=group_active, by=admin_c, measures=[INITIAL])
    WorkspaceNotice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _new_run(world, seed=6)
    got = WorkspaceNotice.objects.filter(kind="new_figures", group=group_active)
    assert {n.recipient_id for n in got} == {u.pk for u, _ in selectors.workspace_people(group_active)}
    assert 'the group \u201cSenior phase\u201d' in got.first().text  # type: ignore[union-attr]


# --- Invitations after founding ---------------------------------------------------------------


def test_the_founder_invites_more_schools_and_they_join(
    world: Any, group_active: PartnershipGroup, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    d = _school("Delta High")
    admin_d = member(Role.ESTABLISHMENT_ADMIN, establishment=d)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        added = g_services.group_invite(group=group_active, by=world.personas["admin_a"], invited=[d])
    assert added == [d]
    assert GroupMember.objects.get(group=group_active, establishment=d).status == MemberStatus.INVITED
    assert Notification.objects.filter(group=group_active, recipient=admin_d).exists()
    assert any(m.to == [admin_d.email] and "Accept or decline" in m.body for m in mailoutbox)
    assert AuditEvent.objects.filter(action="partnership_group_invite", object_id=str(group_active.pk)).exists()
    g_services.group_accept(group=group_active, by=admin_d, acting_for=d)
    assert access.workspace_group(admin_d, group_active.pk) == group_active


def test_invitations_are_refused_as_at_founding(world: Any, group_active: PartnershipGroup, admin_c: Any) -> None:
    admin_a = world.personas["admin_a"]
    primary = _school("Foxtrot Primary", type="primary")
    for schools, says in (
        ([world.school_a], "is the founding school"),
        ([primary], "schools of the same type"),
        ([world.school_b], "already in the group"),
        ([], "Enter the SEED codes"),
    ):
        with pytest.raises(g_services.GroupError) as exc:
            g_services.group_invite(group=group_active, by=admin_a, invited=schools)
        assert exc.value.field == "schools" and says in str(exc.value), says
    # Only the founding school's admins invite.
    for user in (world.personas["staff_a"], admin_c):
        with pytest.raises(PermissionDenied):
            g_services.group_invite(group=group_active, by=user, invited=[_school(f"G {user.pk}")])
    # At most 20 schools besides the founder: two are in, so 18 more, not 19.
    many = [_school(f"School {i:02d}") for i in range(19)]
    with pytest.raises(g_services.GroupError) as exc:
        g_services.group_invite(group=group_active, by=admin_a, invited=many)
    assert "at most 20" in str(exc.value) and "invite 18 more" in str(exc.value)
    assert len(g_services.group_invite(group=group_active, by=admin_a, invited=many[:18])) == 18
    with pytest.raises(g_services.GroupError):
        g_services.group_invite(group=group_active, by=admin_a, invited=[many[18]])
    # An ended group invites no one.
    _end(world, group_active)
    with pytest.raises(g_services.GroupStateError):
        g_services.group_invite(group=group_active, by=admin_a, invited=[many[18]])


def test_the_founder_withdraws_a_pending_invitation(
    world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any,
    django_capture_on_commit_callbacks: Any, mailoutbox: list,
) -> None:
    admin_a = world.personas["admin_a"]
    d = _school("Delta High")
    g_services.group_invite(group=group_forming, by=admin_a, invited=[d])
    row_c = GroupMember.objects.get(group=group_forming, establishment=school_c)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        g = g_services.group_withdraw(group=group_forming, by=admin_a, member=row_c)
    assert g.status == GroupStatus.FORMING  # A joined, B and D still invited
    row_c.refresh_from_db()
    assert row_c.status == MemberStatus.WITHDRAWN
    assert Notification.objects.filter(group=g, recipient=admin_c, text__contains="withdrew").exists()
    assert any(m.to == [admin_c.email] for m in mailoutbox)  # the withdrawn school is told
    with pytest.raises(g_services.GroupStateError):  # nothing left to answer
        g_services.group_accept(group=g, by=admin_c, acting_for=school_c)
    with pytest.raises(g_services.GroupStateError):  # already withdrawn
        g_services.group_withdraw(group=g, by=admin_a, member=row_c)
    # A joined school's place is not an invitation.
    g_services.group_accept(group=g, by=world.personas["admin_b"], acting_for=world.school_b)
    row_b = GroupMember.objects.get(group=g, establishment=world.school_b)
    with pytest.raises(g_services.GroupStateError):
        g_services.group_withdraw(group=g, by=admin_a, member=row_b)
    with pytest.raises(PermissionDenied):
        g_services.group_withdraw(group=g, by=world.personas["admin_b"],
                                  member=GroupMember.objects.get(group=g, establishment=d))
    # Withdrawing the last invitation leaves two schools: the group ends, as after a decline.
    g = g_services.group_withdraw(group=g, by=admin_a, member=GroupMember.objects.get(group=g, establishment=d))
    assert g.status == GroupStatus.ENDED
    # A withdrawn school may be invited again (while the group has not ended).


def test_a_withdrawn_or_declined_school_may_be_invited_again(
    world: Any, group_active: PartnershipGroup, admin_c: Any
) -> None:
    d = _school("Delta High")
    admin_d = member(Role.ESTABLISHMENT_ADMIN, establishment=d)
    g_services.group_invite(group=group_active, by=world.personas["admin_a"], invited=[d])
    g_services.group_decline(group=group_active, by=admin_d, acting_for=d)
    g_services.group_invite(group=group_active, by=world.personas["admin_a"], invited=[d])
    row = GroupMember.objects.get(group=group_active, establishment=d)
    assert (row.status, row.answered_at) == (MemberStatus.INVITED, None)


def test_the_pages_invite_and_withdraw(world: Any, group_active: PartnershipGroup, admin_c: Any) -> None:
    d = _school("Delta High")
    c = client_for(world.personas["admin_a"])
    page = c.get(f"/partnerships/groups/{group_active.pk}/")
    assert "Invite more schools" in page.text
    assert "Invite more schools" not in client_for(admin_c).get(f"/partnerships/groups/{group_active.pk}/").text
    bad = c.post(f"/partnerships/groups/{group_active.pk}/invite/", {"schools": "12ab"})
    assert bad.status_code == 400 and "is not a SEED code" in bad.text
    r = c.post(f"/partnerships/groups/{group_active.pk}/invite/", {"schools": d.seed_code})
    assert r.status_code == 302
    row = GroupMember.objects.get(group=group_active, establishment=d)
    assert client_for(admin_c).post(f"/partnerships/groups/{group_active.pk}/invite/",
                                    {"schools": d.seed_code}).status_code == 403
    assert client_for(world.personas["staff_a"]).post(
        f"/partnerships/groups/{group_active.pk}/invitations/{row.pk}/withdraw/").status_code == 403
    assert c.post(f"/partnerships/groups/{group_active.pk}/invitations/{row.pk}/withdraw/").status_code == 302
    row.refresh_from_db()
    assert row.status == MemberStatus.WITHDRAWN
    assert c.post(f"/partnerships/groups/{group_active.pk}/invitations/{row.pk}/withdraw/").status_code == 404
