"""No route changes memberships for anyone but a user administrator, and none changes one's own.

Every persona that is not a user administrator tries, signed in, every route that could create,
change or delete a membership: the admin's add, change, delete and bulk delete of memberships, the
admin's deletion of a school and of a user (which would cascade to their memberships), the Users
pages (invite, grant, revoke), and every API route that accepts a write. Then each user
administrator tries the same routes on their own roles. The memberships table must be exactly
as it was, and each refusal must be a refusal (not a success page that happened to write nothing).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import Membership, Role
from tests.factories import EstablishmentFactory, member

pytestmark = pytest.mark.django_db

NOT_USER_ADMINS = ["no_role", "admin_a", "staff_a", "mcmc_x", "analyst_x", "national", "dm_a", "dm_x"]


def _table() -> list[tuple]:
    return list(
        Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "establishment_id", "authority_id")
    )


def _attempts(world: Any, actor: Any, target: Membership, lonely_school: Any) -> list[tuple[str, str, dict]]:
    """(label, url, POST body) for every route that could write a membership, aimed at ``target``."""
    grant_to = target.user
    when = {"created_at_0": "2026-01-05", "created_at_1": "09:00:00"}  # the admin form's required date
    return [
        (
            "admin add",
            reverse("admin:datahub_membership_add"),
            {"user": actor.pk, "role": Role.MCMC_OFFICER, "authority": world.authority_x.pk, **when},
        ),
        (
            "admin change",
            reverse("admin:datahub_membership_change", args=[target.pk]),
            {"user": actor.pk, "role": Role.ESTABLISHMENT_ADMIN, "establishment": world.school_a.pk, **when},
        ),
        ("admin delete", reverse("admin:datahub_membership_delete", args=[target.pk]), {"post": "yes"}),
        (
            "admin bulk delete",
            reverse("admin:datahub_membership_changelist"),
            {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
        ),
        # Deleting a school or a person would take their memberships with it (on_delete=CASCADE).
        (
            "admin delete school",
            reverse("admin:datahub_establishment_delete", args=[lonely_school.pk]),
            {"post": "yes"},
        ),
        (
            "admin bulk delete schools",
            reverse("admin:datahub_establishment_changelist"),
            {"action": "delete_selected", "_selected_action": [lonely_school.pk], "post": "yes"},
        ),
        ("admin delete user", reverse("admin:datahub_user_delete", args=[target.user_id]), {"post": "yes"}),
        (
            "admin change user",
            reverse("admin:datahub_user_change", args=[actor.pk]),
            {"email": actor.email, "is_active": "on", "is_superuser": "on"},
        ),
        (
            "users invite",
            reverse("useradmin:invite"),
            {
                "email": actor.email,
                "first_name": "Me",
                "last_name": "Again",
                "role": Role.MCMC_OFFICER,
                "place": f"authority:{world.authority_x.pk}",
            },
        ),
        (
            "users grant",
            reverse("useradmin:person", args=[grant_to.pk]),
            {"role": Role.MCMC_OFFICER, "place": f"authority:{world.authority_x.pk}"},
        ),
        ("users revoke", reverse("useradmin:revoke", args=[target.pk]), {"reason": "routes test"}),
    ]


def _api_writes() -> list[str]:
    """Every API route with no id in its path (lists, bulk rows, actions), to POST, PUT, PATCH and DELETE."""
    from django.urls import get_resolver

    from tests.test_permission_matrix import walk

    return [
        reverse(name)
        for name, pattern in walk(get_resolver().url_patterns)
        if name.startswith("api:") and "<" not in pattern
    ]


def _refused(label: str, status: int, body: str) -> bool:
    if label.startswith("admin"):
        # Outside the admin: its login page (302); inside it (data managers): 403, or the
        # changelist/confirmation refusing the action (302 back, 200 "Permission denied").
        return status in (302, 403) or (status == 200 and ("Permission denied" in body or "permission" in body))
    return status in (400, 403, 404)


@pytest.mark.parametrize("persona", NOT_USER_ADMINS)
def test_no_route_lets_a_non_administrator_touch_a_membership(world, persona):
    actor = world.personas[persona]
    lonely = EstablishmentFactory.create(name="Lonely Academy", authority=world.authority_x)
    member(Role.ESTABLISHMENT_STAFF, establishment=lonely)
    target = Membership.objects.get(user=world.personas["staff_a"])
    before = _table()
    client = Client()
    client.force_login(actor)
    wrong = []
    for label, url, body in _attempts(world, actor, target, lonely):
        response = client.post(url, body)
        if not _refused(label, response.status_code, response.content.decode(errors="replace")):
            wrong.append(f"{label} {url}: {response.status_code}")
        if _table() != before:
            wrong.append(f"{label} {url} changed the memberships")
            break
    for url in _api_writes():
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(
                url, {"user": actor.pk, "role": Role.USER_ADMIN}, content_type="application/json"
            )
            if response.status_code >= 500 or _table() != before:
                wrong.append(f"API {method.upper()} {url}: {response.status_code}")
    assert _table() == before, wrong
    assert not wrong, "\n".join(wrong)
    actor.refresh_from_db()
    assert not actor.is_superuser


@pytest.mark.parametrize("persona", ["ua_x", "ua_national"])
def test_no_route_lets_a_user_administrator_change_their_own_roles(world, persona):
    me = world.personas[persona]
    mine = Membership.objects.get(user=me)
    lonely = EstablishmentFactory.create(name="Lonely Academy", authority=world.authority_x)
    before = _table()
    client = Client()
    client.force_login(me)
    wrong = []
    for label, url, body in _attempts(world, me, mine, lonely):
        if label.startswith("admin delete school") or label.startswith("admin bulk delete schools"):
            continue  # no role of theirs is at that school
        response = client.post(url, body)
        if not _refused(label, response.status_code, response.content.decode(errors="replace")):
            wrong.append(f"{label} {url}: {response.status_code}")
    # A second role for themselves, at a place well inside their scope, through the grant page.
    response = client.post(
        reverse("useradmin:person", args=[me.pk]),
        {"role": Role.ESTABLISHMENT_STAFF, "place": f"establishment:{world.school_a.pk}"},
    )
    if response.status_code != 400:
        wrong.append(f"own grant at school A: {response.status_code}")
    assert _table() == before
    assert not wrong, "\n".join(wrong)
    # ... while the same page does work on someone else (the refusals above are about "own").
    other = world.personas["analyst_x"]
    ok = client.post(
        reverse("useradmin:person", args=[other.pk]),
        {"role": Role.ESTABLISHMENT_STAFF, "place": f"establishment:{world.school_a.pk}"},
    )
    assert ok.status_code == 302
    assert Membership.objects.filter(user=other, role=Role.ESTABLISHMENT_STAFF).exists()
