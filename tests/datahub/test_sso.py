"""Single sign-on rules without a browser: who the education identity provider may sign in as,
what the settings build from OIDC_* variables, and the sign-in page with and without SSO.

The full flow against a real provider on loopback is tests/e2e/test_oidc_signin.py.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.test import RequestFactory

from datahub.adapters import PortalSocialAccountAdapter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APP = {
    "provider_id": "education",
    "name": "Education account (Glow)",
    "client_id": "portal",
    "secret": "not-a-real-secret",
    "settings": {"server_url": "http://127.0.0.1:9/o", "oauth_pkce_enabled": True},
}


@pytest.fixture
def configured(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [APP]}}


@pytest.fixture
def request_(configured: None) -> Iterator[Any]:
    request = RequestFactory().get("/accounts/oidc/education/login/callback/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    request.user = AnonymousUser()
    with request_context(request):
        yield request


def _login(email: str, *, verified: bool, process: str = AuthProcess.LOGIN) -> SocialLogin:
    account = SocialAccount(provider="education", uid="subject-1", extra_data={"userinfo": {"email": email}})
    login = SocialLogin(account=account, email_addresses=[EmailAddress(email=email, verified=verified, primary=True)])
    login.state = {"process": process}
    return login


def _refused(request: Any, login: SocialLogin) -> str:
    with pytest.raises(ImmediateHttpResponse) as refused:
        PortalSocialAccountAdapter(request).pre_social_login(request, login)
    assert refused.value.response["Location"] == "/accounts/login/"
    return " ".join(str(m) for m in get_messages(request))


def test_a_verified_address_of_an_invited_user_links_that_user_whatever_the_letter_case(request_: Any) -> None:
    teacher = UserFactory.create(email="morag.teacher@alpha.example")
    login = _login("Morag.Teacher@ALPHA.example", verified=True)
    PortalSocialAccountAdapter(request_).pre_social_login(request_, login)
    assert login.is_existing
    assert SocialAccount.objects.get(uid="subject-1").user == teacher


def test_an_unverified_address_is_refused_even_when_it_is_an_invited_users(request_: Any) -> None:
    UserFactory.create(email="morag.teacher@alpha.example")
    message = _refused(request_, _login("morag.teacher@alpha.example", verified=False))
    assert "did not confirm its e-mail address" in message
    assert not SocialAccount.objects.exists()


def test_an_address_nobody_invited_is_refused_and_no_account_is_made(request_: Any, django_user_model: Any) -> None:
    before = django_user_model.objects.count()
    message = _refused(request_, _login("stranger@elsewhere.example", verified=True))
    assert "There is no Insight Portal account for stranger@elsewhere.example" in message
    assert django_user_model.objects.count() == before
    assert not SocialAccount.objects.exists()


def test_a_deactivated_user_is_not_linked(request_: Any) -> None:
    UserFactory.create(email="left.school@alpha.example", is_active=False)
    assert "There is no Insight Portal account" in _refused(
        request_, _login("left.school@alpha.example", verified=True)
    )


def test_linking_by_hand_from_the_account_pages_is_refused(request_: Any) -> None:
    UserFactory.create(email="morag.teacher@alpha.example")
    login = _login("morag.teacher@alpha.example", verified=True, process=AuthProcess.CONNECT)
    assert "linked when you first sign in" in _refused(request_, login)
    assert not SocialAccount.objects.exists()


def test_sign_up_stays_closed_for_single_sign_on(request_: Any) -> None:
    assert (
        PortalSocialAccountAdapter(request_).is_open_for_signup(request_, _login("x@y.example", verified=True)) is False
    )


def test_providers_come_from_settings_never_from_admin_rows(request_: Any) -> None:
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="rogue",
        name="Rogue",
        client_id="r",
        secret="s",
        settings={"server_url": "https://rogue.example"},
    )
    apps = PortalSocialAccountAdapter(request_).list_apps(request_)
    assert [a.provider_id for a in apps] == ["education"]


def test_the_sign_in_page_offers_sso_only_when_configured(client: Any, settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": []}}
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [APP]}}
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Education account (Glow)" in page
    assert 'action="/accounts/oidc/education/login/?process=login"' in page


# --- Settings from the environment ----------------------------------------------------------------


def _settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OIDC_"))}
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'apps': s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS'], "
        "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "insight.config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_without_oidc_server_url_configure_no_provider() -> None:
    result = _settings_with()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"apps": [], "form_action": ["'self'"]}


def test_settings_build_the_provider_and_allow_its_origin_in_form_action() -> None:
    result = _settings_with(
        OIDC_SERVER_URL="https://login.glow.example/tenant/v2.0/",
        OIDC_CLIENT_ID="portal-client",
        OIDC_CLIENT_SECRET="s3cret",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    (app,) = out["apps"]
    assert app["provider_id"] == "education"
    assert app["name"] == "Education account (Glow)"
    assert app["client_id"] == "portal-client"
    assert app["settings"]["server_url"] == "https://login.glow.example/tenant/v2.0"
    assert out["form_action"] == ["'self'", "https://login.glow.example"]


def test_settings_fail_loudly_without_a_client_id() -> None:
    result = _settings_with(OIDC_SERVER_URL="https://login.glow.example", OIDC_CLIENT_SECRET="s3cret")
    assert result.returncode != 0
    assert "OIDC_CLIENT_ID" in result.stderr


def test_production_refuses_a_plain_http_provider() -> None:
    result = _settings_with(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="x.example",
        OIDC_SERVER_URL="http://login.glow.example",
        OIDC_CLIENT_ID="c",
        OIDC_CLIENT_SECRET="s",
    )
    assert result.returncode != 0
    assert "OIDC_SERVER_URL must be an https://" in result.stderr
