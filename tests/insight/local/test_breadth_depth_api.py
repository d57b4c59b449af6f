"""``GET /api/v1/breadth-depth/<SEED>/``: the Breadth and Depth page's figures, its disclosure,
its audit, its parameters."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from tests.factories import member
from tests.insight.local.test_local_aggregates import STAGE, YEAR, _places
from tests.worlds import api_client

pytestmark = pytest.mark.django_db


def _level(body: dict[str, Any], level: int) -> dict[str, Any]:
    return next(lv for lv in body["levels"] if lv["scqf_level"] == level)


def test_own_staff_read_the_pages_figures_and_another_schools_staff_read_c(db: Any) -> None:
    """Four schools in Edinburgh: our staff read ours (15 of 20 with 1 or more at level 5) and
    Edinburgh (69 of 97; the other three schools are the remainder); another school's staff get
    ours withheld, and their read is audited."""
    ((ours, theirs, *_),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10]), (22, [16, 11])])
    url = reverse("api:breadth-depth", kwargs={"seed_code": ours.seed_code})
    body = api_client(member(Role.ESTABLISHMENT_STAFF, establishment=ours)).get(url, {"stage": STAGE}).json()
    assert body["year"] == YEAR and body["min_credits"] == 0 and body["collaborative"] is None
    level5 = _level(body, 5)
    assert level5["school"]["n_cohort"] == 20 and level5["school"]["at_least"][0] == {
        "awards": 1, "percent": 75.0, "withheld": False}
    assert level5["authority"]["n_cohort"] == 97 and level5["authority"]["at_least"][0]["percent"] == 71.1
    assert not AuditEvent.objects.filter(detail__page="api_breadth_depth").exists()  # own school: not logged

    other = api_client(member(Role.ESTABLISHMENT_STAFF, establishment=theirs)).get(url).json()
    school = _level(other, 5)["school"]
    assert school["n_cohort"] is None and all(a["withheld"] and a["percent"] is None for a in school["at_least"])
    assert AuditEvent.objects.filter(action="view_establishment_benchmarks", object_id=ours.seed_code,
                                     detail__page="api_breadth_depth").exists()


@pytest.mark.parametrize(("params", "field"), [({"stage": "S3"}, "stage"), ({"grade": "B"}, "grade"),
                                               ({"credits": "6"}, "credits"), ({"year": "2019"}, "year")])
def test_a_bad_parameter_is_a_400_naming_it(db: Any, params: dict[str, str], field: str) -> None:
    ((ours, *_),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10])])
    response = api_client(member(Role.ESTABLISHMENT_STAFF, establishment=ours)).get(
        reverse("api:breadth-depth", kwargs={"seed_code": ours.seed_code}), params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_the_schema_documents_the_endpoint(db: Any) -> None:
    ((ours, *_),), _run = _places([(20, [15, 9]), (30, [20, 12]), (25, [18, 10])])
    schema = api_client(member(Role.ESTABLISHMENT_STAFF, establishment=ours)).get(
        "/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/breadth-depth/{seed_code}/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"seed_code", "stage", "grade", "credits", "year"}
    assert {"200", "400", "404"} <= set(operation["responses"])
