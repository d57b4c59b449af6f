"""Shared fixtures: the world of tests/worlds.py (two authorities, schools in each, a persona for
every role), reference data for transactional tests, and Celery run in-process.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.worlds import build_world, load_reference_data

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# `make test` runs the suite on parallel pytest-xdist workers (gw0, gw1...), then the tests marked
# ``faults`` alone with --faults-pass: those stop Redis and kill PostgreSQL backends and workers,
# which another test running at the same time would feel. Each worker has its own test database
# (pytest-django), Redis databases (insight/config/settings.py) and media folder (below).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def pytest_addoption(parser):
    parser.addoption("--faults-pass", action="store_true",
                     help="run only the tests marked faults (scripts/test.sh runs them after the parallel pass)")


def pytest_configure(config):
    from django.conf import settings

    # Hashing real passwords costs ~0.3 s per user; tests do not need that protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files go to a folder of this pytest process, never the checkout's media/ nor another worker's.
    media = Path(tempfile.mkdtemp(prefix=f"insight-test-media-{XDIST_WORKER or 'main'}-"))
    config.add_cleanup(lambda: shutil.rmtree(media, ignore_errors=True))
    settings.MEDIA_ROOT = media


def builds_a_module_world(item: pytest.Item) -> bool:
    """True when the test uses a module-scoped fixture of ours (a world built once per module, e.g. ``dash``)."""
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return any(d.scope == "module" and d.baseid.startswith("tests") for fixturedefs in defs.values() for d in fixturedefs)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Under xdist the ``faults`` tests are left for the serial --faults-pass; with --faults-pass only they run.

    A module whose tests share a module-scoped world runs on one worker (``--dist loadgroup``), so the
    world is built once, not once on each worker that gets some of its tests."""
    for item in items:
        if builds_a_module_world(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    faults_pass = config.getoption("--faults-pass")
    if not (XDIST_WORKER or faults_pass):
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        (keep if (item.get_closest_marker("faults") is not None) == faults_pass else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter, config):
    if getattr(config.option, "numprocesses", None) and not config.getoption("--faults-pass"):
        terminalreporter.write_line("The tests marked faults did not run on the parallel workers: "
                                    "scripts/test.sh runs them afterwards, alone (--faults-pass).")


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
