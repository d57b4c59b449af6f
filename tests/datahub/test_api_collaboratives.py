"""The API names each authority's Regional Improvement Collaborative (reference data)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worlds import api_client

pytestmark = pytest.mark.django_db


def test_an_authority_carries_its_collaborative(world: Any) -> None:
    client = api_client(world.personas["staff_a"])
    glasgow = client.get("/api/v1/authorities/260/").json()
    assert glasgow["collaborative"] == {"code": "WP", "name": "West Partnership"}
    listed = client.get("/api/v1/authorities/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["name"]: r["collaborative"]["code"] for r in rows}["Aberdeen City"] == "NA"
