"""An authority's vocational uptake (entries summed over the courses of each award type) gives no
withheld course entries away (issue 12, item 7; ``insight.selectors.courses.vocational_uptake``).

Beside the course pages, a school's National Progression Award entries minus its shown NPA
courses would be the one withheld course; its *All vocational* total minus its shown award types
would be the withheld type. So, to a viewer not entitled to the school, a sum is shown only where
every course in it is shown on the course pages, and the total only where every sum is.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from datahub.access import Entitlement
from datahub.models import LocalAuthority, Role, Subject, TariffScale
from insight.benchmarking import columns as c
from insight.models import BenchmarkRun, CourseResult
from insight.selectors.course_graded import GradedScope
from insight.selectors.courses import course_levels, find_course
from insight.selectors.pattern import forget_computed
from tests.factories import EstablishmentFactory, member
from tests.insight.worlds import client_for

pytestmark = pytest.mark.django_db
YEAR, STAGE = 2024, c.STAGE_S4
# Glasgow's three schools: entries in two NPA courses and one Skills for Work course.
ENTRIES = {0: {("NPA", 0): 3, ("NPA", 1): 10, ("SFW", 2): 8},
           1: {("NPA", 0): 6, ("NPA", 1): 7, ("SFW", 2): 9},
           2: {("NPA", 0): 5, ("NPA", 1): 6, ("SFW", 2): 12}}


def _rows(html: str) -> list[list[str]]:
    body = html.split('id="table-uptake"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def test_no_uptake_figure_minus_shown_courses_gives_a_withheld_course_away(db: Any) -> None:
    forget_computed()
    glasgow = LocalAuthority.objects.get_or_create(gss_code="S12000049", defaults={"code": 260, "name": "Glasgow City"})[0]
    aberdeen = LocalAuthority.objects.get_or_create(gss_code="S12000033",
                                                    defaults={"code": 100, "name": "Aberdeen City"})[0]
    schools = [EstablishmentFactory.create(authority=glasgow, name=f"School {i}") for i in range(3)]
    subjects = list(Subject.objects.order_by("pk")[:3])
    scale = TariffScale.objects.filter(is_default=True).first() or TariffScale.objects.create(version="local")
    now = timezone.now()
    run = BenchmarkRun.objects.create(seed=1, years=[YEAR], tariff_scale=scale, status="succeeded", started_at=now,
                                      finished_at=now, publication="published", published_at=now, collaboratives={})
    rows = []
    for (award, k) in ENTRIES[0]:
        per = {i: ENTRIES[i][(award, k)] for i in ENTRIES}
        for cohort, uid, n in [*((c.COHORT_ESTABLISHMENT, schools[i].pk, n) for i, n in per.items()),
                               (c.COHORT_AUTHORITY, glasgow.pk, sum(per.values())),
                               (c.COHORT_NATIONAL, c.NATIONAL_COHORT_ID, sum(per.values()))]:
            rows.append(CourseResult(run=run, cohort=cohort, cohort_id=uid, year=YEAR, cohort_stage=STAGE,
                                     subject_id=subjects[k].pk, award_type=award, scqf_level=5, n_entries=n,
                                     n_a=0, n_ab=0, n_ac=0, n_ad=0, n_pass=n, n_compared=0))
    CourseResult.objects.bulk_create(rows)

    def course_shown(i: int, award: str, k: int) -> bool:
        course = find_course(f"{subjects[k].code}-{award}-5")
        assert course is not None
        levels = course_levels(run, schools[i], course, stage=STAGE, scope=GradedScope(frozenset(), frozenset()),
                               entitlements=(Entitlement.PUBLIC, Entitlement.PUBLIC))
        return not levels[(c.COHORT_ESTABLISHMENT, YEAR)].entries_hidden

    url = reverse("insight:course_uptake", kwargs={"code": glasgow.code})
    shown = _rows(client_for(member(Role.AUTHORITY_ANALYST, authority=aberdeen)).get(url).content.decode())
    leaked_before = False
    for i, row in enumerate(shown):
        assert row[0] == f"School {i}"
        npa, sfw, total = row[1], row[2], row[-1]
        npa_parts = [course_shown(i, "NPA", k) for k in (0, 1)]
        assert (npa != "c") == all(npa_parts), (i, row)
        assert (sfw != "c") == course_shown(i, "SFW", 2), (i, row)
        assert (total != "c") == (npa != "c" and sfw != "c"), (i, row)
        if npa != "c":
            assert int(npa) == ENTRIES[i][("NPA", 0)] + ENTRIES[i][("NPA", 1)]
        # The rule before showed every sum of 5 or more: here it would have given a course away.
        leaked_before |= not all(npa_parts) and ENTRIES[i][("NPA", 0)] + ENTRIES[i][("NPA", 1)] >= 5
    assert leaked_before
    assert shown[0][1] == "c" and shown[0][-1] == "c"  # School 0's 3 NPA entries in one course: both withheld
    # Glasgow's own analyst sees every figure.
    own = _rows(client_for(member(Role.AUTHORITY_ANALYST, authority=glasgow)).get(url).content.decode())
    assert own[0][1:3] == ["13", "8"] and own[0][-1] == "21"
