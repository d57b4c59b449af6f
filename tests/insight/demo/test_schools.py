"""The schools of the synthetic world (numpy only, no database)."""

from __future__ import annotations

from collections import Counter

from insight.demo.scales import scale_spec
from insight.demo.schools import SEC, build_schools


def test_national_and_demo_scales_spread_schools_like_scotland() -> None:
    national = build_schools(scale_spec("national"), 1)
    secondary = [i for i, t in enumerate(national.type) if t == SEC]
    assert 340 <= len(secondary) <= 380
    per_authority = Counter(national.authority[i] for i in secondary)
    assert len(per_authority) == 32
    assert per_authority["Glasgow City"] == 30 and per_authority["Shetland Islands"] == 2
    assert len(set(national.names)) == len(national.names)
    assert all(300 <= national.roll[i] <= 1800 for i in secondary)
    small = build_schools(scale_spec("demo"), 1)
    per_authority = Counter(a for a, t in zip(small.authority, small.type, strict=True) if t == SEC)
    assert len(per_authority) == 32 and sum(per_authority.values()) == 40
    assert per_authority["Glasgow City"] >= 3
