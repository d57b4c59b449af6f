"""OAuth2 for systems (datahub/oauth.py): client credentials only; the token acts as the client's
system account, so the API's access policy applies to it unchanged."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient

from datahub.models import QualificationResult, Role, User
from tests.factories import member

SECRET = "s3cret-for-tests-only-0123456789"


def register(owner: User | None, *, grant: str = Application.GRANT_CLIENT_CREDENTIALS,
             client_type: str = Application.CLIENT_CONFIDENTIAL) -> Application:
    # The secret is hashed when saved: keep the plain one to authenticate with.
    return Application.objects.create(name="School MIS feed", user=owner, client_type=client_type,
                                      authorization_grant_type=grant, client_secret=SECRET)


def token_response(app: Application, *, secret: str = SECRET, grant: str = "client_credentials", **extra: str):
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    return APIClient().post("/oauth/token/", {"grant_type": grant, **extra}, HTTP_AUTHORIZATION=f"Basic {basic}")


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def result_row(learner, school) -> dict:
    return {"scn": learner.scn, "seed_code": school.seed_code, "subject_code": "MATH", "award_type": "N5",
            "scqf_level": 5, "scqf_credits": 24, "grade": "A", "year": 2023}


def test_a_system_gets_a_token_and_uses_the_api_as_its_account(world) -> None:
    system = world.personas["dm_x"]  # data manager for authority X (schools A and A2)
    resp = token_response(register(system))
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "api" and body["expires_in"] == 3600
    assert "refresh_token" not in body
    assert AccessToken.objects.get(application__user=system).user == system
    api = bearer(body["access_token"])
    listed = api.get("/api/v1/results/").json()["results"]
    assert {r["scn"] for r in listed} == {world.learner_a.scn, world.learner_a2.scn}  # never authority Y's
    created = api.post("/api/v1/results/", result_row(world.learner_a, world.school_a), format="json")
    assert created.status_code == 201, created.content
    assert api.get(f"/api/v1/learners/{world.learner_b.pk}/").status_code == 404


def test_the_token_cannot_write_outside_the_accounts_scope(world) -> None:
    api = bearer(token_response(register(world.personas["dm_x"])).json()["access_token"])
    resp = api.post("/api/v1/results/bulk/", [result_row(world.learner_b, world.school_b)], format="json")
    assert resp.status_code == 403, resp.content
    assert not QualificationResult.objects.filter(learner=world.learner_b, grade="A", year=2023).exists()


def test_a_system_account_without_a_writing_role_only_reads(world) -> None:
    api = bearer(token_response(register(world.personas["analyst_x"])).json()["access_token"])
    assert api.get("/api/v1/establishments/").status_code == 200
    resp = api.post("/api/v1/results/", result_row(world.learner_a, world.school_a), format="json")
    assert resp.status_code == 403


@pytest.mark.django_db
def test_wrong_secret_other_grants_and_public_or_ownerless_clients_get_no_token() -> None:
    system = member(Role.NATIONAL_ANALYST)
    assert token_response(register(system), secret="wrong").status_code == 401
    # The password grant would sign a person in without the portal's sign-in and MFA.
    system.set_password("correct-horse-battery-staple")
    system.save()
    password_app = register(system, grant=Application.GRANT_PASSWORD)
    right = token_response(password_app, grant="password", username=system.email,
                           password="correct-horse-battery-staple")
    wrong = token_response(password_app, grant="password", username=system.email, password="a-guess")
    assert right.status_code == wrong.status_code == 400
    # The same answer whether the password is right: the endpoint never checks it.
    assert right.json() == wrong.json() == {"error": "unsupported_grant_type"}
    assert token_response(register(None)).status_code in (400, 401)
    inactive = member(Role.NATIONAL_ANALYST)
    inactive.is_active = False
    inactive.save()
    assert token_response(register(inactive)).status_code in (400, 401)
    assert not AccessToken.objects.exists()


@pytest.mark.django_db
def test_expired_revoked_and_made_up_tokens_are_refused() -> None:
    system = member(Role.NATIONAL_ANALYST)
    app = register(system)
    token = token_response(app).json()["access_token"]
    assert bearer(token).get("/api/v1/establishments/").status_code == 200
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert bearer(token).get("/api/v1/establishments/").status_code == 401
    fresh = token_response(app).json()["access_token"]
    basic = base64.b64encode(f"{app.client_id}:{SECRET}".encode()).decode()
    revoked = APIClient().post("/oauth/revoke/", {"token": fresh}, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert revoked.status_code == 200
    assert bearer(fresh).get("/api/v1/establishments/").status_code == 401
    assert bearer("made-up").get("/api/v1/establishments/").status_code == 401
