"""Senior-phase pupils on top of tests/worlds.py's world: this session's S4-S6 pupils (no leaving
record) in school A and A2 (authority X) and school B (authority Y, a canary)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from datahub.models import Enrolment
from destinations.pathways.selectors import session_of
from tests.factories import LearnerFactory

CANARY_PUPIL_Y = "CanaryPupilYankeeQz"


@dataclass
class Pupils:
    year: int
    s6_a: object  # school A, S6, care experienced, nothing recorded: expected to leave, at risk
    s5_a: object  # school A, S5: expected only once an intended stage of S5 is recorded
    s4_a: object  # school A, S4
    s6_a2: object  # school A2 (authority X), S6
    s6_b: object  # school B (authority Y), S6, canary


def pupil(school, given: str, stage: str, year: int, **kw):
    age = {"S4": 15, "S5": 16, "S6": 17}[stage]
    learner = LearnerFactory.create(establishment=school, given_name=given, family_name=kw.pop("family", "Pupil"),
                                    date_of_birth=dt.date(year - age, 3, 1), **kw)
    for k, s in enumerate(("S4", "S5", "S6")[: ("S4", "S5", "S6").index(stage) + 1][::-1]):
        Enrolment.objects.create(learner=learner, establishment=school, year=year - k, stage=s)
    return learner


def build_pupils(world) -> Pupils:
    year = session_of(timezone.localdate())
    a, a2, b = world.school_a, world.school_a2, world.school_b
    return Pupils(
        year=year,
        s6_a=pupil(a, "Ava", "S6", year, family="Sixth", care_experienced=True),
        s5_a=pupil(a, "Sam", "S5", year, family="Fifth"),
        s4_a=pupil(a, "Ned", "S4", year, family="Fourth"),
        s6_a2=pupil(a2, "Tom", "S6", year, family="Other"),
        s6_b=pupil(b, CANARY_PUPIL_Y, "S6", year, family="Yankee"),
    )
