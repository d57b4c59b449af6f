"""Next actions on a pupil's pathway: kept as pathway history and audited, overdue on the board (and
its filter and CSV) when not done by the due date."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from datahub.models import AuditEvent
from destinations.models import PathwayRecord
from destinations.pathways import services
from destinations.pathways.selectors import BoardFilters, board_rows
from tests.destinations.pathway_worlds import Pupils, build_pupils
from tests.worlds import client_for as client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world) -> Pupils:
    return build_pupils(world)


def today() -> dt.date:
    return timezone.localdate()


def names_on(rows) -> set[str]:
    return {r.learner.given_name for r in rows}


def test_a_next_action_is_kept_in_the_history_and_audited(world, pupils) -> None:
    staff = world.personas["staff_a"]
    due = today() + dt.timedelta(days=7)
    first = services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Book a careers interview",
                                           next_action_due=due, next_action_owner=staff)
    services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Book a careers interview",
                                   next_action_due=due, next_action_owner=staff, next_action_done=True)
    first.refresh_from_db()
    assert first.superseded_at is not None and not first.next_action_done
    current = PathwayRecord.objects.get(learner=pupils.s6_a, superseded_at__isnull=True)
    assert current.next_action_done and current.next_action_owner == staff
    changed = [e.detail["changed"] for e in AuditEvent.objects.filter(action="pathway_record").order_by("at")]
    assert {"next_action", "next_action_due", "next_action_owner"} <= set(changed[0])
    assert changed[1] == ["next_action_done"]


def test_a_next_action_needs_a_due_date_and_an_eligible_owner(world, pupils) -> None:
    staff = world.personas["staff_a"]
    with pytest.raises(ValidationError) as err:
        services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Call home")
    assert "next_action_due" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Call home",
                                       next_action_due=today(), next_action_owner=world.personas["staff_b"])
    assert "next_action_owner" in err.value.message_dict
    assert not PathwayRecord.objects.filter(learner=pupils.s6_a).exists()


def test_the_board_shows_and_filters_overdue_actions(world, pupils) -> None:
    staff, mcmc = world.personas["staff_a"], world.personas["mcmc_x"]
    yesterday, tomorrow = today() - dt.timedelta(days=1), today() + dt.timedelta(days=1)
    services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Chase the college", next_action_due=yesterday)
    services.pathway_record_create(learner=pupils.s6_a2, by=mcmc, next_action="Meet Tom", next_action_due=today())
    overdue = BoardFilters(action="overdue")
    assert names_on(board_rows(mcmc, overdue, today=today())) == {"Ava"}  # due today is not overdue yet
    assert names_on(board_rows(mcmc, overdue, today=tomorrow)) == {"Ava", "Tom"}
    assert names_on(board_rows(staff, overdue, today=tomorrow)) == {"Ava"}  # only their own school
    # Done: no longer overdue (and the earlier version stays in the history).
    services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Chase the college",
                                   next_action_due=yesterday, next_action_done=True)
    assert names_on(board_rows(mcmc, overdue, today=today())) == set()
    # The bulk key worker change copies the action over to the new version.
    services.pathway_bulk_assign_key_worker(learners=[pupils.s6_a2], key_worker=mcmc, by=mcmc, reason="test")
    assert names_on(board_rows(mcmc, overdue, today=tomorrow)) == {"Tom"}


def test_the_board_page_counts_overdue_and_the_export_carries_the_action(world, pupils) -> None:
    staff = world.personas["staff_a"]
    services.pathway_record_create(learner=pupils.s6_a, by=staff, next_action="Chase the college",
                                   next_action_due=today() - dt.timedelta(days=3), next_action_owner=staff)
    c = client(world.personas["staff_a"])
    r = c.get(reverse("destinations:readiness"), {"action": "overdue"})
    assert r.status_code == 200 and r.context["summary"]["overdue"] == 1
    body = r.content.decode()
    assert "Chase the college" in body and "Overdue" in body
    resp = c.post(reverse("destinations:readiness_export"), {"action": "overdue", "reason": "Overdue list"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    header, first = rows[0], rows[1]
    assert len(rows) == 2
    assert first[header.index("Next action")] == "Chase the college"
    assert first[header.index("Next action overdue")] == "Yes"
    assert first[header.index("Next action done")] == "No"


def test_the_pathway_form_records_an_action_owned_by_the_key_worker_by_default(world, pupils) -> None:
    c = client(world.personas["staff_a"])
    staff = world.personas["staff_a"]
    due = (today() + dt.timedelta(days=5)).isoformat()
    r = c.post(reverse("destinations:pathway_edit", kwargs={"pk": pupils.s6_a.pk}),
               {"pathway": "none", "key_worker": staff.pk, "next_action": "Visit the college open day",
                "next_action_due": due})
    assert r.status_code == 302
    current = PathwayRecord.objects.get(learner=pupils.s6_a, superseded_at__isnull=True)
    assert current.next_action_owner == staff and str(current.next_action_due) == due
    r = c.post(reverse("destinations:pathway_edit", kwargs={"pk": pupils.s6_a.pk}),
               {"pathway": "none", "next_action": "Visit"})
    assert r.status_code == 200 and "Give the date the next action is due" in r.content.decode()
