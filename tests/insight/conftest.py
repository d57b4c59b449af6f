"""Fixtures of the insight tests: the worlds of tests/insight/worlds.py, built once where they are slow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from insight.models import BenchmarkRun
from tests.insight.worlds import DashWorld, build_ranked_world, dash_world


@pytest.fixture(scope="module")
def dash(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DashWorld]:
    """The dashboards' world and its benchmark run, once per test module (it takes a few seconds)."""
    yield from dash_world(django_db_blocker)


@pytest.fixture
def ranked(world: Any) -> BenchmarkRun:
    """The conftest world's schools plus six others, with one benchmark run ranking them."""
    return build_ranked_world(world)
