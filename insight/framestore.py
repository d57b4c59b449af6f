"""Store DataFrames as bytes without pickle: a compressed .npz of columns plus a JSON manifest.

Used to hand a chunk's frames from the worker that computed them to the finalise step. Numbers
round-trip bit for bit (numpy arrays are written as they are); text columns are stored as numpy
unicode arrays; missing text is kept apart in a mask.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd


def dumps(frames: dict[str, pd.DataFrame]) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    manifest: dict[str, list[dict[str, str]]] = {}
    for fname, frame in frames.items():
        cols = []
        for i, col in enumerate(frame.columns):
            key = f"{fname}__{i}"
            series = frame[col]
            if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
                mask = series.isna().to_numpy()
                arrays[key] = series.where(~mask, "").astype(str).to_numpy(dtype=str)
                arrays[key + "__na"] = mask
                kind = "str"
            else:
                arrays[key] = series.to_numpy()
                kind = "num"
            cols.append({"name": str(col), "key": key, "kind": kind})
        manifest[fname] = cols
    arrays["__manifest__"] = np.frombuffer(json.dumps(manifest).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def loads(data: bytes) -> dict[str, pd.DataFrame]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        manifest = json.loads(z["__manifest__"].tobytes().decode())
        out: dict[str, pd.DataFrame] = {}
        for fname, cols in manifest.items():
            data_cols: dict[str, object] = {}
            for col in cols:
                values = z[col["key"]]
                if col["kind"] == "str":
                    series = pd.Series(values.astype(object))
                    series[z[col["key"] + "__na"]] = None
                    data_cols[col["name"]] = series
                else:
                    data_cols[col["name"]] = values
            out[fname] = pd.DataFrame(data_cols, columns=[c["name"] for c in cols])
        return out
