"""Shared test worlds and signed-in clients (tests/conftest.py turns the world into a fixture).

World:
- authority X (Aberdeen City, 100): school A and school A2
- authority Y (Glasgow City, 260): school B
Each school has a leaver whose given name is a unique canary string, and whose SCN and date of
birth are unique too (``identifiers``), so tests can assert that nothing of another tenant ever
appears in a response, named or not. Every role has a persona.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from rest_framework.test import APIClient


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
    identifiers: dict = field(default_factory=dict)  # school key -> the canary leaver's SCN and birth date, as shown


CANARY = {"A": "CanaryAlphaQz", "A2": "CanaryAlphaTwoQz", "B": "CanaryBravoQz"}
BORN = {"A": dt.date(2006, 11, 23), "A2": dt.date(2006, 7, 19), "B": dt.date(2007, 1, 29)}


def shown_forms(learner: object) -> list[str]:
    """A learner's SCN and date of birth in every form a page, export or API might print them."""
    born: dt.date = learner.date_of_birth  # type: ignore[attr-defined]
    return [learner.scn, born.isoformat(), born.strftime("%d/%m/%Y"), f"{born.day} {born:%B %Y}",  # type: ignore[attr-defined]
            f"{born.day} {born:%b %Y}"]


def build_world() -> World:
    """Two authorities, three schools with a canary leaver each, and a persona for every role."""
    from datahub.models import LocalAuthority, Role
    from tests.factories import (
        DestinationFactory,
        EstablishmentFactory,
        LearnerFactory,
        LeaverFactory,
        ResultFactory,
        UserFactory,
        member,
    )

    ax = LocalAuthority.objects.get(code=100)
    ay = LocalAuthority.objects.get(code=260)
    a = EstablishmentFactory.create(name="Alpha High School", authority=ax)
    a2 = EstablishmentFactory.create(name="Alpha Two Academy", authority=ax)
    b = EstablishmentFactory.create(name="Bravo Secondary", authority=ay)
    learners = {}
    for key, school in (("A", a), ("A2", a2), ("B", b)):
        learner = LearnerFactory.create(establishment=school, given_name=CANARY[key], family_name=f"Family{key}",
                                        date_of_birth=BORN[key])
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
        "ua_x": member(Role.USER_ADMIN, authority=ax),
        "ua_national": member(Role.USER_ADMIN),
    }
    personas["no_role"] = UserFactory.create()
    identifiers = {key: shown_forms(learner) for key, learner in learners.items()}
    return World(ax, ay, a, a2, b, learners["A"], learners["A2"], learners["B"], personas, CANARY, identifiers)


def load_reference_data() -> None:
    """(Re)load authorities, subjects and the default tariff scale with the migration's own
    idempotent loader: a transactional test empties every table when it ends."""
    import importlib

    from django.apps import apps

    importlib.import_module("datahub.migrations.0002_reference_data").load(apps, None)


# --- Signed-in clients ---------------------------------------------------------------------------


def client_for(user: Any = None) -> Client:
    """A browser-like client signed in as ``user`` (anonymous when None)."""
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def api_client(user: Any = None) -> APIClient:
    """An API client authenticated as ``user`` (anonymous when None)."""
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def token_api_client(user: Any) -> APIClient:
    """An API client sending ``user``'s token, as a partner system does."""
    from rest_framework.authtoken.models import Token

    c = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c
