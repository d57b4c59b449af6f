"""The first national administrator of a fresh installation, and the refusal once one exists."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from datahub.access import has_role
from datahub.models import AuditEvent, Membership, Role, User


def test_creates_the_first_national_administrator_then_refuses(db, monkeypatch):
    monkeypatch.setenv("INSIGHT_ADMIN_PASSWORD", "a long and varied passphrase 42")
    call_command("create_national_admin", "First.Admin@example.gov.scot", "--no-input")
    user = User.objects.get(email="first.admin@example.gov.scot")
    assert user.check_password("a long and varied passphrase 42") and user.is_staff and not user.is_superuser
    assert set(Membership.objects.filter(user=user).values_list("role", "establishment", "authority")) == {
        (Role.USER_ADMIN.value, None, None), (Role.DATA_MANAGER.value, None, None)}
    assert has_role(user, Role.USER_ADMIN) and AuditEvent.objects.filter(action="national_admin_create").exists()
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_national_admin", "second@example.gov.scot", "--no-input")
    assert not User.objects.filter(email="second@example.gov.scot").exists()


def test_a_weak_password_is_refused_and_nothing_is_made(db, monkeypatch):
    monkeypatch.setenv("INSIGHT_ADMIN_PASSWORD", "password")
    with pytest.raises(CommandError):
        call_command("create_national_admin", "first@example.gov.scot", "--no-input")
    assert not User.objects.exists()
