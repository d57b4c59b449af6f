"""The dashboards before any benchmark run has been computed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_say_so_when_no_benchmarks_have_been_computed(world: object) -> None:
    client = Client()
    client.force_login(world.personas["national"])  # type: ignore[attr-defined]
    school = world.school_a  # type: ignore[attr-defined]
    for url in (
        reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code}),
        reverse("insight:authority_dashboard", kwargs={"code": 100}),
        reverse("insight:national"),
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert b"No benchmarks have been computed yet" in resp.content, url


def test_the_home_page_still_leads_into_the_dashboards_without_a_run(world: object) -> None:
    client = Client()
    client.force_login(world.personas["admin_a"])  # type: ignore[attr-defined]
    resp = client.get(reverse("dashboard"))
    target = reverse("insight:establishment_dashboard", kwargs={"seed": world.school_a.seed_code})  # type: ignore[attr-defined]
    assert f'href="{target}"' in resp.content.decode()
