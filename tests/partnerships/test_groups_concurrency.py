"""Race safety of partnership groups on PostgreSQL: the group's row lock decides.

The two invited schools accept at the same moment: the group becomes active exactly once (without
the lock each could count two schools joined and the group would stay forming with three in it).
The founder ends the group while the third school accepts: whichever goes first, the group ends
and the record is consistent.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from datahub.models import Establishment, LocalAuthority, Role
from partnerships.groups import services
from partnerships.groups.models import GroupEvent, GroupMember, GroupStatus, MemberStatus, PartnershipGroup
from tests.factories import EstablishmentFactory, member
from tests.partnerships.test_concurrency import run_together

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)")


@pytest.fixture
def world(reference_data: None, world: Any) -> Any:
    return world


def _group(world: Any) -> tuple[PartnershipGroup, Establishment, Any]:
    c = EstablishmentFactory.create(name="Charlie Academy", authority=LocalAuthority.objects.get(code=260))
    admin_c = member(Role.ESTABLISHMENT_ADMIN, establishment=c)
    g = services.group_propose(founder=world.school_a, invited=[world.school_b, c], name="G", purpose="P",
                               by=world.personas["admin_a"])
    return g, c, admin_c


def test_the_last_two_schools_accept_at_once_and_the_group_becomes_active_once(world: Any) -> None:
    g, c, admin_c = _group(world)
    results = run_together(
        lambda: services.group_accept(group=PartnershipGroup.objects.get(pk=g.pk), by=world.personas["admin_b"],
                                      acting_for=world.school_b),
        lambda: services.group_accept(group=PartnershipGroup.objects.get(pk=g.pk), by=admin_c, acting_for=c),
    )
    assert all(isinstance(r, PartnershipGroup) for r in results), results
    g.refresh_from_db()
    assert g.status == GroupStatus.ACTIVE
    assert GroupMember.objects.filter(group=g, status=MemberStatus.JOINED).count() == 3
    accepts = list(GroupEvent.objects.filter(group=g, verb="accept").order_by("at", "id")
                   .values_list("group_status", flat=True))
    assert sorted(accepts) == ["active", "forming"]


def test_the_founder_ends_while_the_third_school_accepts(world: Any) -> None:
    g, c, admin_c = _group(world)
    services.group_accept(group=g, by=world.personas["admin_b"], acting_for=world.school_b)
    results = run_together(
        lambda: services.group_end(group=PartnershipGroup.objects.get(pk=g.pk), by=world.personas["admin_a"],
                                   acting_for=world.school_a),
        lambda: services.group_accept(group=PartnershipGroup.objects.get(pk=g.pk), by=admin_c, acting_for=c),
    )
    assert isinstance(results[0], PartnershipGroup), results
    g.refresh_from_db()
    assert g.status == GroupStatus.ENDED
    c_status = GroupMember.objects.get(group=g, establishment=c).status
    if isinstance(results[1], services.GroupStateError):  # the end came first: C's answer was refused
        assert c_status == MemberStatus.INVITED
        assert list(GroupEvent.objects.filter(group=g).values_list("verb", flat=True)) == ["propose", "accept", "end"]
    else:  # C joined first (the group was active for a moment), then the founder ended it
        assert c_status == MemberStatus.JOINED
        verbs = list(GroupEvent.objects.filter(group=g).order_by("at", "id").values_list("verb", "group_status"))
        assert verbs[-2:] == [("accept", "active"), ("end", "ended")]
