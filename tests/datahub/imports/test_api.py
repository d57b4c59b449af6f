"""The integration API: create and bulk upsert through the import engine, the same access policy
as the pages, JSON field-level errors, filtering, and an OpenAPI schema that validates and that a
bounded schemathesis run cannot make fail with a server error."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from datahub.codes import make_scn
from datahub.models import ImportBatch, Learner, QualificationResult
from destinations.models import DestinationRecord
from tests.datahub.imports.worlds import api_result_row, client_for

pytestmark = pytest.mark.django_db


def test_a_data_manager_creates_a_result_with_a_token(world):
    api = client_for(world.personas["dm_x"])
    resp = api.post("/api/v1/results/", api_result_row(world.learner_a, world.school_a), format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["scn"] == world.learner_a.scn and body["subject_code"] == "MATH" and body["grade"] == "B"
    again = api.post("/api/v1/results/", api_result_row(world.learner_a, world.school_a), format="json")
    assert again.status_code == 400
    assert "already exists" in again.json()["errors"]["scn"][0]
    batch = ImportBatch.objects.filter(source="api").first()
    assert batch is not None
    assert batch.uploaded_by == world.personas["dm_x"]


def test_create_errors_are_field_level_json(world):
    api = client_for(world.personas["dm_x"])
    resp = api.post("/api/v1/results/", api_result_row(world.learner_a, world.school_a, grade="P", scqf_level="x"), format="json")
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert "grade" not in errors or errors["grade"]
    assert "Not a whole number" in errors["scqf_level"][0]
    resp = api.post("/api/v1/results/", [1, 2], format="json")
    assert resp.status_code == 400 and "JSON object" in resp.json()["detail"]
    resp = api.post("/api/v1/results/", {**api_result_row(world.learner_a, world.school_a), "grade": {"nested": 1}}, format="json")
    assert resp.status_code == 400 and "single value" in resp.json()["errors"]["grade"][0]


def test_a_user_cannot_import_into_another_authoritys_school_through_the_api(world):
    api = client_for(world.personas["dm_x"])
    resp = api.post("/api/v1/results/", api_result_row(world.learner_b, world.school_b), format="json")
    assert resp.status_code == 403
    assert set(resp.json()["errors"]) == {"seed_code", "scn"}
    rows = [api_result_row(world.learner_a, world.school_a), api_result_row(world.learner_b, world.school_b, subject_code="ENG", year=2022)]
    resp = api.post("/api/v1/results/bulk/", {"rows": rows}, format="json")
    assert resp.status_code == 403
    body = resp.json()
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(2, "seed_code"), (2, "scn")}
    assert body["new"] == 0
    assert not QualificationResult.objects.filter(subject__code="MATH").exists()


def test_staff_and_analysts_cannot_write(world):
    for persona in ("admin_a", "staff_a", "analyst_x", "mcmc_x", "national"):
        resp = client_for(world.personas[persona]).post("/api/v1/results/", api_result_row(world.learner_a, world.school_a), format="json")
        assert resp.status_code == 403, persona
    assert not QualificationResult.objects.filter(subject__code="MATH").exists()


def test_bulk_upsert_is_all_or_nothing_and_idempotent(world):
    api = client_for(world.personas["dm_x"])
    rows = [api_result_row(world.learner_a, world.school_a), api_result_row(world.learner_a2, world.school_a2, subject_code="ENG", grade="A")]
    first = api.post("/api/v1/results/bulk/", {"rows": rows}, format="json")
    assert first.status_code == 200, first.json()
    assert (first.json()["new"], first.json()["updated"]) == (2, 0)
    second = api.post("/api/v1/results/bulk/", rows, format="json")  # a bare list works too
    assert (second.json()["new"], second.json()["updated"], second.json()["unchanged"]) == (0, 0, 2)
    rows[0]["grade"] = "A"
    rows.append(api_result_row(world.learner_a, world.school_a, subject_code="NOPE"))
    bad = api.post("/api/v1/results/bulk/", {"rows": rows}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"row": 3, "field": "subject_code", "value": "NOPE",
                                     "message": "Unknown subject code (see the subject list in the import formats guide)."}]
    assert QualificationResult.objects.get(learner=world.learner_a, subject__code="MATH").grade == "B"
    dry = api.post("/api/v1/results/bulk/?dry_run=true", {"rows": rows[:2]}, format="json")
    assert dry.json()["status"] == "validated" and dry.json()["updated"] == 1
    assert QualificationResult.objects.get(learner=world.learner_a, subject__code="MATH").grade == "B"


def test_bulk_limits(world, settings):
    settings.IMPORT_API_MAX_ROWS = 2
    api = client_for(world.personas["dm_x"])
    rows = [api_result_row(world.learner_a, world.school_a, year=y) for y in (2021, 2022, 2023)]
    assert api.post("/api/v1/results/bulk/", {"rows": rows}, format="json").status_code == 400
    assert api.post("/api/v1/results/bulk/", {"rows": []}, format="json").status_code == 400
    assert api.post("/api/v1/results/bulk/", {"rows": ["x"]}, format="json").status_code == 400


def test_learners_establishments_and_leavers_are_written_through_the_api(world):
    api = client_for(world.personas["dm_x"])
    est = api.post("/api/v1/establishments/", {"seed_code": "5244439", "name": "Deeside Academy", "authority": "100"}, format="json")
    assert est.status_code == 201 and est.json()["authority"]["code"] == 100
    scn = make_scn(40_000_000)
    learner = {"scn": scn, "given_name": "Api", "family_name": "Learner", "date_of_birth": "2007-01-01", "sex": "M",
               "simd_decile": 2, "asn": True, "seed_code": "5244439", "year": 2023, "stage": "S5"}
    resp = api.post("/api/v1/learners/", learner, format="json")
    assert resp.status_code == 201, resp.json()
    assert resp.json()["asn"] is True and resp.json()["establishment"] == "5244439"
    leaver = {"scn": scn, "seed_code": "5244439", "leaver_year": 2024, "stage": "S5", "sex": "M", "simd_decile": 2}
    resp = api.post("/api/v1/leavers/", leaver, format="json")
    assert resp.status_code == 201, resp.json()
    listed = api.get("/api/v1/leavers/", {"scn": scn}).json()
    assert listed["count"] == 1 and listed["results"][0]["stage"] == "S5"
    upd = api.post("/api/v1/leavers/bulk/", {"rows": [{**leaver, "stage": "S6"}]}, format="json")
    assert upd.json()["updated"] == 1
    assert Learner.objects.get(scn=scn).leaver.stage == "S6"


def test_results_are_filtered_and_scoped(world):
    api = client_for(world.personas["staff_a"])
    body = api.get("/api/v1/results/").json()
    assert {r["scn"] for r in body["results"]} == {world.learner_a.scn}
    assert api.get("/api/v1/results/", {"scn": world.learner_b.scn}).json()["count"] == 0
    assert api.get("/api/v1/results/", {"year": 2024, "subject_code": "eng"}).json()["count"] == 1
    assert api.get(f"/api/v1/results/{world.learner_b.results.first().pk}/").status_code == 404


def test_destinations_are_upserted_through_the_generic_rows_endpoint(world):
    api = client_for(world.personas["dm_x"])
    kinds = api.get("/api/v1/imports/").json()
    assert "initial-destinations" in {k["name"] for k in kinds}
    row = {"scn": world.learner_a.scn, "seed_code": world.school_a.seed_code, "leaver_year": 2024, "category": "EMPLOYMENT"}
    resp = api.post("/api/v1/imports/initial-destinations/rows/", {"rows": [row]}, format="json")
    assert resp.status_code == 200 and resp.json()["updated"] == 1
    current = DestinationRecord.objects.get(leaver__learner=world.learner_a, kind="initial", superseded_at__isnull=True)
    assert current.category == "EMPLOYMENT" and current.source == "api"
    assert api.post("/api/v1/imports/no-such-kind/rows/", {"rows": [row]}, format="json").status_code == 404


def test_import_batches_are_listed_for_data_managers_in_scope(world):
    client_for(world.personas["dm_x"]).post("/api/v1/results/", api_result_row(world.learner_a2, world.school_a2), format="json")
    mine = client_for(world.personas["dm_x"]).get("/api/v1/import-batches/").json()
    assert mine["count"] == 1 and mine["results"][0]["status"] == "succeeded"
    assert client_for(world.personas["dm_a"]).get("/api/v1/import-batches/").json()["count"] == 0  # touches A2 only
    assert client_for(world.personas["staff_a"]).get("/api/v1/import-batches/").status_code == 403


def test_the_openapi_schema_validates(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/results/bulk/", "/api/v1/learners/bulk/", "/api/v1/imports/{kind}/rows/", "/api/v1/leavers/"):
        assert path in text


# Who the property-based run signs in as: one who writes, one per kind of reader, and nobody.
SCHEMATHESIS_ROLES = ("dm_x", "staff_a", "mcmc_x", "national", "no_role")


def test_schemathesis_responses_follow_the_schema_for_every_role(world):
    """A bounded property-based run over every API operation, in-process, as several roles: no
    server error, and every response with a documented status matches the OpenAPI schema (its
    body and content type), whatever the role is refused or allowed."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from insight.config.wsgi import application

    # As Django's test client does: the request signals must not close the test's connection
    # (it is inside the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    failures: list[str] = []
    checked: dict[str, int] = {}
    try:
        for persona in SCHEMATHESIS_ROLES:
            token, _ = Token.objects.get_or_create(user=world.personas[persona])
            auth = {"Authorization": f"Token {token.key}"}
            checked[persona] = _run_schemathesis(
                application, auth, failures, persona, given, settings, HealthCheck, schemathesis
            )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, "\n".join(failures[:20])
    assert all(n > 20 for n in checked.values()), checked  # every role really exercised the operations


def _run_schemathesis(application, auth, failures, who, given, settings, HealthCheck, schemathesis) -> int:
    from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=auth)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 20
    examples = 10 if who == "dm_x" else 3
    calls = 0
    for operation in operations:

        @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            nonlocal calls
            response = case.call(headers=auth)
            calls += 1
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
                )
            except BaseExceptionGroup as exc:  # schemathesis raises a FailureGroup of the broken checks
                first = str(exc).strip().splitlines()
                failures.append(f"{who}: {case.method} {case.formatted_path} -> {response.status_code}: "
                                + " | ".join(line.strip() for line in first[:6] if line.strip()))

        check()
    return calls
