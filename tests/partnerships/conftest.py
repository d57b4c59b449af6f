"""Partnerships on top of tests/conftest.py's world: A's proposal to B, and B's with A2."""

from __future__ import annotations

from typing import Any

import pytest

from datahub.models import Role
from partnerships import services
from partnerships.models import Partnership
from tests.factories import member


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
