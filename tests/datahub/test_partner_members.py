"""Partner organisation members (a college, the national skills body): they take part in
communities of practice and reach no school, authority or learner record; user administrators
invite them within their scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from datahub.access import Entitlement, can_view_learner, entitlement_for, is_portal_user, scope_for
from datahub.models import AuditEvent, Membership, PartnerOrganisation, Role
from datahub.useradmin import services
from partnerships.communities import services as communities
from tests.factories import UserFactory
from tests.worlds import api_client, client_for

pytestmark = pytest.mark.django_db


def test_a_partner_organisation_member_never_reaches_a_learner_record(world: Any) -> None:
    partner = world.personas["partner"]
    # Even in a community with the schools' staff, the role reaches nothing of theirs.
    c = communities.community_create(by=world.personas["dm_x"], name="Leads")
    for who in ("partner", "admin_a", "staff_b"):
        communities.community_member_add(by=world.personas["dm_x"], community=c, email=world.personas[who].email)
    for learner in (world.learner_a, world.learner_a2, world.learner_b):
        assert not can_view_learner(partner, learner)
        assert entitlement_for(partner, learner.establishment) is Entitlement.PUBLIC
    browser, api = client_for(partner), api_client(partner)
    refused = [
        reverse("datahub:index"),
        reverse("datahub:learner", kwargs={"pk": world.learner_a.pk}),
        reverse("datahub:establishment_learners", kwargs={"seed": world.school_a.seed_code}),
        reverse("destinations:index"),
        reverse("destinations:journey", kwargs={"pk": world.learner_a.pk}),
        reverse("insight:establishment_dashboard", kwargs={"seed": world.school_a.seed_code}),
        reverse("insight:find_partners"),
        reverse("partnerships:list"),
    ]
    for url in refused:
        assert browser.get(url).status_code == 403, url
    for url in ("/api/v1/", "/api/v1/learners/", f"/api/v1/learners/{world.learner_a.pk}/", "/api/v1/leavers/",
                "/api/v1/results/", "/api/v1/establishments/", "/api/v1/partnerships/", "/api/v1/offers/"):
        resp = api.get(url)
        assert resp.status_code == 403, url
        assert world.canaries["A"] not in resp.content.decode()
    assert not is_portal_user(partner) and scope_for(partner).is_empty
    # Home is their communities; those pages and their own e-mail settings open.
    assert browser.get("/")["Location"] == reverse("partnerships:communities")
    assert browser.get(reverse("partnerships:communities")).status_code == 200
    assert browser.get(reverse("notice_settings")).status_code == 200
    assert api.get("/api/v1/communities/").status_code == 200


def test_the_role_needs_a_partner_organisation_and_nothing_else(world: Any) -> None:
    from django.db import IntegrityError, transaction

    org = PartnerOrganisation.objects.get(name="Matrix College")
    user = UserFactory.create()
    for kwargs in ({"role": Role.PARTNER_MEMBER}, {"role": Role.PARTNER_MEMBER, "establishment": world.school_a,
                                                   "partner_organisation": org},
                   {"role": Role.ESTABLISHMENT_STAFF, "establishment": world.school_a, "partner_organisation": org}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, **kwargs)


def test_user_administrators_invite_partner_members_within_their_scope(world: Any) -> None:
    in_x = PartnerOrganisation.objects.get(name="Matrix College")  # works in authority X
    national_body = PartnerOrganisation.objects.create(name="The national skills body")
    person = services.user_invite(by=world.personas["ua_x"], email="tutor@college.example", first_name="T",
                                  last_name="Tutor", role=Role.PARTNER_MEMBER, partner_organisation=in_x)
    assert person.memberships.get().partner_organisation == in_x
    assert AuditEvent.objects.filter(action="membership_grant", authority=world.authority_x).exists()
    with pytest.raises(PermissionDenied):
        services.user_invite(by=world.personas["ua_x"], email="adviser@skills.example", first_name="A",
                             last_name="Adviser", role=Role.PARTNER_MEMBER, partner_organisation=national_body)
    with pytest.raises(PermissionDenied):  # the role at a school is refused, whoever asks
        services.membership_grant(by=world.personas["ua_national"], user=person, role=Role.PARTNER_MEMBER,
                                  establishment=world.school_a)
    services.user_invite(by=world.personas["ua_national"], email="adviser@skills.example", first_name="A",
                         last_name="Adviser", role=Role.PARTNER_MEMBER, partner_organisation=national_body)


def test_the_invite_form_offers_partner_organisations_in_scope_only(world: Any) -> None:
    PartnerOrganisation.objects.create(name="Highland College", authority=world.authority_y)
    page = client_for(world.personas["ua_x"]).get(reverse("useradmin:invite")).content.decode()
    assert "Matrix College" in page and "Highland College" not in page
    org = PartnerOrganisation.objects.get(name="Matrix College")
    resp = client_for(world.personas["ua_x"]).post(reverse("useradmin:invite"), {
        "first_name": "C", "last_name": "L", "email": "c.l@college.example", "role": Role.PARTNER_MEMBER,
        "place": f"partner:{org.pk}"})
    assert resp.status_code == 302
    wrong = client_for(world.personas["ua_x"]).post(reverse("useradmin:invite"), {
        "first_name": "D", "last_name": "M", "email": "d.m@college.example", "role": Role.PARTNER_MEMBER,
        "place": f"establishment:{world.school_a.pk}"})
    assert wrong.status_code == 400 and "needs a partner organisation" in wrong.content.decode()


def test_a_person_who_is_also_a_partner_member_keeps_their_other_roles_access(world: Any) -> None:
    """A school's member of staff who also teaches at the college: the school role still opens their
    school; working as the college's member (the role switcher) their home is their communities."""
    from datahub.middleware import SESSION_KEY

    staff = world.personas["staff_a"]
    college = PartnerOrganisation.objects.get(name="Matrix College")
    m = Membership.objects.create(user=staff, role=Role.PARTNER_MEMBER, partner_organisation=college)
    c = client_for(staff)
    assert c.get(reverse("datahub:establishment", kwargs={"seed": world.school_a.seed_code})).status_code == 200
    session = c.session
    session[SESSION_KEY] = m.pk
    session.save()
    assert c.get("/")["Location"] == reverse("partnerships:communities")
