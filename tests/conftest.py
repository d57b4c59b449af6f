"""Shared fixtures: the world of tests/worlds.py (two authorities, schools in each, a persona for
every role), reference data for transactional tests, and Celery run in-process.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.worlds import build_world, load_reference_data

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    # Hashing real passwords costs ~0.3 s per user; tests do not need that protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# `make test` (scripts/test.sh) starts PostgreSQL, Redis and the worker's broker and sets this: there a
# test skipped for want of one of them is a failure, not a quiet skip. Without it (a developer's
# plain `pytest` against SQLite) such tests still skip.
SERVICES_REQUIRED = "INSIGHT_TEST_SERVICES_REQUIRED"
SERVICE_SKIP = re.compile(r"postgres|redis|celery|worker|broker|make test", re.IGNORECASE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and os.environ.get(SERVICES_REQUIRED) == "1") or hasattr(report, "wasxfail"):
        return  # an expected failure (xfail) is reported as skipped too; its reason is no missing service
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    if SERVICE_SKIP.search(reason):
        report.outcome = "failed"
        report.longrepr = f"skipped for want of a service under `make test` ({SERVICES_REQUIRED}=1): {reason}"


@pytest.fixture
def world(db):
    """The shared world of tests/worlds.py (two authorities, three schools, every persona)."""
    return build_world()


@pytest.fixture
def reference_data(db) -> None:
    """Authorities, subjects and the default tariff, (re)loaded: transactional tests (live server,
    concurrency) start from whatever the last one flushed. Ask for it before ``world``."""
    load_reference_data()


@pytest.fixture(autouse=True)
def celery_eager(request, settings):
    """Tasks run in-process unless a test is about workers (marked ``worker``)."""
    from insight.config.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Embedded background imports run inline (same connection, same test transaction); the test
    # that a large upload leaves the request (tests/datahub/imports/test_embedded.py) turns this on.
    settings.IMPORT_EAGER_IN_THREAD = False
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
