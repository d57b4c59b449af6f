"""A run's input hash is a property of its input rows, not of the order PostgreSQL returns them in
(the loaders' queries have no ORDER BY), so two runs over the same data have the same hash."""

from __future__ import annotations

import pandas as pd

from insight.services import _hash_frames


def test_the_same_rows_in_another_order_hash_the_same_and_a_changed_row_does_not() -> None:
    rows = pd.DataFrame({"leaver_id": [1, 2, 3, 4], "points": [10.0, 20.0, 20.0, 5.5], "stage": ["S4", "S5", "S6", "S6"]})
    shuffled = rows.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert not shuffled.equals(rows)
    assert _hash_frames(shuffled) == _hash_frames(rows)
    changed = rows.copy()
    changed.loc[2, "points"] = 21.0
    assert _hash_frames(changed) != _hash_frames(rows)
    assert _hash_frames(rows[["points", "leaver_id", "stage"]]) != _hash_frames(rows)  # columns named in order
    assert _hash_frames(rows, rows) != _hash_frames(rows)
