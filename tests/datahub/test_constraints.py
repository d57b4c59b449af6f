"""Invariants are enforced by the database, not only by forms."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from datahub.models import LocalAuthority, Membership, Role, TariffEntry, TariffScale
from tests.factories import EstablishmentFactory, LearnerFactory, LeaverFactory, ResultFactory, UserFactory


def _rejects(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


@pytest.mark.django_db
def test_reference_data_is_loaded() -> None:
    assert LocalAuthority.objects.count() == 32
    scale = TariffScale.objects.get(is_default=True)
    n5a = TariffEntry.objects.get(scale=scale, award_type="N5", scqf_level=5, grade="A")
    assert n5a.points == 84 and not n5a.per_credit
    assert TariffEntry.objects.get(scale=scale, award_type="H", scqf_level=6, grade="D").points == 102
    assert TariffEntry.objects.get(scale=scale, award_type="AH", scqf_level=7, grade="B").points == 400


@pytest.mark.django_db
def test_seed_code_must_be_seven_digits_in_the_database() -> None:
    _rejects(lambda: EstablishmentFactory.create(seed_code="12345"))


@pytest.mark.django_db
def test_scn_and_simd_are_checked_in_the_database() -> None:
    _rejects(lambda: LearnerFactory.create(scn="12345"))
    _rejects(lambda: LearnerFactory.create(simd_decile=11))
    _rejects(lambda: LearnerFactory.create(sex="Q"))
    _rejects(lambda: LearnerFactory.create(data_zone="X123"))


@pytest.mark.django_db
def test_leaver_stage_must_be_senior_phase() -> None:
    _rejects(lambda: LeaverFactory.create(stage="S3"))


@pytest.mark.django_db
def test_graded_awards_need_a_to_d_and_others_pass() -> None:
    _rejects(lambda: ResultFactory.create(award_type="N5", grade="P"))
    _rejects(lambda: ResultFactory.create(award_type="NPA", scqf_level=5, grade="A"))
    ResultFactory.create(award_type="NPA", scqf_level=5, scqf_credits=12, grade="P")


@pytest.mark.django_db
def test_membership_scope_must_match_role() -> None:
    user = UserFactory.create()
    est = EstablishmentFactory.create()
    la = est.authority
    _rejects(lambda: Membership.objects.create(user=user, role=Role.ESTABLISHMENT_ADMIN, authority=la))
    _rejects(lambda: Membership.objects.create(user=user, role=Role.MCMC_OFFICER, establishment=est))
    _rejects(lambda: Membership.objects.create(user=user, role=Role.NATIONAL_ANALYST, authority=la))
    _rejects(lambda: Membership.objects.create(user=user, role=Role.DATA_MANAGER, authority=la, establishment=est))
    Membership.objects.create(user=user, role=Role.ESTABLISHMENT_ADMIN, establishment=est)
    _rejects(lambda: Membership.objects.create(user=user, role=Role.ESTABLISHMENT_ADMIN, establishment=est))
    Membership.objects.create(user=user, role=Role.NATIONAL_ANALYST)
    _rejects(lambda: Membership.objects.create(user=user, role=Role.NATIONAL_ANALYST))


@pytest.mark.django_db
def test_only_one_default_tariff_scale() -> None:
    _rejects(lambda: TariffScale.objects.create(version="another", is_default=True))
