"""GET /api/v1/courses/{seed_code}/: scoped to the caller's schools (and partners), figures as the
pages show them, bad parameters named, every call audited, in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from datahub.models import AuditEvent, Role
from insight.services import run_create, run_execute_in_process
from partnerships.models import Partnership, Status
from tests.factories import member
from tests.insight.local.worlds import build_example
from tests.insight.worlds import publish


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    return example


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(world: dict[str, Any], school: str = "K") -> str:
    return reverse("api:course-detail", kwargs={"seed_code": world["schools"][school].seed_code})


def test_own_staff_get_every_course_with_graded_figures(world: dict[str, Any]) -> None:
    staff = member(Role.ESTABLISHMENT_STAFF, establishment=world["schools"]["K"])
    body = _client(staff).get(_url(world)).json()
    assert body["year"] == 2024 and body["stage"] == "S4" and body["graded_shown"] is True
    english = next(r for r in body["courses"] if r["subject_code"] == "ENG" and r["award_type"] == "N5")
    assert english["school"] == {"entries": 2, "pct_a": 50.0, "pct_ab": 100.0, "pct_ac": 100.0, "pct_ad": 100.0,
                                 "pct_pass": 0.0, "grade_diff": 0.5, "n_compared": 2}
    assert english["virtual_comparator"]["entries"] == 20 and english["virtual_comparator"]["pct_ad"] == 100.0
    npa = next(r for r in body["courses"] if r["award_type"] == "NPA")
    assert npa["vocational"] is True and npa["school"]["pct_pass"] == 100.0
    assert AuditEvent.objects.filter(action="api_view_courses", object_id=world["schools"]["K"].seed_code).exists()


def test_other_schools_are_not_found_unless_partners(world: dict[str, Any]) -> None:
    dee = member(Role.ESTABLISHMENT_STAFF, establishment=world["schools"]["D"])
    assert _client(dee).get(_url(world)).status_code == 404
    Partnership.objects.create(proposer=world["schools"]["K"], partner=world["schools"]["D"], status=Status.ACTIVE)
    body = _client(dee).get(_url(world)).json()
    assert body["graded_shown"] is True  # a learning partner sees graded course measures


def test_a_national_analyst_sees_entries_only(world: dict[str, Any]) -> None:
    body = _client(member(Role.NATIONAL_ANALYST)).get(_url(world)).json()
    assert body["graded_shown"] is False
    english = next(r for r in body["courses"] if r["subject_code"] == "ENG" and r["award_type"] == "N5")
    assert english["school"]["entries"] == "c" and english["school"]["pct_ac"] is None
    assert english["virtual_comparator"]["pct_ac"] is None


def test_bad_parameters_are_named(world: dict[str, Any]) -> None:
    staff = _client(member(Role.ESTABLISHMENT_STAFF, establishment=world["schools"]["K"]))
    response = staff.get(_url(world), {"stage": "S9"})
    assert response.status_code == 400 and "stage" in response.json()
    response = staff.get(_url(world), {"year": "1999"})
    assert response.status_code == 400 and "year" in response.json()


def test_the_endpoint_is_in_the_openapi_schema(world: dict[str, Any]) -> None:
    schema = _client(member(Role.NATIONAL_ANALYST)).get(reverse("schema"), {"format": "json"})
    assert "/api/v1/courses/{seed_code}/" in schema.content.decode()
