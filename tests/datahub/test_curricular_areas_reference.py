"""Subjects' curricular areas as reference data: every listed subject has one, a national data
manager edits them in the admin, a local data manager may not, and the reference data page names
subjects without one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from datahub.models import CurricularArea, Role, Subject
from datahub.reference import CURRICULAR_AREAS, SUBJECTS
from tests.factories import member
from tests.worlds import load_reference_data

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_listed_subject_has_an_area_from_the_mapping() -> None:
    load_reference_data()
    assert {code for code, *_ in SUBJECTS} == set(CURRICULAR_AREAS)
    assert set(CURRICULAR_AREAS.values()) == set(CurricularArea.values)  # all eight areas have subjects
    assert not Subject.objects.filter(curricular_area="").exists()
    assert Subject.objects.get(code="ENG").curricular_area == CurricularArea.LANGUAGES
    assert Subject.objects.get(code="RMPS").curricular_area == CurricularArea.RELIGIOUS_AND_MORAL


def _change(client: Client, subject: Subject, area: str) -> int:
    url = reverse("admin:datahub_subject_change", args=[subject.pk])
    return client.post(url, {"code": subject.code, "name": subject.name, "literacy": "on" if subject.literacy else "",
                             "numeracy": "", "curricular_area": area}).status_code


def test_a_national_data_manager_changes_an_area_in_the_admin() -> None:
    load_reference_data()
    media = Subject.objects.get(code="MEDIA")
    assert _change(_client(member(Role.DATA_MANAGER)), media, CurricularArea.EXPRESSIVE_ARTS) == 302
    assert Subject.objects.get(code="MEDIA").curricular_area == CurricularArea.EXPRESSIVE_ARTS


@pytest.mark.parametrize("scope", ["authority", "establishment"])
def test_a_local_data_manager_may_not_change_an_area(world: Any, scope: str) -> None:
    load_reference_data()
    persona = world.personas["dm_x" if scope == "authority" else "dm_a"]
    media = Subject.objects.get(code="MEDIA")
    assert _change(_client(persona), media, CurricularArea.EXPRESSIVE_ARTS) == 403
    assert Subject.objects.get(code="MEDIA").curricular_area == CurricularArea.LANGUAGES


def test_the_reference_data_page_names_subjects_without_an_area() -> None:
    load_reference_data()
    client = _client(member(Role.DATA_MANAGER))
    page = client.get(reverse("datahub:reference_data")).content.decode()
    assert "Every subject has a curricular area." in page
    Subject.objects.create(code="ASTRO", name="Astronomy")
    page = client.get(reverse("datahub:reference_data")).content.decode()
    assert "1 subject has no curricular area" in page and "Astronomy (ASTRO)" in page
