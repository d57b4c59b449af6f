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
    from datahub.models import LocalAuthority, PartnerOrganisation, Role
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
    # A member of a partner organisation (a college in authority X): communities of practice only.
    college = PartnerOrganisation.objects.create(name="Matrix College", authority=ax)
    personas["partner"] = member(Role.PARTNER_MEMBER, partner_organisation=college)
    identifiers = {key: shown_forms(learner) for key, learner in learners.items()}
    return World(ax, ay, a, a2, b, learners["A"], learners["A2"], learners["B"], personas, CANARY, identifiers)


def load_reference_data() -> None:
    """(Re)load authorities, their collaboratives, subjects (with their curricular areas) and the default
    tariff scale with the migrations' own idempotent loaders: a transactional test empties every table
    when it ends, data migrations' rows included."""
    import importlib

    from django.apps import apps

    importlib.import_module("datahub.migrations.0002_reference_data").load(apps, None)
    importlib.import_module("datahub.migrations.0012_subject_curricular_areas_assigned").assign(apps, None)
    importlib.import_module("datahub.migrations.0016_collaboratives_seed").load(apps, None)


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


# --- A published benchmark run over the world (the permission matrix's figures) -----------------

FIGURE_YEAR = 2024
# Who is entitled to school B's figures unsuppressed (its own staff, its authority's): nobody else.
B_FIGURES_ENTITLED = frozenset({"admin_b", "staff_b", "mcmc_y", "analyst_y"})


def add_published_run(world: World) -> list[str]:
    """Leavers for every school and one published benchmark run over them; returns school B's
    figure canaries.

    School B keeps a cohort under five (its canary leaver and three others, all leaving in S4 with
    Advanced Highers: a stage nobody else has, so no other school's comparator is drawn from them):
    each of its average tariffs (lowest 20%, middle 60%, highest 20%, all) is over 1,000 points, a
    figure no other school reaches, shown only to those entitled to B (``B_FIGURES_ENTITLED``). A third authority's school (C) gives the suppression
    pattern room. The canaries are B's stored averages as pages print them ("1,234").
    """
    from datahub.models import LocalAuthority, SchoolLeaver, Subject
    from insight.benchmarking import columns as c
    from insight.models import CohortResult, RunStatus
    from insight.selectors.pattern import forget_computed
    from insight.services import run_create, run_execute_in_process
    from tests.factories import DestinationFactory, EstablishmentFactory, LearnerFactory, LeaverFactory, ResultFactory
    from tests.insight.worlds import add_leavers, publish

    add_leavers(world.school_a, 20, (FIGURE_YEAR,), effect=0)
    add_leavers(world.school_a2, 12, (FIGURE_YEAR,), effect=1)
    school_c = EstablishmentFactory.create(name="Charlie Grammar", authority=LocalAuthority.objects.get(code=110))
    add_leavers(school_c, 15, (FIGURE_YEAR,), effect=-1)
    subjects = [Subject.objects.get(code=code) for code in ("ENG", "MATH", "PHY", "HIST")]
    # B's canary leaver left in S4 too, with results worth over 1,000 points like the others.
    SchoolLeaver.objects.filter(learner=world.learner_b).update(stage="S4")  # type: ignore[misc]
    for subject, award, level, credits in ((subjects[1], "AH", 7, 32), (subjects[2], "AH", 7, 32), (subjects[3], "H", 6, 24)):
        ResultFactory.create(learner=world.learner_b, subject=subject, award_type=award, scqf_level=level,
                             scqf_credits=credits, grade="A", year=FIGURE_YEAR)
    for grades in ("AAAA", "AAAB", "ABAA"):  # Advanced Higher in the first two subjects, Higher in the others
        learner = LearnerFactory.create(establishment=world.school_b, sex="M", simd_decile=2, asn=True)
        leaver = LeaverFactory.create(learner=learner, leaver_year=FIGURE_YEAR, stage="S4")
        for i, (subject, grade) in enumerate(zip(subjects, grades, strict=True)):
            award, level, credits = ("AH", 7, 32) if i < 2 else ("H", 6, 24)
            ResultFactory.create(learner=learner, subject=subject, award_type=award, scqf_level=level,
                                 scqf_credits=credits, grade=grade, year=FIGURE_YEAR)
        DestinationFactory.create(leaver=leaver, category="EMPLOYMENT")
    forget_computed()
    run = run_execute_in_process(run_create(years=[FIGURE_YEAR], seed=16))
    assert run.status == RunStatus.SUCCEEDED, run.error
    publish(run)
    row = CohortResult.objects.values(*(c.avg_tariff(g) for g in c.ATTAINMENT_GROUPS), c.AVG_TOTAL_TARIFF).get(
        run=run, cohort=c.COHORT_ESTABLISHMENT, cohort_id=world.school_b.pk, year=FIGURE_YEAR, breakdown="",  # type: ignore[attr-defined]
        breakdown_value="")
    canaries = [f"{round(float(v)):,}" for v in row.values()]
    assert all(float(v) >= 1000 for v in row.values()), row  # four digits with a comma: nobody else's figure
    return canaries
