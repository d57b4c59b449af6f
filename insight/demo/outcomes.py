"""World building, step 4: destinations and APM participation spells.

Unknown first (a national rate scaled by authority: some reach 100% known), then not-positive
versus positive by a logistic model of attainment, SIMD, care experience and ASN whose intercept
is calibrated so that about 95% are positive at the initial and 93% at the follow-up survey; the
positive category (HE, FE, employment, training, ...) by a multinomial model of Higher-level
attainment and stage with intercepts fitted to the published national mix. Follow-up keeps most
positive leavers where they were (sustained), some drop out and some unemployed leavers move on.
A few follow-ups have an earlier, superseded record (history). Spells: the initial APM status
after leaving, then the follow-up status if it changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from destinations.classification import Category, ParticipationStatus
from insight.demo.names import AUTHORITY_PROFILES
from insight.demo.numeric import calibrate, draw, first_monday, fit_intercepts, sigmoid, softmax

# Destinations: categories in a fixed order; positive ones first.
DEST = (
    Category.HIGHER_EDUCATION, Category.FURTHER_EDUCATION, Category.EMPLOYMENT, Category.TRAINING,
    Category.VOLUNTARY_WORK, Category.PERSONAL_SKILLS_DEVELOPMENT,
    Category.UNEMPLOYED_SEEKING, Category.UNEMPLOYED_NOT_SEEKING, Category.UNKNOWN,
)
_D_HE, _D_FE, _D_EMP, _D_TRAIN, _D_VOL, _D_PSD, _D_SEEK, _D_NOTSEEK, _D_UNK = range(9)
N_POS = 6  # DEST[:N_POS] are the positive categories
# National mix of positive initial destinations by leaver year (shares of all leavers, published
# figures rounded: HE rose in the ACM years, employment dipped in 2021).
_POSITIVE_MIX = {
    2021: (45.1, 23.3, 22.7, 1.9, 0.4, 1.2),
    2022: (42.8, 24.3, 24.8, 2.0, 0.4, 1.3),
    2023: (40.3, 27.0, 23.5, 2.5, 0.4, 1.6),
}
_INITIAL_POSITIVE = 0.95
_FOLLOW_UP_POSITIVE = 0.93
_UNKNOWN_INITIAL = 0.012
_UNKNOWN_FOLLOW_UP = 0.016
_STAY = np.array([0.95, 0.80, 0.86, 0.70, 0.55, 0.60])  # chance a positive leaver is in the same place

_APM = {  # destination category -> APM status
    _D_HE: ParticipationStatus.EDUCATION, _D_FE: ParticipationStatus.EDUCATION,
    _D_EMP: ParticipationStatus.EMPLOYMENT, _D_TRAIN: ParticipationStatus.TRAINING,
    _D_VOL: ParticipationStatus.TRAINING, _D_PSD: ParticipationStatus.TRAINING,
    _D_SEEK: ParticipationStatus.UNEMPLOYED_SEEKING, _D_NOTSEEK: ParticipationStatus.UNEMPLOYED_NOT_SEEKING,
    _D_UNK: ParticipationStatus.UNCONFIRMED,
}


@dataclass
class _Covariates:
    """What the destination models read, per leaver."""

    n: int
    az: np.ndarray  # standardised log total tariff
    hz: np.ndarray  # standardised log tariff at Higher level and above
    sc: np.ndarray  # standardised SIMD (positive = less deprived)
    s4: np.ndarray
    s6: np.ndarray
    asn: np.ndarray
    care: np.ndarray
    female: np.ndarray
    special: np.ndarray
    mult: np.ndarray  # the authority's multiplier of the unknown rate
    school_dest: np.ndarray


def destinations(rng: np.random.Generator, year: int, n: int, points: np.ndarray, higher: np.ndarray,
                 sc: np.ndarray, stage: np.ndarray, asn: np.ndarray, care: np.ndarray, female: np.ndarray,
                 special: np.ndarray, auth: np.ndarray, school_dest: np.ndarray) -> dict[str, np.ndarray]:
    """Initial and follow-up destinations (indexes into ``DEST``), when they were recorded, and the
    superseded follow-up records (history)."""
    lp = np.log1p(points)
    lh = np.log1p(higher)
    cov = _Covariates(
        n=n, az=(lp - lp.mean()) / (lp.std() or 1.0), hz=(lh - lh.mean()) / (lh.std() or 1.0), sc=sc,
        s4=(stage == 0).astype(float), s6=(stage == 2).astype(float), asn=asn, care=care, female=female,
        special=special, mult=np.array([AUTHORITY_PROFILES[a].unknown for a in auth]), school_dest=school_dest,
    )
    initial, probs = _initial(rng, year, cov)
    follow = _follow_up(rng, cov, initial, probs)
    return _recorded(rng, year, n, initial, follow)


def _initial(rng: np.random.Generator, year: int, c: _Covariates) -> tuple[np.ndarray, np.ndarray]:
    """The initial destinations and the positive-category probabilities (reused at follow-up)."""
    n = c.n
    early = 1.0 - c.s6
    # Unknown: national rate scaled by each authority's tracking (some reach 100% known).
    p_unk = _UNKNOWN_INITIAL * c.mult / max(c.mult.mean(), 1e-9)
    unknown = rng.random(n) < p_unk
    # Not positive among the known, calibrated so the national positive share is _INITIAL_POSITIVE.
    lin = -0.9 * c.az - 0.12 * c.sc + 0.8 * c.care + 0.2 * c.asn + 0.4 * c.s4 + c.school_dest
    target = max((1 - _INITIAL_POSITIVE) - unknown.mean(), 0.001) / max(1 - unknown.mean(), 1e-9)
    neg = ~unknown & (rng.random(n) < sigmoid(lin + calibrate(lin[~unknown], target)))
    # Positive category: utilities fitted to the year's national mix.
    u = np.column_stack([
        2.4 * c.hz + 1.8 * c.s6 - 1.5 * c.s4 + 0.3 * c.female,  # HE
        0.6 * early + 0.4 * c.asn - 0.3 * c.hz,                 # FE
        0.3 * (~c.female) + 0.2 * early,                        # employment
        0.6 * early + 0.3 * (~c.female) - 0.3 * c.hz,           # training
        np.zeros(n),                                            # voluntary
        1.2 * c.asn + 1.0 * c.care - 0.5 * c.hz + 2.5 * c.special,  # personal skills development
    ])
    mix = np.array(_POSITIVE_MIX.get(year, _POSITIVE_MIX[max(_POSITIVE_MIX)]), dtype=float)
    pos = ~unknown & ~neg
    b = fit_intercepts(u[pos], mix / mix.sum())
    probs = softmax(u + b)
    initial = np.full(n, _D_UNK, dtype=np.int64)
    initial[pos] = draw(rng, probs[pos])
    not_seeking = rng.random(n) < sigmoid(-0.8 + 0.8 * c.asn + 0.8 * c.care)
    initial[neg] = np.where(not_seeking[neg], _D_NOTSEEK, _D_SEEK)
    return initial, probs


def _follow_up(rng: np.random.Generator, c: _Covariates, initial: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Follow-up: unknowns partly stay unknown; not positive by a model where the initial status
    matters most; positive leavers mostly stay where they were (sustained)."""
    n = c.n
    was_pos = initial < N_POS
    p_unk2 = np.where(initial == _D_UNK, 0.55, 0.0)
    rest = max(_UNKNOWN_FOLLOW_UP - p_unk2.mean(), 0.0) / max(1 - p_unk2.mean(), 1e-9)
    p_unk2 = np.where(initial == _D_UNK, 0.55, rest * c.mult / max(c.mult.mean(), 1e-9))
    unknown2 = rng.random(n) < p_unk2
    lin = (2.8 * (initial >= _D_SEEK) - 0.9 * c.az - 0.2 * c.sc + 0.7 * c.care + 0.3 * c.asn
           - 0.7 * (initial == _D_HE) + c.school_dest)
    target = max((1 - _FOLLOW_UP_POSITIVE) - unknown2.mean(), 0.001) / max(1 - unknown2.mean(), 1e-9)
    neg2 = ~unknown2 & (rng.random(n) < sigmoid(lin + calibrate(lin[~unknown2], target)))
    pos2 = ~unknown2 & ~neg2
    follow = np.full(n, _D_UNK, dtype=np.int64)
    stay = pos2 & was_pos & (rng.random(n) < _STAY[np.minimum(initial, N_POS - 1)])
    follow[stay] = initial[stay]
    move = pos2 & ~stay
    # Movers go somewhere else positive (HE only if they were in HE: it starts in the autumn).
    pm = probs.copy()
    pm[:, _D_HE] = 0.0
    pm[np.arange(n), np.minimum(initial, N_POS - 1)] *= np.where(was_pos, 0.0, 1.0)
    pm[:, _D_EMP] *= 1.6  # follow-ups have more employment than initial
    pm[pm.sum(axis=1) == 0, _D_EMP] = 1.0
    follow[move] = draw(rng, pm[move])
    not_seeking2 = rng.random(n) < sigmoid(-0.6 + 0.8 * c.asn + 0.8 * c.care)
    follow[neg2] = np.where(not_seeking2[neg2], _D_NOTSEEK, _D_SEEK)
    return follow


