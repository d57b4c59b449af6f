"""The demo data generator: deterministic, complete, and realistic enough to benchmark.

Runs the hidden ``tiny`` scale (four authorities, a few hundred leavers a year) so the module stays
fast on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
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
    QualificationResult,
    SchoolLeaver,
)
from destinations.classification import is_positive
from destinations.models import DestinationKind, DestinationRecord, ParticipationSpell
from insight.demo import DemoDataError, generate_demo_data


@pytest.mark.django_db
def test_the_same_seed_gives_identical_data_and_another_seed_does_not(
        demo_fingerprint: Callable[[], str]) -> None:
    generate_demo_data(scale="tiny", seed=7, years=2)
    first = demo_fingerprint()
    generate_demo_data(scale="tiny", seed=7, years=2, replace=True)
    assert demo_fingerprint() == first
    generate_demo_data(scale="tiny", seed=8, years=2, replace=True)
    assert demo_fingerprint() != first


@pytest.mark.django_db
def test_generated_leavers_are_complete_valid_and_realistic(
        leaver_tariffs: Callable[[], dict[int, Decimal]]) -> None:
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
    totals = leaver_tariffs()
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
