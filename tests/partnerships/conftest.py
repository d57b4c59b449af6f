"""Partnerships on top of tests/conftest.py's world: A's proposal to B, and B's with A2."""

from __future__ import annotations

from typing import Any

import pytest

from datahub.models import Establishment, LocalAuthority, Role
from partnerships import services
from partnerships.groups import services as group_services
from partnerships.groups.models import PartnershipGroup
from partnerships.models import Partnership
from tests.factories import EstablishmentFactory, member


@pytest.fixture
def proposed(world: Any) -> Partnership:
    """A proposed to B, by A's head teacher."""
    return services.partnership_propose(
        proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"], message="Shall we?"
    )


@pytest.fixture
def foreign(world: Any) -> Partnership:
    """B and A2: nothing to do with school A's people."""
    return services.partnership_propose(proposer=world.school_a2, partner=world.school_b,
                                        by=member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_a2))


@pytest.fixture
def school_c(world: Any) -> Establishment:
    return EstablishmentFactory.create(name="Charlie Academy", authority=LocalAuthority.objects.get(code=260))


@pytest.fixture
def admin_c(school_c: Establishment) -> Any:
    return member(Role.ESTABLISHMENT_ADMIN, establishment=school_c)


@pytest.fixture
def group_forming(world: Any, school_c: Establishment, admin_c: Any) -> PartnershipGroup:
    """A founds a group and invites B and C."""
    return group_services.group_propose(founder=world.school_a, invited=[world.school_b, school_c], name="Senior phase",
                                  purpose="Raise attainment together", by=world.personas["admin_a"], message="Join?")


@pytest.fixture
def group_active(world: Any, group_forming: PartnershipGroup, school_c: Establishment, admin_c: Any) -> PartnershipGroup:
    group_services.group_accept(group=group_forming, by=world.personas["admin_b"], acting_for=world.school_b)
    return group_services.group_accept(group=group_forming, by=admin_c, acting_for=school_c)
