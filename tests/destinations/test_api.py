"""The destinations API for partner systems: token authentication, the same rules as the pages,
history kept, outsiders not found, every read and write audited."""

from __future__ import annotations

import pytest

from datahub.models import AuditEvent
from destinations.models import Case, DestinationRecord, ParticipationSpell
from tests.destinations.worlds import CANARY_Y
from tests.worlds import token_api_client as api

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/destination-records/"
SPELLS = "/api/v1/participation-spells/"


def test_partner_system_records_a_destination_and_history_is_kept(world, caseload) -> None:
    system = world.personas["mcmc_x"]
    scn = caseload.unknown_a.learner.scn
    r = api(system).post(RECORDS, {"scn": scn, "kind": "initial", "category": "FE", "note": "College enrolment",
                                   "reason": "College data share"}, format="json")
    assert r.status_code == 201, r.content
    assert r.data["category"] == "FE" and r.data["current"] and r.data["source"] == "api" and r.data["positive"]
    records = DestinationRecord.objects.filter(leaver=caseload.unknown_a, kind="initial").order_by("id")
    assert [(x.category, x.superseded_at is None) for x in records] == [("UNKNOWN", False), ("FE", True)]
    assert Case.objects.get(leaver=caseload.unknown_a).status == "positive"
    event = AuditEvent.objects.get(action="api_destination_record")
    assert event.actor == system and event.reason == "College data share" and event.authority == world.authority_x
    history = api(system).get(RECORDS, {"scn": scn}).data["results"]
    assert [(h["category"], h["current"]) for h in history] == [("UNKNOWN", False), ("FE", True)]


def test_a_young_person_of_another_authority_is_not_found(world, caseload) -> None:
    c = api(world.personas["mcmc_x"])
    r = c.post(RECORDS, {"scn": caseload.unknown_b.learner.scn, "kind": "initial", "category": "HE"}, format="json")
    assert r.status_code == 404
    missing = c.post(RECORDS, {"scn": "000000000", "kind": "initial", "category": "HE"}, format="json")
    assert missing.status_code == 404 and missing.data == r.data  # indistinguishable from a foreign one
    foreign = DestinationRecord.objects.get(leaver=caseload.unknown_b)
    assert c.get(f"{RECORDS}{foreign.pk}/").status_code == 404
    listing = c.get(RECORDS, {"scn": caseload.unknown_b.learner.scn})
    assert listing.status_code == 200 and listing.data["count"] == 0
    assert CANARY_Y not in c.get(RECORDS).content.decode()
    r = c.post(SPELLS, {"scn": caseload.unknown_b.learner.scn, "status": "EDUCATION", "start_date": "2025-09-01"},
               format="json")
    assert r.status_code == 404
    assert DestinationRecord.objects.filter(leaver=caseload.unknown_b).count() == 1
    assert not ParticipationSpell.objects.filter(learner=caseload.unknown_b.learner).exists()


def test_school_staff_read_their_leavers_but_do_not_write(world, caseload) -> None:
    c = api(world.personas["staff_a"])
    scns = {r["scn"] for r in c.get(RECORDS, {"page_size": 100}).data["results"]}
    assert caseload.unknown_a.learner.scn in scns
    assert caseload.no_record_a2.learner.scn not in scns and caseload.unknown_b.learner.scn not in scns
    r = c.post(RECORDS, {"scn": caseload.unknown_a.learner.scn, "kind": "initial", "category": "HE"}, format="json")
    assert r.status_code == 403


@pytest.mark.parametrize("persona", ["analyst_x", "national", "dm_x"])
def test_roles_without_casework_cannot_read_records(world, caseload, persona) -> None:
    assert api(world.personas[persona]).get(RECORDS).status_code == 403
    assert api(world.personas[persona]).get(SPELLS).status_code == 403


def test_reading_records_is_audited_once_per_request(world, caseload) -> None:
    c = api(world.personas["mcmc_x"])
    record = DestinationRecord.objects.get(leaver=caseload.negative_a)
    assert c.get(f"{RECORDS}{record.pk}/").status_code == 200
    event = AuditEvent.objects.get(action="api_view_destinations")
    assert event.object_type == "learner" and event.object_id == str(caseload.negative_a.learner_id)
    c.get(RECORDS)
    assert AuditEvent.objects.filter(action="api_view_destinations").count() == 2


def test_partner_system_records_a_participation_status(world, caseload) -> None:
    c = api(world.personas["mcmc_x"])
    scn = caseload.unconfirmed_a.learner.scn
    r = c.post(SPELLS, {"scn": scn, "status": "EMPLOYMENT", "start_date": caseload.today.isoformat()}, format="json")
    assert r.status_code == 201, r.content
    assert Case.objects.get(leaver=caseload.unconfirmed_a).status == "positive"
    again = c.post(SPELLS, {"scn": scn, "status": "TRAINING", "start_date": "2000-01-01"}, format="json")
    assert again.status_code == 400 and "start_date" in again.data
    bad = c.post(RECORDS, {"scn": scn, "kind": "initial", "category": "NOPE"}, format="json")
    assert bad.status_code == 400
