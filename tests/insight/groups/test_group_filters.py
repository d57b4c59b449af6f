"""Comparator groups built by a filter follow it (issue 15): each benchmark run's finalise chooses
their schools again, each run records the schools it used, and the group's page shows the members
of the published run and when the filter last changed them. Picked groups keep their schools."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Establishment
from insight.groups import services
from insight.groups.figures import group_figures
from insight.groups.models import ComparatorGroup, ComparatorGroupResult
from insight.models import BenchmarkRun, RunStatus
from insight.selectors.figures import Viewer
from insight.selectors.runs import input_rows
from insight.services import run_create, run_execute_in_process
from tests.insight.groups.worlds import GroupWorld, build_group_world
from tests.insight.worlds import RUN_YEARS, client_for

pytestmark = pytest.mark.django_db

URBAN = {"urban_rural": "1"}


@pytest.fixture
def gw(reference_data: None) -> GroupWorld:
    from insight import selectors

    selectors.forget_computed()
    return build_group_world()


def draft_run() -> BenchmarkRun:
    """A run finalised but not published (the published one stays what pages read)."""
    run = run_create(years=list(RUN_YEARS), seed=17)
    run.input_rows = input_rows(run.years)
    run.save(update_fields=["input_rows"])
    run = run_execute_in_process(run)
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def urban_ids() -> set[int]:
    return set(services.filter_schools(URBAN).values_list("pk", flat=True))


def test_a_filter_group_follows_its_filter_at_each_run_and_a_picked_one_keeps_its_schools(gw: GroupWorld) -> None:
    follows = services.group_create(owner=gw.owner, name="Large urban", members=[], filter_definition=URBAN,
                                    follow_filter=True)
    picked = services.group_create(owner=gw.owner, name="Large urban, as now",
                                   members=list(services.filter_schools(URBAN)), filter_definition=URBAN)
    before = urban_ids()
    assert set(follows.members.values_list("pk", flat=True)) == before
    first = gw.run()
    # The context data change: one urban school becomes rural, one rural school urban.
    leaving = Establishment.objects.get(pk=min(before))
    joining = next(s for s in gw.schools if s.pk not in before)
    Establishment.objects.filter(pk=leaving.pk).update(urban_rural_6=6)
    Establishment.objects.filter(pk=joining.pk).update(urban_rural_6=1)
    assert set(follows.members.values_list("pk", flat=True)) == before  # nothing changes until a run
    second = draft_run()
    follows.refresh_from_db()
    after = urban_ids()
    assert set(follows.members.values_list("pk", flat=True)) == after != before
    assert follows.members_changed_at is not None
    assert follows.members_change == {"run": second.pk, "added": [joining.seed_code], "removed": [leaving.seed_code]}
    assert set(picked.members.values_list("pk", flat=True)) == before  # picked: kept as saved
    # Each run recorded the schools it used.
    for run, ids in ((first, before), (second, after)):
        used = {tuple(sorted(r)) for r in ComparatorGroupResult.objects.filter(run=run, group=follows, breakdown="")
                .values_list("members", flat=True)}
        assert used == {tuple(sorted(ids))}, run.pk
    event = AuditEvent.objects.get(action="comparator_group_follow_filter", object_id=str(follows.pk))
    assert event.actor is None and event.detail["added"] == [joining.seed_code]
    # The published (first) run still shows the group's figures, with the schools it chose.
    assert sorted(group_figures(first, follows, Viewer(gw.owner)).rows) == list(RUN_YEARS)
    assert group_figures(first, follows, Viewer(gw.owner)).run_member_ids == sorted(before)
    page = client_for(gw.owner).get(reverse("insight:group_detail", kwargs={"pk": follows.pk})).content.decode()
    assert "Members in this run" in page and "Follow the filter at each benchmark run" in page
    assert f"added {joining.seed_code}, removed {leaving.seed_code}" in page
    assert f"({leaving.seed_code})" in page.split('id="run-members"')[1].split('id="schools"')[0]


def test_a_run_without_a_change_records_none(gw: GroupWorld) -> None:
    follows = services.group_create(owner=gw.owner, name="Large urban", members=[], filter_definition=URBAN,
                                    follow_filter=True)
    gw.run()
    follows.refresh_from_db()
    assert follows.members_changed_at is None and follows.members_change == {}
    assert not AuditEvent.objects.filter(action="comparator_group_follow_filter").exists()


def test_changing_the_schools_of_a_filter_group_makes_it_a_picked_one(gw: GroupWorld) -> None:
    follows = services.group_create(owner=gw.owner, name="Large urban", members=[], filter_definition=URBAN,
                                    follow_filter=True)
    services.group_update(group=follows, by=gw.owner, name="Renamed", members=list(follows.members.all()))
    follows.refresh_from_db()
    assert follows.follows_filter  # same schools, new name: still follows
    services.group_update(group=follows, by=gw.owner, name="Mine", members=gw.schools[:3])
    follows.refresh_from_db()
    assert not follows.follows_filter


def test_the_page_and_the_api_build_a_group_that_follows_its_filter(gw: GroupWorld) -> None:
    client = client_for(gw.owner)
    form = client.get(reverse("insight:group_new"), URBAN).content.decode()
    assert 'id="keep-filter" name="keep" value="filter" checked' in form
    resp = client.post(reverse("insight:group_new"), {"name": "Urban", "keep": "filter", **URBAN,
                                                      "member": [gw.schools[0].seed_code]})
    assert resp.status_code == 302
    made = ComparatorGroup.objects.get(name="Urban")
    assert made.follows_filter and set(made.members.values_list("pk", flat=True)) == urban_ids()  # ticks unused
    resp = client.post(reverse("insight:group_new"), {"name": "Nothing", "keep": "filter"})
    assert resp.status_code == 400 and "Choose a filter for the group to follow" in resp.content.decode()
    api = reverse("api:comparator-group-list")
    body: Any = client.post(api, {"name": "Urban API", "filter": URBAN}, content_type="application/json").json()
    assert body["follows_filter"] is True and body["members_changed_at"] is None
    fixed = client.post(api, {"name": "Fixed", "filter": URBAN, "follow_filter": False}, content_type="application/json")
    assert fixed.status_code == 201 and fixed.json()["follows_filter"] is False
    bad = client.post(api, {"name": "X", "filter": URBAN, "follow_filter": True,
                            "members": [gw.schools[0].seed_code]}, content_type="application/json")
    assert bad.status_code == 400 and "follow_filter" in bad.json()["errors"]
