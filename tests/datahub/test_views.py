"""Pages show small numbers only to viewers entitled to them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import AuditEvent

pytestmark = pytest.mark.django_db


def _get(user, url):
    c = Client()
    c.force_login(user)
    return c.get(url)


def test_national_analyst_is_sent_to_the_dashboard_for_a_schools_numbers(world) -> None:
    url = reverse("datahub:establishment", kwargs={"seed": world.school_a.seed_code})
    body = _get(world.personas["national"], url).content.decode()
    assert "Left in S4" not in body
    assert reverse("insight:establishment_dashboard", kwargs={"seed": world.school_a.seed_code}) in body


def test_own_staff_see_the_small_cohort(world) -> None:
    url = reverse("datahub:establishment", kwargs={"seed": world.school_a.seed_code})
    body = _get(world.personas["staff_a"], url).content.decode()
    assert "Left in S4" in body


def test_viewing_a_young_persons_record_writes_one_audit_entry(world) -> None:
    url = reverse("datahub:learner", kwargs={"pk": world.learner_a.pk})
    assert _get(world.personas["mcmc_x"], url).status_code == 200
    events = AuditEvent.objects.filter(action="view_learner", object_id=str(world.learner_a.pk))
    assert events.count() == 1 and events.get().actor == world.personas["mcmc_x"]
