"""The import context: its vectorised scope check agrees with the access policy."""

from __future__ import annotations

import pandas as pd
import pytest

from datahub.access import can_import_for, scope_for
from datahub.imports.registry import get_kind
from datahub.imports.types import Context
from tests.datahub.imports.worlds import national_dm

pytestmark = pytest.mark.django_db


def test_the_vectorised_scope_check_agrees_with_the_access_policy(world):
    schools = [world.school_a, world.school_a2, world.school_b]
    users = [*world.personas.values(), national_dm()]
    kind = get_kind("results")
    assert kind is not None
    for user in users:
        ctx = Context(kind=kind, user=user, scope=scope_for(user))
        outside = ctx.outside_scope(pd.Series([s.id for s in schools]), pd.Series([s.authority_id for s in schools]))
        assert [not o for o in outside] == [can_import_for(user, s) for s in schools], user
