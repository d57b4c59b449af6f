"""Positive / other classification of leaver destinations: the one place that decides it.

Source: Scottish Government leaver destination statistics (DOMAIN.md). Personal skills
development counts as positive from the 2018-19 leavers on; activity agreements counted as
positive for the 2010-11 to 2017-18 leavers only. ``leaver_year`` is the year the session ends
(2019 means 2018/19 leavers).
"""

from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    HIGHER_EDUCATION = "HE", "Higher education"
    FURTHER_EDUCATION = "FE", "Further education"
    TRAINING = "TRAINING", "Training"
    EMPLOYMENT = "EMPLOYMENT", "Employment"
    VOLUNTARY_WORK = "VOLUNTARY", "Voluntary work"
    ACTIVITY_AGREEMENT = "ACTIVITY_AGREEMENT", "Activity agreement"
    PERSONAL_SKILLS_DEVELOPMENT = "PSD", "Personal skills development"
    UNEMPLOYED_SEEKING = "UNEMPLOYED_SEEKING", "Unemployed seeking"
    UNEMPLOYED_NOT_SEEKING = "UNEMPLOYED_NOT_SEEKING", "Unemployed not seeking"
    UNKNOWN = "UNKNOWN", "Unknown"


ALWAYS_POSITIVE = frozenset(
    {
        Category.HIGHER_EDUCATION,
        Category.FURTHER_EDUCATION,
        Category.TRAINING,
        Category.EMPLOYMENT,
        Category.VOLUNTARY_WORK,
    }
)
PSD_POSITIVE_FROM = 2019  # 2018/19 leavers
ACTIVITY_AGREEMENT_POSITIVE = range(2011, 2019)  # 2010/11 to 2017/18 leavers


def is_positive(category: str, leaver_year: int) -> bool:
    if category in ALWAYS_POSITIVE:
        return True
    if category == Category.PERSONAL_SKILLS_DEVELOPMENT:
        return leaver_year >= PSD_POSITIVE_FROM
    if category == Category.ACTIVITY_AGREEMENT:
        return leaver_year in ACTIVITY_AGREEMENT_POSITIVE
    return False


def positive_categories(leaver_year: int) -> list[str]:
    return [c.value for c in Category if is_positive(c, leaver_year)]


class ParticipationStatus(models.TextChoices):
    """Annual Participation Measure statuses (16+ Data Hub)."""

    EDUCATION = "EDUCATION", "Participating: education"
    TRAINING = "TRAINING", "Participating: training"
    EMPLOYMENT = "EMPLOYMENT", "Participating: employment"
    UNEMPLOYED_SEEKING = "UNEMPLOYED_SEEKING", "Not participating: unemployed seeking"
    UNEMPLOYED_NOT_SEEKING = "UNEMPLOYED_NOT_SEEKING", "Not participating: unemployed not seeking"
    UNCONFIRMED = "UNCONFIRMED", "Unconfirmed"


PARTICIPATING = frozenset(
    {ParticipationStatus.EDUCATION, ParticipationStatus.TRAINING, ParticipationStatus.EMPLOYMENT}
)
