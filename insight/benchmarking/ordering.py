"""Stable sorts of integer keys, the one primitive every step of the engine leans on.

numpy's ``argsort(kind="stable")`` of 64-bit integers is a merge sort (about 100 ns a row), and
of 16-bit integers a radix sort (10 ns a row). ``np.sort`` of 64-bit integers is a vectorised
quicksort, faster still (5 ns a row), but it sorts values, not positions. So when the keys are
small non-negative integers we pack them, most significant first, with the row position in the
low bits into one int64 (one int32 when it all fits in 31 bits: sorting 32-bit words is about
three times faster again) and ``np.sort`` that: the position makes every packed value unique, so
the result is exactly the stable order, and masking the low bits gives the positions back.
When the keys do not fit in 63 bits we fall back to ``np.lexsort`` (stable, same order).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd


def dense_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes 0..k-1 in ascending value order, and k (at least 1).

    Small integer ranges become offsets from the minimum (no hashing, no sort); anything else is
    factorised in sorted order. Codes of equal values are equal, so sorting by code sorts by value.
    """
    values = np.asarray(values)
    if values.dtype == bool:
        return values.astype(np.int64), 2
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low < 2**20:
            return values.astype(np.int64) - low, high - low + 1
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), max(len(uniques), 1)


def order_by(*keys: np.ndarray) -> np.ndarray:
    """Row positions sorted by ``keys[0]``, then ``keys[1]``, ..., then position (a stable sort).

    Keys are non-negative integer arrays of one length. Same result as
    ``np.lexsort(keys[::-1])``.
    """
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    shift = max((n - 1).bit_length(), 1)
    widths = []
    total = shift
    for key in keys:
        low, high = int(key.min()), int(key.max())
        if low < 0:
            total = 64
            break
        widths.append(max(high.bit_length(), 1))
        total += widths[-1]
    if total > 63:
        return np.lexsort(keys[::-1]).astype(np.int64)
    # 32-bit words when everything fits in 31 bits: the sort is about three times faster.
    dtype = np.int32 if total <= 31 else np.int64
    packed: npt.NDArray[np.signedinteger[Any]] = np.asarray(keys[0]).astype(dtype)
    for key, width in zip(keys[1:], widths[1:], strict=True):
        packed <<= width
        packed |= key.astype(dtype, copy=False)
    packed <<= shift
    packed |= cast("npt.NDArray[np.signedinteger[Any]]", np.arange(n, dtype=dtype))
    packed.sort()
    packed &= (1 << shift) - 1
    return packed.astype(np.int64, copy=False)


def stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` for integer ``values`` (see :func:`order_by`)."""
    values = np.asarray(values, dtype=np.int64)
    if len(values) and values.min() < 0:
        return np.argsort(values, kind="stable")
    return order_by(values)


def float_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` for float ``values`` without NaN.

    Each value is replaced by its rank among the distinct values (``np.unique`` sorts values,
    which is fast; ``searchsorted`` finds each one's rank), then the ranks are sorted by
    :func:`order_by`. Equal values (0.0 and -0.0 too) share a rank, so ties keep row order.
    Small non-negative whole numbers (the usual total tariff) are their own ranks' order.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0 or np.isnan(values).any():
        return np.argsort(values, kind="stable")
    with np.errstate(invalid="ignore"):  # infinite values cast to garbage: not whole
        whole = values.astype(np.int64)
    if int(whole.min()) >= 0 and int(whole.max()) < 2**20 and (whole == values).all():
        return order_by(whole)  # small whole numbers (total tariffs) order as themselves
    distinct = np.unique(values)
    return order_by(np.searchsorted(distinct, values))


def compress(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``values[mask]`` for a boolean ``mask``, as positions and a gather.

    Same result; several times faster when the mask is irregular (a boolean index branches on
    every element, ``np.flatnonzero`` plus ``take`` does not).
    """
    return values.take(np.flatnonzero(mask))


def inverse(order: np.ndarray) -> np.ndarray:
    """The inverse permutation: ``inverse(order)[order[i]] == i``."""
    out = np.empty(len(order), dtype=np.int64)
    out[order] = np.arange(len(order), dtype=np.int64)
    return out
