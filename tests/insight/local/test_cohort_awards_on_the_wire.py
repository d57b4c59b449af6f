"""The cohorts' awards travel narrower on PostgreSQL (insight.loaders._fetch_awards: the five small
numbers of an award packed by the server into one int8): the frame must be exactly the one the
query's own seven columns give (fetch_packed), for the worked example's years."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from django.db import connection

from insight import loaders
from insight.benchmarking import columns as c
from insight.benchmarking import courses
from tests.insight.local.worlds import build_example

COLUMNS = [(c.LEARNER_ID, "int8"), (c.SUBJECT_ID, "int8"), (c.SCQF_LEVEL, "int2"), (c.SCQF_CREDITS, "int2"),
           (c.GRADE, "int2"), (c.YEAR, "int2"), (courses.AWARD_TYPE, "int2")]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_packed_awards_equal_the_query_columns(db: Any, year: int) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the packed form is PostgreSQL's")
    build_example()
    _members, results = loaders.load_cohorts(year)
    plain = loaders.fetch_packed(loaders.cohort_results_query(year), COLUMNS)
    assert len(results) > 0
    pd.testing.assert_frame_equal(results, plain, check_exact=True)
