"""An authority's view of the local measures: Breadth and Depth and the curricular areas of every
school of the authority side by side, with the authority, its collaborative and Scotland; the
authority's own staff see their schools unsuppressed, others under the small-number rule; the
exports are the page's table; the authority dashboard and the menu lead there."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from insight.nav import build_menu
from insight.services import run_create, run_execute_in_process
from tests.factories import member
from tests.insight.local.test_breadth_depth_page import _rows
from tests.insight.local.worlds import build_example
from tests.insight.worlds import client_for, publish
from tests.worlds import api_client


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    example["kelvin_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["K"])
    example["glasgow_analyst"] = member(Role.AUTHORITY_ANALYST, authority=example["glasgow"])
    example["aberdeen_analyst"] = member(Role.AUTHORITY_ANALYST, authority=example["aberdeen"])
    return example


def _url(world: dict[str, Any], name: str = "insight:authority_breadth_depth") -> str:
    return reverse(name, kwargs={"code": world["glasgow"].code})


def test_the_authoritys_analyst_reads_its_schools_unsuppressed_and_switches_cohort(world: dict[str, Any]) -> None:
    c = client_for(world["glasgow_analyst"])
    west = world["glasgow"].collaborative.name
    # S4 of 2023/24, every award, 1 or more at SCQF level 5 or better: Ava and Cara of Kelvinbank's
    # three; the collaborative (Kelvinbank again, public) and Scotland (Ava, Cara, Dan of four: public) withheld.
    rows = _rows(c.get(_url(world), {"level": "5", "count": "1"}).content.decode(), "schools")
    assert rows == [["Kelvinbank Academy", "3", "66.7%"], ["Glasgow City", "3", "66.7%"], [west, "c", "c"],
                    ["Scotland", "c", "c"]]
    # Two or more at level 5: still Ava and Cara (English and Maths each); three or more: nobody.
    assert _rows(c.get(_url(world), {"level": "5", "count": "2"}).content.decode(), "schools")[0][2] == "66.7%"
    assert _rows(c.get(_url(world), {"level": "5", "count": "3"}).content.decode(), "schools")[0][2] == "0.0%"
    # Level 3 or better, A only: Ava's English A and Cara's Maths A.
    assert _rows(c.get(_url(world), {"level": "3", "grade": "A"}).content.decode(), "schools")[0][1:] == ["3", "0.0%"]
    assert _rows(c.get(_url(world), {"level": "3", "grade": "A", "count": "1"}).content.decode(),
                 "schools")[0][1:] == ["3", "66.7%"]
    # The leavers: Ben alone (his passes at levels 3 and 4).
    leavers = _rows(c.get(_url(world), {"stage": "leavers", "level": "4", "count": "2"}).content.decode(), "schools")
    assert leavers[0] == ["Kelvinbank Academy", "1", "100.0%"]
    # The export is the table as shown.
    export = c.get(reverse("insight:authority_breadth_depth_export",
                           kwargs={"code": world["glasgow"].code, "table": "schools", "fmt": "csv"}),
                   {"level": "5", "count": "1"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",") == ["Kelvinbank Academy", "3", "66.7%"]
    assert AuditEvent.objects.filter(action="export_benchmarks").exists()


def test_another_authoritys_analyst_sees_the_small_cohort_withheld(world: dict[str, Any]) -> None:
    c = client_for(world["aberdeen_analyst"])
    html = c.get(_url(world), {"level": "5", "count": "1"}).content.decode()
    assert _rows(html, "schools")[:2] == [["Kelvinbank Academy", "c", "c"], ["Glasgow City", "c", "c"]]
    assert "66.7%" not in html
    export = c.get(reverse("insight:authority_curricular_areas_export",
                           kwargs={"code": world["glasgow"].code, "table": "schools", "fmt": "csv"}))
    assert "66.7" not in export.content.decode("utf-8-sig")


def test_the_curricular_areas_of_the_authoritys_schools(world: dict[str, Any]) -> None:
    c = client_for(world["glasgow_analyst"])
    url = _url(world, "insight:authority_curricular_areas")
    # Languages at level 5 (every award): Ava's and Cara's N5 English of three.
    assert _rows(c.get(url).content.decode(), "schools")[:2] == [["Kelvinbank Academy", "3", "66.7%"],
                                                                 ["Glasgow City", "3", "66.7%"]]
    # Technologies at level 4: Ben's NPA; social studies at level 3: nobody at Kelvinbank.
    assert _rows(c.get(url, {"area": "technologies", "level": "4"}).content.decode(), "schools")[0][2] == "33.3%"
    assert _rows(c.get(url, {"area": "social_studies", "level": "3"}).content.decode(), "schools")[0][2] == "0.0%"
    export = c.get(reverse("insight:authority_curricular_areas_export",
                           kwargs={"code": world["glasgow"].code, "table": "schools", "fmt": "xlsx"}),
                   {"area": "technologies"})
    assert export.status_code == 200


def test_school_staff_are_refused_and_the_dashboard_and_menu_lead_there(world: dict[str, Any]) -> None:
    assert client_for(world["kelvin_staff"]).get(_url(world)).status_code == 403
    analyst = world["glasgow_analyst"]
    c = client_for(analyst)
    dashboard = c.get(reverse("insight:authority_dashboard", kwargs={"code": world["glasgow"].code})).content.decode()
    for name in ("insight:authority_breadth_depth", "insight:authority_curricular_areas", "insight:course_uptake"):
        assert f'href="{_url(world, name)}"' in dashboard
    # The menu: Local measures holds the authority pages, current on them.
    items = build_menu(_url(world), analyst)
    (local,) = [i for i in items if i.label == "Local measures"]
    assert local.active and [k.label for k in local.children if k.active] == ["Authority Breadth and Depth"]
    assert c.get(reverse("insight:my_authority_breadth_depth"))["Location"] == _url(world)
    assert c.get(reverse("insight:my_authority_curricular_areas"))["Location"] == _url(
        world, "insight:authority_curricular_areas")
    assert c.get(reverse("insight:my_course_uptake"))["Location"] == _url(world, "insight:course_uptake")


def _api(world: dict[str, Any]) -> str:
    return f"/api/v1/authorities/{world['glasgow'].code}/curricular-areas/"


def test_the_api_gives_the_authority_pages_figures(world: dict[str, Any]) -> None:
    body = api_client(world["glasgow_analyst"]).get(_api(world)).json()
    assert (body["year"], body["stage"], body["grade_filter"], body["curricular_area"]) == (2024, "S4", "AD", "languages")
    assert [(r["level"], r["name"]) for r in body["rows"]] == [
        ("school", "Kelvinbank Academy"), ("authority", "Glasgow City"),
        ("collaborative", world["glasgow"].collaborative.name), ("scotland", "Scotland")]
    school = body["rows"][0]["figures"]
    # Languages, every award: Ava, Ben and Cara at level 3 and 4, Ava and Cara at 5.
    assert school["n_cohort"] == 3
    assert [lv["percent"] for lv in school["levels"]] == [100.0, 100.0, 66.7, 0.0, 0.0]
    assert body["rows"][2]["figures"]["levels"][0] == {"scqf_level": 3, "percent": None, "withheld": True}
    # Another authority's analyst: the small cohort withheld.
    other = api_client(world["aberdeen_analyst"]).get(_api(world), {"area": "languages"}).json()
    assert other["rows"][0]["figures"]["n_cohort"] is None and "66.7" not in str(other)
    # Bad input names the field; school staff may not use authority views.
    bad = api_client(world["glasgow_analyst"]).get(_api(world), {"area": "cooking", "stage": "S3"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"area", "stage"}
    assert api_client(world["kelvin_staff"]).get(_api(world)).status_code == 403
    assert api_client(world["glasgow_analyst"]).get("/api/v1/authorities/999/curricular-areas/").status_code == 404
    schema = api_client(world["glasgow_analyst"]).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/authorities/{code}/curricular-areas/" in schema["paths"]
