"""The destinations rules, DB-free: positive by leaver year, census dates, current status, APM."""

from __future__ import annotations

import datetime as dt

from destinations.classification import (
    CaseStatus,
    Category,
    ParticipationStatus,
    apm_headline_status,
    apm_measure_year,
    current_status,
    destination_point,
    first_monday,
    is_positive,
    participation_point,
    survey_date,
)

D = dt.date


def test_personal_skills_development_is_positive_from_the_2018_19_leavers_on() -> None:
    assert not is_positive(Category.PERSONAL_SKILLS_DEVELOPMENT, 2018)
    assert is_positive(Category.PERSONAL_SKILLS_DEVELOPMENT, 2019)


def test_activity_agreements_were_positive_for_2010_11_to_2017_18_leavers_only() -> None:
    assert not is_positive(Category.ACTIVITY_AGREEMENT, 2010)
    assert is_positive(Category.ACTIVITY_AGREEMENT, 2011)
    assert is_positive(Category.ACTIVITY_AGREEMENT, 2018)
    assert not is_positive(Category.ACTIVITY_AGREEMENT, 2019)


def test_census_dates_are_the_first_mondays_of_october_and_april() -> None:
    assert first_monday(2024, 10) == D(2024, 10, 7)
    assert survey_date("initial", 2024) == D(2024, 10, 7)
    assert survey_date("follow_up", 2024) == D(2025, 4, 7)
    assert first_monday(2025, 9) == D(2025, 9, 1)  # the 1st itself when it is a Monday


def test_nothing_recorded_counts_as_unknown() -> None:
    now = current_status([])
    assert now.status == CaseStatus.UNKNOWN and now.point is None and not now.not_sustained and now.on_caseload


def test_the_latest_status_by_date_is_current() -> None:
    ini = destination_point("initial", "UNEMPLOYED_SEEKING", D(2024, 10, 7), 2024)
    fu = destination_point("follow_up", "FE", D(2025, 4, 7), 2024)
    now = current_status([fu, ini])
    assert now.status == CaseStatus.POSITIVE and now.point == fu and not now.on_caseload


def test_a_lost_positive_destination_is_not_sustained() -> None:
    ini = destination_point("initial", "HE", D(2024, 10, 7), 2024)
    fu = destination_point("follow_up", "UNKNOWN", D(2025, 4, 7), 2024)
    now = current_status([ini, fu])
    assert now.status == CaseStatus.UNKNOWN and now.not_sustained


def test_a_later_participation_status_overrides_the_follow_up() -> None:
    fu = destination_point("follow_up", "EMPLOYMENT", D(2025, 4, 7), 2024)
    spell = participation_point(ParticipationStatus.UNCONFIRMED, D(2025, 9, 1))
    now = current_status([fu, spell])
    assert now.status == CaseStatus.UNCONFIRMED and now.not_sustained
    # Not participating counts as not positive.
    assert current_status([participation_point("UNEMPLOYED_NOT_SEEKING", D(2025, 1, 1))]).status == CaseStatus.NEGATIVE


def test_on_the_same_day_participation_beats_follow_up_beats_initial() -> None:
    day = D(2025, 4, 7)
    fu = destination_point("follow_up", "UNEMPLOYED_SEEKING", day, 2024)
    ini = destination_point("initial", "HE", day, 2024)
    assert current_status([fu, ini]).point == fu
    spell = participation_point("EDUCATION", day)
    assert current_status([spell, fu, ini]).point == spell


def test_activity_agreement_after_2018_is_not_positive_for_the_caseload() -> None:
    p = destination_point("initial", "ACTIVITY_AGREEMENT", D(2020, 10, 5), 2020)
    assert p.status == CaseStatus.NEGATIVE


def test_apm_headline_is_the_status_held_for_most_days() -> None:
    # 2024/25 measure year: 1 April 2024 to 31 March 2025 (365 days).
    spells = [
        ("EDUCATION", D(2024, 4, 1), D(2024, 9, 30)),  # 183 days
        ("UNEMPLOYED_SEEKING", D(2024, 10, 1), D(2024, 11, 30)),  # 61 days
        ("EMPLOYMENT", D(2024, 12, 1), None),  # 121 days to 31 March
    ]
    assert apm_headline_status(spells, 2024, today=D(2026, 1, 1)) == "EDUCATION"


def test_apm_counts_school_days_as_education_and_gaps_as_unconfirmed() -> None:
    # Left on 28 June 2024 (89 days at school from 1 April); nothing recorded until 1 February.
    spells = [("EMPLOYMENT", D(2025, 2, 1), None)]
    # School 89 days; gap 29 June - 31 January = 217 days unconfirmed; employment 59 days.
    assert apm_headline_status(spells, 2024, today=D(2026, 1, 1), at_school_until=D(2024, 6, 28)) == "UNCONFIRMED"


def test_apm_counts_only_days_so_far_in_a_running_year_and_ties_go_to_the_latest() -> None:
    spells = [("TRAINING", D(2025, 4, 1), D(2025, 4, 10)), ("EMPLOYMENT", D(2025, 4, 11), None)]
    # Today 20 April 2025: 10 days training, 10 days employment: the more recent wins the tie.
    assert apm_headline_status(spells, 2025, today=D(2025, 4, 20)) == "EMPLOYMENT"
    assert apm_headline_status(spells, 2026, today=D(2025, 4, 20)) is None
    assert apm_measure_year(D(2025, 3, 31)) == 2024 and apm_measure_year(D(2025, 4, 1)) == 2025