def _timestamps(rng: np.random.Generator, base: np.datetime64, lo: int, hi: int, n: int) -> np.ndarray:
    """``n`` working-hours timestamps ``lo`` to ``hi`` days after ``base``."""
    days = rng.integers(lo, hi, n)
    seconds = rng.integers(8 * 3600, 17 * 3600, n)
    return base.astype("datetime64[s]") + (days * 86400 + seconds).astype("timedelta64[s]")


def _recorded(rng: np.random.Generator, year: int, n: int, initial: np.ndarray,
              follow: np.ndarray) -> dict[str, np.ndarray]:
    """Survey dates, when the records were made, and the superseded follow-up records: some
    follow-ups were first recorded as unknown or unemployed, then corrected."""
    oct_survey = np.datetime64(first_monday(year, 10))
    apr_survey = np.datetime64(first_monday(year + 1, 4))
    initial_at = _timestamps(rng, oct_survey, 3, 45, n)
    follow_at = _timestamps(rng, apr_survey, 3, 45, n)
    hist = np.flatnonzero((follow != _D_UNK) & (rng.random(n) < 0.03))
    h_cat = np.where(rng.random(hist.size) < 0.6, _D_UNK, _D_SEEK)
    h_at = follow_at[hist] - (rng.integers(5, 30, hist.size) * 86400).astype("timedelta64[s]")
    return {
        "d_initial": initial, "d_follow": follow, "d_initial_at": initial_at, "d_follow_at": follow_at,
        "h_learner": hist, "h_category": h_cat, "h_at": h_at, "h_superseded": follow_at[hist],
    }


