"""The worked example of docs/methodology.md, "Local measures", for the curricular areas: the same
four pupils, two schools and two authorities as Breadth and Depth
(test_breadth_depth_worked_example.py), checked number by number from the census and the
subjects' areas through the loader and the engine to the stored run.

Areas (our mapping): English languages, Mathematics mathematics, Physics sciences, History social
studies, the Youth Achievement Award health and wellbeing, the Cyber Security NPA technologies.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from datahub.models import Subject
from insight import loaders
from insight.benchmarking import areas, breadth
from insight.benchmarking import columns as c
from insight.models import CurricularAreaResult
from insight.services import run_create, run_execute_in_process
from tests.insight.local.worlds import build_example


@pytest.fixture
def example(db: Any) -> dict[str, Any]:
    return build_example()


def _grid(year: int, seed: int | None = None) -> pd.DataFrame:
    members, results = loaders.load_cohorts(year)
    groups = breadth.cohort_groups(members, seed=seed)
    return areas.curricular_areas(members, results, loaders.load_subject_areas(), groups=groups)


def row(frame: pd.DataFrame, cohort: str, cohort_id: int, stage: str, grade: str, area: str) -> list[int]:
    """n_cohort, then the members with an award in the area at level 3+, 4+, 5+, 6+ and 7."""
    hit = frame[(frame[c.COHORT] == cohort) & (frame[c.COHORT_ID] == cohort_id) & (frame[c.COHORT_STAGE] == stage)
                & (frame[c.GRADE_FILTER] == grade) & (frame[c.CURRICULAR_AREA] == area)]
    assert len(hit) == 1
    return [int(hit[c.N_COHORT].iloc[0]), *(int(hit[c.n_level(level)].iloc[0]) for level in c.BD_LEVELS)]


def test_s4_cohort_2024_by_area(example: dict[str, Any]) -> None:
    grid = _grid(2024)
    k, d = example["schools"]["K"].pk, example["schools"]["D"].pk
    est = c.COHORT_ESTABLISHMENT
    # Languages, A-D: Ava N5 English A, Ben N4 English (pass), Cara N5 English B.
    assert row(grid, est, k, "S4", "AD", "languages") == [3, 3, 3, 2, 0, 0]
    # A only: Ava's English alone.
    assert row(grid, est, k, "S4", "A", "languages") == [3, 1, 1, 1, 0, 0]
    # Mathematics, A-C (passes count): Ava N5 C, Ben N3 pass, Cara N5 A.
    assert row(grid, est, k, "S4", "AC", "mathematics") == [3, 3, 2, 2, 0, 0]
    assert row(grid, est, k, "S4", "A", "mathematics") == [3, 1, 1, 1, 0, 0]
    # Sciences: Ava's N4 Physics; health and wellbeing: her Youth Achievement Award at level 3;
    # technologies: Ben's NPA at level 4 (no credit filter here: its 12 credits count).
    assert row(grid, est, k, "S4", "AD", "sciences") == [3, 1, 1, 0, 0, 0]
    assert row(grid, est, k, "S4", "AD", "health_wellbeing") == [3, 1, 0, 0, 0, 0]
    assert row(grid, est, k, "S4", "AD", "technologies") == [3, 1, 1, 0, 0, 0]
    assert row(grid, est, k, "S4", "AD", "social_studies") == [3, 0, 0, 0, 0, 0]
    # Deeside is Dan alone: N5 English D (not under A-C), N5 History A; his 2025 Physics not yet.
    assert row(grid, est, d, "S4", "AD", "languages") == [1, 1, 1, 1, 0, 0]
    assert row(grid, est, d, "S4", "AC", "languages") == [1, 0, 0, 0, 0, 0]
    assert row(grid, est, d, "S4", "A", "social_studies") == [1, 1, 1, 1, 0, 0]
    assert row(grid, est, d, "S4", "AD", "sciences") == [1, 0, 0, 0, 0, 0]
    # Glasgow City is Kelvinbank; Scotland everyone once.
    assert row(grid, c.COHORT_AUTHORITY, example["glasgow"].pk, "S4", "AD", "languages") == [3, 3, 3, 2, 0, 0]
    assert row(grid, c.COHORT_NATIONAL, 0, "S4", "AD", "languages") == [4, 4, 4, 3, 0, 0]
    # Leavers of 2024: Ben; his passes are no A.
    assert row(grid, est, k, "leavers", "AD", "languages") == [1, 1, 1, 0, 0, 0]
    assert row(grid, est, k, "leavers", "A", "languages") == [1, 0, 0, 0, 0, 0]
    assert row(grid, est, k, "leavers", "AD", "technologies") == [1, 1, 1, 0, 0, 0]


def test_s5_based_on_the_s4_roll_by_area(example: dict[str, Any]) -> None:
    grid = _grid(2025)
    k, d = example["schools"]["K"].pk, example["schools"]["D"].pk
    est = c.COHORT_ESTABLISHMENT
    # Languages at level 6: Ava's Higher English B and Cara's Higher English C (sat at Deeside,
    # counted for Kelvinbank, her S4 school); Ben keeps what he had when he left.
    assert row(grid, est, k, "S5", "AD", "languages") == [3, 3, 3, 2, 2, 0]
    # A only: Ava's N5 English A still counts at level 5; no Higher at A.
    assert row(grid, est, k, "S5", "A", "languages") == [3, 1, 1, 1, 0, 0]
    # Mathematics at level 6: Ava's Higher D under A-D only.
    assert row(grid, est, k, "S5", "AD", "mathematics") == [3, 3, 2, 2, 1, 0]
    assert row(grid, est, k, "S5", "AC", "mathematics") == [3, 3, 2, 2, 0, 0]
    # Deeside's S5 is Dan: his 2025 N5 Physics B now counts.
    assert row(grid, est, d, "S5", "AC", "sciences") == [1, 1, 1, 1, 0, 0]
    assert row(grid, c.COHORT_NATIONAL, 0, "S5", "AD", "languages") == [4, 4, 4, 3, 2, 0]


def test_the_virtual_comparator_is_dan_thirty_times(example: dict[str, Any]) -> None:
    grid = _grid(2024, seed=1)
    k = example["schools"]["K"].pk
    # As for Breadth and Depth: Kelvinbank's three S4 pupils each draw Dan ten times.
    assert row(grid, c.COHORT_VC, k, "S4", "AD", "languages") == [30, 30, 30, 30, 0, 0]
    assert row(grid, c.COHORT_VC, k, "S4", "A", "social_studies") == [30, 30, 30, 30, 0, 0]
    assert row(grid, c.COHORT_VC, k, "S4", "AC", "languages") == [30, 0, 0, 0, 0, 0]


def test_a_subject_without_an_area_counts_in_no_area(example: dict[str, Any]) -> None:
    Subject.objects.filter(code="ENG").update(curricular_area="")
    grid = _grid(2024)
    assert row(grid, c.COHORT_ESTABLISHMENT, example["schools"]["K"].pk, "S4", "AD", "languages") == [3, 0, 0, 0, 0, 0]


def test_a_run_stores_the_areas_of_its_years(example: dict[str, Any]) -> None:
    run = run_execute_in_process(run_create(years=[2024]))
    stored = CurricularAreaResult.objects.get(run=run, cohort="establishment", cohort_id=example["schools"]["K"].pk,
                                              year=2024, cohort_stage="S4", grade_filter="AD",
                                              curricular_area="languages")
    assert [stored.n_cohort, *(getattr(stored, c.n_level(level)) for level in c.BD_LEVELS)] == [3, 3, 3, 2, 0, 0]
    assert set(CurricularAreaResult.objects.filter(run=run).values_list("cohort_stage", flat=True)) == {"S4", "leavers"}
    # Per group: three grade filters x eight areas.
    assert CurricularAreaResult.objects.filter(run=run, cohort="national", cohort_stage="S4").count() == 24


def test_a_collaborative_is_its_authorities_members(example: dict[str, Any]) -> None:
    """Both authorities in collaborative 7: every member once; Glasgow alone: Kelvinbank's."""
    members, results = loaders.load_cohorts(2024)
    g, a = example["glasgow"].pk, example["aberdeen"].pk
    subject_areas = loaders.load_subject_areas()
    both = areas.curricular_areas(members, results, subject_areas, collaboratives={g: 7, a: 7})
    # Languages, A-D: Ava N5 A, Ben N4 pass, Cara N5 B, Dan N5 D.
    assert row(both, c.COHORT_COLLABORATIVE, 7, "S4", "AD", "languages") == [4, 4, 4, 3, 0, 0]
    # Social studies, A: Dan's History A alone.
    assert row(both, c.COHORT_COLLABORATIVE, 7, "S4", "A", "social_studies") == [4, 1, 1, 1, 0, 0]
    alone = areas.curricular_areas(members, results, subject_areas, collaboratives={g: 7})
    assert row(alone, c.COHORT_COLLABORATIVE, 7, "S4", "AD", "languages") == [3, 3, 3, 2, 0, 0]
    assert row(alone, c.COHORT_COLLABORATIVE, 7, "S4", "A", "social_studies") == [3, 0, 0, 0, 0, 0]
    # A chunk of Aberdeen alone (in a run's groups) still sums Glasgow's schools into collaborative 7.
    chunk = areas.curricular_areas(members, results, subject_areas,
                                   groups=breadth.cohort_groups(members, authority_ids=[a]), collaboratives={g: 7, a: 7})
    assert row(chunk, c.COHORT_COLLABORATIVE, 7, "S4", "AD", "languages") == [4, 4, 4, 3, 0, 0]


def test_a_run_stores_the_collaboratives_areas(example: dict[str, Any]) -> None:
    run = run_execute_in_process(run_create(years=[2024]))
    west = example["glasgow"].collaborative_id
    assert west is not None
    stored = CurricularAreaResult.objects.get(run=run, cohort="collaborative", cohort_id=west, year=2024,
                                              cohort_stage="S4", grade_filter="AD", curricular_area="languages")
    assert [stored.n_cohort, *(getattr(stored, c.n_level(level)) for level in c.BD_LEVELS)] == [3, 3, 3, 2, 0, 0]
