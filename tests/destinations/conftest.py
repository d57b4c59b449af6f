"""Destinations fixtures: the caseload world of tests/destinations/worlds.py, and an empty cache."""

from __future__ import annotations

import pytest

from tests.destinations.worlds import Caseload, build_caseload


@pytest.fixture
def caseload(world) -> Caseload:
    return build_caseload(world)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Scotland-wide measures and the caseload's year choices are cached: start each test afresh."""
    from django.core.cache import cache

    cache.clear()
