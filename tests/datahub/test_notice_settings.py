"""E-mail notices: a person turns off the e-mail about new figures; the portal notice stays."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from datahub.models import AuditEvent, Role, SchoolLeaver
from insight.models import RunNotice
from insight.publication import run_publish
from tests.factories import member
from tests.insight.test_publication import computed
from tests.insight.worlds import build_world, publish

pytestmark = pytest.mark.django_db


def test_the_page_saves_ones_own_choice_and_audits_it(client, world) -> None:
    staff = world.personas["staff_a"]
    client.force_login(staff)
    url = reverse("notice_settings")
    page = client.get(url).content.decode()
    assert 'name="email_new_figures"' in page and " checked" in page  # on by default
    assert "E-mail notices" in page

    response = client.post(url, {"workspace_email": "daily"})  # the box unticked, the workspace choice kept
    assert response.status_code == 302 and response["Location"] == url
    staff.refresh_from_db()
    assert staff.email_new_figures is False
    assert AuditEvent.objects.filter(actor=staff, action="notice_settings_update").count() == 1
    assert "Your e-mail notices are saved." in client.get(url).content.decode()

    client.post(url, {"workspace_email": "daily"})  # the same again: nothing changed, nothing audited
    assert AuditEvent.objects.filter(actor=staff, action="notice_settings_update").count() == 1
    assert world.personas["staff_b"].email_new_figures is True  # nobody else's


def test_publishing_e_mails_only_those_who_want_it(world, django_capture_on_commit_callbacks) -> None:
    build_world(n_authorities=2, schools_per_authority=1, leavers_per_school=8)
    school = SchoolLeaver.objects.first().establishment  # type: ignore[union-attr]
    keen = member(Role.ESTABLISHMENT_STAFF, establishment=school)
    quiet = member(Role.ESTABLISHMENT_STAFF, establishment=school)
    quiet.email_new_figures = False
    quiet.save()
    publish(computed(seed=3))
    draft = computed(seed=4)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_publish(run=draft, by=world.personas["national"], release_note="Corrected results.")
    recipients = {address for m in mail.outbox for address in m.to}
    assert keen.email in recipients and quiet.email not in recipients
    # Both still get the notice in the portal.
    assert RunNotice.objects.filter(run=draft, recipient__in=[keen, quiet]).count() == 2
