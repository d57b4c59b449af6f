"""The Breadth and Depth page of a school: cohort and grade filter, disclosure, exports, the menu."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from insight.services import run_create, run_execute_in_process
from tests.factories import member
from tests.insight.local.worlds import build_example
from tests.insight.worlds import client_for, publish


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    example = build_example()
    publish(run_execute_in_process(run_create(years=[2024])))
    example["kelvin_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["K"])
    example["dee_staff"] = member(Role.ESTABLISHMENT_STAFF, establishment=example["schools"]["D"])
    return example


def _rows(html: str, table: str) -> list[list[str]]:
    """A table's body as text cells (header cell first), read from the page."""
    import re

    body = html.split(f'id="table-{table}"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip().replace("&ndash;no data", "-") for cell in cells])
    return rows


def test_own_staff_read_the_grid_and_switch_grade_filter(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    c = client_for(world["kelvin_staff"])
    url = reverse("insight:breadth_depth", kwargs={"seed": seed})
    html = c.get(url).content.decode()
    grid = _rows(html, "grid")
    # S4 of 2023/24, every award: Ava 4/3/2 awards at level 3/4/5, Ben 3/2/0, Cara 2/2/2.
    assert grid[0] == ["1 or more", "100.0%", "100.0%", "66.7%", "0.0%", "0.0%"]
    assert grid[2] == ["3 or more", "66.7%", "33.3%", "0.0%", "0.0%", "0.0%"]
    assert grid[3] == ["4 or more", "33.3%", "0.0%", "0.0%", "0.0%", "0.0%"]
    # A only: Ava's English and Cara's Maths at level 5; no ungraded pass is an A.
    grid_a = _rows(c.get(url, {"grade": "A"}).content.decode(), "grid")
    assert grid_a[0] == ["1 or more", "66.7%", "66.7%", "66.7%", "0.0%", "0.0%"]
    assert grid_a[1][3] == "0.0%"
    # The leavers: Ben alone. Nobody like him left a school in another authority: no virtual
    # comparator. Glasgow City's, the West Partnership's and Scotland's leaver cohorts are that one pupil too, and school
    # staff see an authority's figures as the public does: withheld.
    leavers = _rows(c.get(url, {"stage": "leavers", "level": "4"}).content.decode(), "comparison")
    assert leavers[1] == ["2 or more", "100.0%", "-", "c", "c", "c"]
    # The export is the page's table.
    export = c.get(reverse("insight:breadth_depth_export", kwargs={"seed": seed, "table": "grid", "fmt": "csv"}),
                   {"grade": "A"})
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",") == grid_a[0]
    assert not AuditEvent.objects.filter(action="view_establishment_benchmarks").exists()  # own school: not logged


def test_another_schools_staff_see_a_small_cohort_withheld(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    html = client_for(world["dee_staff"]).get(reverse("insight:breadth_depth", kwargs={"seed": seed})).content.decode()
    grid = _rows(html, "grid")
    assert all(cell == "c" for row in grid for cell in row[1:])  # a cohort of 3 pupils
    assert "66.7%" not in html
    assert AuditEvent.objects.filter(action="view_establishment_benchmarks", object_id=seed).exists()


def test_the_menu_entry_opens_the_users_own_school(world: dict[str, Any]) -> None:
    response = client_for(world["kelvin_staff"]).get(reverse("insight:my_breadth_depth"))
    assert response.status_code == 302
    assert response["Location"] == reverse("insight:breadth_depth", kwargs={"seed": world["schools"]["K"].seed_code})
