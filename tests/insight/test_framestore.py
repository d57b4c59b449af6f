"""A chunk's frames survive the trip through the chunk row unchanged (insight.framestore): every
value and dtype, text with its missing values, integers stored narrower and read back in their own
type, and a payload written in the earlier format (a run in flight across a deploy) still read."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from insight import framestore


def frames() -> dict[str, pd.DataFrame]:
    return {
        "mixed": pd.DataFrame({
            "cohort": pd.Series(["vc", None, "establishment", np.nan, "vc"], dtype=object),
            "small": np.array([1, -2, 3, 127, 0], dtype=np.int64),
            "wide": np.array([1, -2, 3, 2**40, 0], dtype=np.int64),
            "rate": [1.5, np.nan, 0.1, -0.0, 1 / 3],
            "flag": [True, False, True, True, False],
            "u16": np.array([1, 2, 3, 4, 65535], dtype=np.uint16),
            "i32": np.array([1, 2, 3, 4, 5], dtype=np.int32),
            "value": pd.Series([1, "1", None, 2.5, "z"], dtype=object),
        }),
        "empty": pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype="int64"),
                               "f": pd.Series([], dtype="float64")}),
    }


def test_frames_round_trip_exactly() -> None:
    back = framestore.loads(framestore.dumps(frames()))
    mixed = back["mixed"]
    assert mixed["cohort"].tolist() == ["vc", None, "establishment", None, "vc"]
    assert mixed["value"].tolist() == ["1", "1", None, "2.5", "z"]  # text, as stored
    assert mixed["small"].dtype == mixed["wide"].dtype == np.dtype("int64")
    assert mixed["wide"].tolist() == [1, -2, 3, 2**40, 0]
    assert mixed["u16"].dtype == np.dtype("uint16") and mixed["i32"].dtype == np.dtype("int32")
    assert mixed["rate"].to_numpy().tobytes() == frames()["mixed"]["rate"].to_numpy().tobytes()  # bit for bit
    assert mixed["flag"].dtype == np.dtype("bool")
    assert list(back["empty"].dtypes) == [np.dtype("O"), np.dtype("int64"), np.dtype("float64")]
    assert len(back["empty"]) == 0


def test_a_payload_in_the_earlier_text_format_is_still_read() -> None:
    frame = pd.DataFrame({"cohort": pd.Series(["vc", None], dtype=object), "n": np.array([3, 4], dtype=np.int64)})
    manifest = {"f": [{"name": "cohort", "key": "f__0", "kind": "str"}, {"name": "n", "key": "f__1", "kind": "num"}]}
    buf = io.BytesIO()
    np.savez_compressed(buf, f__0=np.array(["vc", ""]), f__0__na=np.array([False, True]), f__1=frame["n"].to_numpy(),
                        __manifest__=np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8))
    back = framestore.loads(buf.getvalue())["f"]
    pd.testing.assert_frame_equal(back, frame)
