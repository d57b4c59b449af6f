"""The hand-over into the journey: after the leaver and destination imports, the officer sees the
offer accepted before leaving beside the actual destination, and the caseload flags an offer
accepted but not taken up. The readiness board no longer lists someone who has left."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from datahub.models import Enrolment
from destinations.classification import survey_date
from destinations.pathways import services
from destinations.pathways.selectors import BoardFilters, board_rows
from tests.datahub.imports.worlds import as_csv, run
from tests.factories import LearnerFactory
from tests.worlds import client_for as client

pytestmark = pytest.mark.django_db


def last_leaver_year() -> int:
    """The latest leaver year whose initial destination survey has passed."""
    today = timezone.localdate()
    return today.year if today > survey_date("initial", today.year) else today.year - 1


def test_an_accepted_offer_not_taken_up_is_carried_into_the_journey_and_flagged(world) -> None:
    ly = last_leaver_year()
    staff, officer, dm = world.personas["staff_a"], world.personas["mcmc_x"], world.personas["dm_x"]
    ava = LearnerFactory.create(establishment=world.school_a, given_name="Ava", family_name="Handover",
                                date_of_birth=dt.date(ly - 18, 2, 1), care_experienced=True)
    for k, stage in enumerate(("S4", "S5", "S6")):
        Enrolment.objects.create(learner=ava, establishment=world.school_a, year=ly - 3 + k, stage=stage)
    services.pathway_record_create(learner=ava, by=staff, aspiration="Social care", intended_category="FE",
                                   intended_stage="S6")
    offer = services.offer_create(learner=ava, by=staff, kind="college", provider="Glasgow Clyde College",
                                  course="HNC Social Services", status_date=dt.date(ly - 1, 11, 20))
    services.offer_status_set(offer=offer, by=officer, status="accepted", status_date=dt.date(ly, 3, 2))
    assert [r.learner.pk for r in board_rows(officer, BoardFilters(), today=dt.date(ly, 3, 3), year=ly - 1)] == [ava.pk]

    # The leaver and destination imports: she left in S6 and was unemployed in October.
    leavers = run(dm, "leavers", as_csv([{
        "scn": ava.scn, "seed_code": world.school_a.seed_code, "leaver_year": str(ly), "stage": "S6",
        "leaving_date": f"{ly}-06-26", "sex": "F", "simd_decile": "5", "asn": "N", "care_experienced": "Y",
        "fsm": "N"}]))
    assert leavers.status == "succeeded", leavers.errors
    dests = run(dm, "initial-destinations", as_csv([{
        "scn": ava.scn, "seed_code": world.school_a.seed_code, "leaver_year": str(ly),
        "category": "UNEMPLOYED_SEEKING", "survey_date": survey_date("initial", ly).isoformat(), "note": ""}]))
    assert dests.status == "succeeded", dests.errors

    # The caseload flags the offer accepted but not taken up.
    c = client(officer)
    page = c.get(reverse("destinations:caseload")).content.decode()
    assert "Handover, Ava</a>" in page and "Offer accepted but not taken up" in page
    assert "Glasgow Clyde College (college)" in page
    exported = c.post(reverse("destinations:caseload_export"), {"reason": "Checking offers not taken up"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Offer accepted before leaving"
    assert next(r for r in rows[1:] if r[1] == "Ava")[-1] == "Glasgow Clyde College, HNC Social Services (College)"

    # The journey shows what was known before leaving beside the actual destination.
    journey = c.get(reverse("destinations:journey", kwargs={"pk": ava.pk})).content.decode()
    assert "Before leaving" in journey and "Social care" in journey
    assert "Glasgow Clyde College, HNC Social Services (college, accepted" in journey
    assert "Unemployed seeking" in journey

    # She has left: the readiness board no longer lists her; her pathway page remains, with history.
    assert board_rows(officer, BoardFilters(who="all"), today=timezone.localdate()) == []
    pathway = c.get(reverse("destinations:pathway", kwargs={"pk": ava.pk}))
    assert pathway.status_code == 200 and "has left school" in pathway.content.decode()


def test_a_leaver_without_an_offer_is_not_flagged(world) -> None:
    ly = last_leaver_year()
    officer = world.personas["mcmc_x"]
    learner = LearnerFactory.create(establishment=world.school_a, given_name="Neil", family_name="Nooffer",
                                    date_of_birth=dt.date(ly - 18, 2, 1))
    run(world.personas["dm_x"], "leavers", as_csv([{
        "scn": learner.scn, "seed_code": world.school_a.seed_code, "leaver_year": str(ly), "stage": "S6",
        "leaving_date": f"{ly}-06-26", "sex": "M", "simd_decile": "5", "asn": "N", "care_experienced": "N",
        "fsm": "N"}]))
    page = client(officer).get(reverse("destinations:caseload")).content.decode()
    assert "Nooffer, Neil</a>" in page and "Offer accepted" not in page
    journey = client(officer).get(reverse("destinations:journey", kwargs={"pk": learner.pk})).content.decode()
    assert "Before leaving" not in journey
