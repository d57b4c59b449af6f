"""Pages: an officer of authority X never sees a young person of authority Y, every view of a
young person writes exactly one audit entry, bulk changes are all or nothing, exports are scoped,
audited and formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from datahub.models import AuditEvent, Role
from destinations import services
from destinations.models import Case, ContactNote, DestinationRecord
from destinations.selectors import age_on
from tests.destinations.worlds import CANARY_Y
from tests.factories import member
from tests.worlds import client_for as client

pytestmark = pytest.mark.django_db


def names(response) -> str:
    return response.content.decode()


# --- Caseload ------------------------------------------------------------------------------


def test_caseload_lists_the_officers_open_cases_only(world, caseload) -> None:
    r = client(world.personas["mcmc_x"]).get(reverse("destinations:caseload"))
    assert r.status_code == 200
    body = names(r)
    for person in ("Una", "Neil", "Nina", "Nora", "Uri"):
        assert f", {person}</a>" in body, person
    assert "Pat</a>" not in body  # positive at both surveys: not on the caseload
    assert CANARY_Y not in body
    assert "CanaryAlphaQz" not in body  # world's own leavers are 20: past the caseload's age
    assert r.context["page"].paginator.count == 5


def test_officer_of_y_never_sees_xs_young_people(world, caseload) -> None:
    c = client(world.personas["mcmc_y"])
    body = names(c.get(reverse("destinations:caseload")))
    assert CANARY_Y in body
    for person in ("Una", "Neil", "Nina", "Nora", "Uri"):
        assert f", {person}</a>" not in body
    # X's school as a filter value is not a choice for Y's officer: nothing of X appears.
    r = c.get(reverse("destinations:caseload") + f"?school={world.school_a.pk}&q=Known")
    assert r.context["page"].paginator.count == 0 and ", Una</a>" not in names(r)
    assert "school" in r.context["form"].errors


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=unknown", {"Una", "Nora"}),
        ("status=negative", {"Neil", "Nina"}),
        ("status=unconfirmed", {"Uri"}),
        ("status=not_sustained", {"Nina", "Uri"}),
        ("asn=yes", {"Neil"}),
        ("care_experienced=yes", {"Nina"}),
        ("q=Known", {"Una"}),
    ],
)
def test_caseload_filters(world, caseload, query, expected) -> None:
    r = client(world.personas["mcmc_x"]).get(reverse("destinations:caseload") + "?" + query)
    got = {c.leaver.learner.given_name for c in r.context["page"].object_list}
    assert got == expected


def test_caseload_filters_by_school_year_age_and_officer(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    c = client(officer)
    url = reverse("destinations:caseload")
    got = lambda q: {x.leaver.learner.given_name for x in c.get(url + "?" + q).context["page"].object_list}  # noqa: E731
    assert got(f"school={world.school_a2.pk}") == {"Nora"}
    assert got(f"leaver_year={caseload.leaver_year}") == {"Una", "Neil", "Nina", "Nora", "Uri"}
    age = age_on(caseload.unknown_a.learner.date_of_birth, caseload.today)
    assert got(f"age={age}") == {"Una", "Neil", "Nina", "Nora", "Uri"}
    assert got(f"age={age - 1}") == set()
    services.case_bulk_assign(leavers=[caseload.unknown_a], officer=officer, by=officer, reason="Mine")
    assert got("officer=me") == {"Una"}
    assert got(f"officer={officer.pk}") == {"Una"}
    assert "Una" not in got("officer=none")


def test_overdue_next_actions_come_first(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    services.case_update(leaver=caseload.unconfirmed_a, by=officer, officer=officer, next_action="Phone",
                         next_action_date=caseload.today - dt.timedelta(days=3))
    services.case_update(leaver=caseload.negative_a, by=officer, officer=officer, next_action="Visit",
                         next_action_date=caseload.today + dt.timedelta(days=3))
    c = client(officer)
    rows = c.get(reverse("destinations:caseload")).context["page"].object_list
    assert [r.leaver.learner.given_name for r in rows][:2] == ["Uri", "Neil"]
    assert rows[0].overdue and not rows[1].overdue
    overdue = c.get(reverse("destinations:caseload") + "?overdue=1").context["page"].object_list
    assert [r.leaver.learner.given_name for r in overdue] == ["Uri"]


@pytest.mark.parametrize("persona", ["staff_a", "admin_a", "analyst_x", "dm_x", "national"])
def test_only_mcmc_officers_have_a_caseload(world, persona) -> None:
    c = client(world.personas[persona])
    assert c.get(reverse("destinations:caseload")).status_code == 403
    assert c.get(reverse("destinations:caseload_export")).status_code == 403
    assert c.post(reverse("destinations:caseload_bulk"), {"action": "assign"}).status_code == 403


def test_the_caseload_leaves_once_a_positive_destination_is_recorded(world, caseload) -> None:
    c = client(world.personas["mcmc_x"])
    url = reverse("destinations:caseload") + "?status=unknown"
    assert "Una" in {x.leaver.learner.given_name for x in c.get(url).context["page"].object_list}
    r = c.post(reverse("destinations:destination_create", kwargs={"pk": caseload.unknown_a.learner_id}),
               {"kind": "follow_up", "category": "FE", "note": "City College", "reason": ""})
    assert r.status_code == 302
    assert "Una" not in {x.leaver.learner.given_name for x in c.get(url).context["page"].object_list}


# --- Bulk actions ------------------------------------------------------------------------------


def test_bulk_assign_through_the_page(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    r = client(officer).post(reverse("destinations:caseload_bulk"), {
        "action": "assign", "officer": str(officer.pk), "reason": "Start of term",
        "leavers": [caseload.unknown_a.pk, caseload.negative_a.pk], "filters": "status=unknown",
    })
    assert r.status_code == 302 and r["Location"] == reverse("destinations:caseload") + "?status=unknown"
    assert set(Case.objects.filter(officer=officer).values_list("leaver_id", flat=True)) == {
        caseload.unknown_a.pk, caseload.negative_a.pk}


def test_bulk_with_a_foreign_id_is_not_found_and_changes_nothing(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    before = DestinationRecord.objects.count()
    for data in (
        {"action": "assign", "officer": str(officer.pk)},
        {"action": "status", "kind": "follow_up", "category": "FE"},
    ):
        r = client(officer).post(reverse("destinations:caseload_bulk"), {
            **data, "reason": "Tidy up", "leavers": [caseload.unknown_a.pk, caseload.unknown_b.pk],
        })
        assert r.status_code == 404
    assert DestinationRecord.objects.count() == before
    assert not Case.objects.filter(officer=officer).exists()
    assert not AuditEvent.objects.filter(action__in=["bulk_assign", "bulk_status"]).exists()


def test_bulk_without_a_reason_changes_nothing(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    r = client(officer).post(reverse("destinations:caseload_bulk"), {
        "action": "status", "kind": "follow_up", "category": "FE", "reason": "",
        "leavers": [caseload.unknown_a.pk, caseload.no_record_a2.pk],
    }, follow=True)
    assert "Nothing was changed" in names(r)
    assert not DestinationRecord.objects.filter(kind="follow_up", category="FE").exists()


def test_bulk_status_through_the_page(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    r = client(officer).post(reverse("destinations:caseload_bulk"), {
        "action": "status", "kind": "participation", "participation_status": "TRAINING",
        "start_date": caseload.today.isoformat(), "reason": "Training provider list",
        "leavers": [caseload.unknown_a.pk, caseload.no_record_a2.pk],
    }, follow=True)
    assert "Status updated for 2 young people" in names(r)
    assert set(Case.objects.filter(status="positive", leaver__in=[caseload.unknown_a, caseload.no_record_a2])
               .values_list("leaver_id", flat=True)) == {caseload.unknown_a.pk, caseload.no_record_a2.pk}


# --- Export --------------------------------------------------------------------------------


def test_export_is_limited_to_the_authority_audited_and_formula_safe(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    services.contact_note_create(leaver=caseload.negative_a, by=officer, contact_date=caseload.today, method="phone",
                            outcome="spoke", next_action="=HYPERLINK(\"http://evil\")")
    c = client(officer)
    page = c.get(reverse("destinations:caseload_export") + "?status=negative")
    assert page.status_code == 200 and page.context["count"] == 2
    refused = c.post(reverse("destinations:caseload_export"), {"status": "negative", "reason": "short"})
    assert refused.status_code == 200 and not AuditEvent.objects.filter(action="caseload_export").exists()
    r = c.post(reverse("destinations:caseload_export"), {"status": "negative", "school": str(world.school_b.pk),
                                                         "reason": "Monthly review with the college"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    assert CANARY_Y not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Scottish Candidate Number"
    given = {row[1] for row in rows[1:]}
    # A foreign school in the filters is ignored (not a choice): the authority's own rows only.
    assert given == {"Neil", "Nina"}
    neil = next(row for row in rows[1:] if row[1] == "Neil")
    assert neil[16] == "'=HYPERLINK(\"http://evil\")"
    event = AuditEvent.objects.get(action="caseload_export")
    assert event.actor == officer and event.reason == "Monthly review with the college"
    assert event.authority == world.authority_x and event.detail["rows"] == 2


def test_export_of_y_holds_only_ys_young_people(world, caseload) -> None:
    r = client(world.personas["mcmc_y"]).post(reverse("destinations:caseload_export"),
                                              {"reason": "Checking the whole caseload"})
    text = r.content.decode("utf-8-sig")
    assert CANARY_Y in text
    for person in ("Una", "Neil", "Nina", "Nora", "Uri", "CanaryAlpha"):
        assert person not in text


# --- Journey ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("mcmc_x", 200), ("admin_a", 200), ("staff_a", 200),  # the authority's officers, the last school's staff
        ("dm_a", 403), ("dm_x", 403),  # may see the learner in the data hub, but this is casework
        ("mcmc_y", 404), ("admin_b", 404), ("staff_b", 404), ("analyst_x", 404), ("national", 404),
    ],
)
def test_who_reads_a_journey(world, caseload, persona, status) -> None:
    url = reverse("destinations:journey", kwargs={"pk": caseload.unknown_a.learner_id})
    r = client(world.personas[persona]).get(url)
    assert r.status_code == status
    assert "Una" not in names(r) if status != 200 else "Una" in names(r)
    views = AuditEvent.objects.filter(action="view_journey")
    assert views.count() == (1 if status == 200 else 0)


def test_staff_of_another_school_in_the_authority_cannot_read_the_journey(world, caseload) -> None:
    staff_a2 = member(Role.ESTABLISHMENT_STAFF, establishment=world.school_a2)
    url = reverse("destinations:journey", kwargs={"pk": caseload.unknown_a.learner_id})
    assert client(staff_a2).get(url).status_code == 404
    assert client(staff_a2).get(reverse("destinations:journey", kwargs={"pk": caseload.no_record_a2.learner_id})
                                ).status_code == 200


def test_every_view_of_a_journey_writes_exactly_one_audit_entry(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    c = client(officer)
    pk = caseload.not_sustained_a.learner_id
    pages = ["journey", "contact_create", "destination_create", "participation_create", "assignment"]
    for i, name in enumerate(pages, start=1):
        assert c.get(reverse(f"destinations:{name}", kwargs={"pk": pk})).status_code == 200
        events = AuditEvent.objects.filter(object_type="learner", object_id=str(pk))
        assert events.count() == i, name
        latest = events.order_by("-id").first()
        assert latest is not None
        assert latest.actor == officer and latest.authority == world.authority_x
        assert latest.establishment == world.school_a
    # A form sent back with errors is shown again: one more view entry, no change entry.
    c.post(reverse("destinations:contact_create", kwargs={"pk": pk}), {"method": "phone"})
    assert AuditEvent.objects.filter(object_id=str(pk)).count() == len(pages) + 1
    assert AuditEvent.objects.filter(object_id=str(pk), action="view_journey_form").count() == len(pages)
    assert not ContactNote.objects.exists()


def test_journey_shows_history_contacts_and_current_status(world, caseload) -> None:
    officer = world.personas["mcmc_x"]
    leaver = caseload.not_sustained_a
    services.destination_record_create(leaver=leaver, kind="follow_up", category="TRAINING", by=officer,
                                note="Started with a training provider", reason="Phoned")
    services.contact_note_create(leaver=leaver, by=officer, contact_date=caseload.today, method="phone", outcome="spoke",
                            note="Enjoying the course", next_action="Check in", next_action_date=caseload.today)
    body = names(client(world.personas["staff_a"]).get(reverse("destinations:journey", kwargs={"pk": leaver.learner_id})))
    assert "Follow-up destination: Unemployed not seeking" in body and "Replaced" in body
    assert "Follow-up destination: Training" in body and "Started with a training provider" in body
    assert "Enjoying the course" in body and "Check in" in body
    assert "Positive destination: Training" in body
    # School staff read but do not work the case: no casework buttons.
    assert "Record a contact" not in body


def test_casework_forms_are_for_the_authoritys_officers_only(world, caseload) -> None:
    pk = caseload.unknown_a.learner_id
    for name in ("contact_create", "destination_create", "participation_create", "assignment"):
        url = reverse(f"destinations:{name}", kwargs={"pk": pk})
        assert client(world.personas["staff_a"]).get(url).status_code == 403
        assert client(world.personas["mcmc_y"]).get(url).status_code == 404
        assert client(world.personas["mcmc_y"]).post(url, {"kind": "initial", "category": "HE"}).status_code == 404
    assert DestinationRecord.objects.filter(leaver=caseload.unknown_a).count() == 1


def test_recording_a_contact_through_the_form(world, caseload) -> None:
    c = client(world.personas["mcmc_x"])
    pk = caseload.negative_a.learner_id
    due = caseload.today + dt.timedelta(days=14)
    r = c.post(reverse("destinations:contact_create", kwargs={"pk": pk}), {
        "contact_date": caseload.today.isoformat(), "method": "home_visit", "outcome": "support_accepted",
        "note": "Agreed to meet a careers adviser", "next_action": "Book SDS appointment",
        "next_action_date": due.isoformat(),
    })
    assert r.status_code == 302 and r["Location"] == reverse("destinations:journey", kwargs={"pk": pk})
    contact = ContactNote.objects.get()
    assert contact.method == "home_visit" and contact.recorded_by == world.personas["mcmc_x"]
    assert Case.objects.get(leaver=caseload.negative_a).next_action_date == due


def test_replacing_a_destination_needs_a_reason(world, caseload) -> None:
    c = client(world.personas["mcmc_x"])
    url = reverse("destinations:destination_create", kwargs={"pk": caseload.unknown_a.learner_id})
    r = c.post(url, {"kind": "initial", "category": "FE", "reason": ""})
    assert r.status_code == 200 and "Give a reason" in names(r)
    assert c.post(url, {"kind": "initial", "category": "FE", "reason": "Confirmed by the college"}).status_code == 302
    assert DestinationRecord.objects.filter(leaver=caseload.unknown_a, kind="initial").count() == 2


# --- Measures pages ---------------------------------------------------------------------------


def test_destinations_index_for_each_kind_of_place(world, caseload) -> None:
    for persona, heading in (("staff_a", "Alpha High School"), ("analyst_x", "Aberdeen City"),
                             ("national", "Scotland"), ("mcmc_x", "Aberdeen City")):
        r = client(world.personas[persona]).get(reverse("destinations:index"))
        assert r.status_code == 200 and heading in names(r), persona
        assert CANARY_Y not in names(r) and "Una" not in names(r)
    body = names(client(world.personas["mcmc_x"]).get(reverse("destinations:index")))
    assert "Your caseload" in body


def test_national_analyst_sees_small_numbers_withheld(world, caseload) -> None:
    r = client(world.personas["national"]).get(reverse("destinations:index") + f"?authority={world.authority_x.code}")
    assert r.status_code == 200 and "withheld to protect confidentiality" in names(r)
    own = client(world.personas["analyst_x"]).get(reverse("destinations:index"))
    assert own.context["rows"][0]["leavers"].suppressed is False
    # An analyst of Y does not reach X's schools by a code in the query string.
    assert client(world.personas["analyst_y"]).get(
        reverse("destinations:index") + f"?authority={world.authority_x.code}").status_code == 404


def test_the_national_table_links_only_to_authorities_the_viewer_may_open(world, caseload) -> None:
    # A national user administrator sees Scotland's table but may open no authority's page.
    for persona, linked in (("national", True), ("ua_national", False)):
        c = client(world.personas[persona])
        rows = c.get(reverse("destinations:index")).context["rows"]
        assert rows and all(bool(r["url"]) is linked for r in rows), persona
        for r in rows[:3]:
            if r["url"]:
                assert c.get(r["url"]).status_code == 200, (persona, r["url"])


def test_school_measures_page_breakdowns(world, caseload) -> None:
    url = reverse("destinations:school", kwargs={"seed": world.school_a.seed_code})
    r = client(world.personas["staff_a"]).get(url + f"?year={caseload.leaver_year}&breakdown=asn")
    assert r.status_code == 200
    rows = {row["label"]: row for row in r.context["rows"]}
    assert rows["Additional support needs"]["school"]["leavers"].value == 1
    assert client(world.personas["staff_b"]).get(url).status_code == 404
    # A printout states the school, the groups and the year it shows (printed only).
    printed = r.content.decode().split('class="portal-print-only  portal-print-filters"', 1)[1].split("</dl>", 1)[0]
    assert f"<dd>{world.school_a.name} ({world.school_a.seed_code})</dd>" in printed
    assert "<dt>Groups of leavers</dt><dd>Additional support needs</dd>" in printed
    year = f"{caseload.leaver_year - 1}/{str(caseload.leaver_year)[2:]}"
    assert f"<dt>Year of leaving for the groups</dt><dd>{year}</dd>" in printed


# --- Audit log ------------------------------------------------------------------------------


def test_audit_log_is_read_by_the_authoritys_admins_for_their_authority(world, caseload) -> None:
    client(world.personas["mcmc_x"]).get(reverse("destinations:journey", kwargs={"pk": caseload.unknown_a.learner_id}))
    client(world.personas["mcmc_y"]).get(reverse("destinations:journey", kwargs={"pk": caseload.unknown_b.learner_id}))
    x_id, y_id = str(caseload.unknown_a.learner_id), str(caseload.unknown_b.learner_id)
    for persona in ("mcmc_x", "dm_x"):
        events = client(world.personas[persona]).get(reverse("destinations:audit")).context["page"].object_list
        ids = {e.object_id for e in events}
        assert x_id in ids and y_id not in ids, persona
    events = client(world.personas["mcmc_y"]).get(
        reverse("destinations:audit") + f"?authority={world.authority_x.pk}").context["page"].object_list
    assert {e.object_id for e in events} <= {y_id} and not any(e.object_id == x_id for e in events)
    for persona in ("staff_a", "admin_a", "analyst_x", "dm_a", "national"):
        assert client(world.personas[persona]).get(reverse("destinations:audit")).status_code == 403, persona
    national_dm = member(Role.DATA_MANAGER)
    ids = {e.object_id for e in client(national_dm).get(reverse("destinations:audit")).context["page"].object_list}
    assert {x_id, y_id} <= ids
