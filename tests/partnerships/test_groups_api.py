"""The partnership groups API: scoped lists, propose with the field named on refusal, answers."""

from __future__ import annotations

from typing import Any

import pytest

from datahub.models import Establishment
from partnerships.groups.models import PartnershipGroup
from tests.worlds import api_client as api

pytestmark = pytest.mark.django_db

BASE = "/api/v1/partnership-groups/"


def test_propose_then_two_accept_over_the_api(world: Any, school_c: Establishment, admin_c: Any) -> None:
    body = {"name": "West", "purpose": "Share approaches", "schools": [world.school_b.seed_code, school_c.seed_code],
            "message": "Join us"}
    assert api(world.personas["staff_a"]).post(BASE, body, format="json").status_code == 403
    r = api(world.personas["admin_a"]).post(BASE, body, format="json")
    assert r.status_code == 201, r.json()
    gid = r.json()["id"]
    assert r.json()["status"] == "forming"
    assert {m["school"]["seed_code"]: m["status"] for m in r.json()["members"]} == {
        world.school_a.seed_code: "joined", world.school_b.seed_code: "invited", school_c.seed_code: "invited"}
    assert api(world.personas["staff_b"]).post(f"{BASE}{gid}/accept/", {}, format="json").status_code == 403
    assert api(world.personas["admin_b"]).post(f"{BASE}{gid}/accept/", {}, format="json").status_code == 200
    again = api(world.personas["admin_b"]).post(f"{BASE}{gid}/accept/", {}, format="json")
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
    done = api(admin_c).post(f"{BASE}{gid}/accept/", {"message": "Yes"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "active"
    # Lists are scoped: A2's admin sees nothing and gets 404 on the group.
    assert [g["id"] for g in api(world.personas["staff_b"]).get(BASE).json()["results"]] == [gid]
    assert api(world.personas["analyst_x"]).get(BASE).json()["results"] == []
    assert api(world.personas["analyst_x"]).get(f"{BASE}{gid}/").status_code == 404
    assert api(world.personas["analyst_x"]).post(f"{BASE}{gid}/end/", {}, format="json").status_code == 404
    # Notices of groups come through the notifications endpoint too.
    notes = api(world.personas["admin_a"]).get("/api/v1/partnership-notifications/").json()["results"]
    assert {n["group"] for n in notes} == {gid} and all(n["partnership"] is None for n in notes)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"name": "", "purpose": "p"}, "name", "blank"),
    ({"name": "n", "purpose": "p", "schools": ["12"]}, "schools", ""),
    ({"name": "n", "purpose": "p", "schools": ["0000001", "0000002"]}, "schools", "No school has the SEED code"),
    ({"name": "n", "purpose": "p", "own": True}, "schools", "is the founding school"),
])
def test_refusals_name_the_field(world: Any, school_c: Establishment, body: dict, field: str, words: str) -> None:
    schools = [world.school_a.seed_code, world.school_b.seed_code] if body.pop("own", False) else \
        [world.school_b.seed_code, school_c.seed_code]
    r = api(world.personas["admin_a"]).post(BASE, {"schools": schools, **body}, format="json")
    assert r.status_code == 400, r.json()
    assert field in r.json()["errors"] and r.json()["detail"].startswith(("Invalid request: " + field, field))
    assert words in r.json()["detail"]
    assert not PartnershipGroup.objects.exists()
