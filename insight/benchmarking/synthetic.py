"""Synthetic leavers and results in the input contract, for demos, timing checks and tests.

Nothing here is real data. Shapes follow Scotland's: 32 authorities, a few hundred secondary
schools, about 50,000 leavers a year, SIMD-skewed intakes, tariff rising with SIMD decile, about
95% positive initial and 93% positive follow-up destinations (DOMAIN's sanity figures).
Points use the default graded-course tariff (National 5 A 84 ... Advanced Higher A 480).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from . import columns as c
from .contract import check_leavers, check_results

# Default graded tariff: SCQF level -> points for grades A, B, C, D (ratio 6:5:4:3); N3/N4 ungraded.
_POINTS: Final = {
    3: (16, 16, 16, 16),
    4: (33, 33, 33, 33),
    5: (84, 70, 56, 42),
    6: (204, 170, 136, 102),
    7: (480, 400, 320, 240),
}
_N_SUBJECTS: Final = 40
_LITERACY_SUBJECTS: Final = (1, 5)  # e.g. English, a literacy unit
_NUMERACY_SUBJECTS: Final = (2, 6)  # e.g. Mathematics, Applications of Mathematics


def seed_code(number: int) -> str:
    """A 7-digit SEED code whose last digit is the check digit (weights 7..2, mod 11, 10 -> 0)."""
    digits = [int(d) for d in f"{number:06d}"]
    check = (11 - sum(w * d for w, d in zip((7, 6, 5, 4, 3, 2), digits, strict=True)) % 11) % 11
    return f"{number:06d}{check % 10}"


def synthetic_frames(
    *,
    n_leavers: int = 250_000,
    years: Sequence[int] = (2020, 2021, 2022, 2023, 2024),
    n_authorities: int = 32,
    n_establishments: int = 360,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(leavers, results)`` in the input contract, ``n_leavers`` spread over ``years``."""
    rng = np.random.default_rng(seed)
    authority_of = np.sort(rng.integers(0, n_authorities, n_establishments)) * 10 + 100
    school_simd = rng.uniform(2.0, 9.0, n_establishments)  # mean decile of the intake
    school_effect = rng.normal(0.0, 0.25, n_establishments)
    school_size = rng.gamma(4.0, 1.0, n_establishments)

    school = rng.choice(n_establishments, size=n_leavers, p=school_size / school_size.sum())
    decile = np.clip(np.rint(rng.normal(school_simd[school], 2.0)), 1, 10).astype(np.int64)
    stage = rng.choice(np.array([4, 5, 6]), size=n_leavers, p=[0.15, 0.25, 0.60])
    asn = rng.random(n_leavers) < 0.30
    ability = (
        rng.normal(0.0, 1.0, n_leavers) + 0.12 * (decile - 5.5) + school_effect[school] - 0.3 * asn + 0.4 * (stage - 5)
    )
    initial_p = 1 / (1 + np.exp(-(3.1 + 0.8 * ability)))
    initial = (rng.random(n_leavers) < initial_p).astype(np.float64)
    followup = np.where(initial == 1.0, rng.random(n_leavers) < 0.96, rng.random(n_leavers) < 0.45)
    followup = followup.astype(np.float64)
    initial[rng.random(n_leavers) < 0.005] = np.nan
    followup[rng.random(n_leavers) < 0.01] = np.nan

    leavers = check_leavers(
        pd.DataFrame(
            {
                c.LEAVER_ID: np.arange(1, n_leavers + 1, dtype=np.int64) * 7 + 1000,
                c.ESTABLISHMENT_ID: school.astype(np.int64) + 1,
                c.AUTHORITY_ID: authority_of[school].astype(np.int64),
                c.SEED_CODE: np.array([seed_code(5_100_00 + i) for i in range(n_establishments)])[school],
                c.YEAR: rng.choice(np.asarray(years, dtype=np.int64), size=n_leavers),
                c.SEX: np.where(rng.random(n_leavers) < 0.5, "F", "M"),
                c.ASN: asn,
                c.STAGE: stage,
                c.SIMD_DECILE: decile,
                c.CARE_EXPERIENCED: rng.random(n_leavers) < 0.02,
                c.FSM: rng.random(n_leavers) < np.clip(0.45 - 0.04 * decile, 0.02, 1.0),
                c.INITIAL_POSITIVE: initial,
                c.FOLLOWUP_POSITIVE: followup,
            }
        )
    )

    # Results: English and Maths first (most leavers), then distinct other subjects.
    n_subjects = np.clip(rng.poisson(1.5 + 1.6 * (stage - 3)) + 1, 1, 10)
    owner = np.repeat(np.arange(n_leavers), n_subjects)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(n_subjects) - n_subjects, n_subjects)
    start = rng.integers(0, _N_SUBJECTS - 2, n_leavers)[owner]
    subject = np.where(k == 0, 1, np.where(k == 1, 2, 3 + (start + k) % (_N_SUBJECTS - 2)))
    strength = ability[owner] + rng.normal(0.0, 0.8, len(owner))
    top = np.clip(np.rint(4.6 + 0.5 * (stage[owner] - 4) + 0.7 * strength), 3, 7).astype(np.int64)
    grade = np.clip(np.rint(1.5 - 0.8 * strength + rng.normal(0.0, 0.8, len(owner))), 0, 3).astype(np.int64)
    # Leavers with a Higher or above usually sat National 5 in the subject first (latest and best).
    earlier = (top >= 6) & (rng.random(len(owner)) < 0.7)
    rows = np.concatenate([np.arange(len(owner)), np.flatnonzero(earlier)])
    level = np.concatenate([top, np.full(earlier.sum(), 5)])
    grade = np.concatenate([grade, rng.integers(0, 3, earlier.sum())])
    table = np.array([_POINTS[lv] for lv in range(3, 8)], dtype=np.float64)
    results = check_results(
        pd.DataFrame(
            {
                c.LEAVER_ID: leavers[c.LEAVER_ID].to_numpy()[owner[rows]],
                c.SUBJECT_ID: subject[rows].astype(np.int64),
                c.SCQF_LEVEL: level,
                c.POINTS: table[level - 3, grade],
                c.LITERACY: np.isin(subject[rows], _LITERACY_SUBJECTS),
                c.NUMERACY: np.isin(subject[rows], _NUMERACY_SUBJECTS),
            }
        )
    )
    return leavers, results


