"""The Course Comparator's pages: a school's course list, one course, the authority's vocational
uptake; who sees graded course measures (own staff, authority, learning partners; nobody else),
entries under the small-number rule, exports matching pages, the menu's way in."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from insight.services import run_create, run_execute_in_process
from partnerships.models import Partnership, Status
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
    example["glasgow_analyst"] = member(Role.AUTHORITY_ANALYST, authority=example["glasgow"])
    example["aberdeen_analyst"] = member(Role.AUTHORITY_ANALYST, authority=example["aberdeen"])
    return example


def _course_url(world: dict[str, Any], key: str = "ENG-N5-5") -> str:
    return reverse("insight:course", kwargs={"seed": world["schools"]["K"].seed_code, "course": key})


def lines_of(c: Any, seed: str) -> list[str]:
    """The lines of the N5 English bands' CSV export."""
    export = c.get(reverse("insight:course_export", kwargs={"seed": seed, "course": "ENG-N5-5", "table": "bands",
                                                            "fmt": "csv"}))
    return list(export.content.decode("utf-8-sig").splitlines())


def test_own_staff_read_the_course_list_and_one_course(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    c = client_for(world["kelvin_staff"])
    listing = _rows(c.get(reverse("insight:courses", kwargs={"seed": seed})).content.decode(), "courses")
    by_course = {(row[0], row[1]): row for row in listing}
    # N5 English: 2 entries (Ava A, Cara B), 100% A-C; its VC (twenty draws of Dan's D): 0% A-C.
    assert by_course[("English", "National 5")][2:] == ["5", "No", "2", "100.0%", "A to C", "0.0%"]
    # N5 Maths: Ava C, Cara A; nobody in another authority sat it: no VC.
    assert by_course[("Mathematics", "National 5")][4:] == ["2", "100.0%", "A to C", "-"]
    # Ben's NPA: a vocational course, one entry, passed.
    assert by_course[("Cyber Security", "National Progression Award")][2:] == ["4", "Yes", "1", "100.0%", "Pass", "-"]

    html = c.get(_course_url(world)).content.decode()
    bands = _rows(html, "bands")
    assert [row[0] for row in bands] == ["A", "A to B", "A to C", "A to D"]
    # School (Ava A, Cara B), VC (Dan's D x 20), Glasgow City (Kelvinbank), its collaborative (the
    # West Partnership: Kelvinbank again), Scotland (A, B, D): the authority, collaborative and
    # Scotland have fewer than five entries, so school staff see them withheld.
    assert bands[0] == ["A", "50.0%", "0.0%", "c", "c", "c"]
    assert bands[2] == ["A to C", "100.0%", "0.0%", "c", "c", "c"]
    assert bands[3] == ["A to D", "100.0%", "100.0%", "c", "c", "c"]
    assert world["glasgow"].collaborative.name in lines_of(c, seed)[0]
    difference = _rows(html, "difference")
    assert difference[0] == ["Kelvinbank Academy", "+0.50", "2"]
    assert difference[1] == ["Virtual comparator", "-3.00", "20"]
    assert difference[3] == [world["glasgow"].collaborative.name, "c", "c"]
    export = c.get(reverse("insight:course_export", kwargs={"seed": seed, "course": "ENG-N5-5", "table": "bands",
                                                            "fmt": "csv"}))
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",") == bands[0]
    assert not AuditEvent.objects.filter(action="view_establishment_benchmarks").exists()  # own school


def test_the_authority_sees_graded_measures_and_its_own_totals(world: dict[str, Any]) -> None:
    bands = _rows(client_for(world["glasgow_analyst"]).get(_course_url(world)).content.decode(), "bands")
    # The collaborative is public, as Scotland: no role is entitled to it.
    assert bands[0] == ["A", "50.0%", "0.0%", "50.0%", "c", "c"]


def test_a_learning_partner_sees_graded_measures_and_another_school_does_not(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    dee = client_for(world["dee_staff"])
    html = dee.get(_course_url(world)).content.decode()
    bands = _rows(html, "bands")
    # Not a partner: graded course measures of Kelvinbank are not shown at all (nor its VC).
    assert bands[0][1:3] == ["not shown", "not shown"]
    assert "50.0%" not in html and "+0.50" not in html
    listing = _rows(dee.get(reverse("insight:courses", kwargs={"seed": seed})).content.decode(), "courses")
    assert {row[4] for row in listing} == {"c"}  # entries of 1 or 2: the small-number rule
    assert {row[5] for row in listing} == {"not shown"}
    export = dee.get(reverse("insight:course_export", kwargs={"seed": seed, "course": "ENG-N5-5", "table": "bands",
                                                              "fmt": "csv"}))
    assert "50.0%" not in export.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="view_establishment_benchmarks", object_id=seed).exists()
    # Partners: Deeside now sees Kelvinbank's graded course measures, unsuppressed.
    Partnership.objects.create(proposer=world["schools"]["K"], partner=world["schools"]["D"],
                               status=Status.ACTIVE)
    partner = _rows(dee.get(_course_url(world)).content.decode(), "bands")
    assert partner[0][1:3] == ["50.0%", "0.0%"]


def test_the_authority_lists_each_schools_vocational_uptake(world: dict[str, Any]) -> None:
    url = reverse("insight:course_uptake", kwargs={"code": world["glasgow"].code})
    rows = _rows(client_for(world["glasgow_analyst"]).get(url).content.decode(), "uptake")
    assert rows == [["Kelvinbank Academy", "1", "0", "0", "0", "1"]]
    # Another authority's analyst: the counts under the small-number rule.
    other = _rows(client_for(world["aberdeen_analyst"]).get(url).content.decode(), "uptake")
    assert other == [["Kelvinbank Academy", "c", "0", "0", "0", "c"]]
    assert client_for(world["kelvin_staff"]).get(url).status_code == 403


def test_bad_course_keys_are_not_found_and_the_menu_opens_the_users_school(world: dict[str, Any]) -> None:
    c = client_for(world["kelvin_staff"])
    assert c.get(_course_url(world, "NOSUCH-N5-5")).status_code == 404
    assert c.get(_course_url(world, "ENG-XX-5")).status_code == 404
    response = c.get(reverse("insight:my_courses"))
    assert response["Location"] == reverse("insight:courses", kwargs={"seed": world["schools"]["K"].seed_code})


def test_the_establishment_dashboard_links_to_the_schools_courses(world: dict[str, Any]) -> None:
    seed = world["schools"]["K"].seed_code
    html = client_for(world["kelvin_staff"]).get(reverse("insight:establishment_dashboard",
                                                         kwargs={"seed": seed})).content.decode()
    for name in ("insight:breadth_depth", "insight:curricular_areas", "insight:courses"):
        assert f'href="{reverse(name, kwargs={"seed": seed})}"' in html
