"""On PostgreSQL: a write into a group's workspace racing the end of the group.

``group_end`` holds the group's row lock (``select_for_update``); a workspace write (here: naming a
lead) takes the same lock and checks the status under it, so a write that arrives while the group
is being ended waits, then finds it ended and writes nothing.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from partnerships.groups.models import GroupStatus, PartnershipGroup
from partnerships.workspace import access, services
from partnerships.workspace.models import Lead
from tests.partnerships.test_workspace_concurrency import _waiting_on_a_lock

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)")


@pytest.fixture
def world(reference_data: None, world: Any) -> Any:
    return world


def test_a_lead_named_while_the_group_ends_is_not_written(world: Any, group_active: PartnershipGroup) -> None:
    got: list[Any] = []

    def write() -> None:
        try:
            got.append(services.lead_add(partnership=group_active, by=world.personas["admin_b"],
                                         user_id=world.personas["staff_b"].pk, responsibility="Late"))
        except Exception as exc:
            got.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    with transaction.atomic():
        # The end, as group_end does it: the row locked, then moved to ended.
        PartnershipGroup.objects.select_for_update().get(pk=group_active.pk)
        writer.start()
        deadline = time.monotonic() + 10
        while _waiting_on_a_lock() == 0:  # the writer is blocked on our lock
            assert time.monotonic() < deadline, f"the workspace write did not wait for the lock: {got}"
            time.sleep(0.05)
        PartnershipGroup.objects.filter(pk=group_active.pk).update(status=GroupStatus.ENDED)
    writer.join(timeout=30)
    assert not writer.is_alive()
    assert len(got) == 1 and isinstance(got[0], access.WorkspaceClosed), got
    assert not Lead.objects.exists()
