"""Checks before publishing: an authority reader's checks are their own schools' top ten."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from insight.models import RelaxationCount
from insight.publication import run_start
from insight.selectors.release import TOP, run_checks
from insight.services import run_execute_in_process
from tests.factories import EstablishmentFactory
from tests.insight.worlds import RUN_YEARS, build_world, client_for

pytestmark = pytest.mark.django_db


def test_an_authority_reader_sees_their_own_relaxed_schools_beyond_scotlands_top_ten(world: Any) -> None:
    build_world(n_authorities=1, schools_per_authority=1, leavers_per_school=5)
    run = run_execute_in_process(run_start(by=None, years=[RUN_YEARS[-1]]))
    year = RUN_YEARS[-1]
    elsewhere = [EstablishmentFactory.create(authority=world.authority_y) for _ in range(TOP + 1)]
    mine = EstablishmentFactory.create(authority=world.authority_x, name="Relaxed But Ours Academy")
    RelaxationCount.objects.bulk_create(
        [RelaxationCount(run=run, establishment=e, year=year, n_exact=50, n_relaxed_quintile=50) for e in elsewhere]
        + [RelaxationCount(run=run, establishment=mine, year=year, n_exact=99, n_relaxed_quintile=1)]
    )

    national = run_checks(run)
    assert len(national.relaxed) == TOP and mine not in [r.establishment for r in national.relaxed]
    assert national.scoped is False
    scoped = run_checks(run, authority_ids={world.authority_x.id})
    assert mine in [r.establishment for r in scoped.relaxed] and scoped.scoped is True
    assert all(r.establishment.authority_id == world.authority_x.id for r in scoped.relaxed)

    page = client_for(world.personas["analyst_x"]).get(reverse("insight:run_detail", kwargs={"pk": run.pk}))
    body = page.content.decode()
    assert "Relaxed But Ours Academy" in body and "was matched exactly" not in body
    assert elsewhere[0].name not in body
