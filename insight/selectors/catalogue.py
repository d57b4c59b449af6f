"""The measure catalogue: what the dashboards show, and the fixed breakdowns they offer.

Each ``Measure`` names the count it is built on (primary suppression) and the additive count
whose pattern hides it (secondary suppression, see insight.selectors.pattern). Breakdowns are
fixed choices, never free filters, so every table of a measure is covered by one pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from datahub.models import AwardType

from ..benchmarking import columns as c


@dataclass(frozen=True)
class Measure:
    """One figure of the national measures, and the count it is built on."""

    key: str
    label: str  # full name, for headings and captions
    short: str  # for column headings and menus
    kind: str  # "tariff" (average points) or "pct" (percentage)
    base: str  # the count the figure is built on (primary suppression)
    layer: str  # the additive count whose pattern hides it (secondary suppression)
    vc_aggregable: bool  # an authority's VC can be aggregated from its schools' VCs


MEASURES: Final[dict[str, Measure]] = {
    m.key: m
    for m in (
        Measure(c.AVG_TOTAL_TARIFF, "Average total tariff points", "Average total tariff", "tariff",
                c.N_LEAVERS, c.N_LEAVERS, True),
        Measure(c.avg_tariff(c.LOWEST20), "Average total tariff of the lowest attaining 20%", "Lowest 20%",
                "tariff", c.n_group(c.LOWEST20), c.N_LEAVERS, False),
        Measure(c.avg_tariff(c.MIDDLE60), "Average total tariff of the middle attaining 60%", "Middle 60%",
                "tariff", c.n_group(c.MIDDLE60), c.N_LEAVERS, False),
        Measure(c.avg_tariff(c.HIGHEST20), "Average total tariff of the highest attaining 20%", "Highest 20%",
                "tariff", c.n_group(c.HIGHEST20), c.N_LEAVERS, False),
        *(
            Measure(c.pct_lit_num(level), f"Leavers with literacy and numeracy at SCQF level {level} or better",
                    f"Literacy and numeracy, level {level}", "pct", c.N_LEAVERS, c.N_LEAVERS, True)
            for level in c.LIT_NUM_LEVELS
        ),
        Measure(c.PCT_INITIAL_POSITIVE, "Leavers in a positive initial destination", "Positive initial destination",
                "pct", c.N_INITIAL_KNOWN, c.N_INITIAL_KNOWN, True),
        Measure(c.PCT_FOLLOWUP_POSITIVE, "Leavers in a positive follow-up destination",
                "Positive follow-up destination", "pct", c.N_FOLLOWUP_KNOWN, c.N_FOLLOWUP_KNOWN, True),
        Measure(c.PCT_SUSTAINED_POSITIVE, "Leavers positive at both initial and follow-up (sustained)",
                "Sustained positive destination", "pct", c.N_SUSTAINED_KNOWN, c.N_SUSTAINED_KNOWN, True),
    )
}

# The headline panels of the dashboards: the four national measures (deprivation is its own panel).
PANELS: Final = (
    ("attainment", "Improving attainment for all",
     (c.avg_tariff(c.LOWEST20), c.avg_tariff(c.MIDDLE60), c.avg_tariff(c.HIGHEST20))),
    ("literacy-numeracy", "Literacy and numeracy", (c.pct_lit_num(4), c.pct_lit_num(5))),
    ("destinations", "Leavers' destinations",
     (c.PCT_INITIAL_POSITIVE, c.PCT_FOLLOWUP_POSITIVE, c.PCT_SUSTAINED_POSITIVE)),
)
HEADLINE_MEASURES: Final = tuple(m for _, _, ms in PANELS for m in ms)
# Literacy and numeracy is shown as a pair of levels (DOMAIN: Insight offers 3/4 and 5/6 besides
# 4/5, the default): the dashboards' ``?litnum=`` picks the pair.
LIT_NUM_PAIRS: Final = {"34": (3, 4), "45": (4, 5), "56": (5, 6)}
LIT_NUM_DEFAULT: Final = "45"


def lit_num_pair_label(pair: str) -> str:
    low, high = LIT_NUM_PAIRS[pair]
    return f"SCQF levels {low} and {high}"


def headline_panels(lit_num_pair: str = LIT_NUM_DEFAULT) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """:data:`PANELS` with the literacy and numeracy panel showing the chosen pair of levels."""
    levels = LIT_NUM_PAIRS[lit_num_pair]
    return tuple((gid, title, tuple(c.pct_lit_num(v) for v in levels)) if gid == "literacy-numeracy" else (gid, title, keys)
                 for gid, title, keys in PANELS)
# Measures the overview tables (authority's schools, Scotland's authorities) can show.
TABLE_MEASURES: Final = (c.avg_tariff(c.LOWEST20), c.avg_tariff(c.MIDDLE60), c.avg_tariff(c.HIGHEST20),
                         c.pct_lit_num(4), c.pct_lit_num(5), c.PCT_INITIAL_POSITIVE, c.PCT_FOLLOWUP_POSITIVE,
                         c.PCT_SUSTAINED_POSITIVE, c.AVG_TOTAL_TARIFF)
LAYERS: Final = (c.N_LEAVERS, c.N_INITIAL_KNOWN, c.N_FOLLOWUP_KNOWN, c.N_SUSTAINED_KNOWN)
ATTAINMENT_BASES: Final = tuple(c.n_group(g) for g in c.ATTAINMENT_GROUPS)
DECILE: Final = "simd_decile"
STAGE_LABELS: Final = {"4": "S4", "5": "S5", "6": "S6", "S4": "S4", "S5": "S5", "S6": "S6"}


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: str
    values: tuple[tuple[str, str], ...]  # (stored value, label), in display order
    measures: tuple[str, ...]  # which figures exist for it

    @property
    def phrase(self) -> str:
        """The label inside a sentence ("by SIMD quintile", "by care experience")."""
        return self.label if self.label.startswith("SIMD") else self.label.lower()


_ALL = tuple(MEASURES)
BREAKDOWNS: Final[dict[str, Breakdown]] = {
    b.key: b
    for b in (
        Breakdown(c.SEX, "Sex", (("F", "Female"), ("M", "Male")), _ALL),
        Breakdown(c.SIMD_QUINTILE, "SIMD quintile",
                  tuple((str(q), f"SIMD quintile {q}" + {1: " (most deprived 20%)", 5: " (least deprived 20%)"}.get(q, ""))
                        for q in range(1, 6)), _ALL),
        Breakdown(DECILE, "SIMD decile",
                  tuple((str(d), f"SIMD decile {d}" + {1: " (most deprived 10%)", 10: " (least deprived 10%)"}.get(d, ""))
                        for d in range(1, 11)), (c.AVG_TOTAL_TARIFF,)),
        Breakdown(c.ASN, "Additional support needs",
                  (("yes", "With additional support needs"), ("no", "No additional support needs")), _ALL),
        Breakdown(c.CARE_EXPERIENCED, "Care experience", (("yes", "Care experienced"), ("no", "Not care experienced")),
                  _ALL),
        # Stage of leaving appears once the engine stores it as a breakdown dimension (c.STAGE).
        Breakdown(c.STAGE, "Stage of leaving", (("4", "Left in S4"), ("5", "Left in S5"), ("6", "Left in S6")), _ALL),
    )
}

VOCATIONAL: Final = (
    (AwardType.FOUNDATION_APPRENTICESHIP.value, "Foundation Apprenticeship"),
    (AwardType.NPA.value, "National Progression Award"),
    (AwardType.SKILLS_FOR_WORK.value, "Skills for Work"),
)
VOCATIONAL_ANY: Final = "any"


def year_label(year: int) -> str:
    """Leaver year 2024 is the 2023/24 leavers."""
    return f"{year - 1}/{str(year)[2:]}"

