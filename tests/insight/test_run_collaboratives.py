"""A benchmark run records the Regional Improvement Collaboratives it used, hashes them with its
inputs, and stores each collaborative's figures; a later change of membership is a new run's."""

from __future__ import annotations

import pytest

from datahub.models import Collaborative, LocalAuthority
from insight.benchmarking import columns as c
from insight.models import CohortResult
from tests.insight.test_publication import computed
from tests.insight.worlds import RUN_YEARS, build_world

pytestmark = pytest.mark.django_db


def all_leavers(run_id: int, cohort: str, cohort_id: int) -> dict[int, int]:
    return dict(CohortResult.objects.filter(run_id=run_id, cohort=cohort, cohort_id=cohort_id, breakdown="")
                .values_list("year", c.N_LEAVERS))


def test_a_run_keeps_its_membership_and_a_change_of_membership_is_the_next_runs() -> None:
    build_world(n_authorities=3, schools_per_authority=1, leavers_per_school=8)  # Aberdeen City, Aberdeenshire, Angus
    aberdeen, shire, angus = (LocalAuthority.objects.get(code=code) for code in (100, 110, 120))
    northern, tayside = Collaborative.objects.get(code="NA"), Collaborative.objects.get(code="TAY")
    assert (aberdeen.collaborative, shire.collaborative, angus.collaborative) == (northern, northern, tayside)

    one = computed(seed=3)
    assert one.collaboratives[str(angus.pk)] == tayside.pk and len(one.collaboratives) == 32
    # The collaborative's figures are its authorities' leavers together; each stored per year.
    expected = {y: all_leavers(one.pk, c.COHORT_AUTHORITY, aberdeen.pk)[y] + all_leavers(one.pk, c.COHORT_AUTHORITY, shire.pk)[y]
                for y in RUN_YEARS}
    assert all_leavers(one.pk, c.COHORT_COLLABORATIVE, northern.pk) == expected
    assert all_leavers(one.pk, c.COHORT_COLLABORATIVE, tayside.pk) == all_leavers(one.pk, c.COHORT_AUTHORITY, angus.pk)
    assert CohortResult.objects.filter(run=one, cohort=c.COHORT_COLLABORATIVE).exclude(breakdown="").exists()
    assert computed(seed=3).input_hash == one.input_hash  # the same data and membership: the same hash

    angus.collaborative = northern  # a national data manager moves Angus
    angus.save()
    two = computed(seed=3)
    assert two.input_hash != one.input_hash and two.collaboratives[str(angus.pk)] == northern.pk
    assert all_leavers(two.pk, c.COHORT_COLLABORATIVE, northern.pk) == {
        y: n + all_leavers(one.pk, c.COHORT_AUTHORITY, angus.pk)[y] for y, n in expected.items()}
    # The earlier run's figures are those of its own membership, untouched.
    assert all_leavers(one.pk, c.COHORT_COLLABORATIVE, northern.pk) == expected
    assert all_leavers(two.pk, c.COHORT_COLLABORATIVE, tayside.pk) == {}