def leaver_record(leaver_id: int, establishment_id: int, authority_id: int, **overrides: object) -> dict:
    """One leaver as a dict with plain defaults (S6 girl, no ASN, decile 5, positive destinations).

    For hand-built fixtures: pass only what the example is about.
    """
    record: dict[str, object] = {
        c.LEAVER_ID: leaver_id,
        c.ESTABLISHMENT_ID: establishment_id,
        c.AUTHORITY_ID: authority_id,
        c.SEED_CODE: seed_code(5_100_00 + establishment_id),
        c.YEAR: 2024,
        c.SEX: "F",
        c.ASN: False,
        c.STAGE: 6,
        c.SIMD_DECILE: 5,
        c.CARE_EXPERIENCED: False,
        c.FSM: False,
        c.INITIAL_POSITIVE: 1.0,
        c.FOLLOWUP_POSITIVE: 1.0,
    }
    unknown = set(overrides) - set(record)
    if unknown:
        raise TypeError(f"unknown leaver fields: {sorted(unknown)}")
    record.update(overrides)
    return record


def result_record(
    leaver_id: int, subject_id: int, scqf_level: int, points: float, *, literacy: bool = False, numeracy: bool = False
) -> dict:
    """One qualification result as a dict, for hand-built fixtures."""
    return {
        c.LEAVER_ID: leaver_id,
        c.SUBJECT_ID: subject_id,
        c.SCQF_LEVEL: scqf_level,
        c.POINTS: points,
        c.LITERACY: literacy,
        c.NUMERACY: numeracy,
    }
