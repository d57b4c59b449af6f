"""The caseload world, on top of tests/worlds.py's world: young people aged 17 to 18 today in
authority X (schools A and A2) and authority Y (school B), in every caseload situation.

Dates are relative to today, so the caseload's age window (19 or under) always holds them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from destinations.classification import survey_date
from destinations.models import DestinationRecord, ParticipationSpell
from tests.factories import LearnerFactory, LeaverFactory

# A canary only authority Y's young person carries: it must never reach anyone of authority X.
CANARY_Y = "CanaryYankeeQz"


@dataclass
class Caseload:
    today: dt.date
    leaver_year: int
    unknown_a: object  # X / school A: initial unknown, nothing else
    negative_a: object  # X / A: initial unemployed seeking
    positive_a: object  # X / A: initial and follow-up HE (not on the caseload)
    not_sustained_a: object  # X / A: initial FE, follow-up unemployed not seeking
    no_record_a2: object  # X / A2: nothing recorded (unknown)
    unconfirmed_a: object  # X / A: initial HE, later APM unconfirmed
    unknown_b: object  # Y / B: initial unknown (canary)


def _person(school, given: str, *, born: dt.date, leaver_year: int, **kw):
    learner = LearnerFactory.create(establishment=school, given_name=given, family_name=kw.pop("family", "Case"),
                             date_of_birth=born, **kw)
    return LeaverFactory.create(learner=learner, leaver_year=leaver_year, leaving_date=dt.date(leaver_year, 6, 28))


def _record(leaver, kind: str, category: str) -> DestinationRecord:
    return DestinationRecord.objects.create(
        leaver=leaver, kind=kind, category=category, source="import",
        survey_date=survey_date(kind, leaver.leaver_year),
    )


def build_caseload(world) -> Caseload:
    """Every caseload situation in authorities X and Y (see the module docstring)."""
    today = timezone.localdate()
    # Left school last summer (or this summer, once it is past): follow-up season has come.
    leaver_year = today.year - 1
    born = dt.date(leaver_year - 18, 3, 15)  # 17 or 18 when leaving, 19 or under today
    a, a2, b = world.school_a, world.school_a2, world.school_b
    unknown_a = _person(a, "Una", born=born, leaver_year=leaver_year, family="Known")
    _record(unknown_a, "initial", "UNKNOWN")
    negative_a = _person(a, "Neil", born=born, leaver_year=leaver_year, family="Seeking", asn=True)
    _record(negative_a, "initial", "UNEMPLOYED_SEEKING")
    positive_a = _person(a, "Pat", born=born, leaver_year=leaver_year, family="College")
    _record(positive_a, "initial", "HE")
    _record(positive_a, "follow_up", "HE")
    not_sustained_a = _person(a, "Nina", born=born, leaver_year=leaver_year, family="Dropped", care_experienced=True)
    _record(not_sustained_a, "initial", "FE")
    _record(not_sustained_a, "follow_up", "UNEMPLOYED_NOT_SEEKING")
    no_record_a2 = _person(a2, "Nora", born=born, leaver_year=leaver_year, family="Nothing")
    unconfirmed_a = _person(a, "Uri", born=born, leaver_year=leaver_year, family="Lost")
    _record(unconfirmed_a, "initial", "HE")
    ParticipationSpell.objects.create(learner=unconfirmed_a.learner, status="EDUCATION",
                                      start_date=dt.date(leaver_year, 9, 1), end_date=today - dt.timedelta(days=31))
    ParticipationSpell.objects.create(learner=unconfirmed_a.learner, status="UNCONFIRMED",
                                      start_date=today - dt.timedelta(days=30))
    unknown_b = _person(b, CANARY_Y, born=born, leaver_year=leaver_year, family="Yankee")
    _record(unknown_b, "initial", "UNKNOWN")
    return Caseload(today, leaver_year, unknown_a, negative_a, positive_a, not_sustained_a, no_record_a2,
                    unconfirmed_a, unknown_b)
