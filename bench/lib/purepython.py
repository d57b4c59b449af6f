"""A straightforward per-leaver pure-Python version of the VC draw and the school measures.

The baseline the vectorised engine is compared with (bench/national_recompute.py); never used by
the product. Same rules as the engine: latest and best tariff, ten comparators with replacement
from other authorities in the same (year, sex, ASN, stage, SIMD decile) cell, relaxed to quintile
then without ASN; lowest 20% / middle 60% / highest 20% averages, literacy and numeracy at levels 4
and 5, initial and follow-up positive %.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import pandas as pd

N_COMPARATORS = 10


def _leaver_outcomes(leavers: pd.DataFrame, results: pd.DataFrame) -> dict[int, dict]:
    best: dict[tuple[int, int], float] = {}
    lit: dict[int, int] = defaultdict(int)
    num: dict[int, int] = defaultdict(int)
    for leaver_id, subject_id, level, points, is_lit, is_num in results.itertuples(index=False, name=None):
        key = (leaver_id, subject_id)
        if points > best.get(key, -1.0):
            best[key] = points
        if is_lit and level > lit[leaver_id]:
            lit[leaver_id] = level
        if is_num and level > num[leaver_id]:
            num[leaver_id] = level
    tariff: dict[int, float] = defaultdict(float)
    for (leaver_id, _), points in best.items():
        tariff[leaver_id] += points
    out = {}
    for row in leavers.to_dict("records"):
        lid = row["leaver_id"]
        row["tariff"] = tariff.get(lid, 0.0)
        row["lit"] = lit.get(lid, 0)
        row["num"] = num.get(lid, 0)
        out[lid] = row
    return out


def _measures(cohort: list[dict]) -> dict[str, float]:
    n = len(cohort)
    if n == 0:
        return {}
    values = sorted(r["tariff"] for r in cohort)
    k = math.ceil(0.2 * n)
    top = min(k, n - k)
    low, high, mid = values[:k], values[n - top:] if top else [], values[k:n - top]

    def avg(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")

    def pct(pred) -> float:
        return 100.0 * sum(1 for r in cohort if pred(r)) / n

    def dest(col: str) -> float:
        known = [r[col] for r in cohort if r[col] == r[col]]
        return 100.0 * sum(known) / len(known) if known else float("nan")

    return {
        "n": n, "lowest20": avg(low), "middle60": avg(mid), "highest20": avg(high),
        "litnum4": pct(lambda r: r["lit"] >= 4 and r["num"] >= 4),
        "litnum5": pct(lambda r: r["lit"] >= 5 and r["num"] >= 5),
        "initial": dest("initial_positive"), "followup": dest("followup_positive"),
    }


def compute(leavers: pd.DataFrame, results: pd.DataFrame, *, seed: int) -> dict[tuple[int, int], dict]:
    """{(establishment_id, year): {"school": measures, "vc": measures}} for every school-year."""
    rows = _leaver_outcomes(leavers, results)
    exact: dict[tuple, list[dict]] = defaultdict(list)
    quint: dict[tuple, list[dict]] = defaultdict(list)
    no_asn: dict[tuple, list[dict]] = defaultdict(list)
    schools: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for r in rows.values():
        q = (r["simd_decile"] + 1) // 2
        exact[(r["year"], r["sex"], r["asn"], r["stage"], r["simd_decile"])].append(r)
        quint[(r["year"], r["sex"], r["asn"], r["stage"], q)].append(r)
        no_asn[(r["year"], r["sex"], r["stage"], q)].append(r)
        schools[(r["establishment_id"], r["year"])].append(r)
    out = {}
    for (est, year), cohort in sorted(schools.items()):
        rng = random.Random(f"{seed}-{year}-{est}")
        vc: list[dict] = []
        for r in sorted(cohort, key=lambda x: x["leaver_id"]):
            q = (r["simd_decile"] + 1) // 2
            for pools, key in (
                (exact, (r["year"], r["sex"], r["asn"], r["stage"], r["simd_decile"])),
                (quint, (r["year"], r["sex"], r["asn"], r["stage"], q)),
                (no_asn, (r["year"], r["sex"], r["stage"], q)),
            ):
                # per leaver, as a straightforward version would: the cell's leavers of other authorities
                candidates = [c for c in pools.get(key, []) if c["authority_id"] != r["authority_id"]]
                if candidates:
                    vc.extend(rng.choice(candidates) for _ in range(N_COMPARATORS))
                    break
        out[(est, year)] = {"school": _measures(cohort), "vc": _measures(vc)}
    return out