def spells(rng: np.random.Generator, dests: dict[str, np.ndarray], leaving: np.ndarray) -> dict[str, np.ndarray]:
    """APM spells after leaving: the initial status, then the follow-up status if it changed."""
    initial, follow = dests["d_initial"], dests["d_follow"]
    status = np.array([_APM[i].value for i in range(9)])
    n = initial.size
    first = status[initial]
    second = status[follow]
    changed = first != second
    start1 = leaving + np.timedelta64(1, "D")
    at_init = dests["d_initial_at"].astype("datetime64[D]")
    at_follow = dests["d_follow_at"].astype("datetime64[D]")
    gap = np.maximum((at_follow - at_init).astype(np.int64) - 30, 1)
    change = at_init + (15 + (rng.random(n) * gap).astype(np.int64)).astype("timedelta64[D]")
    li = np.concatenate([np.arange(n), np.flatnonzero(changed)])
    st = np.concatenate([first, second[changed]])
    start = np.concatenate([start1, change[changed]])
    end = np.concatenate([np.where(changed, change - np.timedelta64(1, "D"), np.datetime64("NaT")),
                          np.full(int(changed.sum()), np.datetime64("NaT"), dtype="datetime64[D]")])
    order = np.lexsort((start, li))
    return {"learner": li[order], "status": st[order], "start": start[order], "end": end[order]}
