"""The worked example of docs/methodology.md, end to end. Every number in the document is here.

Two schools in two authorities, five 2024 leavers each. Every leaver of school A has exactly one
twin in school B (same sex, ASN, stage and SIMD decile) and nobody else shares the cell, so each
leaver's ten comparators are ten copies of its twin: the VC is known without chance.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.contract import leavers_from_records, results_from_records
from insight.benchmarking.engine import BenchmarkResult, compute, finalise
from insight.benchmarking.synthetic import leaver_record, result_record

SCHOOL_A, SCHOOL_B = 1, 2
ENG, MATHS, HIST, PHYS, CHEM, BIO, GEOG = 1, 2, 3, 4, 5, 6, 7

# (leaver in A, twin in B, sex, ASN, stage, SIMD decile)
TWINS = [
    (11, 21, "F", False, 4, 1),
    (12, 22, "M", False, 5, 2),
    (13, 23, "F", True, 5, 4),
    (14, 24, "M", False, 6, 7),
    (15, 25, "F", False, 6, 10),
]
# School A's destinations (initial, follow-up); school B's are all positive.
A_DESTINATIONS = {11: (0.0, math.nan), 12: (1.0, 1.0), 13: (1.0, 0.0), 14: (1.0, 1.0), 15: (1.0, 1.0)}


def lit(leaver: int, subject: int, level: int, points: float) -> dict:
    return result_record(leaver, subject, level, points, literacy=True)


def num(leaver: int, subject: int, level: int, points: float) -> dict:
    return result_record(leaver, subject, level, points, numeracy=True)


RESULTS = [
    # School A
    lit(11, ENG, 4, 33), num(11, MATHS, 4, 33),  # 66
    lit(12, ENG, 5, 56), num(12, MATHS, 4, 33), result_record(12, HIST, 5, 70),  # 159
    lit(13, ENG, 5, 70), num(13, MATHS, 5, 70), num(13, MATHS, 6, 136), result_record(13, PHYS, 5, 84),  # 290
    lit(14, ENG, 6, 170), num(14, MATHS, 5, 84), result_record(14, CHEM, 6, 136),  # 390
    lit(15, ENG, 6, 204), num(15, MATHS, 6, 204), num(15, MATHS, 7, 400), result_record(15, PHYS, 6, 204),  # 808
    # School B
    lit(21, ENG, 4, 33), num(21, MATHS, 3, 16),  # 49
    lit(22, ENG, 5, 56), num(22, MATHS, 5, 42), result_record(22, GEOG, 5, 56),  # 154
    lit(23, ENG, 5, 84), num(23, MATHS, 5, 70), result_record(23, BIO, 6, 136),  # 290
    lit(24, ENG, 6, 136), num(24, MATHS, 6, 136), result_record(24, BIO, 5, 70),  # 342
    lit(25, ENG, 6, 170), num(25, MATHS, 6, 170), result_record(25, CHEM, 6, 170), result_record(25, PHYS, 6, 136),  # 646
]  # fmt: skip


def worked_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    records = []
    for a, b, sex, asn, stage, decile in TWINS:
        traits = {"sex": sex, "asn": asn, "stage": stage, "simd_decile": decile}
        initial, followup = A_DESTINATIONS[a]
        records.append(leaver_record(a, SCHOOL_A, 100, initial_positive=initial, followup_positive=followup, **traits))
        records.append(leaver_record(b, SCHOOL_B, 200, **traits))
    return leavers_from_records(records), results_from_records(RESULTS)


@pytest.fixture(scope="module")
def result() -> BenchmarkResult:
    leavers, results = worked_example()
    return finalise(compute(leavers, results, seed=2024, draws=3))


def row(frame: pd.DataFrame, **where: object) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1
    return frame[mask].iloc[0]


def test_step1_total_tariff_uses_latest_and_best(result: BenchmarkResult) -> None:
    # Leaver 13: Maths Higher C (136) supersedes Maths N5 B (70): 70 + 136 + 84 = 290.
    # Leaver 15: Maths Advanced Higher B (400) supersedes Maths Higher A (204): 204 + 400 + 204 = 808.
    school = row(result.establishment_measures, establishment_id=SCHOOL_A)
    assert school[c.AVG_TOTAL_TARIFF] == pytest.approx((66 + 159 + 290 + 390 + 808) / 5)


def test_step2_each_leaver_draws_ten_copies_of_its_twin(result: BenchmarkResult) -> None:
    drawn = result.comparators.groupby(c.LEAVER_ID)[c.COMPARATOR_ID].agg(lambda s: sorted(set(s)))
    assert drawn.to_dict() == {a: [b] for a, b, *_ in TWINS} | {b: [a] for a, b, *_ in TWINS}
    assert (result.comparators.groupby(c.LEAVER_ID).size() == 10).all()
    assert (result.relaxation[c.RELAXATION] == 0).all()
    counts = row(result.relaxation_counts, establishment_id=SCHOOL_A)
    assert (counts[c.N_LEAVERS], counts[c.N_EXACT], counts[c.N_UNMATCHED]) == (5, 5, 0)


def test_step3_improving_attainment_for_all(result: BenchmarkResult) -> None:
    school = row(result.establishment_measures, establishment_id=SCHOOL_A)
    # Ranked 66, 159, 290, 390, 808; n = 5: lowest 1, middle 3, highest 1.
    assert school[c.avg_tariff(c.LOWEST20)] == 66.0
    assert school[c.avg_tariff(c.MIDDLE60)] == pytest.approx(839 / 3)  # 279.67
    assert school[c.avg_tariff(c.HIGHEST20)] == 808.0
    vc = row(result.vc_measures, establishment_id=SCHOOL_A)
    # 50 VC leavers; lowest 20% = 10 rows = ten copies of 49; middle 30 rows; highest ten of 646.
    assert vc[c.N_LEAVERS] == 50
    assert (vc[c.n_group(c.LOWEST20)], vc[c.n_group(c.MIDDLE60)], vc[c.n_group(c.HIGHEST20)]) == (10, 30, 10)
    assert vc[c.avg_tariff(c.LOWEST20)] == 49.0
    assert vc[c.avg_tariff(c.MIDDLE60)] == pytest.approx(262.0)  # (154 + 290 + 342) / 3
    assert vc[c.avg_tariff(c.HIGHEST20)] == 646.0
    scotland = row(result.national_measures, year=2024)
    # All ten: 49, 66 | 154, 159, 290, 290, 342, 390 | 646, 808.
    assert scotland[c.avg_tariff(c.LOWEST20)] == 57.5
    assert scotland[c.avg_tariff(c.MIDDLE60)] == pytest.approx(1625 / 6)  # 270.83
    assert scotland[c.avg_tariff(c.HIGHEST20)] == 727.0
    authority = row(result.authority_measures, authority_id=100)
    assert authority[c.avg_tariff(c.LOWEST20)] == 66.0


def test_step4_literacy_numeracy_and_destinations(result: BenchmarkResult) -> None:
    school = row(result.establishment_measures, establishment_id=SCHOOL_A)
    assert school[c.pct_lit_num(4)] == 100.0
    assert school[c.pct_lit_num(5)] == 60.0  # leavers 13, 14, 15
    assert school[c.PCT_INITIAL_POSITIVE] == 80.0  # 4 of 5
    assert (school[c.N_FOLLOWUP_KNOWN], school[c.PCT_FOLLOWUP_POSITIVE]) == (4, 75.0)  # 3 of 4 known
    assert (school[c.N_SUSTAINED_KNOWN], school[c.PCT_SUSTAINED_POSITIVE]) == (4, 75.0)
    vc = row(result.vc_measures, establishment_id=SCHOOL_A)
    assert vc[c.pct_lit_num(4)] == 80.0  # leaver 21 has numeracy at level 3 only
    assert vc[c.pct_lit_num(5)] == 80.0
    assert vc[c.PCT_INITIAL_POSITIVE] == 100.0


def test_step5_normalised_and_weighted_scores(result: BenchmarkResult) -> None:
    a = row(result.normalised, establishment_id=SCHOOL_A)
    assert a[c.norm(c.LOWEST20)] == pytest.approx(17 / 49)  # (66 - 49) / 49 = 0.3469
    assert a[c.norm(c.MIDDLE60)] == pytest.approx(53 / 786)  # (279.67 - 262) / 262 = 0.0674
    assert a[c.norm(c.HIGHEST20)] == pytest.approx(162 / 646)  # (808 - 646) / 646 = 0.2508
    b = row(result.normalised, establishment_id=SCHOOL_B)
    assert b[c.norm(c.LOWEST20)] == pytest.approx(-17 / 66)  # (49 - 66) / 66 = -0.2576
    assert b[c.norm(c.MIDDLE60)] == pytest.approx(-53 / 839)  # -0.0632
    assert b[c.norm(c.HIGHEST20)] == pytest.approx(-162 / 808)  # -0.2005
    # One year only: the weighted score is that year's score.
    weighted = row(result.weighted, establishment_id=SCHOOL_A)
    assert weighted[c.weighted(c.LOWEST20)] == pytest.approx(17 / 49)


def test_step6_distance_and_partner_lists(result: BenchmarkResult) -> None:
    expected = math.sqrt((17 / 49 + 17 / 66) ** 2 + (53 / 786 + 53 / 839) ** 2 + (162 / 646 + 162 / 808) ** 2)  # 0.7656
    a_to_b = row(result.distances, establishment_id=SCHOOL_A, other_id=SCHOOL_B)
    b_to_a = row(result.distances, establishment_id=SCHOOL_B, other_id=SCHOOL_A)
    assert a_to_b[c.DISTANCE] == pytest.approx(expected)
    assert a_to_b[c.DISTANCE] == b_to_a[c.DISTANCE]
    assert round(expected, 4) == 0.7656
    # B is below its VC in the lowest 20%, A above: A is "stronger where B is weaker".
    assert result.stronger is not None
    assert row(result.stronger, establishment_id=SCHOOL_B)[c.OTHER_ID] == SCHOOL_A
    assert (result.stronger[c.ESTABLISHMENT_ID] == SCHOOL_A).sum() == 0


def test_step7_intervals_collapse_when_the_draw_has_no_choice(result: BenchmarkResult) -> None:
    assert result.intervals is not None
    lowest = row(result.intervals, establishment_id=SCHOOL_A, source=c.SOURCE_VC, measure=c.avg_tariff(c.LOWEST20))
    assert (lowest[c.N_DRAWS], lowest[c.MIN], lowest[c.P05], lowest[c.P95], lowest[c.MAX]) == (3, 49, 49, 49, 49)


def test_attainment_versus_deprivation_for_school_a(result: BenchmarkResult) -> None:
    grid = result.deprivation
    quintile1 = row(
        grid, cohort=c.COHORT_ESTABLISHMENT, cohort_id=SCHOOL_A, simd_band_kind=c.BAND_QUINTILE, simd_band=1
    )
    assert (quintile1[c.N_LEAVERS], quintile1[c.AVG_TOTAL_TARIFF]) == (2, (66 + 159) / 2)  # deciles 1 and 2
