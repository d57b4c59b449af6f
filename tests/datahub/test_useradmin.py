"""User administration: who may grant roles, within what, never to themselves, audited and e-mailed;
a revocation takes effect on the next request; data managers cannot touch memberships by any route."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.authtoken.models import Token

from datahub.models import AuditEvent, Membership, Role, User
from datahub.useradmin import services
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    """An authority user administrator for X, a national one, and a superuser."""
    return {
        "ua_x": world.personas["ua_x"],
        "ua_national": world.personas["ua_national"],
        "superuser": UserFactory.create(is_superuser=True, is_staff=True),
    }


def _others(world):
    """Every persona that is not a user administrator."""
    return {name: user for name, user in world.personas.items() if not name.startswith("ua_")}


def _signed_in(client, user):
    client.force_login(user)
    return client


# --- The rules, through the service -------------------------------------------------------------


def test_authority_user_admin_grants_a_school_role_in_their_authority(world, admins):
    person = UserFactory.create()
    m = services.membership_grant(by=admins["ua_x"], user=person, role=Role.ESTABLISHMENT_STAFF,
                                  establishment=world.school_a)
    assert Membership.objects.filter(pk=m.pk, user=person, establishment=world.school_a).exists()
    event = AuditEvent.objects.get(action="membership_grant", object_id=str(person.pk))
    assert event.actor == admins["ua_x"] and event.detail["role"] == "establishment_staff"
    assert event.authority == world.authority_x


@pytest.mark.parametrize(
    ("role", "place", "refusal"),
    [
        (Role.ESTABLISHMENT_STAFF, "school_b", "outside the authorities you administer"),
        (Role.MCMC_OFFICER, "authority_y", "outside the authorities you administer"),
        (Role.NATIONAL_ANALYST, None, "national role"),
        (Role.DATA_MANAGER, None, "national role"),
        (Role.USER_ADMIN, "authority_x", "Only a national user administrator may grant user administration"),
    ],
)
def test_authority_user_admin_cannot_grant_above_their_scope(world, admins, role, place, refusal):
    person = UserFactory.create()
    target = getattr(world, place) if place else None
    school = target if place and place.startswith("school") else None
    area = None if school else target
    with pytest.raises(PermissionDenied, match=refusal):
        services.membership_grant(by=admins["ua_x"], user=person, role=role, establishment=school, authority=area)
    assert not Membership.objects.filter(user=person).exists()
    assert not AuditEvent.objects.filter(object_id=str(person.pk)).exists()


@pytest.mark.parametrize("who", ["ua_x", "ua_national", "superuser"])
def test_nobody_grants_or_revokes_their_own_roles(world, admins, who):
    actor = admins[who]
    with pytest.raises(PermissionDenied, match="own roles"):
        services.membership_grant(by=actor, user=actor, role=Role.AUTHORITY_ANALYST, authority=world.authority_x)
    own = Membership.objects.filter(user=actor).first()
    if own is not None:
        with pytest.raises(PermissionDenied, match="own roles"):
            services.membership_revoke(by=actor, membership=own, reason="tidying up")
        assert Membership.objects.filter(pk=own.pk).exists()


def test_national_user_admin_may_grant_user_administration(world, admins):
    person = UserFactory.create()
    services.membership_grant(by=admins["ua_national"], user=person, role=Role.USER_ADMIN, authority=world.authority_y)
    assert Membership.objects.filter(user=person, role=Role.USER_ADMIN, authority=world.authority_y).exists()


def test_authority_user_admin_cannot_revoke_another_user_administrator(world, admins):
    other = member(Role.USER_ADMIN, authority=world.authority_x)
    membership = Membership.objects.get(user=other)
    with pytest.raises(PermissionDenied, match="national user administrator"):
        services.membership_revoke(by=admins["ua_x"], membership=membership, reason="no longer needed")
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_non_administrators_cannot_grant(world):
    for name, actor in _others(world).items():
        person = UserFactory.create()
        with pytest.raises(PermissionDenied, match="Only a user administrator"):
            services.membership_grant(by=actor, user=person, role=Role.ESTABLISHMENT_STAFF,
                                      establishment=world.school_a)
        assert not Membership.objects.filter(user=person).exists(), name


def test_grant_and_revoke_are_mailed_to_the_person_with_absolute_links(world, admins, settings,
                                                                       django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://insight.example.gov.scot"
    person = UserFactory.create()
    with pytest.raises(PermissionDenied):  # refused: nothing is mailed
        services.membership_grant(by=admins["ua_x"], user=person, role=Role.ESTABLISHMENT_STAFF,
                                  establishment=world.school_b)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        m = services.membership_grant(by=admins["ua_x"], user=person, role=Role.ESTABLISHMENT_STAFF,
                                      establishment=world.school_a)
        services.membership_revoke(by=admins["ua_x"], membership=m, reason="Moved to another school")
    assert [msg.to for msg in mail.outbox] == [[person.email], [person.email]]
    granted, revoked = mail.outbox
    assert "Establishment staff" in granted.body and world.school_a.name in granted.body
    assert "https://insight.example.gov.scot/" in granted.body
    assert "Moved to another school" in revoked.body
    assert AuditEvent.objects.filter(action="membership_revoke", reason="Moved to another school").count() == 1


def test_invitation_creates_the_account_and_its_link_sets_a_password(client, world, admins, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "https://insight.example.gov.scot"
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_invite(by=admins["ua_x"], email="New.Teacher@Example.org", first_name="New",
                                    last_name="Teacher", role=Role.ESTABLISHMENT_STAFF, establishment=world.school_a)
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, role=Role.ESTABLISHMENT_STAFF, establishment=world.school_a).exists()
    (msg,) = mail.outbox
    link = re.search(r"https://insight\.example\.gov\.scot(/accounts/password/reset/key/\S+)", str(msg.body))
    assert link, msg.body
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    new_password = "a-long-new-passphrase-2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code in (200, 302)
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_invitation_refuses_an_address_in_use_and_writes_nothing(world, admins):
    existing = world.personas["staff_a"]
    with pytest.raises(services.UserAdminError, match="already has an account"):
        services.user_invite(by=admins["ua_x"], email=existing.email.upper(), first_name="X", last_name="Y",
                             role=Role.ESTABLISHMENT_STAFF, establishment=world.school_a)
    users_before = User.objects.count()
    with pytest.raises(PermissionDenied):
        services.user_invite(by=admins["ua_x"], email="someone@example.org", first_name="X", last_name="Y",
                             role=Role.ESTABLISHMENT_STAFF, establishment=world.school_b)
    assert User.objects.count() == users_before


# --- Revocation takes effect on the next request -------------------------------------------------


def test_revocation_takes_effect_on_the_next_page_and_api_request(client, world, admins):
    staff = world.personas["staff_a"]
    _signed_in(client, staff)
    token = Token.objects.create(user=staff)
    learner_page = reverse("datahub:establishment_learners", args=[world.school_a.seed_code])
    api = reverse("api:learner-list")
    assert client.get(learner_page).status_code == 200
    assert client.get(api, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    services.membership_revoke(by=admins["ua_x"], membership=Membership.objects.get(user=staff), reason="Left")
    assert client.get(learner_page).status_code == 403  # still signed in, no role any more
    assert client.get(api, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 403


# --- Pages -------------------------------------------------------------------------------------


def test_user_admin_pages_are_for_user_administrators_only(client, world, admins):
    urls = [reverse("useradmin:people"), reverse("useradmin:invite"),
            reverse("useradmin:person", args=[world.personas["staff_a"].pk])]
    for name, persona in _others(world).items():
        _signed_in(client, persona)
        for url in urls:
            assert client.get(url).status_code == 403, (name, url)
        response = client.post(urls[2], {"role": Role.USER_ADMIN, "place": "national"})
        assert response.status_code == 403, name
    assert not Membership.objects.filter(role=Role.USER_ADMIN).exclude(
        user__in=[admins["ua_x"], admins["ua_national"]]).exists()


def test_people_page_lists_only_the_authority_and_hides_outsiders(client, world, admins):
    _signed_in(client, admins["ua_x"])
    page = client.get(reverse("useradmin:people")).content.decode()
    assert world.personas["staff_a"].email in page and world.personas["mcmc_x"].email in page
    assert world.personas["staff_b"].email not in page and world.personas["mcmc_y"].email not in page
    outsider = world.personas["staff_b"]
    assert client.get(reverse("useradmin:person", args=[outsider.pk])).status_code == 404
    foreign_role = Membership.objects.get(user=outsider)
    assert client.post(reverse("useradmin:revoke", args=[foreign_role.pk]), {"reason": "x"}).status_code == 404
    assert Membership.objects.filter(pk=foreign_role.pk).exists()


def test_grant_through_the_page_and_a_refusal_that_names_the_reason(client, world, admins):
    person = world.personas["analyst_x"]
    _signed_in(client, admins["ua_x"])
    url = reverse("useradmin:person", args=[person.pk])
    refused = client.post(url, {"role": Role.ESTABLISHMENT_STAFF, "place": "national"})
    assert refused.status_code == 400
    assert not Membership.objects.filter(user=person, role=Role.ESTABLISHMENT_STAFF).exists()
    wrong_place = client.post(url, {"role": Role.MCMC_OFFICER, "place": f"establishment:{world.school_a.pk}"})
    assert wrong_place.status_code == 400 and "needs a local authority" in wrong_place.content.decode()
    ok = client.post(url, {"role": Role.ESTABLISHMENT_STAFF, "place": f"establishment:{world.school_a.pk}"})
    assert ok.status_code == 302
    assert Membership.objects.filter(user=person, role=Role.ESTABLISHMENT_STAFF, establishment=world.school_a).exists()
    foreign = client.post(url, {"role": Role.ESTABLISHMENT_STAFF, "place": f"establishment:{world.school_b.pk}"})
    assert foreign.status_code == 400
    assert not Membership.objects.filter(user=person, establishment=world.school_b).exists()


def test_own_page_offers_no_grant_and_refuses_one(client, world, admins):
    me = admins["ua_x"]
    _signed_in(client, me)
    url = reverse("useradmin:person", args=[me.pk])
    page = client.get(url).content.decode()
    assert "Nobody may change their own roles" in page and "Grant role" not in page
    response = client.post(url, {"role": Role.MCMC_OFFICER, "place": f"authority:{world.authority_x.pk}"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user=me, role=Role.MCMC_OFFICER).exists()


def test_revoke_page_removes_the_role(client, world, admins):
    target = Membership.objects.get(user=world.personas["mcmc_x"])
    _signed_in(client, admins["ua_x"])
    url = reverse("useradmin:revoke", args=[target.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert Membership.objects.filter(pk=target.pk).exists()
    assert client.post(url, {"reason": "Changed job"}).status_code == 302
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_users_menu_entry_only_for_user_administrators(client, world, admins):
    _signed_in(client, admins["ua_x"])
    assert 'href="/users/"' in client.get(reverse("useradmin:people")).content.decode()
    _signed_in(client, world.personas["dm_x"])
    assert 'href="/users/"' not in client.get(reverse("datahub:index")).content.decode()


# --- No membership changes through the admin, for anyone -----------------------------------------


@pytest.mark.parametrize("who", ["dm_a", "dm_x", "superuser"])
def test_memberships_cannot_be_added_changed_or_deleted_in_the_admin(client, world, admins, who):
    actor = admins.get(who) or world.personas[who]
    _signed_in(client, actor)
    target = Membership.objects.get(user=world.personas["staff_a"])
    before = list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "establishment_id",
                                                                  "authority_id"))
    add = client.post(reverse("admin:datahub_membership_add"),
                      {"user": actor.pk, "role": Role.MCMC_OFFICER, "authority": world.authority_x.pk})
    change = client.post(reverse("admin:datahub_membership_change", args=[target.pk]),
                         {"user": actor.pk, "role": Role.ESTABLISHMENT_ADMIN, "establishment": world.school_a.pk})
    delete = client.post(reverse("admin:datahub_membership_delete", args=[target.pk]), {"post": "yes"})
    assert add.status_code == 403 and change.status_code in (302, 403) and delete.status_code == 403
    after = list(Membership.objects.order_by("pk").values_list("pk", "user_id", "role", "establishment_id",
                                                                 "authority_id"))
    assert after == before


def test_the_admin_no_longer_lists_memberships_for_data_managers(client, world):
    _signed_in(client, world.personas["dm_x"])
    assert client.get(reverse("admin:datahub_membership_changelist")).status_code == 403
    assert "Memberships" not in client.get(reverse("admin:index")).content.decode()
