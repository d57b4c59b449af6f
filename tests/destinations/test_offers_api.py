"""The offers API for partner systems: scoped like the pages, history in every offer, audited."""

from __future__ import annotations

import pytest
from django.utils import timezone

from datahub.models import AuditEvent
from destinations.models import Offer
from tests.destinations.pathway_worlds import Pupils, build_pupils
from tests.worlds import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world) -> Pupils:
    return build_pupils(world)


def body(learner, **over: object) -> dict:
    return {"scn": learner.scn, "kind": "college", "provider": "Fife College", "course": "NC Engineering",
            "status": "offered", "status_date": timezone.localdate().isoformat(), **over}


def test_a_partner_system_records_and_reads_offers(world, pupils) -> None:
    api = api_client(world.personas["mcmc_x"])
    created = api.post("/api/v1/offers/", body(pupils.s6_a2), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["source"] == "api" and [h["status"] for h in data["history"]] == ["offered"]
    listed = api.get("/api/v1/offers/", {"scn": pupils.s6_a2.scn}).json()
    assert [o["provider"] for o in listed["results"]] == ["Fife College"]
    assert AuditEvent.objects.filter(action="api_view_offers").exists()
    again = api.post("/api/v1/offers/", body(pupils.s6_a2), format="json")
    assert again.status_code == 400 and "provider" in again.json()


def test_another_authoritys_pupil_is_not_found(world, pupils) -> None:
    api = api_client(world.personas["mcmc_x"])
    assert api.post("/api/v1/offers/", body(pupils.s6_b), format="json").status_code == 404
    assert api_client(world.personas["staff_a"]).post("/api/v1/offers/", body(pupils.s6_a2),
                                                      format="json").status_code == 404  # A2 is not staff A's school
    theirs = api_client(world.personas["staff_b"]).post("/api/v1/offers/", body(pupils.s6_b), format="json")
    assert theirs.status_code == 201
    assert api.get(f"/api/v1/offers/{theirs.json()['id']}/").status_code == 404
    assert api.get("/api/v1/offers/").json()["count"] == 0
    assert Offer.objects.count() == 1


@pytest.mark.parametrize("persona", ["analyst_x", "national", "dm_x"])
def test_roles_without_pupil_work_are_refused(world, pupils, persona) -> None:
    api = api_client(world.personas[persona])
    assert api.get("/api/v1/offers/").status_code == 403
    assert api.post("/api/v1/offers/", body(pupils.s6_a), format="json").status_code == 403
