"""Partnership groups: the state machine, its refusals (each naming the field), entitlement gained
and lost, notices and e-mails, and the pages' access rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from datahub.access import Entitlement
from datahub.models import AuditEvent, Establishment, LocalAuthority, Role
from insight.entitlement import viewer_entitlement
from partnerships.groups import services
from partnerships.groups.models import GroupMember, GroupStatus, MemberStatus, PartnershipGroup
from partnerships.models import Notification
from partnerships.selectors import partner_establishment_ids, waiting_count
from tests.factories import EstablishmentFactory, member

pytestmark = pytest.mark.django_db


def statuses(g: PartnershipGroup) -> dict[str, str]:
    return {m.establishment.name: m.status for m in GroupMember.objects.filter(group=g).select_related("establishment")}


# --- the happy path ----------------------------------------------------------------------------


def test_propose_accept_accept_forms_an_active_group_with_notices_audit_and_mail(
    world: Any, school_c: Establishment, admin_c: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        g = services.group_propose(founder=world.school_a, invited=[world.school_b, school_c], name=" Senior phase ",
                                   purpose="Raise attainment", by=world.personas["admin_a"], message="Join?")
    assert (g.name, g.status) == ("Senior phase", GroupStatus.FORMING)
    assert statuses(g) == {"Alpha High School": "joined", "Bravo Secondary": "invited", "Charlie Academy": "invited"}
    # Both invited schools' admins are told, in the portal and by e-mail; the founder's people are not.
    told = set(Notification.objects.filter(group=g).values_list("recipient", flat=True))
    assert told == {world.personas["admin_b"].pk, admin_c.pk}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.personas["admin_b"].email, admin_c.email])
    assert 'Invitation to the partnership group "Senior phase"' in mailoutbox[0].subject
    assert "Join?" in mailoutbox[0].body and "Accept or decline the invitation" in mailoutbox[0].body
    assert waiting_count(world.personas["admin_b"]) == 1  # the invitation, counted once with its notice
    assert AuditEvent.objects.filter(action="partnership_group_propose", object_id=str(g.pk)).count() == 1

    services.group_accept(group=g, by=world.personas["admin_b"], acting_for=world.school_b)
    g.refresh_from_db()
    assert g.status == GroupStatus.FORMING  # two of three
    assert waiting_count(world.personas["admin_b"]) == 0  # answering clears B's notices
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.group_accept(group=g, by=admin_c, acting_for=school_c)
    g.refresh_from_db()
    assert g.status == GroupStatus.ACTIVE
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.personas["admin_a"].email, world.personas["admin_b"].email])
    assert "The group is active" in Notification.objects.filter(group=g, recipient=world.personas["admin_a"]).first().text  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="partnership_group_accept").count() == 2


# --- entitlement -------------------------------------------------------------------------------


def test_entitlement_is_gained_when_active_and_lost_on_leaving(
    world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any
) -> None:
    admin_a, admin_b = world.personas["admin_a"], world.personas["admin_b"]
    third = EstablishmentFactory.create(name="Delta High", authority=LocalAuthority.objects.get(code=260))
    admin_d = member(Role.ESTABLISHMENT_ADMIN, establishment=third)
    assert viewer_entitlement(admin_a, school_c) == Entitlement.PUBLIC
    services.group_accept(group=group_forming, by=admin_b, acting_for=world.school_b)
    # Forming: no one sees anyone's data yet.
    assert viewer_entitlement(admin_a, world.school_b) == Entitlement.PUBLIC
    services.group_accept(group=group_forming, by=admin_c, acting_for=school_c)
    assert viewer_entitlement(admin_a, school_c) == Entitlement.PARTNER
    assert viewer_entitlement(admin_b, school_c) == Entitlement.PARTNER
    assert viewer_entitlement(admin_c, world.school_a) == Entitlement.PARTNER
    assert viewer_entitlement(admin_d, world.school_a) == Entitlement.PUBLIC  # not in the group
    assert partner_establishment_ids([world.school_a.pk]) == {world.school_b.pk, school_c.pk}
    # C leaves: fewer than three remain, the group ends, and every school loses the others' data.
    services.group_leave(group=group_forming, by=admin_c, acting_for=school_c)
    group_forming.refresh_from_db()
    assert group_forming.status == GroupStatus.ENDED
    assert viewer_entitlement(admin_a, school_c) == Entitlement.PUBLIC
    assert viewer_entitlement(admin_a, world.school_b) == Entitlement.PUBLIC
    assert partner_establishment_ids([world.school_a.pk]) == set()


def test_a_school_that_leaves_a_larger_group_loses_it_the_rest_keep_it(
    world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any
) -> None:
    d = EstablishmentFactory.create(name="Delta High", authority=LocalAuthority.objects.get(code=260))
    admin_d = member(Role.ESTABLISHMENT_ADMIN, establishment=d)
    g = services.group_propose(founder=world.school_a, invited=[world.school_b, school_c, d], name="Four",
                               purpose="p", by=world.personas["admin_a"])
    for est, by in ((world.school_b, world.personas["admin_b"]), (school_c, admin_c), (d, admin_d)):
        services.group_accept(group=g, by=by, acting_for=est)
    services.group_leave(group=g, by=admin_d, acting_for=d, message="Thanks all")
    g.refresh_from_db()
    assert g.status == GroupStatus.ACTIVE
    assert viewer_entitlement(admin_d, world.school_a) == Entitlement.PUBLIC
    assert viewer_entitlement(world.personas["admin_a"], d) == Entitlement.PUBLIC
    assert viewer_entitlement(world.personas["admin_a"], school_c) == Entitlement.PARTNER


def test_ending_the_group_ends_the_entitlement_and_keeps_the_record(
    world: Any, group_active: PartnershipGroup, school_c: Establishment
) -> None:
    services.group_end(group=group_active, by=world.personas["admin_a"], acting_for=world.school_a, message="Done")
    group_active.refresh_from_db()
    assert group_active.status == GroupStatus.ENDED
    assert viewer_entitlement(world.personas["admin_a"], school_c) == Entitlement.PUBLIC
    assert statuses(group_active)["Charlie Academy"] == "joined"  # the record is kept
    assert [e.verb for e in group_active.events.all()] == ["propose", "accept", "accept", "end"]


# --- refusals, each naming the field --------------------------------------------------------------


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"name": "  "}, "name", "Enter the group's name"),
    ({"name": "x" * 151}, "name", "at most 150"),
    ({"purpose": ""}, "purpose", "Enter the group's purpose"),
    ({"message": "m" * 2001}, "message", "at most 2000"),
    ({"invited": "self"}, "schools", "is the founding school"),
    ({"invited": "one"}, "schools", "Invite at least 2 other schools"),
    ({"invited": "primary"}, "schools", "schools of the same type"),
])
def test_propose_refusals_name_the_field(
    world: Any, school_c: Establishment, change: dict, field: str, words: str
) -> None:
    primary = EstablishmentFactory.create(name="Primary One", type="primary")
    invited = {"self": [world.school_a, world.school_b], "one": [world.school_b, world.school_b],
               "primary": [world.school_b, primary]}.get(change.pop("invited", ""), [world.school_b, school_c])
    args: dict[str, Any] = {"name": "G", "purpose": "P", "message": "", **change}
    with pytest.raises(services.GroupError) as exc:
        services.group_propose(founder=world.school_a, invited=invited, by=world.personas["admin_a"], **args)
    assert exc.value.field == field and words in str(exc.value)
    assert not PartnershipGroup.objects.exists()


def test_only_admins_act_and_each_side_only_its_own_moves(
    world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.group_propose(founder=world.school_a, invited=[world.school_b, school_c], name="G", purpose="P",
                               by=world.personas["staff_a"])
    with pytest.raises(PermissionDenied):
        services.group_accept(group=group_forming, by=world.personas["staff_b"], acting_for=world.school_b)
    with pytest.raises(PermissionDenied):  # a school not invited
        services.group_accept(group=group_forming, by=world.personas["admin_a"], acting_for=world.school_a2)
    with pytest.raises(services.GroupStateError, match="already answered"):  # the founder is already in
        services.group_accept(group=group_forming, by=world.personas["admin_a"], acting_for=world.school_a)
    with pytest.raises(PermissionDenied, match="cannot leave"):
        services.group_leave(group=group_forming, by=world.personas["admin_a"], acting_for=world.school_a)
    with pytest.raises(PermissionDenied, match="Only the founding school"):
        services.group_end(group=group_forming, by=world.personas["admin_b"], acting_for=world.school_b)
    services.group_accept(group=group_forming, by=world.personas["admin_b"], acting_for=world.school_b)
    with pytest.raises(services.GroupStateError, match="already answered"):
        services.group_decline(group=group_forming, by=world.personas["admin_b"], acting_for=world.school_b)
    with pytest.raises(services.GroupError) as exc:
        services.group_accept(group=group_forming, by=admin_c, acting_for=school_c, message="m" * 2001)
    assert exc.value.field == "message"


def test_a_decline_that_leaves_too_few_ends_the_forming_group(
    world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any
) -> None:
    services.group_decline(group=group_forming, by=admin_c, acting_for=school_c, message="Not now")
    group_forming.refresh_from_db()
    assert group_forming.status == GroupStatus.ENDED
    with pytest.raises(services.GroupStateError, match="has ended"):
        services.group_accept(group=group_forming, by=world.personas["admin_b"], acting_for=world.school_b)


def test_aims_only_while_active_by_a_member_admin(
    world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any
) -> None:
    with pytest.raises(services.GroupStateError) as exc:
        services.group_aims_update(group=group_forming, by=world.personas["admin_a"], acting_for=world.school_a, aims="x")
    assert exc.value.field == "aims"
    services.group_accept(group=group_forming, by=world.personas["admin_b"], acting_for=world.school_b)
    services.group_accept(group=group_forming, by=admin_c, acting_for=school_c)
    with pytest.raises(services.GroupError) as too_long:
        services.group_aims_update(group=group_forming, by=admin_c, acting_for=school_c, aims="a" * 4001)
    assert too_long.value.field == "aims"
    with pytest.raises(PermissionDenied):
        services.group_aims_update(group=group_forming, by=world.personas["staff_b"], acting_for=world.school_b, aims="x")
    g = services.group_aims_update(group=group_forming, by=admin_c, acting_for=school_c, aims="Close the gap")
    assert g.aims == "Close the gap"
    services.group_end(group=group_forming, by=world.personas["admin_a"], acting_for=world.school_a)
    with pytest.raises(services.GroupStateError):  # ended: read-only
        services.group_aims_update(group=group_forming, by=admin_c, acting_for=school_c, aims="changed")


# --- pages ---------------------------------------------------------------------------------------


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_outsiders_404_staff_see_but_cannot_act(
    world: Any, group_active: PartnershipGroup, school_c: Establishment
) -> None:
    url = reverse("partnerships:group", args=[group_active.pk])
    outsider = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).post(reverse("partnerships:group_end", args=[group_active.pk])).status_code == 404
    page = _client(world.personas["staff_b"]).get(url)
    assert page.status_code == 200 and "Charlie Academy" in page.content.decode()
    assert _client(world.personas["staff_b"]).post(reverse("partnerships:group_leave", args=[group_active.pk])).status_code == 403
    listing = _client(world.personas["staff_a"]).get(reverse("partnerships:list")).content.decode()
    assert "Senior phase" in listing and "Propose a partnership group" not in listing
    # The founder's admin is told that the group is active, with a link to it, on View Partnerships.
    listing = _client(world.personas["admin_a"]).get(reverse("partnerships:list")).content.decode()
    assert f'<a href="{url}">Charlie Academy' in listing and "The group is active" in listing


def test_propose_page_names_the_field_and_creates_the_group(world: Any, school_c: Establishment) -> None:
    c = _client(world.personas["admin_a"])
    url = reverse("partnerships:group_propose")
    bad = c.post(url, {"name": "G", "purpose": "P", "schools": f"{world.school_b.seed_code} 12345"})
    assert bad.status_code == 400 and 'href="#schools"' in bad.content.decode()
    assert "is not a SEED code" in bad.content.decode()
    missing = c.post(url, {"name": "", "purpose": "P", "schools": f"{world.school_b.seed_code}, {school_c.seed_code}"})
    assert missing.status_code == 400 and 'href="#name"' in missing.content.decode()
    ok = c.post(url, {"name": "G", "purpose": "P", "schools": f"{world.school_b.seed_code}\n{school_c.seed_code}"})
    g = PartnershipGroup.objects.get()
    assert ok.status_code == 302 and ok["Location"] == reverse("partnerships:group", args=[g.pk])
    assert _client(world.personas["staff_a"]).get(url).status_code == 403


def test_ended_group_page_is_read_only(world: Any, group_active: PartnershipGroup, admin_c: Any) -> None:
    services.group_end(group=group_active, by=world.personas["admin_a"], acting_for=world.school_a)
    page = _client(admin_c).get(reverse("partnerships:group", args=[group_active.pk])).content.decode()
    assert "kept as a record" in page and 'name="aims"' not in page and "Leave the group" not in page
    r = _client(admin_c).post(reverse("partnerships:group_aims", args=[group_active.pk]), {"aims": "x"})
    assert r.status_code == 409
    assert GroupMember.objects.filter(group=group_active, status=MemberStatus.JOINED).count() == 3


# --- the group's plan and meeting notes ------------------------------------------------------------


def test_staff_of_member_schools_write_the_plan_and_notes_others_cannot(
    world: Any, group_active: PartnershipGroup, admin_c: Any
) -> None:
    from partnerships.groups.models import GroupAction, GroupNote

    staff_b = world.personas["staff_b"]
    base = reverse("partnerships:group", args=[group_active.pk])
    r = _client(staff_b).post(reverse("partnerships:group_action_add", args=[group_active.pk]),
                              {"action_title": "Share S4 data", "owner": str(admin_c.pk), "due_on": "2027-03-01"})
    assert r.status_code == 302 and r["Location"] == base + "#plan"
    action = GroupAction.objects.get()
    assert (action.owner, action.owner_establishment.name, action.status) == (admin_c, "Charlie Academy", "not_started")
    assert AuditEvent.objects.filter(action="partnership_group_action_add", establishment=world.school_b).exists()
    # Refusals name the field.
    bad = _client(staff_b).post(reverse("partnerships:group_action_add", args=[group_active.pk]),
                                {"action_title": "x", "owner": str(world.personas["admin_a"].pk), "due_on": ""})
    assert bad.status_code == 400 and 'href="#due_on"' in bad.content.decode()
    outsider_owner = member(Role.ESTABLISHMENT_STAFF, establishment=world.school_a2)
    bad = _client(staff_b).post(reverse("partnerships:group_action_add", args=[group_active.pk]),
                                {"action_title": "x", "owner": str(outsider_owner.pk), "due_on": "2027-01-01"})
    assert bad.status_code == 400 and 'href="#owner"' in bad.content.decode()
    # Another member school sees it and moves it on; meeting notes likewise.
    assert "Share S4 data" in _client(admin_c).get(base).content.decode()
    r = _client(admin_c).post(reverse("partnerships:group_action_status", args=[group_active.pk, action.pk]),
                              {"status": "in_progress"})
    assert r.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    r = _client(world.personas["staff_a"]).post(reverse("partnerships:group_note_add", args=[group_active.pk]),
                                                {"held_on": "2026-11-30", "note_title": "First", "notes": "Agreed"})
    assert r.status_code == 302 and GroupNote.objects.get().author_establishment == world.school_a
    # A school outside the group: 404, whatever it posts.
    outsider = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    for name, args in (("partnerships:group_action_add", [group_active.pk]),
                       ("partnerships:group_action_status", [group_active.pk, action.pk]),
                       ("partnerships:group_note_add", [group_active.pk])):
        assert _client(outsider).post(reverse(name, args=args), {"status": "done"}).status_code == 404
    # A school that left: it still sees the record but can no longer write.
    services.group_leave(group=group_active, by=admin_c, acting_for=group_active.members.get(
        establishment__name="Charlie Academy").establishment)
    group_active.refresh_from_db()
    assert group_active.status == GroupStatus.ENDED  # three became two
    r = _client(staff_b).post(reverse("partnerships:group_note_add", args=[group_active.pk]),
                              {"held_on": "2026-12-01", "note_title": "Late", "notes": "x"})
    assert r.status_code == 409 and GroupNote.objects.count() == 1
    page = _client(staff_b).get(base).content.decode()
    assert "Share S4 data" in page and 'id="action_title"' not in page
