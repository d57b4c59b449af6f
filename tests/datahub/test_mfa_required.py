"""Two-factor authentication required of admins (MFA_REQUIRED_FOR_ADMINS, on in production), with
the setting on: pages, the Django admin's login, and every API route.

A data manager or establishment admin without TOTP is sent to set it up before any page, the
admin and the API (tokens too) refuse them; a password alone never signs in someone who has TOTP,
whether through the portal's sign-in or the admin's; the code finishes the sign-in.
"""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.urls import get_resolver, reverse
from rest_framework.authtoken.models import Token

from tests.test_permission_matrix import walk

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough test password 16"


@pytest.fixture(autouse=True)
def mfa_on(settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True


def _with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _code(secret: str) -> str:
    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def test_pages_and_the_admin_send_admins_without_totp_to_set_it_up(world):
    setup = reverse("mfa_activate_totp")
    pages = [
        reverse("datahub:index"),
        reverse("insight:establishment_dashboard", args=[world.school_a.seed_code]),
        reverse("datahub:import_index"),
        reverse("admin:index"),
        reverse("admin:datahub_learner_changelist"),
    ]
    for persona in ("dm_a", "dm_x", "admin_a"):
        client = Client()
        client.force_login(world.personas[persona])
        for url in pages:
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == setup, (persona, url)
        way_out = client.get(setup)  # stays open (allauth may first ask for the password again)
        assert way_out.status_code == 200 or way_out["Location"].startswith("/accounts/reauthenticate/")
    # Other roles are not asked for it, and an admin with TOTP goes straight in.
    staff = Client()
    staff.force_login(world.personas["staff_a"])
    assert staff.get(reverse("datahub:index")).status_code == 200
    _with_totp(world.personas["dm_x"])
    done = Client()
    done.force_login(world.personas["dm_x"])
    assert done.get(reverse("datahub:index")).status_code == 200
    assert done.get(reverse("admin:index")).status_code == 200


def test_every_api_route_refuses_an_admin_without_totp(world):
    """By token and by session, on every API route without an id in its path."""
    urls = [
        reverse(n) for n, pattern in walk(get_resolver().url_patterns) if n.startswith("api:") and "<" not in pattern
    ]
    assert len(urls) > 10
    for persona in ("dm_x", "admin_a"):
        user = world.personas[persona]
        token, _ = Token.objects.get_or_create(user=user)
        session = Client()
        session.force_login(user)
        for url in urls:
            by_token = Client().get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
            assert by_token.status_code == 403, (persona, url, by_token.status_code)
            assert session.get(url).status_code in (302, 403), (persona, url)
        _with_totp(user)
        assert Client().get(reverse("api:learner-list"), HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200


@pytest.mark.parametrize("door", ["portal", "admin"])
def test_a_password_alone_never_signs_in_someone_with_totp(world, door):
    user = world.personas["dm_x"]
    user.set_password(PASSWORD)
    user.save()
    secret = _with_totp(user)
    client = Client()
    if door == "admin":
        login = client.get(reverse("admin:login") + "?next=/admin/")
        assert login.status_code == 302 and login["Location"].startswith(reverse("account_login"))
    response = client.post(reverse("account_login") + "?next=/admin/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    for url in (reverse("datahub:index"), reverse("admin:index"), reverse("api:learner-list")):
        assert client.get(url).status_code in (302, 401, 403), url
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    done = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert done.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("admin:index")).status_code == 200
