"""Every column name the benchmarking engine reads or writes, in one place.

The Django loader builds the input frames with these names and the persistence layer reads the
output frames with them, so a rename happens here and nowhere else.
"""

from __future__ import annotations

from typing import Final

# --- input: one row per school leaver ---------------------------------------------------------
LEAVER_ID: Final = "leaver_id"
ESTABLISHMENT_ID: Final = "establishment_id"
AUTHORITY_ID: Final = "authority_id"
SEED_CODE: Final = "seed_code"
YEAR: Final = "year"
SEX: Final = "sex"
ASN: Final = "asn"
STAGE: Final = "stage"
SIMD_DECILE: Final = "simd_decile"
CARE_EXPERIENCED: Final = "care_experienced"
FSM: Final = "fsm"
INITIAL_POSITIVE: Final = "initial_positive"
FOLLOWUP_POSITIVE: Final = "followup_positive"

LEAVER_COLUMNS: Final = (
    LEAVER_ID,
    ESTABLISHMENT_ID,
    AUTHORITY_ID,
    SEED_CODE,
    YEAR,
    SEX,
    ASN,
    STAGE,
    SIMD_DECILE,
    CARE_EXPERIENCED,
    FSM,
    INITIAL_POSITIVE,
    FOLLOWUP_POSITIVE,
)

# --- input: one row per qualification result --------------------------------------------------
SUBJECT_ID: Final = "subject_id"
SCQF_LEVEL: Final = "scqf_level"
POINTS: Final = "points"
LITERACY: Final = "literacy"
NUMERACY: Final = "numeracy"

RESULT_COLUMNS: Final = (LEAVER_ID, SUBJECT_ID, SCQF_LEVEL, POINTS, LITERACY, NUMERACY)

# --- derived per leaver -----------------------------------------------------------------------
SIMD_QUINTILE: Final = "simd_quintile"
TOTAL_TARIFF: Final = "total_tariff"
LITERACY_LEVEL: Final = "literacy_level"
NUMERACY_LEVEL: Final = "numeracy_level"
# Position of the leaver in (total_tariff, leaver_id) order: sorting on one integer is faster.
TARIFF_RANK: Final = "tariff_rank"

# --- comparator draw --------------------------------------------------------------------------
COMPARATOR_ID: Final = "comparator_id"
RELAXATION: Final = "relaxation"
N_CANDIDATES: Final = "n_candidates"

# Relaxation counts per establishment and year.
N_EXACT: Final = "n_exact"
N_RELAXED_QUINTILE: Final = "n_relaxed_quintile"
N_RELAXED_NO_ASN: Final = "n_relaxed_no_asn"
N_UNMATCHED: Final = "n_unmatched"

# --- measures ---------------------------------------------------------------------------------
N_LEAVERS: Final = "n_leavers"
AVG_TOTAL_TARIFF: Final = "avg_total_tariff"

# Attainment groups of "improving attainment for all", in display order.
LOWEST20: Final = "lowest20"
MIDDLE60: Final = "middle60"
HIGHEST20: Final = "highest20"
ATTAINMENT_GROUPS: Final = (LOWEST20, MIDDLE60, HIGHEST20)


def n_group(group: str) -> str:
    """Column holding the number of leavers in attainment group ``group``."""
    return f"n_{group}"


def avg_tariff(group: str) -> str:
    """Column holding the average total tariff of attainment group ``group``."""
    return f"avg_tariff_{group}"


def norm(group: str) -> str:
    """Column holding the normalised score of attainment group ``group`` for one year."""
    return f"norm_{group}"


def weighted(group: str) -> str:
    """Column holding the leaver-weighted multi-year normalised score of ``group``."""
    return f"weighted_{group}"


# Literacy and numeracy: both at SCQF level >= L, for these L.
LIT_NUM_LEVELS: Final = (3, 4, 5, 6)


def pct_lit_num(level: int) -> str:
    """Column holding the % of leavers with literacy and numeracy both at SCQF ``level`` or better."""
    return f"pct_lit_num_scqf{level}"


N_INITIAL_KNOWN: Final = "n_initial_known"
PCT_INITIAL_POSITIVE: Final = "pct_initial_positive"
N_FOLLOWUP_KNOWN: Final = "n_followup_known"
PCT_FOLLOWUP_POSITIVE: Final = "pct_followup_positive"
N_SUSTAINED_KNOWN: Final = "n_sustained_known"
PCT_SUSTAINED_POSITIVE: Final = "pct_sustained_positive"

