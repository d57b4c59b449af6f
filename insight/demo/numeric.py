"""Small numeric helpers of the world building: link functions, calibration of intercepts to a
target share, categorical and top-k draws, Zipf-weighted picks, survey dates and valid SCNs."""

from __future__ import annotations

import datetime as dt

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def phi(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF (logistic approximation, max error < 0.01)."""
    return sigmoid(1.702 * x)


def calibrate(lin: np.ndarray, target: float) -> float:
    """The offset c with mean(sigmoid(lin + c)) == target (bisection)."""
    if lin.size == 0:
        return 0.0
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if sigmoid(lin + mid).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def softmax(u: np.ndarray) -> np.ndarray:
    u = u - u.max(axis=1, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=1, keepdims=True)


def fit_intercepts(u: np.ndarray, shares: np.ndarray, iters: int = 60) -> np.ndarray:
    """Intercepts b making the mean of softmax(u + b) equal ``shares`` (iterative fitting)."""
    b = np.zeros(u.shape[1])
    if u.shape[0] == 0:
        return b
    for _ in range(iters):
        m = softmax(u + b).mean(axis=0)
        b += np.log(shares / np.maximum(m, 1e-12))
    return b


def draw(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One categorical draw per row of the probability matrix ``p``."""
    c = p.cumsum(axis=1)
    u = rng.random(p.shape[0]) * c[:, -1]
    return np.minimum((c < u[:, None]).sum(axis=1), p.shape[1] - 1)


def top_k(priority: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Boolean mask of each row's ``k`` highest finite priorities."""
    m, a = priority.shape
    order = np.argsort(-priority, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks[np.arange(m)[:, None], order] = np.arange(a)[None, :]
    return (ranks < k[:, None]) & np.isfinite(priority)


def first_monday(year: int, month: int) -> dt.date:
    """The survey date of a month: its first Monday."""
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def valid_scns(start: int, count: int) -> tuple[np.ndarray, int]:
    """``count`` valid SCN numbers (as int64) from ``start`` on, and the next unused start."""
    out: list[np.ndarray] = []
    have = 0
    weights = np.array([3, 2, 7, 6, 5, 4, 3, 2], dtype=np.int64)
    while have < count:
        body = np.arange(start, start + (count - have) * 12 // 10 + 20, dtype=np.int64)
        digits = (body[:, None] // 10 ** np.arange(7, -1, -1)) % 10
        rem = (digits * weights).sum(axis=1) % 11
        ok = rem != 1
        check = np.where(rem == 0, 0, 11 - rem)
        scn = body[ok] * 10 + check[ok]
        take = scn[: count - have]
        out.append(take)
        have += take.size
        start = int(body[-1]) + 1 if take.size == scn.size else int(take[-1] // 10) + 1
    return np.concatenate(out) if out else np.zeros(0, np.int64), start


def zipf(rng: np.random.Generator, k: int, n: int, s: float = 0.8) -> np.ndarray:
    """``n`` indexes into a table of ``k`` names, the first ones most common (Zipf weights)."""
    w = 1.0 / np.arange(1, k + 1) ** s
    return rng.choice(k, size=n, p=w / w.sum())
