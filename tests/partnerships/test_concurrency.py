"""Race safety on PostgreSQL: two schools proposing to each other at once, two admins accepting at once.

Each thread has its own database connection (Django's connections are per thread) and commits its
own transaction, so the database's locks and the one-live-per-pair index decide, as in production
with several web processes. SQLite serialises every writer, so there is no race to test there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from datahub.models import Role
from partnerships import services
from partnerships.models import LIVE, Partnership, PartnershipEvent, Status
from tests.factories import member

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions need PostgreSQL (SQLite serialises writers)")


@pytest.fixture
def world(reference_data: None, world: Any) -> Any:
    """tests/conftest.py's world, on reference data reloaded (a transactional test starts from
    whatever the last one flushed)."""
    return world


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at the same moment, each in its own thread and connection; results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # the test inspects what each side got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results


def test_both_schools_propose_to_each_other_at_once(world: Any) -> None:
    a, b = world.school_a, world.school_b
    results = run_together(
        lambda: services.partnership_propose(proposer=a, partner=b, by=world.personas["admin_a"]),
        lambda: services.partnership_propose(proposer=b, partner=a, by=world.personas["admin_b"]),
    )
    made = [r for r in results if isinstance(r, Partnership)]
    refused = [r for r in results if isinstance(r, services.PartnershipStateError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert Partnership.objects.filter(status__in=LIVE).count() == 1
    assert PartnershipEvent.objects.count() == 1


def test_both_propose_past_the_check_and_the_index_refuses_the_second(world: Any, monkeypatch: Any) -> None:
    """Force the worst interleaving: both threads find no live partnership, then both insert."""
    a, b = world.school_a, world.school_b
    both_checked = threading.Barrier(2)
    real_check = services.live_partnership_between
    calls = {"n": 0}
    lock = threading.Lock()

    def check_then_wait(x: Any, y: Any) -> Partnership | None:
        found = real_check(x, y)
        with lock:
            calls["n"] += 1
            first_two = calls["n"] <= 2
        if first_two:  # the pre-insert checks of the two threads; later calls (the refusal message) pass
            both_checked.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "live_partnership_between", check_then_wait)
    results = run_together(
        lambda: services.partnership_propose(proposer=a, partner=b, by=world.personas["admin_a"]),
        lambda: services.partnership_propose(proposer=b, partner=a, by=world.personas["admin_b"]),
    )
    made = [r for r in results if isinstance(r, Partnership)]
    refused = [r for r in results if isinstance(r, services.PartnershipStateError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert Partnership.objects.filter(status__in=LIVE).count() == 1
    assert PartnershipEvent.objects.count() == 1


def test_two_admins_accept_at_once_and_one_partnership_results(world: Any, monkeypatch: Any) -> None:
    second_admin_b = member(Role.ESTABLISHMENT_ADMIN, establishment=world.school_b)
    p = services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    real_record = services._record
    inside = threading.Event()

    def slow_record(**kwargs: Any) -> Any:
        # Hold the row lock a little longer so the other admin surely arrives while it is held.
        inside.set()
        threading.Event().wait(0.2)
        return real_record(**kwargs)

    monkeypatch.setattr(services, "_record", slow_record)
    results = run_together(
        lambda: services.partnership_accept(partnership=Partnership.objects.get(pk=p.pk),
                                            by=world.personas["admin_b"], acting_for=world.school_b),
        lambda: services.partnership_accept(partnership=Partnership.objects.get(pk=p.pk),
                                            by=second_admin_b, acting_for=world.school_b),
    )
    accepted = [r for r in results if isinstance(r, Partnership)]
    refused = [r for r in results if isinstance(r, services.PartnershipStateError)]
    assert len(accepted) == 1 and len(refused) == 1, results
    assert "already active" in str(refused[0])
    p.refresh_from_db()
    assert p.status == Status.ACTIVE
    assert PartnershipEvent.objects.filter(partnership=p, to_status=Status.ACTIVE).count() == 1


def test_accept_and_withdraw_at_once_leave_one_outcome(world: Any) -> None:
    p = services.partnership_propose(proposer=world.school_a, partner=world.school_b, by=world.personas["admin_a"])
    results = run_together(
        lambda: services.partnership_accept(partnership=Partnership.objects.get(pk=p.pk),
                                            by=world.personas["admin_b"], acting_for=world.school_b),
        lambda: services.partnership_withdraw(partnership=Partnership.objects.get(pk=p.pk),
                                              by=world.personas["admin_a"], acting_for=world.school_a),
    )
    assert sum(isinstance(r, Partnership) for r in results) == 1, results
    assert sum(isinstance(r, services.PartnershipStateError) for r in results) == 1, results
    p.refresh_from_db()
    assert p.status in (Status.ACTIVE, Status.WITHDRAWN)
    assert PartnershipEvent.objects.filter(partnership=p).count() == 2
