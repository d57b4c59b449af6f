"""Sign-in throttling stops guessing without letting a stranger lock a named user out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from datahub.adapters import signin_delay
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, email: str, password: str, ip: str):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(client, django_user_model):
    user = UserFactory.create(email="throttle.target@example.org")
    for _ in range(5):
        assert not _signed_in(_sign_in(client, user.email, "wrong-guess", "203.0.113.7"))
    stranger = _sign_in(client, user.email, PASSWORD, "203.0.113.7")
    assert not _signed_in(stranger)
    assert "Too many failed login attempts" in stranger.content.decode()
    client.logout()
    assert _signed_in(_sign_in(client, user.email, PASSWORD, "198.51.100.20"))


def test_guessing_from_many_addresses_meets_a_delay_not_a_lockout(client, settings):
    settings.SIGNIN_DELAY_AFTER_FAILURES = 3
    settings.SIGNIN_DELAY_STEP_SECONDS = 0.01
    settings.SIGNIN_DELAY_MAX_SECONDS = 0.05
    user = UserFactory.create(email="throttle.spread@example.org")
    assert signin_delay(user.email) == 0
    for n in range(6):
        _sign_in(client, user.email, "wrong-guess", f"192.0.2.{n + 1}")
    assert signin_delay(user.email) == pytest.approx(0.04)
    _sign_in(client, user.email, "wrong-again", "192.0.2.50")
    assert signin_delay(user.email) == pytest.approx(0.05)  # capped
    assert _signed_in(_sign_in(client, user.email, PASSWORD, "192.0.2.99"))
