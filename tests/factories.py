"""Test data builders. Objects are made the way the product makes them (constraints apply)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from datahub.codes import make_scn, make_seed_code
from datahub.models import (
    Establishment,
    Learner,
    LocalAuthority,
    Membership,
    PartnerOrganisation,
    QualificationResult,
    Role,
    SchoolLeaver,
    Subject,
    User,
)
from destinations.models import DestinationKind, DestinationRecord

_seed_serial = itertools.count(500000)
_scn_serial = itertools.count(70000000, 13)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def authority(code: int) -> LocalAuthority:
    return LocalAuthority.objects.get(code=code)


class EstablishmentFactory(factory.django.DjangoModelFactory[Establishment]):
    class Meta:
        model = Establishment

    seed_code = factory.LazyFunction(lambda: make_seed_code(next(_seed_serial)))
    name = factory.Sequence(lambda n: f"Test Academy {n}")
    authority = factory.LazyFunction(lambda: LocalAuthority.objects.get(code=100))
    type = "secondary"
    roll = 900


class LearnerFactory(factory.django.DjangoModelFactory[Learner]):
    class Meta:
        model = Learner

    scn = factory.LazyFunction(lambda: make_scn(next(_scn_serial)))
    given_name = factory.Sequence(lambda n: f"Pupil{n}")
    family_name = "Testing"
    date_of_birth = dt.date(2006, 3, 1)
    sex = "F"
    simd_decile = 5
    establishment = factory.SubFactory(EstablishmentFactory)


class LeaverFactory(factory.django.DjangoModelFactory[SchoolLeaver]):
    class Meta:
        model = SchoolLeaver

    learner = factory.SubFactory(LearnerFactory)
    establishment = factory.LazyAttribute(lambda o: o.learner.establishment)
    leaver_year = 2024
    stage = "S6"
    sex = factory.LazyAttribute(lambda o: o.learner.sex)
    simd_decile = factory.LazyAttribute(lambda o: o.learner.simd_decile)
    asn = factory.LazyAttribute(lambda o: o.learner.asn)
    care_experienced = factory.LazyAttribute(lambda o: o.learner.care_experienced)
    fsm = factory.LazyAttribute(lambda o: o.learner.fsm)


class ResultFactory(factory.django.DjangoModelFactory[QualificationResult]):
    class Meta:
        model = QualificationResult

    learner = factory.SubFactory(LearnerFactory)
    establishment = factory.LazyAttribute(lambda o: o.learner.establishment)
    subject = factory.LazyFunction(lambda: Subject.objects.get(code="ENG"))
    award_type = "N5"
    scqf_level = 5
    scqf_credits = 24
    grade = "A"
    year = 2024


class DestinationFactory(factory.django.DjangoModelFactory[DestinationRecord]):
    class Meta:
        model = DestinationRecord

    leaver = factory.SubFactory(LeaverFactory)
    kind = DestinationKind.INITIAL
    category = "HE"
    source = "demo"


def member(role: Role, *, establishment: Establishment | None = None, authority: LocalAuthority | None = None,
           user: User | None = None, partner_organisation: PartnerOrganisation | None = None) -> User:
    """A user holding ``role`` at a place (made through the model, so the scope constraint applies)."""
    user = user or UserFactory.create()
    Membership.objects.create(user=user, role=role, establishment=establishment, authority=authority,
                              partner_organisation=partner_organisation)
    return user
