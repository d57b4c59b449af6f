"""On PostgreSQL: a write into a workspace racing the end of its partnership.

The end holds the partnership's row lock (partnerships.services, ``select_for_update``); a
workspace write takes the same lock and checks the status under it, so a write that arrives while
the partnership is being ended waits, then finds it ended and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from partnerships import services as p_services
from partnerships.models import Partnership, Status
from partnerships.workspace import access, services
from partnerships.workspace.models import Action

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)")


@pytest.fixture
def world(reference_data: None, world: Any) -> Any:
    return world


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cur:
        # pg_locks, not pg_stat_activity: the activity view is a snapshot fixed for our transaction.
        cur.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return int(cur.fetchone()[0])


def test_a_write_waiting_on_the_end_of_the_partnership_writes_nothing(world: Any) -> None:
    p = p_services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    p = p_services.partnership_accept(partnership=p, by=world.personas["admin_b"], acting_for=world.school_b)
    got: list[Any] = []

    def write() -> None:
        try:
            got.append(services.action_create(partnership=p, by=world.personas["staff_a"], title="Late",
                                              owner_id=world.personas["staff_a"].pk, due_on=dt.date(2027, 1, 1)))
        except Exception as exc:
            got.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    with transaction.atomic():
        # The end, as partnership_end does it: the row locked, then moved to ended.
        Partnership.objects.select_for_update().get(pk=p.pk)
        writer.start()
        deadline = time.monotonic() + 10
        while _waiting_on_a_lock() == 0:  # the writer is blocked on our lock
            assert time.monotonic() < deadline, f"the workspace write did not wait for the lock: {got}"
            time.sleep(0.05)
        Partnership.objects.filter(pk=p.pk).update(status=Status.ENDED)
    writer.join(timeout=30)
    assert not writer.is_alive()
    assert len(got) == 1 and isinstance(got[0], access.WorkspaceClosed), got
    assert not Action.objects.exists()
