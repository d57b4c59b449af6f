"""The partnership workspace: who reads, contributes and manages; the record kept read-only once
the partnership ends; every write audited; and the joint evaluation's baseline and later figures
against the benchmark runs' results, recomputed here from the leavers themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from datahub.models import AuditEvent, Role, SchoolLeaver
from destinations.classification import is_positive
from destinations.models import DestinationKind, DestinationRecord
from insight.models import RunStatus
from insight.services import run_create, run_execute_in_process
from partnerships import services as p_services
from partnerships.models import Partnership
from partnerships.workspace import access, selectors, services
from partnerships.workspace.models import Action, ActionStatus, JointMeasure, Lead, MeetingNote, Workspace
from tests.factories import member
from tests.insight.worlds import RUN_YEARS, add_leavers, build_ranked_world, publish

pytestmark = pytest.mark.django_db

INITIAL = "pct_initial_positive"
LOWEST20 = "avg_tariff_lowest20"


@pytest.fixture
def agreed(world: Any) -> Partnership:
    """A and B, learning partners: A's head teacher proposed, B's accepted."""
    p = p_services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    return p_services.partnership_accept(partnership=p, by=world.personas["admin_b"], acting_for=world.school_b)


def _end(world: Any, p: Partnership) -> Partnership:
    return p_services.partnership_end(partnership=p, by=world.personas["admin_a"], acting_for=world.school_a)


def _action(world: Any, p: Partnership, by: str = "staff_a", owner: str = "staff_b") -> Action:
    return services.action_create(partnership=p, by=world.personas[by], title="Share S4 tracking",
                                  owner_id=world.personas[owner].pk, due_on=dt.date(2027, 3, 1),
                                  evidence_url="https://example.org/plan")


# --- Access -----------------------------------------------------------------------------------


def test_members_of_both_schools_read_and_outsiders_get_404(world: Any, agreed: Partnership) -> None:
    for name in ("admin_a", "staff_a", "admin_b", "staff_b"):
        assert access.workspace_partnership(world.personas[name], agreed.pk) == agreed
    a2_admin = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    for user in (a2_admin, world.personas["analyst_x"], world.personas["national"], world.personas["dm_a"]):
        with pytest.raises(Http404):
            access.workspace_partnership(user, agreed.pk)


def test_a_proposal_has_no_workspace(world: Any) -> None:
    p = p_services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    with pytest.raises(Http404):
        access.workspace_partnership(world.personas["admin_a"], p.pk)


def test_staff_contribute_but_only_admins_manage(world: Any, agreed: Partnership) -> None:
    staff = world.personas["staff_b"]
    action = _action(world, agreed, by="staff_b", owner="admin_a")
    assert action.owner_establishment == world.school_a and action.owner_name
    with pytest.raises(PermissionDenied):
        services.workspace_update(partnership=agreed, by=staff, purpose="p", aims="a")
    with pytest.raises(PermissionDenied):
        services.lead_add(partnership=agreed, by=staff, user_id=staff.pk, responsibility="data")
    ws = services.workspace_update(partnership=agreed, by=world.personas["admin_b"], purpose="Close the gap",
                                   aims="Raise the lowest 20%")
    assert Workspace.objects.get(pk=agreed.pk).aims == "Raise the lowest 20%" and ws.updated_by == world.personas["admin_b"]
    lead = services.lead_add(partnership=agreed, by=world.personas["admin_a"], user_id=staff.pk, responsibility="Data")
    assert lead.establishment == world.school_b


def test_an_outsider_cannot_write_even_through_the_service(world: Any, agreed: Partnership) -> None:
    outsider = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2)
    with pytest.raises(Http404):
        _action(world, agreed, by="national")
    with pytest.raises(Http404):
        services.workspace_update(partnership=agreed, by=outsider, purpose="x", aims="y")
    assert not Action.objects.exists() and not Workspace.objects.exists()


def test_owners_and_leads_are_people_of_the_two_schools(world: Any, agreed: Partnership) -> None:
    with pytest.raises(services.WorkspaceError) as exc:
        _action(world, agreed, owner="analyst_x")
    assert exc.value.field == "owner"
    with pytest.raises(services.WorkspaceError):
        services.lead_add(partnership=agreed, by=world.personas["admin_a"], user_id=world.personas["national"].pk,
                          responsibility="x")


def test_an_ended_partnership_keeps_its_record_read_only(world: Any, agreed: Partnership) -> None:
    services.workspace_update(partnership=agreed, by=world.personas["admin_a"], purpose="P", aims="A")
    action = _action(world, agreed)
    services.meeting_note_create(partnership=agreed, by=world.personas["staff_b"], held_on=dt.date(2026, 11, 2),
                                 title="First meeting", notes="Agreed the plan.")
    ended = _end(world, agreed)
    # Still readable by both schools, with everything in it.
    for name in ("admin_a", "staff_b"):
        assert access.workspace_partnership(world.personas[name], ended.pk) == ended
    assert selectors.workspace_of(ended).aims == "A" and selectors.actions(ended) == [action]
    assert not access.can_contribute(world.personas["staff_a"], ended)
    assert not access.can_manage(world.personas["admin_a"], ended)
    # Nothing more can be written, by anyone.
    with pytest.raises(access.WorkspaceClosed):
        _action(world, ended)
    with pytest.raises(access.WorkspaceClosed):
        services.action_update(action=action, by=world.personas["staff_a"], title="x", owner_id=action.owner_id,
                               due_on=action.due_on, status=ActionStatus.DONE)
    with pytest.raises(access.WorkspaceClosed):
        services.workspace_update(partnership=ended, by=world.personas["admin_b"], purpose="Q", aims="B")
    with pytest.raises(access.WorkspaceClosed):
        services.meeting_note_create(partnership=ended, by=world.personas["staff_a"], held_on=dt.date(2026, 12, 1),
                                     title="t", notes="n")
    assert Action.objects.get().status == ActionStatus.NOT_STARTED and MeetingNote.objects.count() == 1


def test_every_write_is_audited_for_the_writers_school(world: Any, agreed: Partnership) -> None:
    before = AuditEvent.objects.count()
    services.workspace_update(partnership=agreed, by=world.personas["admin_b"], purpose="P", aims="A")
    action = _action(world, agreed)
    services.action_update(action=action, by=world.personas["staff_b"], title=action.title, owner_id=action.owner_id,
                           due_on=action.due_on, status=ActionStatus.IN_PROGRESS)
    lead = services.lead_add(partnership=agreed, by=world.personas["admin_a"], user_id=world.personas["staff_a"].pk,
                             responsibility="Plan")
    services.lead_remove(lead=lead, by=world.personas["admin_b"])
    events = list(AuditEvent.objects.order_by("id")[before:].values_list("action", "actor_id", "establishment_id"))
    assert events == [
        ("partnership_workspace_aims", world.personas["admin_b"].pk, world.school_b.pk),
        ("partnership_workspace_action_create", world.personas["staff_a"].pk, world.school_a.pk),
        ("partnership_workspace_action_update", world.personas["staff_b"].pk, world.school_b.pk),
        ("partnership_workspace_lead_add", world.personas["admin_a"].pk, world.school_a.pk),
        ("partnership_workspace_lead_remove", world.personas["admin_b"].pk, world.school_b.pk),
    ]
    assert not Lead.objects.exists()


def test_clear_errors_name_the_field(world: Any, agreed: Partnership) -> None:
    with pytest.raises(services.WorkspaceError) as exc:
        services.workspace_update(partnership=agreed, by=world.personas["admin_a"], purpose=" ", aims="A")
    assert exc.value.field == "purpose" and "purpose" in str(exc.value)
    with pytest.raises(services.WorkspaceError) as exc:
        services.action_create(partnership=agreed, by=world.personas["staff_a"], title="T",
                               owner_id=world.personas["staff_a"].pk, due_on=None)
    assert exc.value.field == "due_on"


# --- The joint evaluation ---------------------------------------------------------------------


def positive_initial_pct(school: Any, year: int) -> float:
    """Recomputed from the leavers: positive initial destinations among those known."""
    leavers = SchoolLeaver.objects.filter(establishment=school, leaver_year=year)
    known = DestinationRecord.objects.filter(leaver__in=leavers, kind=DestinationKind.INITIAL).exclude(category="UNKNOWN")
    cats = list(known.values_list("category", flat=True))
    return 100.0 * sum(is_positive(c, year) for c in cats) / len(cats)


def _new_run(world: Any, *, seed: int) -> Any:
    run = run_execute_in_process(run_create(years=list(RUN_YEARS), seed=seed))
    assert run.status == RunStatus.SUCCEEDED, run.error
    return publish(run)


def test_baseline_then_later_runs_for_both_schools(world: Any, agreed: Partnership) -> None:
    first = build_ranked_world(world)
    year = RUN_YEARS[-1]
    made = services.joint_measures_choose(partnership=agreed, by=world.personas["admin_b"], measures=[INITIAL, LOWEST20])
    assert [m.baseline_run_id for m in made] == [first.pk, first.pk] and made[0].baseline_year == year
    base_a, base_b = positive_initial_pct(world.school_a, year), positive_initial_pct(world.school_b, year)

    (initial, lowest), = [selectors.joint_evaluation(agreed)]
    assert [r.baseline for r in initial.rows] == [True]
    assert initial.rows[0].schools[0].value == pytest.approx(base_a)
    assert initial.rows[0].schools[1].value == pytest.approx(base_b)
    assert lowest.rows[0].schools[0].vc is not None  # the VC's figure beside the school's

    # New leavers of A for the latest year, and every leaver of A that year now unemployed (none
    # positive: the world's baseline may be 100% positive); a new run is published.
    add_leavers(world.school_a, 20, (year,), effect=3, seed=99)
    DestinationRecord.objects.filter(leaver__establishment=world.school_a, leaver__leaver_year=year,
                                     kind=DestinationKind.INITIAL).update(category="UNEMPLOYED_SEEKING")
    second = _new_run(world, seed=6)
    later_a = positive_initial_pct(world.school_a, year)
    assert later_a == 0.0 and base_a > 0.0

    initial, lowest = selectors.joint_evaluation(agreed)
    assert [r.baseline for r in initial.rows] == [True, False]
    baseline, later = initial.rows
    # The baseline is what was recorded: unchanged by the new run.
    assert baseline.schools[0].value == pytest.approx(base_a)
    assert later.published_at == second.published_at
    assert later.schools[0].value == pytest.approx(later_a)
    assert later.schools[0].change == pytest.approx(later_a - base_a)
    assert later.schools[1].value == pytest.approx(base_b) and later.schools[1].change == pytest.approx(0)
    # Choosing the measure again keeps its first baseline.
    with pytest.raises(services.WorkspaceError):
        services.joint_measures_choose(partnership=agreed, by=world.personas["admin_a"], measures=[INITIAL])
    assert JointMeasure.objects.get(measure=INITIAL).baseline_run_id == first.pk


def test_an_ended_partnership_shows_no_run_published_after_the_end(world: Any, agreed: Partnership) -> None:
    build_ranked_world(world)
    services.joint_measures_choose(partnership=agreed, by=world.personas["admin_a"], measures=[INITIAL])
    _new_run(world, seed=6)
    _end(world, agreed)
    _new_run(world, seed=8)
    (ev,) = selectors.joint_evaluation(Partnership.objects.get(pk=agreed.pk))
    assert [r.baseline for r in ev.rows] == [True, False]  # the run after the end is left out


def test_no_baseline_without_published_figures(world: Any, agreed: Partnership) -> None:
    with pytest.raises(services.WorkspaceError) as exc:
        services.joint_measures_choose(partnership=agreed, by=world.personas["admin_a"], measures=[INITIAL])
    assert "No benchmark figures are published" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.joint_measures_choose(partnership=agreed, by=world.personas["staff_a"], measures=[INITIAL])


# --- Notifications (item 5) -----------------------------------------------------------------------


def test_a_new_run_tells_both_schools_about_their_joint_measures_once(
    world: Any, agreed: Partnership, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    from partnerships.workspace.models import WorkspaceNotice

    build_ranked_world(world)
    services.joint_measures_choose(partnership=agreed, by=world.personas["admin_a"], measures=[INITIAL])
    world.personas["staff_b"].email_new_figures = False
    world.personas["staff_b"].save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = _new_run(world, seed=6)
    people = {world.personas[n].pk for n in ("admin_a", "staff_a", "admin_b", "staff_b")}
    notices = WorkspaceNotice.objects.filter(kind="new_figures")
    assert set(notices.values_list("recipient_id", flat=True)) == people and notices.count() == 4
    assert "joint measures of Alpha High School and Bravo Secondary" in notices.get(
        recipient=world.personas["admin_a"]).text
    workspace_mail = [m for m in mailoutbox if "joint measures" in m.subject]
    emailed = {m.to[0] for m in workspace_mail}
    assert world.personas["staff_b"].email not in emailed  # asked not to be e-mailed
    assert world.personas["admin_b"].email in emailed
    # Telling again about the same run does nothing; opening the workspace clears the notices.
    from insight.joint import run_ref
    from partnerships.workspace.notices import joint_figures_notify, unread_count

    assert joint_figures_notify(run=run_ref(second)) == 0
    assert unread_count(world.personas["admin_a"]) == 1
    from tests.worlds import client_for

    client_for(world.personas["admin_a"]).get(f"/partnerships/{agreed.pk}/workspace/")
    assert unread_count(world.personas["admin_a"]) == 0


def test_an_action_owner_is_reminded_once_per_due_date(
    world: Any, agreed: Partnership, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    from partnerships.workspace.models import WorkspaceNotice
    from partnerships.workspace.notices import actions_due_notify

    world.personas["staff_b"].workspace_email = "each"  # an e-mail each time (the default is one a day)
    world.personas["staff_b"].save(update_fields=["workspace_email"])
    action = _action(world, agreed)  # owned by staff_b, due 1 March 2027
    done = _action(world, agreed, owner="admin_a")
    services.action_update(action=done, by=world.personas["admin_a"], title=done.title, owner_id=done.owner_id,
                           due_on=done.due_on, status=ActionStatus.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions_due_notify(today=dt.date(2027, 2, 1)) == 0  # a month ahead: not yet
        assert actions_due_notify(today=dt.date(2027, 2, 25)) == 1
        assert actions_due_notify(today=dt.date(2027, 2, 26)) == 0  # once
    (notice,) = WorkspaceNotice.objects.filter(kind="action_due")
    assert notice.recipient == world.personas["staff_b"] and "is due on 1 March 2027: Share S4 tracking" in notice.text
    assert [m.to for m in mailoutbox if m.subject.startswith("Action due")] == [[world.personas["staff_b"].email]]
    # A new due date arms the reminder again.
    services.action_update(action=action, by=world.personas["staff_a"], title=action.title, owner_id=action.owner_id,
                           due_on=dt.date(2027, 3, 8), status=ActionStatus.IN_PROGRESS)
    assert actions_due_notify(today=dt.date(2027, 3, 2)) == 1


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.org/x", "not a link"])
def test_evidence_is_a_web_address(world: Any, agreed: Partnership, link: str) -> None:
    with pytest.raises(services.WorkspaceError) as exc:
        services.action_create(partnership=agreed, by=world.personas["staff_a"], title="T",
                               owner_id=world.personas["staff_a"].pk, due_on=dt.date(2027, 1, 1), evidence_url=link)
    assert exc.value.field == "evidence_url"
    assert not Action.objects.exists()


def test_figures_and_changes_read_as_text() -> None:
    from partnerships.templatetags.workspace import change, figure

    assert (figure(92.345, "pct"), figure(1234.4, "tariff"), figure(None, "pct")) == ("92.3%", "1,234", "")
    assert (change(3.34, "pct"), change(-50.2, "tariff"), change(0.01, "pct")) == ("+3.3 points", "-50", "no change")
