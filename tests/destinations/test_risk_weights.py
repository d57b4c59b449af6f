"""An authority's own risk weights: set by its data managers only, kept as history, used for its
pupils' ratings and no other authority's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from datahub.models import AuditEvent
from destinations.models import RiskWeights
from destinations.pathways.risk import WEIGHTS
from destinations.pathways.selectors import BoardFilters, board_rows, pupil_rating
from tests.destinations.pathway_worlds import Pupils, build_pupils
from tests.worlds import client_for as client

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupils(world) -> Pupils:
    return build_pupils(world)


def form(**over: object) -> dict:
    return {**WEIGHTS, "reason": "Care experience weighs more here", **over}


def reasons_of(user, learner) -> set[str]:
    rows = board_rows(user, BoardFilters(who="all"), today=timezone.localdate())
    return {r.key for row in rows if row.learner_id == learner.pk for r in row.rating.reasons}


def test_an_authority_data_manager_sets_weights_used_for_its_pupils_only(world, pupils) -> None:
    dm = world.personas["dm_x"]
    url = reverse("destinations:risk_weights")
    page = client(dm).get(url)
    assert page.status_code == 200 and page.context["form"]["care_experienced"].value() == 2
    r = client(dm).post(url, form(care_experienced=0, asn=3))
    assert r.status_code == 302
    assert "care_experienced" not in reasons_of(world.personas["mcmc_x"], pupils.s6_a)
    assert "care_experienced" not in {r.key for r in pupil_rating(pupils.s6_a, today=timezone.localdate()).reasons}
    # Authority Y keeps the defaults.
    pupils.s6_b.care_experienced = True
    pupils.s6_b.save()
    assert "care_experienced" in reasons_of(world.personas["mcmc_y"], pupils.s6_b)
    # History kept, audited.
    client(dm).post(url, form(care_experienced=5))
    assert list(RiskWeights.objects.order_by("recorded_at").values_list("weights__care_experienced", flat=True)) == [0, 5]
    assert RiskWeights.objects.filter(superseded_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="risk_weights_set", authority=world.authority_x).count() == 2
    assert "care_experienced" in reasons_of(world.personas["mcmc_x"], pupils.s6_a)


def test_a_weight_out_of_range_is_refused(world, pupils) -> None:
    r = client(world.personas["dm_x"]).post(reverse("destinations:risk_weights"), form(asn=11))
    assert r.status_code == 200 and "asn" in r.context["form"].errors
    assert not RiskWeights.objects.exists()


@pytest.mark.parametrize("persona", ["dm_a", "mcmc_x", "staff_a", "analyst_x", "national"])
def test_only_an_authority_data_manager_may_set_weights(world, pupils, persona) -> None:
    c = client(world.personas[persona])
    assert c.get(reverse("destinations:risk_weights")).status_code == 403
    assert c.post(reverse("destinations:risk_weights"), form()).status_code == 403
    assert not RiskWeights.objects.exists()


def test_another_authority_is_not_found(world, pupils) -> None:
    c = client(world.personas["dm_x"])
    assert c.post(reverse("destinations:risk_weights") + "?authority=260", form()).status_code == 404
    assert not RiskWeights.objects.exists()
