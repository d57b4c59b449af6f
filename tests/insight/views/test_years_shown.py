"""Years shown: three by default, five by the person's saved choice (Account settings > Dashboards)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from insight.models import BenchmarkRun
from insight.selectors.catalogue import year_label
from tests.factories import member
from tests.insight.checks import page_table
from tests.insight.worlds import DASH_YEARS, DashWorld, client_for

pytestmark = pytest.mark.django_db


def test_the_settings_page_saves_ones_own_choice_audits_it_and_refuses_others(client, world) -> None:
    staff = world.personas["staff_a"]
    client.force_login(staff)
    url = reverse("dashboard_settings")
    page = client.get(url).content.decode()
    assert 'id="years-3" name="years_shown" value="3" checked' in page  # three by default
    assert reverse("dashboard_settings") in client.get(reverse("notice_settings")).content.decode()  # linked

    response = client.post(url, {"years_shown": "5"})
    assert response.status_code == 302 and response["Location"] == url
    staff.refresh_from_db()
    assert staff.years_shown == 5
    assert AuditEvent.objects.filter(actor=staff, action="dashboard_settings_update").count() == 1
    assert "Your dashboard settings are saved." in client.get(url).content.decode()

    bad = client.post(url, {"years_shown": "4"})
    assert bad.status_code == 400 and "Choose 3 or 5 years." in bad.content.decode()
    staff.refresh_from_db()
    assert staff.years_shown == 5
    assert world.personas["staff_b"].years_shown == 3  # nobody else's


def test_the_dashboard_shows_three_years_unless_the_viewer_chose_five(dash: DashWorld) -> None:
    # Give the published run five leaver years (the two earliest have no figures): the page's
    # series follow the run's years, cut to the viewer's choice.
    run = dash.run
    five = [DASH_YEARS[0] - 2, DASH_YEARS[0] - 1, *DASH_YEARS]
    BenchmarkRun.objects.filter(pk=run.pk).update(years=five)
    school = dash.schools["X1"]
    head = member(Role.ESTABLISHMENT_ADMIN, establishment=school)
    url = reverse("insight:establishment_dashboard", kwargs={"seed": school.seed_code})

    def years_in(table: str) -> list[str]:
        return [row[0] for row in page_table(client_for(head).get(url).content.decode(), table)[1:]]

    assert years_in("leavers") == [year_label(y) for y in five[-3:]]
    assert years_in("m-pct-initial-positive") == [year_label(y) for y in five[-3:]]
    head.years_shown = 5
    head.save()
    assert years_in("leavers") == [year_label(y) for y in five]
    assert years_in("m-pct-initial-positive") == [year_label(y) for y in five]
