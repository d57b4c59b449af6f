"""Risk of a negative destination: an explainable, rule-based rating (our rules, not Insight's).

Every rule that applies adds its weight to the score and one reason, in words, to the rating, so
a rating is never shown without the reasons it comes from. The rules and weights are ours and
are stated in docs/methodology.md ("Risk of a negative destination"); they guide support and
are not a prediction. Free of Django: facts in, rating out (tests/destinations/test_risk.py).

Rules (weight):
1. No accepted offer by the offer date (1 March of the leaving year): 3. Before that date, no
   accepted offer yet: 1.
2. Intends to leave in S4: 2; in S5: 1 (earlier leavers are less often in a positive destination).
3. No intended destination recorded, or an intended destination that is not positive: 1.
4. Care experienced: 2.
5. Additional support needs: 1.
6. Home in the most deprived 20% of data zones (SIMD decile 1 or 2): 1.
7. Attainment so far: fewer than 3 awards at SCQF level 4 or better, once the pupil has sat an
   exam diet (S5 or S6 now): 2.

Bands: a score of 4 or more is *high* (the pupil is "at risk" on the readiness board), 2 or 3
*medium*, 0 or 1 *low*. Attendance and exclusions are not held by the portal yet, so no rule
uses them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Default weights by rule key; docs/methodology.md lists the same table. An authority's data
# manager may set its own (destinations.pathways.models.RiskWeights).
WEIGHTS: dict[str, int] = {
    "no_offer_late": 3,
    "no_offer_yet": 1,
    "leaving_s4": 2,
    "leaving_s5": 1,
    "no_intended_destination": 1,
    "care_experienced": 2,
    "asn": 1,
    "simd": 1,
    "attainment": 2,
}
RULES: dict[str, str] = {
    "no_offer_late": "No accepted offer by 1 March of the leaving year",
    "no_offer_yet": "No accepted offer yet (before 1 March)",
    "leaving_s4": "Intends to leave in S4",
    "leaving_s5": "Intends to leave in S5",
    "no_intended_destination": "No intended destination recorded, or one that is not positive",
    "care_experienced": "Care experienced",
    "asn": "Additional support needs",
    "simd": "Home in SIMD decile 1 or 2 (most deprived 20%)",
    "attainment": "Fewer than 3 awards at SCQF level 4 or better so far (from S5)",
}
MAX_WEIGHT = 10
HIGH_FROM = 4
MEDIUM_FROM = 2
DEPRIVED_DECILES = 2  # deciles 1..2: the most deprived 20%
ATTAINMENT_MIN_AWARDS = 3
ATTAINMENT_LEVEL = 4
OFFER_DATE_MONTH, OFFER_DATE_DAY = 3, 1  # 1 March of the year the pupil leaves

BANDS = {"high": "High", "medium": "Medium", "low": "Low"}


@dataclass(frozen=True)
class PupilFacts:
    """What the portal holds about a pupil, as the rules need it."""

    leaving_year: int  # the calendar year the session ends (2026 for 2025/26)
    has_accepted_offer: bool
    intended_stage: str  # "S4", "S5", "S6" or "" (not recorded)
    intended_positive: bool | None  # None: no intended destination recorded
    care_experienced: bool
    asn: bool
    simd_decile: int
    awards_level4_plus: int
    stage: str = "S6"  # the pupil's stage now: attainment counts from S5 (after the S4 diet)


@dataclass(frozen=True)
class Reason:
    key: str
    text: str
    weight: int


@dataclass(frozen=True)
class Rating:
    score: int
    band: str  # "high", "medium" or "low"
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def at_risk(self) -> bool:
        return self.band == "high"

    @property
    def band_label(self) -> str:
        return BANDS[self.band]

    @property
    def reason_texts(self) -> list[str]:
        return [r.text for r in self.reasons]


def offer_date(leaving_year: int) -> dt.date:
    """The date by which a leaver should hold an accepted offer (ours: 1 March of the leaving year)."""
    return dt.date(leaving_year, OFFER_DATE_MONTH, OFFER_DATE_DAY)


def band_for(score: int) -> str:
    if score >= HIGH_FROM:
        return "high"
    return "medium" if score >= MEDIUM_FROM else "low"


def rate(facts: PupilFacts, *, today: dt.date, weights: dict[str, int] | None = None) -> Rating:
    """The rating and its reasons, strongest first (ties in the rules' order)."""
    w = weights or WEIGHTS
    reasons: list[Reason] = []

    def add(key: str, text: str) -> None:
        if w.get(key, 0) > 0:
            reasons.append(Reason(key, text, w[key]))

    due = offer_date(facts.leaving_year)
    if not facts.has_accepted_offer:
        if today >= due:
            add("no_offer_late", f"No accepted offer by {due.day} {due:%B %Y}")
        else:
            add("no_offer_yet", "No accepted offer yet")
    if facts.intended_stage == "S4":
        add("leaving_s4", "Intends to leave in S4")
    elif facts.intended_stage == "S5":
        add("leaving_s5", "Intends to leave in S5")
    if facts.intended_positive is None:
        add("no_intended_destination", "No intended destination recorded")
    elif not facts.intended_positive:
        add("no_intended_destination", "Intended destination is not a positive one")
    if facts.care_experienced:
        add("care_experienced", "Care experienced")
    if facts.asn:
        add("asn", "Additional support needs")
    if facts.simd_decile <= DEPRIVED_DECILES:
        add("simd", f"Lives in SIMD decile {facts.simd_decile} (most deprived 20%)")
    if facts.stage in ("S5", "S6") and facts.awards_level4_plus < ATTAINMENT_MIN_AWARDS:
        n = facts.awards_level4_plus
        add("attainment", f"{n} award{'' if n == 1 else 's'} at SCQF level {ATTAINMENT_LEVEL} or better so far "
                          f"(fewer than {ATTAINMENT_MIN_AWARDS})")
    reasons.sort(key=lambda r: -r.weight)
    score = sum(r.weight for r in reasons)
    return Rating(score=score, band=band_for(score), reasons=tuple(reasons))
