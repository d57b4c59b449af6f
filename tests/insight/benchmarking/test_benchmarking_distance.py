"""Partner rankings: Insight closeness, context closeness, stronger where we are weaker."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from insight.benchmarking import columns as c
from insight.benchmarking.distance import (
    context_distances,
    distance_matrix,
    score_distances,
    standardise,
    stronger_where_weaker,
)

NAN = float("nan")


def schools(rows: list[tuple[int, str, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[c.ESTABLISHMENT_ID, c.SEED_CODE, *(c.weighted(g) for g in c.ATTAINMENT_GROUPS)])


@pytest.fixture
def five() -> pd.DataFrame:
    return schools(
        [
            (1, "5000001", 0.0, 0.0, 0.0),  # A
            (2, "5000009", 0.3, 0.4, 0.0),  # B: 0.5 from A
            (3, "5000002", 0.0, 0.0, 0.5),  # C: 0.5 from A, a tie with B; lower SEED code
            (4, "5000003", 0.1, 0.0, 0.0),  # D: 0.1 from A
            (5, "5000000", NAN, 0.0, 0.0),  # E: no lowest-20% score
        ]
    )


def ranking(frame: pd.DataFrame, establishment_id: int) -> list[int]:
    mine = frame[frame[c.ESTABLISHMENT_ID] == establishment_id]
    assert mine[c.RANK].tolist() == list(range(1, len(mine) + 1))
    return mine[c.OTHER_ID].tolist()


def test_insight_closeness_ranks_by_distance_ties_by_seed_code_missing_last(five: pd.DataFrame) -> None:
    distances = score_distances(five)
    assert ranking(distances, 1) == [4, 3, 2, 5]
    a = distances[distances[c.ESTABLISHMENT_ID] == 1].set_index(c.OTHER_ID)[c.DISTANCE]
    assert a.loc[4] == pytest.approx(0.1)
    assert a.loc[2] == pytest.approx(0.5)  # sqrt(0.3^2 + 0.4^2)
    assert a.loc[3] == pytest.approx(0.5)
    assert math.isnan(a.loc[5])
    # A school without a score: every distance missing, so SEED code order.
    assert ranking(distances, 5) == [1, 3, 4, 2]
    assert list(distances.columns) == [c.ESTABLISHMENT_ID, c.OTHER_ID, c.DISTANCE, c.RANK]


def test_every_school_ranks_every_other_school_once(five: pd.DataFrame) -> None:
    distances = score_distances(five)
    assert len(distances) == 5 * 4
    assert not (distances[c.ESTABLISHMENT_ID] == distances[c.OTHER_ID]).any()


def test_distance_is_symmetric_and_zero_to_itself(five: pd.DataFrame) -> None:
    points = five[[c.weighted(g) for g in c.ATTAINMENT_GROUPS]].to_numpy()
    matrix = distance_matrix(points)
    assert np.array_equal(matrix, matrix.T, equal_nan=True)
    assert (np.diag(matrix) == 0).all()
    assert matrix[1, 2] == pytest.approx(math.sqrt(0.3**2 + 0.4**2 + 0.5**2))


def test_stronger_where_weaker_lists_positive_higher_scores_by_gap(five: pd.DataFrame) -> None:
    stronger = stronger_where_weaker(five)
    # A scores 0 in the lowest 20%: B (+0.3) then D (+0.1); C scores 0, not positive.
    assert ranking(stronger, 1) == [2, 4]
    a = stronger[stronger[c.ESTABLISHMENT_ID] == 1].set_index(c.OTHER_ID)
    assert a.loc[2, c.SCORE_GAP] == pytest.approx(0.3)
    assert ranking(stronger, 4) == [2]  # D (0.1) is only beaten by B (0.3)
    assert ranking(stronger, 2) == []  # B is the strongest
    assert ranking(stronger, 5) == []  # E has no score of its own


def test_stronger_where_weaker_breaks_equal_gaps_by_distance() -> None:
    frame = schools(
        [
            (1, "5000001", -0.2, 0.0, 0.0),
            (2, "5000002", 0.3, 0.0, 0.4),  # gap 0.5, distance sqrt(0.25 + 0.16)
            (3, "5000003", 0.3, 0.0, 0.0),  # gap 0.5, distance 0.5: closer
        ]
    )
    assert ranking(stronger_where_weaker(frame), 1) == [3, 2]


def test_context_closeness_standardises_each_column() -> None:
    context = pd.DataFrame(
        {
            c.ESTABLISHMENT_ID: [1, 2, 3],
            c.SEED_CODE: ["5000001", "5000002", "5000003"],
            "roll": [1000.0, 1200.0, 800.0],
            "fsm_share": [0.1, 0.1, 0.4],
            "constant": [7.0, 7.0, 7.0],
        }
    )
    z = standardise(context[["roll", "fsm_share", "constant"]])
    assert z[:, 0] == pytest.approx([0.0, math.sqrt(1.5), -math.sqrt(1.5)])
    assert z[:, 1] == pytest.approx([-math.sqrt(0.5), -math.sqrt(0.5), math.sqrt(2.0)])
    assert (z[:, 2] == 0).all()
    distances = context_distances(context, ["roll", "fsm_share", "constant"])
    one = distances[distances[c.ESTABLISHMENT_ID] == 1].set_index(c.OTHER_ID)[c.DISTANCE]
    assert one.loc[2] == pytest.approx(math.sqrt(1.5))  # roll differs by 1.2247 sd, FSM equal
    assert one.loc[3] == pytest.approx(math.sqrt(6.0))  # 1.2247^2 + 2.1213^2 = 1.5 + 4.5
    assert ranking(distances, 1) == [2, 3]


def test_duplicate_schools_are_refused(five: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="once"):
        score_distances(pd.concat([five, five.iloc[:1]]))


def test_a_context_column_nobody_has_leaves_every_school_unranked_by_context() -> None:
    context = pd.DataFrame(
        {c.ESTABLISHMENT_ID: [1, 2, 3], c.SEED_CODE: ["5000003", "5000001", "5000002"], "roll": [NAN, NAN, NAN]}
    )
    assert np.isnan(standardise(context[["roll"]])).all()
    distances = context_distances(context, ["roll"])
    assert distances[c.DISTANCE].isna().all()
    assert ranking(distances, 1) == [2, 3]  # SEED code order
