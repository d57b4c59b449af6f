"""The demo data generator: deterministic, complete, and realistic enough to benchmark.

Runs the hidden ``tiny`` scale (four authorities, a few hundred leavers a year) so the module stays
fast on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from datahub.codes import check_seed_code, is_valid_scn, simd_quintile
from datahub.models import (
    Enrolment,
    Establishment,
    Learner,
    LocalAuthority,
    Membership,
    QualificationResult,
    Role,
    SchoolLeaver,
    User,
)
from datahub.reference import default_tariff_entries
from destinations.classification import is_positive
from destinations.models import DestinationKind, DestinationRecord, ParticipationSpell
from insight import demo
from insight.demo import DEMO_PASSWORD, DEMO_USERS, DemoDataError, generate_demo_data


def _fingerprint() -> str:
    """A hash over every generated row, by natural keys (ids depend on the database's sequences)."""
    h = hashlib.sha256()
    parts = [
        Establishment.objects.order_by("seed_code").values_list("seed_code", "name", "type", "roll",
                                                                "authority__code"),
        Learner.objects.order_by("scn").values_list(
            "scn", "given_name", "family_name", "date_of_birth", "sex", "data_zone", "simd_decile", "asn",
            "care_experienced", "fsm", "establishment__seed_code"),
        Enrolment.objects.order_by("learner__scn", "year").values_list(
            "learner__scn", "year", "stage", "establishment__seed_code"),
        SchoolLeaver.objects.order_by("learner__scn").values_list(
            "learner__scn", "leaver_year", "stage", "leaving_date", "establishment__seed_code"),
        QualificationResult.objects.order_by("learner__scn", "year", "subject__code", "award_type").values_list(
            "learner__scn", "subject__code", "award_type", "scqf_level", "scqf_credits", "grade", "year",
            "establishment__seed_code"),
        DestinationRecord.objects.order_by("leaver__learner__scn", "kind", "recorded_at").values_list(
            "leaver__learner__scn", "kind", "category", "survey_date", "recorded_at", "superseded_at"),
        ParticipationSpell.objects.order_by("learner__scn", "start_date").values_list(
            "learner__scn", "status", "start_date", "end_date"),
    ]
    for qs in parts:
        for row in qs.iterator(chunk_size=5000):
            h.update(repr(row).encode())
    return h.hexdigest()


def _total_tariff() -> dict[int, Decimal]:
    """Each leaver's total tariff with the default scale: latest and best per subject."""
    table = {(r["award_type"], r["scqf_level"], r["grade"]): r for r in default_tariff_entries()}
    best: dict[tuple[int, int], Decimal] = {}
    for learner, subject, award, level, credits, grade in QualificationResult.objects.values_list(
        "learner_id", "subject_id", "award_type", "scqf_level", "scqf_credits", "grade"
    ):
        entry = table[(award, level, grade)]
        pts = entry["points"] * credits if entry["per_credit"] else entry["points"]
        key = (learner, subject)
        best[key] = max(best.get(key, Decimal(0)), pts)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for (learner, _subject), pts in best.items():
        totals[learner] += pts
    return totals


@pytest.mark.django_db
def test_the_same_seed_gives_identical_data_and_another_seed_does_not() -> None:
    generate_demo_data(scale="tiny", seed=7, years=2)
    first = _fingerprint()
    generate_demo_data(scale="tiny", seed=7, years=2, replace=True)
    assert _fingerprint() == first
    generate_demo_data(scale="tiny", seed=8, years=2, replace=True)
    assert _fingerprint() != first


@pytest.mark.django_db
def test_generated_leavers_are_complete_valid_and_realistic() -> None:
    report = generate_demo_data(scale="tiny", seed=11, years=5)
    leavers = SchoolLeaver.objects.count()
    assert 1500 < leavers < 2700
    assert report.years == [2021, 2022, 2023, 2024, 2025]
    assert set(SchoolLeaver.objects.values_list("leaver_year", flat=True)) == set(report.years)

    # Identifiers are valid.
    assert all(is_valid_scn(scn) for scn in Learner.objects.values_list("scn", flat=True))
    assert all(check_seed_code(code).check_digit_ok for code in Establishment.objects.values_list("seed_code",
                                                                                                   flat=True))
    assert {"secondary", "special", "primary"} <= set(Establishment.objects.values_list("type", flat=True))

    # One enrolment per senior-phase year up to the stage of leaving, the last in the year before.
    enrolments = Counter(Enrolment.objects.values_list("learner_id", flat=True))
    last_year = dict(Enrolment.objects.order_by("year").values_list("learner_id", "year"))
    for learner_id, stage, year in SchoolLeaver.objects.values_list("learner_id", "stage", "leaver_year"):
        assert enrolments[learner_id] == int(stage[1]) - 3
        assert last_year[learner_id] == year - 1
    stages = Counter(SchoolLeaver.objects.values_list("stage", flat=True))
    assert 0.06 < stages["S4"] / leavers < 0.2 and 0.5 < stages["S6"] / leavers < 0.75

    # Every leaver has exactly one current initial and one current follow-up destination.
    current = DestinationRecord.objects.filter(superseded_at__isnull=True)
    for kind in DestinationKind:
        assert current.filter(kind=kind).values("leaver_id").distinct().count() == leavers
        assert current.filter(kind=kind).count() == leavers
    rows = current.values_list("kind", "category", "leaver__leaver_year")
    share = {
        kind: sum(is_positive(cat, year) for k, cat, year in rows if k == kind) / leavers
        for kind in (DestinationKind.INITIAL, DestinationKind.FOLLOW_UP)
    }
    assert share[DestinationKind.INITIAL] == pytest.approx(0.95, abs=0.025)
    assert share[DestinationKind.FOLLOW_UP] == pytest.approx(0.93, abs=0.03)
    assert ParticipationSpell.objects.filter(learner__leaver__leaver_year__in=[2024, 2025]).exists()
    assert not ParticipationSpell.objects.filter(learner__leaver__leaver_year__lt=2024).exists()

    # Attainment follows deprivation, additional support needs and the stage of leaving.
    totals = _total_tariff()
    by_quintile: dict[int, list[Decimal]] = defaultdict(list)
    by_asn: dict[bool, list[Decimal]] = defaultdict(list)
    by_stage: dict[str, list[Decimal]] = defaultdict(list)
    for learner_id, decile, asn, stage in SchoolLeaver.objects.values_list("learner_id", "simd_decile", "asn",
                                                                           "stage"):
        total = totals.get(learner_id, Decimal(0))
        by_quintile[simd_quintile(decile)].append(total)
        by_asn[asn].append(total)
        by_stage[stage].append(total)

    def mean(values: list[Decimal]) -> Decimal:
        return sum(values, Decimal(0)) / len(values)

    assert mean(by_quintile[5]) > mean(by_quintile[1]) * Decimal("1.3")
    assert mean(by_asn[False]) > mean(by_asn[True])
    assert mean(by_stage["S6"]) > mean(by_stage["S5"]) > mean(by_stage["S4"])
    results_per_leaver = QualificationResult.objects.count() / leavers
    assert 10 < results_per_leaver < 25
    # English at National 4 or better for almost everyone.
    with_english = QualificationResult.objects.filter(subject__code="ENG", scqf_level__gte=4).values(
        "learner_id").distinct().count()
    assert with_english / leavers > 0.85

    # Context shares were refreshed from the learners.
    assert not Establishment.objects.filter(type="secondary", mean_simd_decile__isnull=True).exists()


@pytest.mark.django_db
def test_every_role_has_a_demo_login_with_the_shared_password() -> None:
    generate_demo_data(scale="tiny", seed=3, years=1)
    demo_users = User.objects.filter(email__endswith="@demo.insight")
    assert demo_users.count() == len(DEMO_USERS)
    roles = set(Membership.objects.filter(user__in=demo_users).values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(email="admin@demo.insight").is_superuser
    assert all(u.check_password(DEMO_PASSWORD) for u in demo_users)
    head = Membership.objects.get(user__email="headteacher@demo.insight")
    head2 = Membership.objects.get(user__email="headteacher2@demo.insight")
    assert head.establishment is not None and head2.establishment is not None
    assert head.role == Role.ESTABLISHMENT_ADMIN and head.establishment.name == demo.DEMO_SCHOOL_1[1]
    assert head2.establishment.authority != head.establishment.authority
    assert Membership.objects.get(user__email="mcmc@demo.insight").authority == head.establishment.authority
    assert {row["email"] for row in demo.demo_logins()} == {u.email for u in DEMO_USERS}


@pytest.mark.django_db
def test_refuses_to_run_over_existing_establishments_without_replace() -> None:
    Establishment.objects.create(seed_code="5000000", name="Existing High School",
                                 authority=LocalAuthority.objects.get_or_create(
                                     gss_code="S12000033", defaults={"code": 100, "name": "Aberdeen City"})[0])
    with pytest.raises(DemoDataError, match="--replace"):
        generate_demo_data(scale="tiny", seed=1, years=1)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_demo_data", "--scale", "tiny", "--years", "1", stdout=StringIO())
    # With --replace only demo data is replaced: the existing school stays.
    out = StringIO()
    call_command("generate_demo_data", "--scale", "tiny", "--years", "1", "--replace", stdout=out)
    assert Establishment.objects.filter(seed_code="5000000").exists()
    assert "headteacher@demo.insight" in out.getvalue()


def test_national_and_demo_scales_spread_schools_like_scotland() -> None:
    national = demo._build_schools(demo._scale("national"), 1)
    secondary = [i for i, t in enumerate(national.type) if t == demo._SEC]
    assert 340 <= len(secondary) <= 380
    per_authority = Counter(national.authority[i] for i in secondary)
    assert len(per_authority) == 32
    assert per_authority["Glasgow City"] == 30 and per_authority["Shetland Islands"] == 2
    assert len(set(national.names)) == len(national.names)
    assert all(300 <= national.roll[i] <= 1800 for i in secondary)
    small = demo._build_schools(demo._scale("demo"), 1)
    per_authority = Counter(a for a, t in zip(small.authority, small.type, strict=True) if t == demo._SEC)
    assert len(per_authority) == 32 and sum(per_authority.values()) == 40
    assert per_authority["Glasgow City"] >= 3
