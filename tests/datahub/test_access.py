"""The access policy answers every permission question; one test per rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from datahub.access import (
    Entitlement,
    can_act_for_establishment,
    can_import_for,
    can_use_admin,
    can_view_learner,
    entitlement_for,
    require_establishment,
    scope_for,
)
from datahub.models import Role

pytestmark = pytest.mark.django_db


def test_own_school_staff_are_entitled_to_unsuppressed_own_data(world) -> None:
    p = world.personas
    assert entitlement_for(p["staff_a"], world.school_a) is Entitlement.OWN
    assert entitlement_for(p["staff_a"], world.school_b) is Entitlement.PUBLIC
    assert entitlement_for(p["staff_a"], world.school_a2) is Entitlement.PUBLIC


def test_authority_analyst_sees_every_school_of_their_authority_only(world) -> None:
    a = world.personas["analyst_x"]
    assert entitlement_for(a, world.school_a) is Entitlement.AUTHORITY
    assert entitlement_for(a, world.school_a2) is Entitlement.AUTHORITY
    assert entitlement_for(a, world.school_b) is Entitlement.PUBLIC
    assert not can_view_learner(a, world.learner_a)  # aggregates, never individuals


def test_learning_partner_entitlement_is_passed_in_from_above(world) -> None:
    admin_a = world.personas["admin_a"]
    assert entitlement_for(admin_a, world.school_b, partner_establishment_ids=[world.school_b.id]) is Entitlement.PARTNER


def test_national_analyst_sees_aggregates_only_and_suppressed(world) -> None:
    n = world.personas["national"]
    assert scope_for(n).national
    assert entitlement_for(n, world.school_a) is Entitlement.PUBLIC
    assert not can_view_learner(n, world.learner_a)


def test_mcmc_officer_sees_young_people_of_their_authority_only(world) -> None:
    m = world.personas["mcmc_x"]
    assert can_view_learner(m, world.learner_a) and can_view_learner(m, world.learner_a2)
    assert not can_view_learner(m, world.learner_b)


def test_school_staff_see_their_own_learners_only(world) -> None:
    s = world.personas["staff_a"]
    assert can_view_learner(s, world.learner_a)
    assert not can_view_learner(s, world.learner_a2)
    assert not can_view_learner(s, world.learner_b)


def test_only_the_schools_own_admin_acts_for_it(world) -> None:
    p = world.personas
    assert can_act_for_establishment(p["admin_a"], world.school_a)
    assert not can_act_for_establishment(p["staff_a"], world.school_a)
    assert not can_act_for_establishment(p["admin_b"], world.school_a)
    assert not can_act_for_establishment(p["analyst_x"], world.school_a)


def test_data_managers_import_only_where_they_hold_the_role(world) -> None:
    p = world.personas
    assert can_import_for(p["dm_a"], world.school_a)
    assert not can_import_for(p["dm_a"], world.school_a2)
    assert can_import_for(p["dm_x"], world.school_a2)
    assert not can_import_for(p["dm_x"], world.school_b)
    assert not can_import_for(p["admin_a"], world.school_a)
    assert can_use_admin(p["dm_a"]) and not can_use_admin(p["admin_a"])


def test_outsiders_get_404_and_insiders_without_the_role_403(world) -> None:
    p = world.personas
    with pytest.raises(Http404):
        require_establishment(p["staff_b"], world.school_a)
    with pytest.raises(PermissionDenied):
        require_establishment(p["staff_a"], world.school_a, roles=[Role.ESTABLISHMENT_ADMIN])
    require_establishment(p["admin_a"], world.school_a, roles=[Role.ESTABLISHMENT_ADMIN])


def test_a_user_without_memberships_has_an_empty_scope(world) -> None:
    assert scope_for(world.personas["no_role"]).is_empty
