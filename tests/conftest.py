"""Shared fixtures: two authorities, schools in each, and a persona for every role.

World:
- authority X (Aberdeen City, 100): school A and school A2
- authority Y (Glasgow City, 260): school B
Each school has a leaver whose given name is a unique canary string, so tests can assert that
nothing of another tenant ever appears in a response.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    # Hashing real passwords costs ~0.3 s per user; tests do not need that protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    authority_x: object
    authority_y: object
    school_a: object
    school_a2: object
    school_b: object
    learner_a: object
    learner_a2: object
    learner_b: object
    personas: dict
    canaries: dict


CANARY = {"A": "CanaryAlphaQz", "A2": "CanaryAlphaTwoQz", "B": "CanaryBravoQz"}


@pytest.fixture
def world(db):
    from datahub.models import LocalAuthority, Role
    from tests.factories import (
        DestinationFactory,
        EstablishmentFactory,
        LearnerFactory,
        LeaverFactory,
        ResultFactory,
        member,
    )

    ax = LocalAuthority.objects.get(code=100)
    ay = LocalAuthority.objects.get(code=260)
    a = EstablishmentFactory.create(name="Alpha High School", authority=ax)
    a2 = EstablishmentFactory.create(name="Alpha Two Academy", authority=ax)
    b = EstablishmentFactory.create(name="Bravo Secondary", authority=ay)
    learners = {}
    for key, school in (("A", a), ("A2", a2), ("B", b)):
        learner = LearnerFactory.create(establishment=school, given_name=CANARY[key], family_name=f"Family{key}")
        leaver = LeaverFactory.create(learner=learner)
        ResultFactory.create(learner=learner)
        DestinationFactory.create(leaver=leaver)
        learners[key] = learner
    personas = {
        "admin_a": member(Role.ESTABLISHMENT_ADMIN, establishment=a),
        "staff_a": member(Role.ESTABLISHMENT_STAFF, establishment=a),
        "admin_b": member(Role.ESTABLISHMENT_ADMIN, establishment=b),
        "staff_b": member(Role.ESTABLISHMENT_STAFF, establishment=b),
        "mcmc_x": member(Role.MCMC_OFFICER, authority=ax),
        "analyst_x": member(Role.AUTHORITY_ANALYST, authority=ax),
        "mcmc_y": member(Role.MCMC_OFFICER, authority=ay),
        "analyst_y": member(Role.AUTHORITY_ANALYST, authority=ay),
        "national": member(Role.NATIONAL_ANALYST),
        "dm_a": member(Role.DATA_MANAGER, establishment=a),
        "dm_x": member(Role.DATA_MANAGER, authority=ax),
    }
    from tests.factories import UserFactory

    personas["no_role"] = UserFactory.create()
    return World(ax, ay, a, a2, b, learners["A"], learners["A2"], learners["B"], personas, CANARY)


@pytest.fixture(autouse=True)
def celery_eager(request, settings):
    """Tasks run in-process unless a test is about workers (marked ``worker``)."""
    from insight.config.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def load_reference_data() -> None:
    """(Re)load authorities, subjects and the default tariff scale with the migration's own
    idempotent loader: a transactional test empties every table when it ends."""
    import importlib

    from django.apps import apps

    importlib.import_module("datahub.migrations.0002_reference_data").load(apps, None)
