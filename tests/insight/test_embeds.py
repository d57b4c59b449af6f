"""Embeds in community posts (insight.embeds): each reader sees the embedded chart and table as the
dashboard itself would show them to that reader: the number when entitled, ``c`` (and nothing in
the chart's data) when not, and "no access" when the reader may not open the dashboard at all."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent
from partnerships.communities import services
from tests.insight.checks import page_table
from tests.worlds import add_published_run, client_for

pytestmark = pytest.mark.django_db

PANEL = "m-avg-tariff-lowest20"


@pytest.fixture
def thread(world: Any) -> Any:
    """A post embedding school B's lowest-20% tariff panel, in a community of B's staff, A's staff,
    an authority X analyst and a college's member."""
    world.figure_canaries = add_published_run(world)
    p = world.personas
    c = services.community_create(by=p["dm_x"], name="Senior phase leads")
    for who in ("staff_b", "staff_a", "analyst_x", "partner"):
        services.community_member_add(by=p["dm_x"], community=c, email=p[who].email)
    url = reverse("insight:establishment_dashboard", kwargs={"seed": world.school_b.seed_code}) + f"#{PANEL}"
    return services.thread_start(by=p["staff_b"], community=c, title="Our lowest 20%", body="See", embed_url=url)


def _read(world: Any, thread: Any, persona: str) -> str:
    url = reverse("partnerships:community_thread", args=[thread.community_id, thread.pk])
    resp = client_for(world.personas[persona]).get(url)
    assert resp.status_code == 200
    return resp.content.decode()


def _chart_data(page: str, post_pk: int) -> dict:
    found = re.search(rf'<script id="embed-{post_pk}-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the embed's chart data is on the page"
    return json.loads(found.group(1))


def test_an_embed_shows_the_number_to_an_entitled_reader_and_c_to_others(world: Any, thread: Any) -> None:
    post = thread.posts.get()
    table_id = f"post{post.pk}-{PANEL}"
    dashboard = reverse("insight:establishment_dashboard", kwargs={"seed": world.school_b.seed_code})
    for persona, entitled in (("staff_b", True), ("staff_a", False), ("analyst_x", False)):
        page = _read(world, thread, persona)
        embedded = page_table(page, table_id)
        # The same table the dashboard itself shows this reader, cell for cell.
        own = page_table(client_for(world.personas[persona]).get(dashboard).content.decode(), PANEL)
        assert embedded == own, persona
        school_column = [row[1] for row in embedded[1:]]
        chart = _chart_data(page, post.pk)
        school_series = next(s for s in chart["series"] if s["role"] == "school")["data"]
        if entitled:
            assert any(c in page for c in world.figure_canaries), persona
            assert any(v is not None for v in school_series)
        else:
            assert "c" in school_column, persona
            assert not any(c in page for c in world.figure_canaries), persona
            # The chart's data holds nothing the table withholds.
            for shown, value in zip(school_column, school_series, strict=True):
                if shown == "c":
                    assert value is None, persona


def test_a_reader_who_may_not_open_the_dashboard_sees_no_access(world: Any, thread: Any) -> None:
    page = _read(world, thread, "partner")
    assert "No access" in page
    assert "table-post" not in page and "embed-" + str(thread.posts.get().pk) + "-data" not in page
    assert not any(c in page for c in world.figure_canaries)


def test_an_embed_of_another_schools_figures_is_audited_as_the_dashboard_is(world: Any, thread: Any) -> None:
    AuditEvent.objects.filter(action="view_establishment_benchmarks").delete()
    _read(world, thread, "staff_a")
    event = AuditEvent.objects.get(action="view_establishment_benchmarks", actor=world.personas["staff_a"])
    assert event.detail == {"entitlement": "public", "via": "community_embed"}
    _read(world, thread, "staff_b")  # B's own staff: not audited, as on the dashboard
    assert not AuditEvent.objects.filter(action="view_establishment_benchmarks", actor=world.personas["staff_b"]).exists()


def test_an_authority_dashboard_embed_is_no_access_for_school_staff(world: Any, thread: Any) -> None:
    url = reverse("insight:authority_dashboard", kwargs={"code": world.authority_y.code}) + "#schools"
    t = services.thread_start(by=world.personas["analyst_x"], community=thread.community, title="Y", body="b",
                              embed_url=url)
    assert "No access" in _read(world, t, "staff_b")
    page = _read(world, t, "analyst_x")
    assert "No access" not in page and f"table-post{t.posts.get().pk}-schools" in page