HEADLINE_MEASURES: Final = (
    N_LEAVERS,
    AVG_TOTAL_TARIFF,
    *(n_group(g) for g in ATTAINMENT_GROUPS),
    *(avg_tariff(g) for g in ATTAINMENT_GROUPS),
    *(pct_lit_num(level) for level in LIT_NUM_LEVELS),
    N_INITIAL_KNOWN,
    PCT_INITIAL_POSITIVE,
    N_FOLLOWUP_KNOWN,
    PCT_FOLLOWUP_POSITIVE,
    N_SUSTAINED_KNOWN,
    PCT_SUSTAINED_POSITIVE,
)

# Long frames shared by the four cohorts (establishment, its VC, authority, Scotland).
COHORT: Final = "cohort"
COHORT_ID: Final = "cohort_id"
COHORT_ESTABLISHMENT: Final = "establishment"
COHORT_VC: Final = "vc"
COHORT_AUTHORITY: Final = "authority"
# A Regional Improvement Collaborative: the leavers of its authorities (between authority and Scotland).
COHORT_COLLABORATIVE: Final = "collaborative"
COLLABORATIVE_ID: Final = "collaborative_id"
COHORT_NATIONAL: Final = "national"
NATIONAL_COHORT_ID: Final = 0  # education code 0 is "Scotland" in ScotXed files

# Attainment versus deprivation.
SIMD_BAND_KIND: Final = "simd_band_kind"  # "quintile" or "decile"
SIMD_BAND: Final = "simd_band"
BAND_QUINTILE: Final = "quintile"
BAND_DECILE: Final = "decile"

# Breakdowns.
BREAKDOWN: Final = "breakdown"
BREAKDOWN_VALUE: Final = "breakdown_value"
BREAKDOWN_DIMENSIONS: Final = (SEX, SIMD_QUINTILE, ASN, CARE_EXPERIENCED, STAGE)

# --- partner finding --------------------------------------------------------------------------
N_YEARS: Final = "n_years"
OTHER_ID: Final = "other_id"
DISTANCE: Final = "distance"
RANK: Final = "rank"
SCORE_GAP: Final = "score_gap"
ESTABLISHMENT_TYPE: Final = "establishment_type"

# --- uncertainty ------------------------------------------------------------------------------
SOURCE: Final = "source"  # "vc" or "normalised"
SOURCE_VC: Final = "vc"
SOURCE_NORMALISED: Final = "normalised"
MEASURE: Final = "measure"
N_DRAWS: Final = "n_draws"
MIN: Final = "min"
P05: Final = "p05"
P95: Final = "p95"
MAX: Final = "max"

# --- local measures: cohorts from the census and Breadth and Depth (issue 12) ------------------
LEARNER_ID: Final = "learner_id"
COHORT_STAGE: Final = "cohort_stage"  # "S4", "S5", "S6" (based on the S4 roll) or "leavers"
STAGE_S4: Final = "S4"
STAGE_S5: Final = "S5"
STAGE_S6: Final = "S6"
STAGE_LEAVERS: Final = "leavers"
COHORT_STAGES: Final = (STAGE_S4, STAGE_S5, STAGE_S6, STAGE_LEAVERS)
SCQF_CREDITS: Final = "scqf_credits"
GRADE: Final = "grade"  # result grade code: 0 A, 1 B, 2 C, 3 D, 4 pass (ungraded)
GRADE_CODES: Final = {"A": 0, "B": 1, "C": 2, "D": 3, "P": 4}
GRADE_FILTER: Final = "grade_filter"
GRADE_FILTERS: Final = ("A", "AC", "AD")  # A only, A-C, A-D
MIN_CREDITS: Final = "min_credits"
MIN_CREDIT_OPTIONS: Final = (0, 12, 24)  # any award, 12 or more SCQF credit points, 24 or more
BD_LEVELS: Final = (3, 4, 5, 6, 7)  # SCQF level L or better (7: level 7)
BD_MAX_AWARDS: Final = 10
N_COHORT: Final = "n_cohort"


def n_awards(k: int) -> str:
    """Column holding the number of the cohort with ``k`` or more awards (Breadth and Depth)."""
    return f"n_awards_{k}"


BD_COUNT_COLUMNS: Final = tuple(n_awards(k) for k in range(1, BD_MAX_AWARDS + 1))

# --- local measures: curricular areas (issue 12) -------------------------------------------------
CURRICULAR_AREA: Final = "curricular_area"
# The eight curricular areas of Curriculum for Excellence (values of datahub's CurricularArea), in
# display order; a subject's area code is its position here.
CURRICULAR_AREAS: Final = ("expressive_arts", "health_wellbeing", "languages", "mathematics", "rme", "sciences",
                           "social_studies", "technologies")
AREA_CODE: Final = "area_code"  # a subject's position in CURRICULAR_AREAS, -1 when it has no area


def n_level(level: int) -> str:
    """Column holding the number of the cohort with an award in the area at ``level`` or better."""
    return f"n_level_{level}"


AREA_COUNT_COLUMNS: Final = tuple(n_level(level) for level in BD_LEVELS)
