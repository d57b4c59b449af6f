"""The partnership state machine: every transition, every forbidden one, events, notices, e-mail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from datahub.models import AuditEvent, Role
from insight.entitlement import viewer_entitlement
from partnerships import selectors, services
from partnerships.models import Notification, Partnership, PartnershipEvent, Status
from partnerships.selectors import (
    live_partnership_between,
    partner_establishment_ids,
    partnership_tables,
    partnerships_for,
)
from tests.factories import EstablishmentFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def active(world: Any, proposed: Partnership) -> Partnership:
    return services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)


def events(p: Partnership) -> list[tuple[str, str, int]]:
    return [(e.from_status, e.to_status, e.acting_for_id) for e in PartnershipEvent.objects.filter(partnership=p)]


# --- the happy paths -------------------------------------------------------------------------


def test_propose_records_event_audit_and_notifies_the_other_schools_admins(
    world: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    second_admin_b = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_b)
    with django_capture_on_commit_callbacks(execute=True):
        p = services.partnership_propose(
            proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"], message="  Shall we?  "
        )
    assert p.status == Status.PROPOSED
    assert (p.proposer, p.partner) == (world.school_a, world.school_b)
    event = PartnershipEvent.objects.get(partnership=p)
    assert (event.from_status, event.to_status, event.message) == ("", Status.PROPOSED, "Shall we?")
    assert event.actor == world.personas["admin_a"] and event.acting_for == world.school_a
    # In-app: both of B's admins, not B's staff, not A's people.
    notified = set(Notification.objects.filter(partnership=p).values_list("recipient", flat=True))
    assert notified == {world.personas["admin_b"].pk, second_admin_b.pk}
    assert all("Alpha High School" in t for t in Notification.objects.filter(partnership=p).values_list("text", flat=True))
    # E-mail: one message per recipient, after commit.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.personas["admin_b"].email, second_admin_b.email])
    assert "Alpha High School proposes a learning partnership" in mailoutbox[0].subject
    assert "Shall we?" in mailoutbox[0].body
    audit = AuditEvent.objects.get(action="partnership_propose")
    assert audit.actor == world.personas["admin_a"] and audit.establishment == world.school_a
    assert audit.detail["other_seed_code"] == world.school_b.seed_code


def test_accept_makes_partners_and_tells_the_proposer(
    world: Any, proposed: Partnership, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    assert partner_establishment_ids([world.school_a.pk]) == set()
    with django_capture_on_commit_callbacks(execute=True):
        p = services.partnership_accept(
            partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b, message="Yes"
        )
    assert p.status == Status.ACTIVE and proposed.status == Status.ACTIVE
    assert events(p)[-1] == (Status.PROPOSED, Status.ACTIVE, world.school_b.pk)
    assert partner_establishment_ids([world.school_a.pk]) == {world.school_b.pk}
    assert partner_establishment_ids([world.school_b.pk]) == {world.school_a.pk}
    assert viewer_entitlement(world.personas["staff_a"], world.school_b).value == "partner"
    assert [m.to[0] for m in mailoutbox] == [world.personas["admin_a"].email]
    assert "accepted" in mailoutbox[0].subject
    assert Notification.objects.filter(recipient=world.personas["admin_a"], event__to_status=Status.ACTIVE).exists()


def test_decline(world: Any, proposed: Partnership) -> None:
    p = services.partnership_decline(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b,
                                     message="Not this year")
    assert p.status == Status.DECLINED
    assert events(p)[-1] == (Status.PROPOSED, Status.DECLINED, world.school_b.pk)
    assert PartnershipEvent.objects.filter(partnership=p).values_list("message", flat=True).last() == "Not this year"
    assert live_partnership_between(world.school_a, world.school_b) is None
    assert Notification.objects.filter(recipient=world.personas["admin_a"], event__to_status=Status.DECLINED).exists()


def test_withdraw(world: Any, proposed: Partnership) -> None:
    p = services.partnership_withdraw(partnership=proposed, by=world.personas["admin_a"], acting_for=world.school_a)
    assert p.status == Status.WITHDRAWN
    assert events(p)[-1] == (Status.PROPOSED, Status.WITHDRAWN, world.school_a.pk)
    assert Notification.objects.filter(recipient=world.personas["admin_b"], event__to_status=Status.WITHDRAWN).exists()


@pytest.mark.parametrize("side", ["a", "b"])
def test_either_side_can_end_an_active_partnership(world: Any, active: Partnership, side: str) -> None:
    by, school, other_admin = (
        (world.personas["admin_a"], world.school_a, world.personas["admin_b"]) if side == "a"
        else (world.personas["admin_b"], world.school_b, world.personas["admin_a"])
    )
    p = services.partnership_end(partnership=active, by=by, acting_for=school, message="Thanks")
    assert p.status == Status.ENDED
    assert events(p) == [
        ("", Status.PROPOSED, world.school_a.pk),
        (Status.PROPOSED, Status.ACTIVE, world.school_b.pk),
        (Status.ACTIVE, Status.ENDED, school.pk),
    ]
    assert partner_establishment_ids([world.school_a.pk]) == set()
    assert viewer_entitlement(world.personas["admin_a"], world.school_b).value == "public"
    assert Notification.objects.filter(recipient=other_admin, event__to_status=Status.ENDED).exists()


@pytest.mark.parametrize("finish", ["decline", "withdraw", "end"])
def test_a_new_proposal_is_allowed_once_the_last_one_is_over(world: Any, proposed: Partnership, finish: str) -> None:
    if finish == "decline":
        services.partnership_decline(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)
    elif finish == "withdraw":
        services.partnership_withdraw(partnership=proposed, by=world.personas["admin_a"], acting_for=world.school_a)
    else:
        services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)
        services.partnership_end(partnership=proposed, by=world.personas["admin_a"], acting_for=world.school_a)
    again = services.partnership_propose(proposer=world.school_b, partner=world.school_a, by=world.personas["admin_b"])
    assert again.pk != proposed.pk and again.status == Status.PROPOSED


# --- forbidden: role ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_a", "admin_b", "analyst_x", "mcmc_x", "national", "dm_a", "dm_x", "no_role"])
def test_only_the_schools_admin_may_propose_for_it(world: Any, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas[persona])
    assert not Partnership.objects.exists()


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("persona", ["staff_b", "admin_a", "staff_a", "analyst_y", "national", "no_role"])
def test_only_the_receiving_schools_admin_may_answer(world: Any, proposed: Partnership, action: str, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.ACTIONS[action](partnership=proposed, by=world.personas[persona], acting_for=world.school_b)
    # The proposing school cannot answer its own proposal, even by its admin.
    with pytest.raises(PermissionDenied):
        services.ACTIONS[action](partnership=proposed, by=world.personas["admin_a"], acting_for=world.school_a)
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED
    assert PartnershipEvent.objects.filter(partnership=proposed).count() == 1


@pytest.mark.parametrize("persona", ["staff_a", "admin_b", "staff_b", "analyst_x"])
def test_only_the_proposing_schools_admin_may_withdraw(world: Any, proposed: Partnership, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        services.partnership_withdraw(partnership=proposed, by=world.personas[persona], acting_for=world.school_a)
    with pytest.raises(PermissionDenied):
        services.partnership_withdraw(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


@pytest.mark.parametrize("persona", ["staff_a", "staff_b", "analyst_x", "analyst_y", "national", "dm_a"])
def test_staff_and_outsiders_cannot_end(world: Any, active: Partnership, persona: str) -> None:
    for school in (world.school_a, world.school_b):
        with pytest.raises(PermissionDenied):
            services.partnership_end(partnership=active, by=world.personas[persona], acting_for=school)
    active.refresh_from_db()
    assert active.status == Status.ACTIVE


def test_a_school_outside_the_partnership_cannot_act_on_it(world: Any, proposed: Partnership) -> None:
    admin_a2 = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    for action in services.ACTIONS:
        with pytest.raises(PermissionDenied):
            services.ACTIONS[action](partnership=proposed, by=admin_a2, acting_for=world.school_a2)


# --- forbidden: state --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "by", "school"),
    [
        ("active", "accept", "admin_b", "b"),
        ("active", "decline", "admin_b", "b"),
        ("active", "withdraw", "admin_a", "a"),
        ("proposed", "end", "admin_a", "a"),
        ("declined", "accept", "admin_b", "b"),
        ("declined", "withdraw", "admin_a", "a"),
        ("declined", "end", "admin_b", "b"),
        ("withdrawn", "accept", "admin_b", "b"),
        ("withdrawn", "decline", "admin_b", "b"),
        ("withdrawn", "end", "admin_a", "a"),
        ("ended", "accept", "admin_b", "b"),
        ("ended", "end", "admin_a", "a"),
        ("ended", "withdraw", "admin_a", "a"),
    ],
)
def test_transitions_the_state_does_not_allow_are_refused(
    world: Any, proposed: Partnership, state: str, action: str, by: str, school: str
) -> None:
    a, b = world.school_a, world.school_b
    if state == "active":
        services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=b)
    elif state == "declined":
        services.partnership_decline(partnership=proposed, by=world.personas["admin_b"], acting_for=b)
    elif state == "withdrawn":
        services.partnership_withdraw(partnership=proposed, by=world.personas["admin_a"], acting_for=a)
    elif state == "ended":
        services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=b)
        services.partnership_end(partnership=proposed, by=world.personas["admin_b"], acting_for=b)
    n_events = PartnershipEvent.objects.count()
    with pytest.raises(services.PartnershipStateError):
        services.ACTIONS[action](partnership=proposed, by=world.personas[by], acting_for=a if school == "a" else b)
    assert PartnershipEvent.objects.count() == n_events
    proposed.refresh_from_db()
    assert proposed.status == state


def test_no_partnership_with_yourself(world: Any) -> None:
    with pytest.raises(services.PartnershipError, match="own learning partner"):
        services.partnership_propose(proposer=world.school_a, partner=world.school_a, by=world.personas["admin_a"])


def test_one_live_proposal_per_pair_whichever_side_proposed(world: Any, proposed: Partnership) -> None:
    with pytest.raises(services.PartnershipStateError, match="already proposed"):
        services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    with pytest.raises(services.PartnershipStateError, match="accept or decline it"):
        services.partnership_propose(proposer=world.school_b, partner=world.school_a, by=world.personas["admin_b"])
    services.partnership_accept(partnership=proposed, by=world.personas["admin_b"], acting_for=world.school_b)
    with pytest.raises(services.PartnershipStateError, match="already learning partners"):
        services.partnership_propose(proposer=world.school_b, partner=world.school_a, by=world.personas["admin_b"])
    assert Partnership.objects.count() == 1


def test_partners_are_schools_of_the_same_type(world: Any) -> None:
    primary: Any = EstablishmentFactory.create(type="primary")
    with pytest.raises(services.PartnershipError, match="same type"):
        services.partnership_propose(proposer=world.school_a, partner=primary, by=world.personas["admin_a"])


def test_the_message_is_limited(world: Any) -> None:
    with pytest.raises(services.PartnershipError, match="2000"):
        services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"],
                                     message="x" * 2001)
    assert not Partnership.objects.exists()


# --- the database holds the invariants whatever the code does --------------------------------------


def test_database_refuses_a_second_live_partnership_for_a_pair(world: Any, proposed: Partnership) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(proposer=world.school_b, partner=world.school_a, status=Status.ACTIVE)
    # Finished ones may pile up.
    Partnership.objects.create(proposer=world.school_b, partner=world.school_a, status=Status.DECLINED)
    Partnership.objects.create(proposer=world.school_a, partner=world.school_b, status=Status.ENDED)


def test_database_refuses_a_partnership_with_yourself(world: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(proposer=world.school_a, partner=world.school_a)


# --- reads ---------------------------------------------------------------------------------------


def test_reads_are_scoped_to_the_users_schools(world: Any, proposed: Partnership) -> None:
    other = services.partnership_propose(proposer=world.school_a2, partner=world.school_b,
                                         by=member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2))
    assert set(partnerships_for(world.personas["staff_a"])) == {proposed}
    assert set(partnerships_for(world.personas["staff_b"])) == {proposed, other}
    for outsider in ("analyst_x", "mcmc_y", "national", "dm_a", "dm_x", "no_role"):
        assert not partnerships_for(world.personas[outsider]).exists()
    tables = partnership_tables(world.school_b)
    assert set(tables.received) == {proposed, other} and not tables.sent and not tables.active
    tables = partnership_tables(world.school_a)
    assert tables.sent == [proposed] and not tables.received


def test_acting_school_for_picks_the_side_the_action_belongs_to(world: Any, proposed: Partnership) -> None:
    both = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a)
    member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_b, user=both)
    assert selectors.acting_school_for(both, proposed, "accept") == world.school_b
    assert selectors.acting_school_for(both, proposed, "withdraw") == world.school_a
    assert selectors.acting_school_for(world.personas["staff_b"], proposed, "accept") == world.school_b
    assert selectors.acting_school_for(world.personas["analyst_y"], proposed, "accept") is None


def test_mark_notifications_read_touches_only_the_users_own(world: Any, proposed: Partnership) -> None:
    mine = Notification.objects.get(recipient=world.personas["admin_b"])
    assert services.notification_mark_read(user=world.personas["admin_a"], ids=[mine.pk]) == 0
    mine.refresh_from_db()
    assert mine.read_at is None
    assert services.notification_mark_read(user=world.personas["admin_b"]) == 1
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mail_failure_does_not_undo_the_transition(
    world: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any, caplog: Any
) -> None:
    from partnerships import notifications

    def boom(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "send_mass_mail", boom)
    with django_capture_on_commit_callbacks(execute=True):
        p = services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    p.refresh_from_db()
    assert p.status == Status.PROPOSED
    assert Notification.objects.filter(partnership=p).exists()
    assert "could not send the e-mails" in caplog.text
