"""The ``offers`` import kind (destinations/pathways/imports.py) through datahub's import engine and
the bulk API: new offers with their first event, new statuses kept as history, all or nothing,
errors naming row, column and reason, and the import scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from datahub.models import ChangeRecord
from destinations.models import Offer, OfferEvent
from destinations.pathways.selectors import BoardFilters, board_rows
from tests.datahub.imports.worlds import as_csv, run
from tests.destinations.pathway_worlds import Pupils, build_pupils
from tests.worlds import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world) -> Pupils:
    return build_pupils(world)


def row(learner, **over: str) -> dict:
    out = {"scn": learner.scn, "kind": "college", "provider": "Glasgow Clyde College", "course": "HNC Social Services",
           "status": "applied", "status_date": "2026-10-02", "applied_on": ""}
    out.update(over)
    return out


def test_offers_are_imported_with_their_history(world, pupils) -> None:
    dm = world.personas["dm_x"]
    first = run(dm, "offers", as_csv([row(pupils.s6_a), row(pupils.s6_a2, kind="university", provider="Uni",
                                                              course="", status="offered", applied_on="2026-09-20")]))
    assert first.status == "succeeded", first.errors
    assert (first.count_new, first.count_updated) == (2, 0)
    ava = Offer.objects.get(learner=pupils.s6_a)
    assert (ava.status, ava.applied_on, ava.source, ava.recorded_by) == ("applied", dt.date(2026, 10, 2), "import", dm)
    assert list(ava.events.values_list("status", flat=True)) == ["applied"]

    later = run(dm, "offers", as_csv([row(pupils.s6_a, status="accepted", status_date="2026-11-20")]))
    assert (later.count_new, later.count_updated) == (0, 1)
    ava.refresh_from_db()
    assert (ava.status, ava.status_date) == ("accepted", dt.date(2026, 11, 20))
    assert list(ava.events.order_by("id").values_list("status", flat=True)) == ["applied", "accepted"]
    change = ChangeRecord.objects.get(batch=later)
    assert change.before["status"] == "applied" and change.after["status"] == "accepted"

    again = run(dm, "offers", as_csv([row(pupils.s6_a, status="accepted", status_date="2026-11-21")]))
    assert again.count_unchanged == 1 and ava.events.count() == 2

    rows = board_rows(world.personas["staff_a"], BoardFilters(offer="yes"), today=dt.date(2026, 12, 5))
    assert [r.learner.pk for r in rows] == [pupils.s6_a.pk]


@pytest.mark.parametrize(
    ("over", "column", "reason"),
    [
        ({"status": "maybe"}, "status", "Unknown code"),
        ({"kind": "circus"}, "kind", "Unknown code"),
        ({"provider": ""}, "provider", ""),
        ({"status_date": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "status_date", "in the future"),
        ({"applied_on": "2026-10-09"}, "applied_on", "after the date of the status"),
        ({"scn": "123456785"}, "scn", "No learner has this SCN"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_naming_row_column_and_reason(world, pupils, over, column, reason) -> None:
    batch = run(world.personas["dm_x"], "offers", as_csv([row(pupils.s6_a2), row(pupils.s6_a, **over)]))
    assert batch.status == "rejected"
    assert [e[:2] for e in batch.errors] == [[3, column]], batch.errors
    assert reason in batch.errors[0][3]
    assert not Offer.objects.exists() and not OfferEvent.objects.exists()


def test_a_status_dated_before_the_current_one_is_refused(world, pupils) -> None:
    dm = world.personas["dm_x"]
    run(dm, "offers", as_csv([row(pupils.s6_a, status="offered", status_date="2026-11-01")]))
    batch = run(dm, "offers", as_csv([row(pupils.s6_a, status="declined", status_date="2026-10-15")]))
    assert batch.status == "rejected" and batch.errors[0][:2] == [2, "status_date"]
    assert Offer.objects.get().status == "offered"


def test_another_schools_pupil_is_refused(world, pupils) -> None:
    batch = run(world.personas["dm_a"], "offers", as_csv([row(pupils.s6_a), row(pupils.s6_a2)]))
    assert batch.status == "rejected" and batch.errors[0][:2] == [3, "scn"]
    assert not Offer.objects.exists()


def test_partner_systems_send_offers_through_the_api(world, pupils) -> None:
    api = api_client(world.personas["dm_x"])
    resp = api.post("/api/v1/imports/offers/rows/", {"rows": [row(pupils.s6_a, status="offered",
                                                                  status_date="2026-11-03")]}, format="json")
    assert resp.status_code == 200, resp.content
    assert Offer.objects.get(learner=pupils.s6_a).source == "api"
    refused = api_client(world.personas["mcmc_y"]).post("/api/v1/imports/offers/rows/",
                                                        {"rows": [row(pupils.s6_b)]}, format="json")
    assert refused.status_code == 403
    assert Offer.objects.count() == 1
