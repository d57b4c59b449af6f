"""GET /api/v1/curricular-areas/{seed_code}/: the page's figures, the same disclosure, audited as the
page, a bad parameter refused with its name, and documented in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from datahub.models import AuditEvent, Role
from insight.services import run_create, run_execute_in_process
from tests.factories import UserFactory, member
from tests.insight.local.worlds import build_example
from tests.insight.worlds import publish
from tests.worlds import api_client


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    example["kelvin_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["K"])
    example["dee_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["D"])
    return example


def _url(world: dict[str, Any]) -> str:
    return f"/api/v1/curricular-areas/{world['schools']['K'].seed_code}/"


def _area(body: dict[str, Any], area: str) -> dict[str, Any]:
    (found,) = [a for a in body["areas"] if a["curricular_area"] == area]
    return found


def test_own_staff_read_the_figures_the_page_shows(world: dict[str, Any]) -> None:
    response = api_client(world["kelvin_staff"]).get(_url(world))
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["stage"], body["grade_filter"], body["years"]) == (2024, "S4", "AD", [2024])
    languages = _area(body, "languages")
    assert languages["school"]["n_cohort"] == 3
    assert [lv["percent"] for lv in languages["school"]["levels"]] == [100.0, 100.0, 66.7, 0.0, 0.0]
    assert [lv["percent"] for lv in languages["virtual_comparator"]["levels"]][:3] == [100.0, 100.0, 100.0]
    assert languages["authority"]["levels"][0] == {"scqf_level": 3, "percent": None, "withheld": True}
    # The authority's collaborative (the run's membership), public as Scotland: Kelvinbank's three
    # pupils are its whole cohort here, so it is withheld too.
    assert body["collaborative"] == world["glasgow"].collaborative.name
    assert languages["collaborative"]["levels"][0] == {"scqf_level": 3, "percent": None, "withheld": True}
    leavers = api_client(world["kelvin_staff"]).get(_url(world), {"stage": "leavers", "grade": "A"}).json()
    assert [lv["percent"] for lv in _area(leavers, "languages")["school"]["levels"]] == [0.0] * 5
    assert not AuditEvent.objects.filter(action="view_establishment_benchmarks").exists()


def test_another_schools_staff_get_the_small_cohort_withheld_and_are_audited(world: dict[str, Any]) -> None:
    body = api_client(world["dee_staff"]).get(_url(world)).json()
    school = _area(body, "languages")["school"]
    assert school["n_cohort"] is None and all(lv["withheld"] and lv["percent"] is None for lv in school["levels"])
    assert "66.7" not in str(body)
    assert AuditEvent.objects.filter(action="view_establishment_benchmarks", object_id=world["schools"]["K"].seed_code,
                                     detail__page="api_curricular_areas").exists()


@pytest.mark.parametrize(("params", "field"), [({"stage": "S3"}, "stage"), ({"grade": "B"}, "grade"),
                                               ({"year": "2019"}, "year"), ({"year": "next"}, "year")])
def test_a_bad_parameter_is_a_400_naming_it(world: dict[str, Any], params: dict[str, str], field: str) -> None:
    response = api_client(world["kelvin_staff"]).get(_url(world), params)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"Invalid request: {field}: ")
    assert field in response.json()["errors"]


def test_no_school_by_that_code_is_a_404_and_no_role_a_403(world: dict[str, Any]) -> None:
    assert api_client(world["kelvin_staff"]).get("/api/v1/curricular-areas/1234567/").status_code == 404
    assert api_client(UserFactory.create()).get(_url(world)).status_code == 403
    assert api_client().get(_url(world)).status_code in (401, 403)


def test_the_schema_documents_the_endpoint(world: dict[str, Any]) -> None:
    schema = api_client(world["kelvin_staff"]).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/curricular-areas/{seed_code}/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"seed_code", "stage", "grade", "year"}
    assert {"200", "400", "404"} <= set(operation["responses"])
