"""The partnerships API: the same rules as the pages, in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from partnerships.models import Partnership, Status
from tests.worlds import api_client as api

pytestmark = pytest.mark.django_db

BASE = "/api/v1/partnerships/"


def test_list_is_scoped_to_the_callers_schools(world: Any, proposed: Partnership, foreign: Partnership) -> None:
    ids = {r["id"] for r in api(world.personas["staff_a"]).get(BASE).json()["results"]}
    assert ids == {proposed.pk}
    ids = {r["id"] for r in api(world.personas["admin_b"]).get(BASE).json()["results"]}
    assert ids == {proposed.pk, foreign.pk}
    for outsider in ("analyst_x", "mcmc_y", "national", "dm_x"):
        resp = api(world.personas[outsider]).get(BASE)
        assert resp.status_code == 200 and resp.json()["results"] == []
    assert api().get(BASE).status_code == 401
    assert api(world.personas["no_role"]).get(BASE).status_code == 403


def test_detail_shows_schools_and_history(world: Any, proposed: Partnership) -> None:
    data = api(world.personas["staff_b"]).get(f"{BASE}{proposed.pk}/").json()
    assert data["status"] == "proposed"
    assert data["proposer"] == {"seed_code": world.school_a.seed_code, "name": "Alpha High School",
                                "authority": "Aberdeen City"}
    assert [e["to_status"] for e in data["events"]] == ["proposed"]
    assert data["events"][0]["acting_for"] == world.school_a.seed_code


@pytest.mark.parametrize("persona", ["admin_a", "staff_a", "analyst_x", "analyst_y", "national", "mcmc_y", "dm_a"])
def test_outsiders_get_404_reading_or_acting(world: Any, foreign: Partnership, persona: str) -> None:
    c = api(world.personas[persona])
    assert c.get(f"{BASE}{foreign.pk}/").status_code == 404
    for action in ("accept", "decline", "withdraw", "end"):
        assert c.post(f"{BASE}{foreign.pk}/{action}/", {}, format="json").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.PROPOSED


def test_propose_accept_end_through_the_api(world: Any) -> None:
    a, b = api(world.personas["admin_a"]), api(world.personas["admin_b"])
    resp = a.post(BASE, {"partner": world.school_b.seed_code, "message": "Hi"}, format="json")
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["events"][0]["message"] == "Hi"
    resp = b.post(f"{BASE}{pk}/accept/", {"message": "Yes"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "active"
    assert b.post(f"{BASE}{pk}/accept/", {}, format="json").status_code == 409
    resp = a.post(f"{BASE}{pk}/end/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "ended"
    assert [e["to_status"] for e in resp.json()["events"]] == ["proposed", "active", "ended"]


def test_decline_and_withdraw(world: Any) -> None:
    a, b = api(world.personas["admin_a"]), api(world.personas["admin_b"])
    pk = a.post(BASE, {"partner": world.school_b.seed_code}, format="json").json()["id"]
    assert a.post(f"{BASE}{pk}/decline/", {}, format="json").status_code == 403  # wrong side
    assert b.post(f"{BASE}{pk}/withdraw/", {}, format="json").status_code == 403  # wrong side
    assert a.post(f"{BASE}{pk}/withdraw/", {}, format="json").json()["status"] == "withdrawn"
    pk = b.post(BASE, {"partner": world.school_a.seed_code}, format="json").json()["id"]
    assert a.post(f"{BASE}{pk}/decline/", {}, format="json").json()["status"] == "declined"


def test_staff_get_403(world: Any, proposed: Partnership) -> None:
    assert api(world.personas["staff_b"]).post(f"{BASE}{proposed.pk}/accept/", {}, format="json").status_code == 403
    assert api(world.personas["staff_a"]).post(f"{BASE}{proposed.pk}/withdraw/", {}, format="json").status_code == 403
    assert api(world.personas["staff_a"]).post(BASE, {"partner": world.school_a2.seed_code},
                                               format="json").status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == Status.PROPOSED


def test_proposing_for_another_school_is_404(world: Any) -> None:
    resp = api(world.personas["admin_b"]).post(
        BASE, {"partner": world.school_a2.seed_code, "acting_for": world.school_a.seed_code}, format="json"
    )
    assert resp.status_code == 404
    assert not Partnership.objects.exists()


def test_people_without_a_school_cannot_propose(world: Any) -> None:
    for persona in ("analyst_x", "national", "mcmc_x", "dm_x"):
        resp = api(world.personas[persona]).post(BASE, {"partner": world.school_b.seed_code}, format="json")
        assert resp.status_code == 403, persona
    assert not Partnership.objects.exists()


def test_bad_requests(world: Any, proposed: Partnership) -> None:
    a = api(world.personas["admin_a"])
    assert a.post(BASE, {"partner": "12"}, format="json").status_code == 400
    assert a.post(BASE, {"partner": "9999999"}, format="json").status_code == 404
    assert a.post(BASE, {"partner": world.school_a.seed_code}, format="json").status_code == 400
    assert a.post(BASE, {"partner": world.school_b.seed_code}, format="json").status_code == 409
    too_long = {"message": "x" * 2001}
    assert api(world.personas["admin_b"]).post(f"{BASE}{proposed.pk}/accept/", too_long, format="json").status_code == 400


def test_notifications_are_the_callers_own(world: Any, proposed: Partnership) -> None:
    b = api(world.personas["admin_b"])
    data = b.get("/api/v1/partnership-notifications/").json()["results"]
    assert len(data) == 1 and data[0]["partnership"] == proposed.pk and data[0]["read_at"] is None
    assert api(world.personas["admin_a"]).get("/api/v1/partnership-notifications/").json()["results"] == []
    assert api(world.personas["admin_a"]).get(f"/api/v1/partnership-notifications/{data[0]['id']}/").status_code == 404
    assert api(world.personas["admin_a"]).post("/api/v1/partnership-notifications/mark-read/", {"ids": [data[0]["id"]]},
                                               format="json").json() == {"marked": 0}
    assert b.post("/api/v1/partnership-notifications/mark-read/", {}, format="json").json() == {"marked": 1}


def test_the_schema_documents_the_operations(world: Any) -> None:
    resp = api(world.personas["admin_a"]).get("/api/schema/", {"format": "json"})
    assert resp.status_code == 200
    paths = resp.json()["paths"] if resp["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml  # drf-spectacular depends on PyYAML

        paths = yaml.safe_load(resp.content)["paths"]
    for path in ("/api/v1/partnerships/", "/api/v1/partnerships/{id}/", "/api/v1/partnerships/{id}/accept/",
                 "/api/v1/partnerships/{id}/decline/", "/api/v1/partnerships/{id}/withdraw/",
                 "/api/v1/partnerships/{id}/end/", "/api/v1/partnership-notifications/",
                 "/api/v1/partnership-notifications/mark-read/"):
        assert path in paths, path
    assert "post" in paths["/api/v1/partnerships/"]
    assert "409" in paths["/api/v1/partnerships/{id}/accept/"]["post"]["responses"]


def test_an_invalid_field_is_a_400_that_names_the_field_in_detail(world: Any, proposed: Partnership) -> None:
    """Every documented error of this API has a ``detail``; a field the serializer refuses (here a
    null character, which the schema's plain string allows) says which field and why."""
    a = api(world.personas["admin_a"])
    for url, body in ((BASE, {"partner": world.school_b.seed_code, "message": "Hi\x00"}),
                      (f"{BASE}{proposed.pk}/withdraw/", {"message": "\x00"})):
        resp = a.post(url, body, format="json")
        assert resp.status_code == 400, resp.content
        assert resp.json()["detail"].startswith("Invalid request: message: ") and "Null" in resp.json()["detail"]
        assert list(resp.json()["errors"]) == ["message"]
    assert Partnership.objects.get(pk=proposed.pk).status == Status.PROPOSED
