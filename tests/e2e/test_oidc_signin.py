"""Sign-in with the education identity provider (OpenID Connect) in a real browser.

A real OIDC provider runs on loopback in a second process (tests/oidc_provider: django-oauth-toolkit
with an RS256 key made for the run); the portal under test (pytest-django's live server) is pointed
at it through SOCIALACCOUNT_PROVIDERS, as a deployment's OIDC_* variables would. The browser clicks
"Sign in with Education account (Glow)", signs in at the provider and comes back:
- an invited user (verified e-mail, different letter case) lands on their dashboard, linked;
- a verified address nobody invited ends signed out with a message, and no account is made;
- an unverified address that *is* an invited user's is not linked, with a message;
- an establishment admin with TOTP is still asked for the portal's code, and a data manager
  without TOTP is still sent to set it up, even though the provider's ``amr`` claim says it used
  MFA (the portal does not trust the provider's MFA).
"""

from __future__ import annotations

import copy
import os
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.checks import assert_accessible
from tests.factories import PASSWORD
from tests.oidc_provider.server import LoopbackOIDCProvider, ProviderUser

if TYPE_CHECKING:
    from playwright.sync_api import Page

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROVIDER_ID = "education"
PROVIDER_NAME = "Education account (Glow)"
TEACHER = ProviderUser("teacher", "Sso.Teacher@Alpha.example", given_name="Morag", family_name="Teacher")
STRANGER = ProviderUser("stranger", "stranger@elsewhere.example")
UNVERIFIED = ProviderUser("unverified", "sso.unverified@alpha.example", verified=False)
HEAD = ProviderUser("head", "sso.head@alpha.example", mfa=True)
DATA_MANAGER = ProviderUser("dm", "sso.dm@alpha.example", mfa=True)


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopbackOIDCProvider]:
    callback = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    provider = LoopbackOIDCProvider(
        tmp_path_factory.mktemp("oidc-provider"),
        redirect_uris=[callback],
        users=[TEACHER, STRANGER, UNVERIFIED, HEAD, DATA_MANAGER],
    )
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


@pytest.fixture
def sso(settings: Any, oidc_provider: LoopbackOIDCProvider) -> LoopbackOIDCProvider:
    """The portal configured as insight/config/settings.py does when OIDC_SERVER_URL is set."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": oidc_provider.client_id,
                    "secret": oidc_provider.client_secret,
                    "settings": {"server_url": oidc_provider.issuer, "oauth_pkce_enabled": True},
                }
            ],
        }
    }
    csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    csp["DIRECTIVES"]["form-action"] = ["'self'", oidc_provider.origin]
    settings.CONTENT_SECURITY_POLICY = csp
    return oidc_provider


def _portal_user(email: str, role: Any, establishment: Any) -> Any:
    from tests.factories import UserFactory, member

    return member(role, establishment=establishment, user=UserFactory.create(email=email))


def _sign_in_at_provider(page: Page, live_server: Any, provider: LoopbackOIDCProvider, who: ProviderUser) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
    page.wait_for_url(re.compile(re.escape(provider.origin) + r"/login/"))
    page.get_by_label("Username").fill(who.username)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/"))
    page.wait_for_load_state()


def test_invited_user_signs_in_with_the_education_account(
    page: Page, live_server: Any, world: Any, sso: LoopbackOIDCProvider
) -> None:
    from allauth.socialaccount.models import SocialAccount

    from datahub.models import Role

    teacher = _portal_user("sso.teacher@alpha.example", Role.ESTABLISHMENT_STAFF, world.school_a)

    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")
    assert button.is_visible()
    assert_accessible(page, label="sign-in page with single sign-on")

    _sign_in_at_provider(page, live_server, sso, TEACHER)

    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text() == "Alpha High School"
    assert page.get_by_role("button", name="Sign out").is_visible()
    account = SocialAccount.objects.get(provider=PROVIDER_ID)
    assert account.user_id == teacher.pk
    # Roles come from the portal only: still exactly the one membership it granted.
    assert list(teacher.memberships.values_list("role", flat=True)) == [Role.ESTABLISHMENT_STAFF]

    # Signed out and in again: found by the link (the provider's subject), same account.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()  # provider session still open
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alpha High School"
    assert SocialAccount.objects.count() == 1


def test_an_education_account_nobody_invited_is_not_signed_in(
    page: Page, live_server: Any, world: Any, sso: LoopbackOIDCProvider
) -> None:
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model

    users_before = get_user_model().objects.count()
    _sign_in_at_provider(page, live_server, sso, STRANGER)

    page.wait_for_url(f"{live_server.url}/accounts/login/")
    message = page.locator(".ds_notification-message--error")
    assert "There is no Insight Portal account for stranger@elsewhere.example" in message.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to Insight Portal"
    assert_accessible(page, label="sign-in page after a refused education account")
    assert get_user_model().objects.count() == users_before
    assert not SocialAccount.objects.exists()
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r"/accounts/login/"))  # still signed out


def test_an_unverified_address_is_not_linked_even_when_it_is_invited(
    page: Page, live_server: Any, world: Any, sso: LoopbackOIDCProvider
) -> None:
    from allauth.socialaccount.models import SocialAccount

    from datahub.models import Role

    _portal_user("sso.unverified@alpha.example", Role.ESTABLISHMENT_STAFF, world.school_a)
    _sign_in_at_provider(page, live_server, sso, UNVERIFIED)

    page.wait_for_url(f"{live_server.url}/accounts/login/")
    message = page.locator(".ds_notification-message--error").inner_text()
    assert "did not confirm its e-mail address" in message
    assert not SocialAccount.objects.exists()
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_portal_totp_still_applies_after_single_sign_on(
    page: Page, live_server: Any, world: Any, sso: LoopbackOIDCProvider, settings: Any
) -> None:
    """The provider says it used MFA (amr), but an admin with TOTP still gives the portal's code."""
    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    from datahub.models import Role

    settings.MFA_REQUIRED_FOR_ADMINS = True
    head = _portal_user("sso.head@alpha.example", Role.ESTABLISHMENT_ADMIN, world.school_a)
    secret = generate_totp_secret()
    TOTP.activate(head, secret)

    _sign_in_at_provider(page, live_server, sso, HEAD)

    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    assert_accessible(page, label="TOTP step after single sign-on")
    # Not signed in until the code is given: the dashboard sends the browser back to sign-in,
    # which resumes the pending login at the code step.
    page.goto(f"{live_server.url}/")
    assert re.search(r"/accounts/(login|2fa/authenticate)/", page.url), page.url
    if "/2fa/authenticate/" not in page.url:
        page.goto(f"{live_server.url}/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Alpha High School"


def test_an_admin_without_totp_must_still_set_it_up_after_single_sign_on(
    page: Page, live_server: Any, world: Any, sso: LoopbackOIDCProvider, settings: Any
) -> None:
    from datahub.models import Role

    settings.MFA_REQUIRED_FOR_ADMINS = True
    _portal_user("sso.dm@alpha.example", Role.DATA_MANAGER, world.school_a)

    _sign_in_at_provider(page, live_server, sso, DATA_MANAGER)

    # Sent to set up TOTP. Setting it up is a sensitive change, for which allauth asks for the
    # portal password again (an SSO sign-in is not a reauthentication), as after a password sign-in.
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    # Nothing else opens until it is set up.
    page.goto(f"{live_server.url}/datahub/")
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
