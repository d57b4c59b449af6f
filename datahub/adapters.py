"""How allauth treats portal accounts: no self sign-up, sign-in throttling that nobody can turn
into a lock-out of somebody else, and single sign-on that reaches invited accounts only."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, NoReturn

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest
from django.shortcuts import redirect

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin

FAILURES_KEY = "signin-failures:{login}"


class PortalAccountAdapter(DefaultAccountAdapter):
    """Accounts are provisioned by user administrators (roles come with them): no self sign-up.

    Throttling (ACCOUNT_RATE_LIMITS["login_failed"], e.g. ``10/m/ip,5/5m/key``): allauth's "key"
    limit is per account; here the key is the account *and the client's address*, so five wrong
    passwords from one address stop that address guessing that account, but a stranger elsewhere
    cannot lock the right person out. Guessing one account from many addresses meets a growing
    delay instead (``SIGNIN_DELAY_AFTER_FAILURES`` failures on the account in 15 minutes, then
    ``SIGNIN_DELAY_STEP_SECONDS`` more per failure, at most ``SIGNIN_DELAY_MAX_SECONDS``): every
    attempt on that account waits, right password or wrong, so the delay tells nothing, and the
    right password still signs in.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)
        delay = signin_delay(_login(credentials))
        if delay:
            time.sleep(delay)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        key = FAILURES_KEY.format(login=_login(credentials))
        cache.add(key, 0, timeout=15 * 60)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=15 * 60)


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email", credentials.get("username", ""))).strip().lower()


def signin_delay(login: str) -> float:
    """Seconds every sign-in attempt on this account waits now (0 below the threshold)."""
    failures = cache.get(FAILURES_KEY.format(login=login), 0)
    over = failures - settings.SIGNIN_DELAY_AFTER_FAILURES
    if over < 0:
        return 0.0
    return float(min(settings.SIGNIN_DELAY_MAX_SECONDS, settings.SIGNIN_DELAY_STEP_SECONDS * (over + 1)))


# --- Single sign-on (OpenID Connect) ---------------------------------------------------------

SSO_UNVERIFIED_MESSAGE = (
    "Your {provider} did not confirm its e-mail address, so it cannot be used to sign in to Insight "
    "Portal. Sign in with your e-mail address and password, or ask your user administrator for help."
)
SSO_NOT_INVITED_MESSAGE = (
    "There is no Insight Portal account for {email}. Your school's or local authority's user "
    "administrator must invite you first; you have not been signed in."
)
SSO_CONNECT_MESSAGE = "An education account is linked when you first sign in with it, not from your account pages."
SSO_FAILED_MESSAGE = "Signing in with your {provider} did not work. Try again, or sign in with your password."


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the education identity provider (OpenID Connect) reaches invited accounts only.

    The first sign-in links the provider's account to the active portal user whose e-mail address
    (compared case-insensitively) the provider *verified* (``email_verified`` true); later sign-ins
    find that link by the provider's subject. Nothing else links, and nothing is created: an
    unverified or unknown address returns to the sign-in page with a message and no account. Roles
    come only from portal memberships, never from the provider's claims. The portal's MFA rules
    still apply after the link: allauth's TOTP step runs for every sign-in of a user with TOTP, and
    datahub.middleware.RequireMFAMiddleware still sends admins without it to set it up.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def list_apps(self, request: HttpRequest | None, provider: Any = None, client_id: Any = None) -> list[Any]:
        # Providers are configured per deployment in settings (OIDC_*), never by SocialApp rows
        # that anyone with admin access could add; settings-built apps are unsaved (no pk).
        return [app for app in super().list_apps(request, provider=provider, client_id=client_id) if app.pk is None]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Linking by hand from the account pages would bypass the verified-address rule.
            _refuse(request, SSO_CONNECT_MESSAGE)
        if sociallogin.is_existing:
            return  # linked before (by a verified invited address); allauth refuses inactive users
        provider = sociallogin.account.get_provider().name
        verified = [a.email for a in sociallogin.email_addresses if a.verified and a.email]
        if not verified:
            _refuse(request, SSO_UNVERIFIED_MESSAGE.format(provider=provider))
        user = invited_user_for(verified)
        if user is None:
            _refuse(request, SSO_NOT_INVITED_MESSAGE.format(email=verified[0]))
        sociallogin.connect(request, user)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        # Back to the sign-in page with a message rather than allauth's bare error page.
        _refuse(request, SSO_FAILED_MESSAGE.format(provider=getattr(provider, "name", "identity provider")))


def invited_user_for(emails: list[str]) -> Any:
    """The active portal user holding one of these (provider-verified) addresses, else None."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    for email in emails:
        user = users.filter(email__iexact=email.strip()).first()
        if user is not None:
            return user
    return None


def _refuse(request: HttpRequest, message: str) -> NoReturn:
    messages.error(request, message)
    raise ImmediateHttpResponse(redirect("account_login"))
