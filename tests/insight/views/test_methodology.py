"""The methodology page explains the method and names the run behind the figures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from insight.services import run_create, run_execute_in_process
from tests.insight.worlds import build_world, publish

pytestmark = pytest.mark.django_db


def test_methodology_page_shows_the_published_runs_seed_and_hash(world) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=6)
    run = publish(run_execute_in_process(run_create(years=[2024], seed=4242)))
    c = Client()
    c.force_login(world.personas["staff_a"])
    body = c.get(reverse("insight:methodology")).content.decode()
    assert "4242" in body and run.input_hash in body
    assert "Virtual comparator" in body or "virtual comparator" in body
    assert body.count("<h1") == 1


def test_methodology_page_without_a_run(world) -> None:
    c = Client()
    c.force_login(world.personas["national"])
    assert "No benchmark run has finished yet" in c.get(reverse("insight:methodology")).content.decode()
