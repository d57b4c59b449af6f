"""The curricular areas page of a school: cohort and grade filter, disclosure, exports, the menu."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from insight.services import run_create, run_execute_in_process
from tests.factories import member
from tests.insight.local.test_breadth_depth_page import _rows
from tests.insight.local.worlds import build_example
from tests.insight.worlds import client_for, publish


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    example["kelvin_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["K"])
    example["dee_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["D"])
    return example


def test_own_staff_read_the_grid_and_switch_cohort_and_grade_filter(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    c = client_for(world["kelvin_staff"])
    url = reverse("insight:curricular_areas", kwargs={"seed": seed})
    grid = {row[0]: row[1:] for row in _rows(c.get(url).content.decode(), "grid")}
    # S4 of 2023/24, every award (levels 3+, 4+, 5+, 6+, 7): English for all three (Ben's N4 a
    # pass), at level 5 for Ava and Cara; Mathematics Ava N5, Ben N3, Cara N5.
    assert grid["Languages"] == ["100.0%", "100.0%", "66.7%", "0.0%", "0.0%"]
    assert grid["Mathematics"] == ["100.0%", "66.7%", "66.7%", "0.0%", "0.0%"]
    assert grid["Health and wellbeing"] == ["33.3%", "0.0%", "0.0%", "0.0%", "0.0%"]
    assert grid["Technologies"] == ["33.3%", "33.3%", "0.0%", "0.0%", "0.0%"]
    assert grid["Expressive arts"] == ["0.0%"] * 5
    assert list(grid) == ["Expressive arts", "Health and wellbeing", "Languages", "Mathematics",
                          "Religious and moral education", "Sciences", "Social studies", "Technologies"]
    # A only: Ava's English A, Cara's Maths A.
    grid_a = {row[0]: row[1:] for row in _rows(c.get(url, {"grade": "A"}).content.decode(), "grid")}
    assert grid_a["Languages"][:3] == ["33.3%"] * 3 and grid_a["Sciences"] == ["0.0%"] * 5
    # The comparison at level 5: the school, its VC (thirty draws of Dan: English and History),
    # Glasgow City (school staff see an authority as the public does: a cohort of 3 withheld), its
    # collaborative (public: the same three pupils, withheld) and Scotland.
    comparison = {row[0]: row[1:] for row in _rows(c.get(url, {"level": "5"}).content.decode(), "comparison")}
    assert comparison["Languages"] == ["66.7%", "100.0%", "c", "c", "c"]
    assert comparison["Social studies"] == ["0.0%", "100.0%", "c", "c", "c"]
    header = c.get(reverse("insight:curricular_areas_export", kwargs={"seed": seed, "table": "comparison", "fmt": "csv"}))
    assert world["glasgow"].collaborative.name in header.content.decode("utf-8-sig").splitlines()[0]
    # The leavers: Ben alone, no virtual comparator.
    leavers = {row[0]: row[1:] for row in _rows(c.get(url, {"stage": "leavers", "level": "4"}).content.decode(),
                                                 "comparison")}
    assert leavers["Technologies"] == ["100.0%", "-", "c", "c", "c"]
    # The export is the page's table.
    export = c.get(reverse("insight:curricular_areas_export", kwargs={"seed": seed, "table": "grid", "fmt": "csv"}),
                   {"grade": "A"})
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[3].split(",") == ["Languages", *grid_a["Languages"]]
    assert not AuditEvent.objects.filter(action="view_establishment_benchmarks").exists()  # own school: not logged
    assert AuditEvent.objects.filter(action="export_benchmarks", object_id=seed).exists()


def test_another_schools_staff_see_a_small_cohort_withheld(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    html = client_for(world["dee_staff"]).get(reverse("insight:curricular_areas", kwargs={"seed": seed})).content.decode()
    grid = _rows(html, "grid")
    assert all(cell == "c" for row in grid for cell in row[1:])  # a cohort of 3 pupils
    assert "66.7%" not in html
    assert AuditEvent.objects.filter(action="view_establishment_benchmarks", object_id=seed,
                                     detail__page="curricular_areas").exists()
    export = client_for(world["dee_staff"]).get(
        reverse("insight:curricular_areas_export", kwargs={"seed": seed, "table": "grid", "fmt": "csv"}))
    assert "66.7" not in export.content.decode("utf-8-sig")


def test_the_menu_entry_opens_the_users_own_school(world: dict[str, Any]) -> None:
    response = client_for(world["kelvin_staff"]).get(reverse("insight:my_curricular_areas"))
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:curricular_areas", kwargs={"seed": world["schools"]["K"].seed_code})
